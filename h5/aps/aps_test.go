package aps

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// TestQMapRoundTrip: an xpcs.QMap written in the APS layout and read back
// keeps its labels, q centres and geometry; a masked pixel is in no bin.
func TestQMapRoundTrip(t *testing.T) {
	t.Parallel()
	g := xpcs.Geometry{BeamCenterX: 5.5, BeamCenterY: 4.5, PixelSize: 75e-6, Distance: 5, Energy: 10}
	valid := make([]bool, 10*12)
	for i := range valid {
		valid[i] = i != 7
	}
	qm, err := xpcs.NewQMap(10, 12, g, xpcs.Mask{Rows: 10, Cols: 12, Valid: valid}, xpcs.Partition{NStatic: 4, NDynamic: 2})
	if err != nil {
		t.Fatal(err)
	}
	a := QMapToAPS(qm)
	if got, want := a.Mask[7], int8(0); got != want {
		t.Errorf("mask of a bad pixel: got %d, want %d", got, want)
	}
	back, err := QMapFromAPS(a)
	if err != nil {
		t.Fatal(err)
	}
	if back.Rows != qm.Rows || back.Cols != qm.Cols {
		t.Fatalf("shape: got %dx%d, want %dx%d", back.Rows, back.Cols, qm.Rows, qm.Cols)
	}
	if !slices.Equal(back.Static, qm.Static) || !slices.Equal(back.Dynamic, qm.Dynamic) {
		t.Errorf("labels differ after the round trip")
	}
	if !slices.Equal(back.StaticQ, qm.StaticQ) || !slices.Equal(back.DynamicQ, qm.DynamicQ) {
		t.Errorf("q centres: got %v/%v, want %v/%v", back.StaticQ, back.DynamicQ, qm.StaticQ, qm.DynamicQ)
	}
	if back.Geometry != g {
		t.Errorf("geometry: got %+v, want %+v", back.Geometry, g)
	}
	if _, err := QMapFromAPS(h5.QMap{Rows: 2, Cols: 2, StaticROIMap: []int32{1}}); err == nil {
		t.Errorf("roi maps of the wrong length: no error")
	}
}

// TestGeometryFromEntry: the NeXus /entry values give the geometry; a
// missing one gives ok false.
func TestGeometryFromEntry(t *testing.T) {
	t.Parallel()
	const d = "instrument/detector_1/"
	entry := map[string]any{d + "beam_center_x": 10.0, d + "beam_center_y": float32(12), d + "distance": 5.0,
		d + "x_pixel_size": 75e-6, "instrument/incident_beam/incident_energy": 10.9}
	g, ok := GeometryFromEntry(entry)
	if !ok || g.BeamCenterY != 12 || g.Energy != 10.9 {
		t.Errorf("got %+v, %v; want beam centre y 12, energy 10.9, ok", g, ok)
	}
	delete(entry, d+"distance")
	if _, ok := GeometryFromEntry(entry); ok {
		t.Errorf("without a distance: ok")
	}
	if v, ok := EntryFloat(map[string]any{"n": int64(3)}, "n"); !ok || v != 3 {
		t.Errorf("EntryFloat(int64 3) = %v, %v", v, ok)
	}
}

// TestReplaceFile: a failed write leaves the previous file and no temporary
// file; a successful one keeps the previous file's mode.
func TestReplaceFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "r.hdf")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	if err := ReplaceFile(path, func(tmp string) error {
		os.WriteFile(tmp, []byte("half"), 0o600)
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed write: %q, want the previous content", b)
	}
	if err := ReplaceFile(path, func(tmp string) error { return os.WriteFile(tmp, []byte("new"), 0o600) }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o640); got != want {
		t.Errorf("mode: got %v, want %v", got, want)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestSourceUint32: a uint32 stack is read as uint16; a count above 65535
// is an error naming the frame.
//
// Not parallel: TestFitRealDataVsScipy starts python3 children, and a child
// forked between libhdf5's open and its close-on-exec flag would hold this
// file's lock ("unable to lock the file", errno 11).
func TestSourceUint32(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raw.h5")
	data := []uint32{1, 2, 3, 4, 5, 6, 7, 8, 70000, 9, 10, 11}
	f, err := h5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(h5.StackPath, []int{3, 2, 2}, data, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.Shape(), (xpcs.Shape{Frames: 3, Rows: 2, Cols: 2}); got != want {
		t.Errorf("shape: got %v, want %v", got, want)
	}
	dst := make([]uint16, 8)
	n, err := s.ReadFrames(dst)
	if err != nil || n != 2 || dst[7] != 8 {
		t.Errorf("first two frames: n %d, %v, %v", n, dst, err)
	}
	if _, err := s.ReadFrames(dst); err == nil || !strings.Contains(err.Error(), "frame 2") {
		t.Errorf("count above 65535: got %v, want an error naming frame 2", err)
	}
}
