package xpcs

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func randStack(t testing.TB, sh Shape, seed uint64, maxCount int) *Stack {
	t.Helper()
	st, err := NewStack(sh)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range st.Data {
		st.Data[i] = uint16(rng.IntN(maxCount + 1))
	}
	return st
}

func g2Equal(t *testing.T, name string, got, want *G2, rel float64) {
	t.Helper()
	if !slices.Equal(got.Delays, want.Delays) || got.NQ != want.NQ {
		t.Fatalf("%s: delays %v (nq %d), want %v (nq %d)", name, got.Delays, got.NQ, want.Delays, want.NQ)
	}
	for i := range got.G2 {
		if !relClose(got.G2[i], want.G2[i], rel) || !relClose(got.Err[i], want.Err[i], rel) {
			t.Fatalf("%s: value %d: got %g ± %g, want %g ± %g", name, i, got.G2[i], got.Err[i], want.G2[i], want.Err[i])
		}
	}
}

func directG2(t *testing.T, qm *QMap, frames []float64, n int) *G2 {
	t.Helper()
	c, err := NewCorrelator(qm, n, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := AddFrames(c, frames); err != nil {
		t.Fatal(err)
	}
	g, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestCorrelateStrideAverageSegments(t *testing.T) {
	t.Parallel()
	sh := Shape{Frames: 103, Rows: 10, Cols: 12}
	st := randStack(t, sh, 3, 9)
	qm := testQMap(t, sh.Rows, sh.Cols, 6, 3)
	np := sh.Pixels()
	for _, opt := range []Options{
		{},
		{BlockFrames: 7},
		{Stride: 2, Average: 3, BlockFrames: 5},
		{Average: 2, Segments: 3, BlockFrames: 4},
		{Segments: 4, BlockFrames: 64, Workers: 1},
	} {
		res, err := Correlate(st.Source(), qm, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		// Build the effective frames by hand.
		s, a := max(opt.Stride, 1), max(opt.Average, 1)
		var eff []float64
		var kept [][]uint16
		for f := 0; f < sh.Frames; f += s {
			kept = append(kept, st.Frame(f))
		}
		for g := 0; (g+1)*a <= len(kept); g++ {
			fr := make([]float64, np)
			for _, k := range kept[g*a : (g+1)*a] {
				for p, v := range k {
					fr[p] += float64(v)
				}
			}
			eff = append(eff, fr...)
		}
		n := len(eff) / np
		if res.Frames != n || opt.EffectiveFrames(sh.Frames) != n {
			t.Fatalf("%+v: %d effective frames, want %d", opt, res.Frames, n)
		}
		g2Equal(t, "full", res.G2, directG2(t, qm, eff, n), 1e-12)
		// Time average and intensity vs time.
		for p := range np {
			var sum float64
			for f := range n {
				sum += eff[f*np+p]
			}
			if want := sum / float64(n*a); !relClose(res.TimeAverage[p], want, 1e-12) {
				t.Fatalf("%+v: time average pixel %d = %g, want %g", opt, p, res.TimeAverage[p], want)
			}
		}
		if len(res.IntensityVsTime) != n {
			t.Fatalf("%+v: %d intensity values for %d frames", opt, len(res.IntensityVsTime), n)
		}
		want1, _ := SAXS1D(res.TimeAverage, qm.Static, qm.NStatic())
		if !slices.Equal(res.SAXS1D, want1) {
			t.Fatalf("%+v: SAXS 1D differs from SAXS1D(TimeAverage)", opt)
		}
		// Segments.
		nseg := max(opt.Segments, 1)
		if nseg == 1 {
			if res.SegmentG2 != nil {
				t.Fatalf("segments computed without being asked")
			}
			continue
		}
		if len(res.SegmentG2) != nseg || len(res.SegmentSAXS1D) != nseg {
			t.Fatalf("%+v: %d segment g2, %d segment SAXS, want %d", opt, len(res.SegmentG2), len(res.SegmentSAXS1D), nseg)
		}
		sl := n / nseg
		for i := range nseg {
			part := eff[i*sl*np : (i+1)*sl*np]
			g2Equal(t, "segment", res.SegmentG2[i], directG2(t, qm, part, sl), 1e-12)
			img := make([]float64, np)
			for f := range sl {
				for p := range np {
					img[p] += part[f*np+p] / float64(sl*a)
				}
			}
			want, _ := SAXS1D(img, qm.Static, qm.NStatic())
			for b := range want {
				if !relClose(res.SegmentSAXS1D[i][b], want[b], 1e-12) {
					t.Fatalf("%+v: segment %d SAXS bin %d = %g, want %g", opt, i, b, res.SegmentSAXS1D[i][b], want[b])
				}
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	sh := Shape{Frames: 20, Rows: 8, Cols: 8}
	st := randStack(t, sh, 4, 5)
	qm := testQMap(t, 8, 8, 4, 2)
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"qmap-shape", func() error {
			_, err := Correlate(st.Source(), testQMap(t, 8, 9, 4, 2), Options{})
			return err
		}, "q-map is 8x9 but the frames are 8x8"},
		{"all-masked", func() error {
			m := *qm
			m.Dynamic = slices.Repeat([]int32{-1}, 64)
			_, err := Correlate(st.Source(), &m, Options{})
			return err
		}, "no pixel in any dynamic bin"},
		{"one-frame", func() error {
			one, _ := NewStack(Shape{Frames: 1, Rows: 8, Cols: 8})
			_, err := Correlate(one.Source(), qm, Options{})
			return err
		}, "multi-tau needs at least 2"},
		{"average-too-large", func() error {
			_, err := Correlate(st.Source(), qm, Options{Average: 11})
			return err
		}, "leave 1 frames"},
		{"segments-too-many", func() error {
			_, err := Correlate(st.Source(), qm, Options{Segments: 11})
			return err
		}, "per segment"},
		{"nan", func() error {
			c, _ := NewCorrelator(qm, 2, 1)
			fr := make([]float64, 128)
			fr[70] = math.NaN()
			return AddFrames(c, fr)
		}, "frame 1 pixel 6 is NaN"},
		{"partial-frame", func() error {
			c, _ := NewCorrelator(qm, 2, 1)
			return AddFrames(c, make([]uint16, 100))
		}, "not whole 8x8 frames"},
		{"too-many-frames", func() error {
			c, _ := NewCorrelator(qm, 2, 1)
			return AddFrames(c, make([]uint16, 3*64))
		}, "sized for 2 frames got 3"},
		{"bad-labels", func() error {
			_, err := QMapFromLabels(2, 2, []int32{0, -1, 0, 0}, []int32{0, 0, 0, 0}, nil, nil)
			return err
		}, "both or neither"},
		{"mask-shape", func() error {
			_, err := NewQMap(4, 4, qm.Geometry, NewMask(4, 5), Partition{NStatic: 2, NDynamic: 1})
			return err
		}, "mask shape 4x5"},
		{"partition", func() error {
			_, err := NewQMap(4, 4, qm.Geometry, Mask{}, Partition{NStatic: 5, NDynamic: 2})
			return err
		}, "multiple of NDynamic"},
		{"geometry", func() error {
			_, err := NewQMap(4, 4, Geometry{PixelSize: 1, Distance: 1}, Mask{}, Partition{NStatic: 2, NDynamic: 1})
			return err
		}, "energy"},
		{"source-error", func() error {
			_, err := Correlate(&failingSource{FrameSource: st.Source(), after: 5}, qm, Options{BlockFrames: 3})
			return err
		}, "disk on fire"},
		{"short-source", func() error {
			_, err := Correlate(&failingSource{FrameSource: st.Source(), after: 5, eof: true}, qm, Options{BlockFrames: 3})
			return err
		}, "ended after"},
		{"saxs-shape", func() error {
			_, err := SAXS1D(make([]float64, 3), []int32{0, 1}, 2)
			return err
		}, "image of 3 pixels but 2 labels"},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestZeroIntensityPixels checks the documented handling of dark pixels:
// they are excluded from the averages (counted in Excluded), a bin of only
// dark pixels is NaN, and the other bins are unchanged.
func TestZeroIntensityPixels(t *testing.T) {
	t.Parallel()
	sh := Shape{Frames: 40, Rows: 8, Cols: 8}
	st := randStack(t, sh, 5, 6)
	qm := testQMap(t, 8, 8, 4, 2)
	dark := 0
	for p := range 64 {
		if qm.Dynamic[p] == 0 {
			for f := range sh.Frames {
				st.Data[f*64+p] = 0
			}
			dark++
		}
	}
	// One zero pixel in bin 1 as well.
	var one int
	for p := range 64 {
		if qm.Dynamic[p] == 1 {
			one = p
			break
		}
	}
	for f := range sh.Frames {
		st.Data[f*64+one] = 0
	}
	res, err := Correlate(st.Source(), qm, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := res.G2
	for i := range g.Delays {
		g0, e0 := g.At(i, 0)
		g1, _ := g.At(i, 1)
		if !math.IsNaN(g0) || !math.IsNaN(e0) {
			t.Errorf("lag %d: all-dark bin gives %g ± %g, want NaN", i, g0, e0)
		}
		if g.Excluded[i*2] != dark || g.Excluded[i*2+1] != 1 {
			t.Errorf("lag %d: excluded %d, %d pixels, want %d, 1", i, g.Excluded[i*2], g.Excluded[i*2+1], dark)
		}
		if math.IsNaN(g1) || math.IsInf(g1, 0) {
			t.Errorf("lag %d: bin 1 g2 %g is not finite", i, g1)
		}
	}
	if !math.IsNaN(res.SAXS1D[0]) && res.SAXS1D[0] != 0 {
		t.Errorf("dark static bin SAXS = %g, want 0", res.SAXS1D[0])
	}
}

// failingSource fails (or ends early, eof) once it has delivered after frames.
type failingSource struct {
	FrameSource
	after, got int
	eof        bool
}

func (f *failingSource) ReadFrames(dst []uint16) (int, error) {
	if f.got >= f.after {
		if f.eof {
			return 0, io.EOF
		}
		return 0, errors.New("disk on fire")
	}
	n, err := f.FrameSource.ReadFrames(dst)
	f.got += n
	return n, err
}
