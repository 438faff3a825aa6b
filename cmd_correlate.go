package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

func init() {
	register(command{name: "correlate", summary: "multi-tau g2 (and two-time C2) of a raw stack into an APS 8-ID-I result file", run: cmdCorrelate})
}

func cmdCorrelate(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("correlate", flag.ContinueOnError)
	raw := fs.String("raw", "", "raw stack (HDF5, "+h5.StackPath+") (required); its /entry metadata (frame time, geometry) goes into the result")
	qmapPath := fs.String("qmap", "", "q-map file holding /xpcs/qmap (APS layout); default: the raw file's /xpcs/qmap, else rings from the raw file's geometry, else rings around the frame centre")
	out := fs.String("out", "", "result file to write (required; written to a temporary file and renamed)")
	twoTime := fs.Bool("twotime", false, "also compute the two-time correlation of every dynamic bin (/xpcs/twotime)")
	backend := fs.String("backend", "auto", "two-time BLAS back end: auto, openblas, gonum or naive")
	smoothName := fs.String("twotime-smooth", "sqmap", "two-time smoothing before C is formed: sqmap (divide each pixel by its static bin's mean in that frame, APS 8-ID-I's default), dqmap (the dynamic bin's), or none (raw counts)")
	stride := fs.Int("stride", 1, "use every N-th frame")
	avg := fs.Int("avg", 1, "sum groups of N (strided) frames into one")
	segments := fs.Int("segments", 0, "also report g2 of N equal time segments (printed only)")
	workers := fs.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	frameTime := fs.Float64("frame-time", 0, "frame time in seconds (0: the raw file's "+entryFrameTime+", else 1)")
	nStatic := fs.Int("static-bins", 36, "static q bins of a q-map made without --qmap")
	nDynamic := fs.Int("dynamic-bins", 9, "dynamic q bins of a q-map made without --qmap (divides --static-bins)")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if *raw == "" || *out == "" {
		return &exitError{code: 2, msg: "correlate: --raw and --out are required"}
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("correlate: unexpected arguments %q", fs.Args())}
	}
	// Metadata comes from the raw file, the q-map from the q-map file.
	meta, err := h5.ReadResult(*raw)
	if err != nil {
		return fmt.Errorf("correlate: reading the metadata of %s: %w", *raw, err)
	}
	src, err := openSource(*raw)
	if err != nil {
		return fmt.Errorf("correlate: %w", err)
	}
	shape := src.Shape()
	src.Close()
	var qm *xpcs.QMap
	qmapSource := *qmapPath
	switch {
	case *qmapPath != "":
		if qm, err = readQMap(*qmapPath); err != nil {
			return fmt.Errorf("correlate: %w", err)
		}
	case len(meta.QMap.StaticROIMap) > 0 && len(meta.QMap.DynamicROIMap) > 0:
		if qm, err = qmapFromAPS(meta.QMap); err != nil {
			return fmt.Errorf("correlate: q-map of %s: %w", *raw, err)
		}
		qmapSource = *raw
	default:
		part := xpcs.Partition{NStatic: *nStatic, NDynamic: *nDynamic}
		g, ok := geometryFromEntry(meta.Entry)
		if ok {
			fmt.Fprintf(stderr, "correlate: no --qmap: %d static / %d dynamic q rings from the geometry of %s (beam centre %g, %g px, %g m, %g keV, %g m pixels)\n",
				part.NStatic, part.NDynamic, *raw, g.BeamCenterX, g.BeamCenterY, g.Distance, g.Energy, g.PixelSize)
		} else {
			g = xpcs.Geometry{BeamCenterX: float64(shape.Cols-1) / 2, BeamCenterY: float64(shape.Rows-1) / 2, PixelSize: 75e-6, Distance: 5, Energy: 10}
			fmt.Fprintf(stderr, "correlate: no --qmap and no detector geometry in %s: %d static / %d dynamic rings around the frame centre (q nominal: 75 µm pixels, 5 m, 10 keV)\n",
				*raw, part.NStatic, part.NDynamic)
		}
		if qm, err = xpcs.NewQMap(shape.Rows, shape.Cols, g, xpcs.Mask{}, part); err != nil {
			return &exitError{code: 2, msg: "correlate: q-map without --qmap: " + err.Error()}
		}
		qmapSource = ""
	}
	ft := *frameTime
	if ft == 0 {
		if v, ok := entryFloat(meta.Entry, strings.TrimPrefix(entryFrameTime, "/entry/")); ok && v > 0 {
			ft = v
		} else {
			ft = 1
			fmt.Fprintf(stderr, "correlate: %s has no %s: frame time 1 s (pass --frame-time)\n", *raw, entryFrameTime)
		}
	}
	opt := xpcs.Options{Stride: *stride, Average: *avg, Segments: *segments, Workers: *workers}
	start := time.Now()
	if src, err = openSource(*raw); err != nil {
		return fmt.Errorf("correlate: %w", err)
	}
	res, err := xpcs.Correlate(src, qm, opt)
	src.Close()
	if err != nil {
		return fmt.Errorf("correlate %s: %w", *raw, err)
	}
	elapsed := time.Since(start)
	out5 := resultToAPS(res)
	// As APS: /entry holds the raw file's metadata with the raw frame time;
	// delay_list counts effective frames of stride_frame*avg_frame raw
	// frames (/xpcs/multitau/config), so t = delay * frame_time * stride * avg.
	out5.Entry = map[string]any{}
	for k, v := range meta.Entry {
		out5.Entry[k] = v
	}
	out5.Entry[strings.TrimPrefix(entryFrameTime, "/entry/")] = ft
	analysis := "multitau"
	if *twoTime {
		analysis = "multitau+twotime"
	}
	out5.Config = map[string]any{
		"analysis_type": analysis, "raw": *raw, "qmap": qmapSource,
		"avg_frame": int64(max(*avg, 1)), "stride_frame": int64(max(*stride, 1)),
		"begin_frame": int64(0), "end_frame": int64(-1), "smooth": *smoothName,
	}
	out5.RawDataPath = *raw
	out5.QMap.SourceFile = qmapSource
	if *twoTime {
		b, err := twotime.ParseBackend(*backend)
		if err != nil {
			return &exitError{code: 2, msg: "correlate: " + err.Error()}
		}
		sm, err := twotime.ParseSmooth(*smoothName)
		if err != nil {
			return &exitError{code: 2, msg: "correlate: " + err.Error()}
		}
		if *stride > 1 || *avg > 1 {
			return &exitError{code: 2, msg: "correlate: --twotime works on every raw frame: drop --stride and --avg"}
		}
		src, err := openSource(*raw)
		if err != nil {
			return fmt.Errorf("correlate: %w", err)
		}
		bins, err := twotime.Compute(src, qm, twotime.Options{Backend: b, Smooth: sm})
		src.Close()
		if err != nil {
			return fmt.Errorf("correlate %s: two-time: %w", *raw, err)
		}
		out5.TwoTime = map[string]h5.Matrix32{}
		for _, bin := range bins {
			out5.TwoTime[fmt.Sprintf("c2_%05d", bin.Bin+1)] = h5.Matrix32{Rows: bin.Frames, Cols: bin.Frames, Data: bin.C}
		}
	}
	if err := replaceFile(*out, func(tmp string) error { return h5.WriteResult(tmp, out5) }); err != nil {
		return fmt.Errorf("correlate: writing %s: %w", *out, err)
	}
	sh := res.Raw
	fmt.Fprintf(stdout, "correlated %s (%s, %d effective frames) in %v: %.1f Mpixel-frames/s; %d delays x %d q bins -> %s\n",
		*raw, sh, res.Frames, elapsed.Round(time.Millisecond), float64(sh.Len())/elapsed.Seconds()/1e6, len(res.G2.Delays), res.G2.NQ, *out)
	for i, g := range res.SegmentG2 {
		fmt.Fprintf(stdout, "segment %d: g2(delay %d) =", i, g.Delays[0])
		for q := range g.NQ {
			v, _ := g.At(0, q)
			fmt.Fprintf(stdout, " %.4f", v)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// entryFrameTime is where APS 8-ID-I raw and result files keep the frame
// time in seconds.
const entryFrameTime = "/entry/instrument/detector_1/frame_time"

// entryFloat returns a numeric single value of an /entry map as float64.
func entryFloat(entry map[string]any, key string) (float64, bool) {
	switch v := entry[key].(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// geometryFromEntry reads the detector geometry of an APS 8-ID-I raw file's
// /entry (NeXus names, as in E0173.hdf): detector_1/beam_center_x and _y
// (pixels), distance (m), x_pixel_size (m) and incident_beam/incident_energy
// (keV). ok is false unless all are present and valid.
func geometryFromEntry(entry map[string]any) (xpcs.Geometry, bool) {
	const d = "instrument/detector_1/"
	var g xpcs.Geometry
	vals := []struct {
		key string
		dst *float64
	}{
		{d + "beam_center_x", &g.BeamCenterX}, {d + "beam_center_y", &g.BeamCenterY},
		{d + "distance", &g.Distance}, {d + "x_pixel_size", &g.PixelSize},
		{"instrument/incident_beam/incident_energy", &g.Energy},
	}
	for _, v := range vals {
		x, ok := entryFloat(entry, v.key)
		if !ok {
			return g, false
		}
		*v.dst = x
	}
	return g, g.Validate() == nil
}

// replaceFile writes path through write(tmp), tmp a new file in path's
// folder, and renames tmp over path only when write succeeded: a failed
// write (full disk, killed process) leaves a previous path intact. The
// temporary file is removed on failure.
func replaceFile(path string, write func(tmp string) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Close()
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	// CreateTemp makes 0600 files: keep the mode of the file replaced, else
	// the usual 0644.
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.Chmod(tmp, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// h5Source adapts an HDF5 raw stack to xpcs.FrameSource. uint32 stacks are
// converted to uint16; a count above 65535 is an error naming the frame.
type h5Source struct {
	s    *h5.Stack
	path string
	next int
	tmp  []uint32
}

var _ xpcs.FrameSource = (*h5Source)(nil)

func openSource(path string) (*h5Source, error) {
	s, err := h5.OpenStack(path)
	if err != nil {
		return nil, err
	}
	if s.DType != h5.Uint16 && s.DType != h5.Uint32 {
		s.Close()
		return nil, fmt.Errorf("%s: %s is %s, want uint16 or uint32", path, h5.StackPath, s.DType)
	}
	return &h5Source{s: s, path: path}, nil
}

func (h *h5Source) Close() error { return h.s.Close() }

func (h *h5Source) Shape() xpcs.Shape {
	return xpcs.Shape{Frames: h.s.Frames, Rows: h.s.Rows, Cols: h.s.Cols}
}

func (h *h5Source) ReadFrames(dst []uint16) (int, error) {
	np := h.s.Rows * h.s.Cols
	if len(dst) < np {
		return 0, fmt.Errorf("%s: read buffer smaller than one frame", h.path)
	}
	n := min(len(dst)/np, h.s.Frames-h.next)
	if n == 0 {
		return 0, io.EOF
	}
	if h.s.DType == h5.Uint16 {
		if err := h.s.ReadFrames(h.next, n, dst[:n*np]); err != nil {
			return 0, err
		}
	} else {
		if cap(h.tmp) < n*np {
			h.tmp = make([]uint32, n*np)
		}
		t := h.tmp[:n*np]
		if err := h.s.ReadFrames(h.next, n, t); err != nil {
			return 0, err
		}
		for i, v := range t {
			if v > math.MaxUint16 {
				return 0, fmt.Errorf("%s: frame %d pixel %d holds %d counts, more than the 65535 the correlator takes", h.path, h.next+i/np, i%np, v)
			}
			dst[i] = uint16(v)
		}
	}
	h.next += n
	return n, nil
}

// readQMap reads /xpcs/qmap of an APS-layout q-map file. The file's
// /entry, if any, is not used: metadata comes from the raw file.
func readQMap(path string) (*xpcs.QMap, error) {
	f, err := h5.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !f.Exists("/xpcs/qmap/static_roi_map") || !f.Exists("/xpcs/qmap/dynamic_roi_map") {
		return nil, fmt.Errorf("%s has no /xpcs/qmap/static_roi_map and dynamic_roi_map", path)
	}
	r, err := f.ReadResult()
	if err != nil {
		return nil, fmt.Errorf("reading q-map of %s: %w", path, err)
	}
	qm, err := qmapFromAPS(r.QMap)
	if err != nil {
		return nil, fmt.Errorf("q-map of %s: %w", path, err)
	}
	return qm, nil
}

// qmapFromAPS converts an APS /xpcs/qmap (1-based roi maps, 0 = no bin;
// mask 0 = bad pixel) to an xpcs.QMap. Masked pixels are taken out of both
// partitions.
func qmapFromAPS(a h5.QMap) (*xpcs.QMap, error) {
	n := a.Rows * a.Cols
	if len(a.StaticROIMap) != n || len(a.DynamicROIMap) != n {
		return nil, fmt.Errorf("roi maps of %d/%d values for a %dx%d detector", len(a.StaticROIMap), len(a.DynamicROIMap), a.Rows, a.Cols)
	}
	st := xpcs.FromAPSLabels(a.StaticROIMap)
	dy := xpcs.FromAPSLabels(a.DynamicROIMap)
	if len(a.Mask) == n {
		for i, m := range a.Mask {
			if m == 0 {
				st[i], dy[i] = -1, -1
			}
		}
	}
	var sq, dq []float64
	if len(a.StaticVListDim0) > 0 {
		sq = a.StaticVListDim0
	}
	if len(a.DynamicVListDim0) > 0 {
		dq = a.DynamicVListDim0
	}
	qm, err := xpcs.QMapFromLabels(a.Rows, a.Cols, st, dy, sq, dq)
	if err != nil {
		return nil, err
	}
	qm.Geometry = xpcs.Geometry{BeamCenterX: a.BeamCenterX, BeamCenterY: a.BeamCenterY, PixelSize: a.PixelSize, Distance: a.DetectorDistance, Energy: a.Energy}
	return qm, nil
}

// apsQMap converts an xpcs.QMap to the APS /xpcs/qmap layout (one phi bin).
func apsQMap(qm *xpcs.QMap) h5.QMap {
	n := qm.Pixels()
	mask := make([]int8, n)
	for i := range mask {
		if qm.Mask.Valid == nil || qm.Mask.Valid[i] {
			mask[i] = 1
		}
	}
	seq := func(k int) []int32 {
		s := make([]int32, k)
		for i := range s {
			s[i] = int32(i)
		}
		return s
	}
	g := qm.Geometry
	return h5.QMap{
		Rows: qm.Rows, Cols: qm.Cols, Mask: mask,
		DynamicROIMap: xpcs.APSLabels(qm.Dynamic), StaticROIMap: xpcs.APSLabels(qm.Static),
		DynamicVListDim0: qm.DynamicQ, StaticVListDim0: qm.StaticQ,
		DynamicVListDim1: []float64{0}, StaticVListDim1: []float64{0},
		DynamicIndexMapping: seq(qm.NDynamic()), StaticIndexMapping: seq(qm.NStatic()),
		DynamicNumPts: []int64{int64(qm.NDynamic()), 1}, StaticNumPts: []int64{int64(qm.NStatic()), 1},
		BeamCenterX: g.BeamCenterX, BeamCenterY: g.BeamCenterY, DetectorDistance: g.Distance, Energy: g.Energy, PixelSize: g.PixelSize,
		MapNames: []string{"q", "phi"}, MapUnits: []string{"Å⁻¹", "deg"},
	}
}

// resultToAPS converts a correlation result to the APS result layout.
// intensity_vs_time row 0 holds the effective frame index, as in the real
// files (E0173: 0, 1, 2, ...); multiply by the effective frame time for
// seconds.
func resultToAPS(r *xpcs.Result) *h5.Result {
	f32 := func(v []float64) []float32 {
		o := make([]float32, len(v))
		for i, x := range v {
			o[i] = float32(x)
		}
		return o
	}
	g := r.G2
	ivt := make([]float32, 2*len(r.IntensityVsTime))
	for i, v := range r.IntensityVsTime {
		ivt[i] = float32(i)
		ivt[len(r.IntensityVsTime)+i] = float32(v)
	}
	return &h5.Result{
		DelayList:       g.Delays,
		G2:              h5.Matrix32{Rows: len(g.Delays), Cols: g.NQ, Data: f32(g.G2)},
		G2Err:           h5.Matrix32{Rows: len(g.Delays), Cols: g.NQ, Data: f32(g.Err)},
		Scattering2D:    h5.Matrix32{Rows: r.QMap.Rows, Cols: r.QMap.Cols, Data: f32(r.TimeAverage)},
		Scattering1D:    f32(r.SAXS1D),
		IntensityVsTime: h5.Matrix32{Rows: 2, Cols: len(r.IntensityVsTime), Data: ivt},
		QMap:            apsQMap(r.QMap),
	}
}
