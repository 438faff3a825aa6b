package xpcs

import (
	"math"
	"testing"
)

// TestAPSNormalisationLag1 is the analytic check of the APS 8-ID-I
// normalisation on speckle with a known answer: contrast β = 1, τc = 20
// frames in every bin, 400 frames. In expectation g2(1) = 1 + exp(-2/20) =
// 1.9048. The static-bin averaged moments give that within 4 errors per
// bin and 0.01 averaged over the bins; the
// mean of per-pixel ratios G/(IP·IF) (the old kernel) is biased low on such
// a short run (about 1.81), which the test also shows, so that it would
// fail on the old normalisation.
func TestAPSNormalisationLag1(t *testing.T) {
	t.Parallel()
	cfg := DefaultSynth(Shape{Frames: 400, Rows: 128, Cols: 128}, 7)
	cfg.Beta, cfg.Tau0, cfg.TauExponent, cfg.PeakAmp, cfg.Rate = 1, 20, 1e-9, 0, 4
	s, err := NewSynth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	qm := s.QMap()
	sh := cfg.Shape
	data := make([]uint16, sh.Len())
	if _, err := s.ReadFrames(data); err != nil {
		t.Fatal(err)
	}
	c, err := NewCorrelator(qm, sh.Frames, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := AddFrames(c, data); err != nil {
		t.Fatal(err)
	}
	g, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	want := 1 + math.Exp(-2.0/20)
	lags := Lags(sh.Frames)[:1]
	// Mean of per-pixel ratios over all pixels, the biased estimator.
	var ratio float64
	var n int
	np := sh.Pixels()
	series := make([]float64, sh.Frames)
	for p, d := range qm.Dynamic {
		if d < 0 {
			continue
		}
		for f := range series {
			series[f] = float64(data[f*np+p])
		}
		if r := bruteG2(series, lags)[0]; !math.IsNaN(r) && !math.IsInf(r, 0) {
			ratio += r
			n++
		}
	}
	ratio /= float64(n)
	var mean float64
	for d := range g.NQ {
		got, e := g.At(0, d)
		mean += got / float64(g.NQ)
		if math.Abs(got-want) > 4*e {
			t.Errorf("bin %d (%d px): lag-1 g2 %.4f ± %.4f, want %.4f within 4 errors", d, g.Pixels[d], got, e, want)
		}
	}
	t.Logf("lag-1 g2: APS normalisation %.4f (mean over %d bins), mean of per-pixel ratios %.4f, expected %.4f", mean, g.NQ, ratio, want)
	if math.Abs(mean-want) > 0.01 {
		t.Errorf("lag-1 g2 averaged over the bins %.4f, want %.4f ± 0.01", mean, want)
	}
	if math.Abs(ratio-want) < 0.05 {
		t.Errorf("mean of per-pixel ratios %.4f is within 0.05 of %.4f: the data do not show the bias the test is about", ratio, want)
	}
}
