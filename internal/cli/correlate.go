package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

func cmdCorrelate(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
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
	stream := fs.Bool("stream", false, "read and correlate block by block through libhdf5 even when the stack can be memory-mapped (uncompressed, contiguous uint16) and correlated pixel-major; the result is the same")
	frameTime := fs.Float64("frame-time", 0, "frame time in seconds (0: the raw file's "+aps.EntryFrameTime+", else 1)")
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
	src, err := aps.OpenSource(*raw)
	if err != nil {
		return fmt.Errorf("correlate: %w", err)
	}
	shape := src.Shape()
	src.Close()
	var qm *xpcs.QMap
	qmapSource := *qmapPath
	switch {
	case *qmapPath != "":
		if qm, err = aps.ReadQMap(*qmapPath); err != nil {
			return fmt.Errorf("correlate: %w", err)
		}
	case len(meta.QMap.StaticROIMap) > 0 && len(meta.QMap.DynamicROIMap) > 0:
		if qm, err = aps.QMapFromAPS(meta.QMap); err != nil {
			return fmt.Errorf("correlate: q-map of %s: %w", *raw, err)
		}
		qmapSource = *raw
	default:
		part := xpcs.Partition{NStatic: *nStatic, NDynamic: *nDynamic}
		g, ok := aps.GeometryFromEntry(meta.Entry)
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
		if v, ok := aps.EntryFloat(meta.Entry, strings.TrimPrefix(aps.EntryFrameTime, "/entry/")); ok && v > 0 {
			ft = v
		} else {
			ft = 1
			fmt.Fprintf(stderr, "correlate: %s has no %s: frame time 1 s (pass --frame-time)\n", *raw, aps.EntryFrameTime)
		}
	}
	opt := xpcs.Options{Stride: *stride, Average: *avg, Segments: *segments, Workers: *workers, Stream: *stream}
	start := time.Now()
	if src, err = aps.OpenSource(*raw); err != nil {
		return fmt.Errorf("correlate: %w", err)
	}
	res, err := xpcs.Correlate(src, qm, opt)
	mapErr := src.MapError()
	src.Close()
	if err != nil {
		return fmt.Errorf("correlate %s: %w", *raw, err)
	}
	elapsed := time.Since(start)
	out5 := aps.ResultToAPS(res)
	// As APS: /entry holds the raw file's metadata with the raw frame time;
	// delay_list counts effective frames of stride_frame*avg_frame raw
	// frames (/xpcs/multitau/config), so t = delay * frame_time * stride * avg.
	out5.Entry = map[string]any{}
	for k, v := range meta.Entry {
		out5.Entry[k] = v
	}
	out5.Entry[strings.TrimPrefix(aps.EntryFrameTime, "/entry/")] = ft
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
		src, err := aps.OpenSource(*raw)
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
	if err := aps.ReplaceFile(*out, func(tmp string) error { return h5.WriteResult(tmp, out5) }); err != nil {
		return fmt.Errorf("correlate: writing %s: %w", *out, err)
	}
	sh := res.Raw
	how := "frames memory-mapped, correlated pixel-major"
	if !res.PixelMajor {
		why := res.StreamReason
		if mapErr != nil {
			why = strings.TrimPrefix(mapErr.Error(), "h5: ")
		}
		how = "frames streamed through libhdf5 (" + why + ")"
	}
	// Throughput counts the raw frames that enter the correlation (every
	// one without --stride; the kept ones with it).
	fmt.Fprintf(stdout, "correlated %s (%s, %d effective frames) in %v: %.1f Mpixel-frames/s; %d delays x %d q bins -> %s; %s\n",
		*raw, sh, res.Frames, elapsed.Round(time.Millisecond), float64(res.Frames*max(*avg, 1)*sh.Pixels())/elapsed.Seconds()/1e6, len(res.G2.Delays), res.G2.NQ, *out, how)
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
