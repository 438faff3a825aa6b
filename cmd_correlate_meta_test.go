package main

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// writeRawStack writes a Poisson (rate 3) uint16 stack of frames x rows x
// cols at /entry/data/data, one chunk per frame, and the single values of
// entry below /entry.
func writeRawStack(t *testing.T, path string, frames, rows, cols int, entry map[string]any) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 7))
	data := make([]uint16, frames*rows*cols)
	for i := range data {
		data[i] = uint16(rng.IntN(7))
	}
	f, err := h5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(h5.StackPath, []int{frames, rows, cols}, data, &h5.DatasetOptions{Chunk: []int{1, rows, cols}, Compression: h5.Deflate}); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteResult(&h5.Result{Entry: entry}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCorrelateMetadataFromRaw: the frame time and the other /entry values
// come from the raw file, the q-map (with its own geometry) from the q-map
// file, whose /entry frame time (1 s) must not be used; the result records
// both as APS does (/entry, /xpcs/qmap/source_file, /xpcs/rawdata_path,
// /xpcs/multitau/config). Fails before issue 14: frame_time was 1.
func TestCorrelateMetadataFromRaw(t *testing.T) {
	t.Parallel()
	testenv.NeedPython(t, "h5py")
	testenv.NeedPython(t, "numpy")
	dir := t.TempDir()
	script := filepath.Join(testenv.Root(), "scripts", "xpcs", "aps_reference.py")
	if b, err := exec.Command(testenv.Python, script, "write", dir).CombinedOutput(); err != nil {
		t.Fatalf("writing the case: %v\n%s", err, b)
	}
	raw, qmap, out := filepath.Join(dir, "raw.h5"), filepath.Join(dir, "qmap.h5"), filepath.Join(dir, "result.hdf")
	var so, se bytes.Buffer
	if err := run(&so, &se, []string{"correlate", "--raw", raw, "--qmap", qmap, "--out", out, "--stride", "2"}, nil); err != nil {
		t.Fatalf("correlate: %v\n%s", err, se.String())
	}
	r, err := h5.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"/entry frame_time", r.Entry["instrument/detector_1/frame_time"], 0.001},
		{"/entry distance", r.Entry["instrument/detector_1/distance"], 5.0},
		{"/entry sample", r.Entry["sample/short_description"], "aps_reference speckle"},
		{"/xpcs/qmap/detector_distance", r.QMap.DetectorDistance, 5.0},
		{"/xpcs/qmap/beam_center_x", r.QMap.BeamCenterX, 11.3},
		{"/xpcs/qmap/source_file", r.QMap.SourceFile, qmap},
		{"/xpcs/rawdata_path", r.RawDataPath, raw},
		{"config stride_frame", r.Config["stride_frame"], int64(2)},
		{"config avg_frame", r.Config["avg_frame"], int64(1)},
		{"config qmap", r.Config["qmap"], qmap},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v (%T), want %v (%T)", tc.name, tc.got, tc.got, tc.want, tc.want)
		}
	}
	// fit reads t = delay * frame_time * stride: 2 ms per delay unit here.
	so.Reset()
	se.Reset()
	if err := run(&so, &se, []string{"fit", out, "--no-store"}, nil); err != nil && !strings.Contains(so.String(), "frame time") {
		t.Fatalf("fit: %v\n%s%s", err, so.String(), se.String())
	}
	if !strings.Contains(so.String(), "frame time 0.002 s") {
		t.Errorf("fit output does not use 0.002 s per delay:\n%s", so.String())
	}
}

// TestCorrelateWithoutQMap: a raw stack without --qmap correlates on rings
// from the raw file's geometry when it has one, else on rings around the
// frame centre (--static-bins/--dynamic-bins), and says which on stderr.
func TestCorrelateWithoutQMap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	geom := map[string]any{
		"instrument/detector_1/frame_time":         0.01,
		"instrument/detector_1/beam_center_x":      -5.0,
		"instrument/detector_1/beam_center_y":      3.0,
		"instrument/detector_1/distance":           4.0,
		"instrument/detector_1/x_pixel_size":       55e-6,
		"instrument/incident_beam/incident_energy": 12.0,
	}
	for _, tc := range []struct {
		name    string
		entry   map[string]any
		args    []string
		nq      int
		stderr  string
		centreX float64
	}{
		{"geometry", geom, nil, 9, "from the geometry of", -5},
		{"frame-centre", map[string]any{"instrument/detector_1/frame_time": 0.01}, []string{"--static-bins", "12", "--dynamic-bins", "4"}, 4, "rings around the frame centre", 15.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, out := filepath.Join(dir, tc.name+".h5"), filepath.Join(dir, tc.name+".hdf")
			writeRawStack(t, raw, 40, 20, 32, tc.entry)
			var so, se bytes.Buffer
			args := append([]string{"correlate", "--raw", raw, "--out", out}, tc.args...)
			if err := run(&so, &se, args, nil); err != nil {
				t.Fatalf("correlate: %v\n%s", err, se.String())
			}
			if !strings.Contains(se.String(), tc.stderr) {
				t.Errorf("stderr %q, want it to say %q", se.String(), tc.stderr)
			}
			r, err := h5.ReadResult(out)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := r.G2.Cols, tc.nq; got != want {
				t.Errorf("%d dynamic bins, want %d", got, want)
			}
			if got, want := r.QMap.BeamCenterX, tc.centreX; got != want {
				t.Errorf("beam centre x %g, want %g", got, want)
			}
			if got, want := r.Entry["instrument/detector_1/frame_time"], 0.01; got != want {
				t.Errorf("frame time %v, want %v", got, want)
			}
		})
	}
}

// TestQMapWithoutMask: a q-map file holding only the roi maps gets its shape
// from them (it was read as 0x0 before issue 14).
func TestQMapWithoutMask(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw, qmap, out := filepath.Join(dir, "raw.h5"), filepath.Join(dir, "qmap.h5"), filepath.Join(dir, "out.hdf")
	const rows, cols = 10, 12
	writeRawStack(t, raw, 30, rows, cols, map[string]any{"instrument/detector_1/frame_time": 0.5})
	st, dy := make([]int32, rows*cols), make([]int32, rows*cols)
	for p := range st {
		st[p] = int32(p%4) + 1
		dy[p] = int32(p%4)/2 + 1
	}
	if err := h5.WriteResult(qmap, &h5.Result{QMap: h5.QMap{Rows: rows, Cols: cols, StaticROIMap: st, DynamicROIMap: dy}}); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if err := run(&so, &se, []string{"correlate", "--raw", raw, "--qmap", qmap, "--out", out}, nil); err != nil {
		t.Fatalf("correlate: %v\n%s", err, se.String())
	}
	r, err := h5.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.QMap.Rows != rows || r.QMap.Cols != cols || r.G2.Cols != 2 {
		t.Errorf("q-map %dx%d with %d dynamic bins, want %dx%d with 2", r.QMap.Rows, r.QMap.Cols, r.G2.Cols, rows, cols)
	}
}
