package xpcs

import (
	"math"
	"testing"
)

func TestFindPeaks(t *testing.T) {
	t.Parallel()
	n := 401
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = float64(i) * 0.01 // 0..4
		g := func(mu, sig, h float64) float64 { d := (x[i] - mu) / sig; return h * math.Exp(-d*d/2) }
		y[i] = 1 + g(1.0, 0.1, 5) + g(3.0, 0.2, 2)
	}
	got, err := FindPeaks(x, y, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ pos, height, width float64 }{{1.0, 6, 2.3548 * 0.1}, {3.0, 3, 2.3548 * 0.2}}
	if len(got) != len(want) {
		t.Fatalf("got %d peaks %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if math.Abs(g.Position-w.pos) > 1e-9 || math.Abs(g.Height-w.height) > 1e-3 || math.Abs(g.Width-w.width) > 0.01*w.width {
			t.Errorf("peak %d: got pos %g height %g width %g, want %g %g %g", i, g.Position, g.Height, g.Width, w.pos, w.height, w.width)
		}
	}
	// A high threshold keeps only the tall one.
	if got, _ := FindPeaks(x, y, 3); len(got) != 1 || got[0].Index != 100 {
		t.Errorf("prominence 3: got %+v, want the peak at index 100", got)
	}
}

func TestFindPeaksEdgeCases(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		y    []float64
		want []int // peak indices
	}{
		{"empty", nil, nil},
		{"monotonic", []float64{1, 2, 3, 4}, nil},
		{"flat-top", []float64{0, 1, 3, 3, 3, 1, 0}, []int{3}},
		{"flat-then-rise", []float64{0, 2, 2, 3, 0}, []int{3}},
		{"nan-splits", []float64{0, 2, nan, 2, 0}, nil},
		{"nan-beside", []float64{0, 1, 4, 1, nan, 0, 3, 0}, []int{2, 6}},
		{"constant", []float64{2, 2, 2}, nil},
	} {
		got, err := FindPeaks(nil, tc.y, 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var idx []int
		for _, p := range got {
			idx = append(idx, p.Index)
		}
		if len(idx) != len(tc.want) {
			t.Errorf("%s: peaks at %v, want %v", tc.name, idx, tc.want)
			continue
		}
		for i := range idx {
			if idx[i] != tc.want[i] {
				t.Errorf("%s: peaks at %v, want %v", tc.name, idx, tc.want)
			}
		}
	}
	if _, err := FindPeaks([]float64{1}, []float64{1, 2}, 0); err == nil {
		t.Error("mismatched x and y: no error")
	}
}

// TestSynthSAXSPeak checks that SAXS 1D of a synthetic stack shows the
// generator's intensity peak at its q and with its height.
func TestSynthSAXSPeak(t *testing.T) {
	t.Parallel()
	cfg := DefaultSynth(Shape{Frames: 50, Rows: 128, Cols: 128}, 2)
	cfg.Partition = Partition{NStatic: 72, NDynamic: 9}
	s, err := NewSynth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Correlate(s, s.QMap(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := FindPeaks(s.QMap().StaticQ, res.SAXS1D, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Config()
	dq := s.QMap().StaticQ[1] - s.QMap().StaticQ[0]
	if len(pk) != 1 || math.Abs(pk[0].Position-c.PeakQ) > dq || math.Abs(pk[0].Height-2*c.Rate) > 0.1*c.Rate ||
		math.Abs(pk[0].Width-2.3548*c.PeakWidth) > 2*dq {
		t.Fatalf("peaks %+v, want one at q %.4g (±%.2g) height %g FWHM %.3g", pk, c.PeakQ, dq, 2*c.Rate, 2.3548*c.PeakWidth)
	}
}
