package xpcs

import (
	"math"
	"slices"
	"testing"
)

func correlateSource(t testing.TB, src FrameSource, qm *QMap, block int) *G2 {
	t.Helper()
	sh := src.Shape()
	c, err := NewCorrelator(qm, sh.Frames, 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]uint16, block*sh.Pixels())
	for {
		n, err := src.ReadFrames(buf)
		if n > 0 {
			if err := AddFrames(c, buf[:n*sh.Pixels()]); err != nil {
				t.Fatal(err)
			}
		}
		if err != nil {
			break
		}
	}
	g, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSynthDeterministic(t *testing.T) {
	t.Parallel()
	cfg := DefaultSynth(Shape{Frames: 20, Rows: 16, Cols: 24}, 7)
	read := func(workers, block int) []uint16 {
		c := cfg
		c.Workers = workers
		s, err := NewSynth(c)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]uint16, 0, cfg.Shape.Len())
		buf := make([]uint16, block*cfg.Shape.Pixels())
		for {
			n, err := s.ReadFrames(buf)
			out = append(out, buf[:n*cfg.Shape.Pixels()]...)
			if err != nil {
				break
			}
		}
		return out
	}
	a, b := read(1, 20), read(3, 7)
	if len(a) != cfg.Shape.Len() || !slices.Equal(a, b) {
		t.Fatalf("synth output depends on workers or block size (len %d vs %d)", len(a), len(b))
	}
	cfg.Seed = 8
	s, _ := NewSynth(cfg)
	st, err := ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(st.Data, a) {
		t.Fatal("different seeds gave the same stack")
	}
}

// TestSynthG2MatchesModel checks that measured g2 agrees with the analytic
// g2 of the generator, for every dynamic bin and lag. The tolerance is 4
// standard errors (the correlator's err: std over pixels/sqrt(pixels), the
// pixels being independent here) plus the known finite-series bias of the
// symmetric normalisation: it divides by means estimated from the same
// series, which lowers g2 by about 2·var(mean)/mean², where the relative
// variance of the mean of the M = N - delay frames in the window is
// (β·(1+τc) + 1/R)/M for an exponentially correlated coherent part (time
// integral 1+τc frames) and uncorrelated Poisson noise at R counts/frame.
// The APS normalisation averages the means over the Ns pixels of a static
// bin before dividing, so the variance, and the bias, shrink by Ns (the
// smallest static bin of the dynamic bin is used). The allowance is 1.5
// times that estimate. The APS normalisation has a bias of its own, which
// the model includes: where the mean rate R_p varies over the pixels of a
// static bin s (the generator's peak), <G>_s/(<IP>_s<IF>_s) tends to
// g2·h_s with h_s = <R_p²>_s/<R_p>_s², so the model of a dynamic bin is
// g2·mean_s(h_s), from the generator's rates. Lags with fewer than
// minWindows products per pixel are skipped: there the APS error (the spread
// of the per-pixel ratios, exactly 0 with one product) does not describe the
// spread of the ratio of static-bin means. As a negative control, a model
// with 15% more contrast or 15% longer τc must be rejected in most bins. Bins with τc > N/20 are skipped:
// there the bias is as large as the signal.
func TestSynthG2MatchesModel(t *testing.T) {
	const minWindows = 8
	t.Parallel()
	cfg := DefaultSynth(Sizes["small"], 1)
	cfg.Rate = 2
	s, err := NewSynth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := correlateSource(t, s, s.QMap(), 64)
	lags := Lags(g.Frames)
	// Smallest static bin (pixels) of each dynamic bin.
	qm := s.QMap()
	type mom struct{ n, r, r2 float64 }
	spix := map[[2]int32]mom{}
	for p, dd := range qm.Dynamic {
		if dd >= 0 {
			k := [2]int32{qm.Static[p], dd}
			r := s.Config().RateAt(qm.Q[p])
			m := spix[k]
			spix[k] = mom{m.n + 1, m.r + r, m.r2 + r*r}
		}
	}
	minStatic := make([]float64, g.NQ)
	het := make([]float64, g.NQ) // mean over static bins of h_s
	nst := make([]float64, g.NQ)
	for k, m := range spix {
		if ms := minStatic[k[1]]; ms == 0 || m.n < ms {
			minStatic[k[1]] = m.n
		}
		het[k[1]] += (m.r2 / m.n) / ((m.r / m.n) * (m.r / m.n))
		nst[k[1]]++
	}
	for d := range het {
		het[d] /= nst[d]
	}
	var worst float64
	tested := 0
	for d := range g.NQ {
		tau := s.TauC()[d]
		if g.Pixels[d] < 500 || tau > float64(g.Frames)/20 {
			continue
		}
		tested++
		for i, lag := range lags {
			if g.Frames>>lag.Level-lag.K < minWindows {
				continue
			}
			got, e := g.At(i, d)
			want := s.G2Model(d, lag) * het[d]
			m := float64(g.Frames) - float64(lag.Delay)
			bias := 1.5 * 2 * (cfg.Beta*(1+tau) + 1/cfg.Rate) / m / minStatic[d]
			if math.IsNaN(got) || math.IsNaN(e) || math.Abs(got-want) > 4*e+bias {
				t.Errorf("bin %d (tau_c %.3g frames, %d px) delay %d: g2 %.5f ± %.5f, model %.5f (bias allowance %.5f)", d, tau, g.Pixels[d], lag.Delay, got, e, want, bias)
			}
			if e > 0 {
				worst = max(worst, math.Abs(got-want)/(e+bias))
			}
		}
	}
	// Negative control: the same tolerance rejects wrong models.
	for _, wrong := range []struct {
		name      string
		beta, tau float64
	}{{"beta+15%", 1.15, 1}, {"tau+15%", 1, 1.15}} {
		rejected := 0
		for d := range g.NQ {
			tau := s.TauC()[d]
			if g.Pixels[d] < 500 || tau > float64(g.Frames)/20 {
				continue
			}
			r := math.Exp(-2 / (tau * wrong.tau))
			for i, lag := range lags[:8] {
				got, e := g.At(i, d)
				want := (1 + cfg.Beta*wrong.beta*math.Pow(r, float64(lag.Delay))) * het[d]
				bias := 1.5 * 2 * (cfg.Beta*(1+tau) + 1/cfg.Rate) / (float64(g.Frames) - float64(lag.Delay)) / minStatic[d]
				if math.Abs(got-want) > 4*e+bias {
					rejected++
					break
				}
			}
		}
		if rejected < tested/2 {
			t.Errorf("model with %s rejected in only %d of %d bins: the tolerance is too loose", wrong.name, rejected, tested)
		}
	}
	if tested < g.NQ/2 {
		t.Fatalf("only %d of %d dynamic bins were tested", tested, g.NQ)
	}
	t.Logf("%d bins tested; largest |g2-model|/(err+bias) = %.2f", tested, worst)
}

// TestSynthSparse checks the photon rate at 1e-4 counts/pixel/frame (real
// detectors are that sparse) and that correlating such data reports the
// dark pixels as excluded instead of failing.
func TestSynthSparse(t *testing.T) {
	t.Parallel()
	cfg := DefaultSynth(Shape{Frames: 2000, Rows: 64, Cols: 64}, 9)
	cfg.Rate, cfg.PeakAmp = 1e-4, 0
	s, err := NewSynth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Correlate(s, s.QMap(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, v := range res.TimeAverage {
		total += v * float64(cfg.Shape.Frames)
	}
	want := cfg.Rate * float64(cfg.Shape.Len())
	if math.Abs(total-want) > 5*math.Sqrt(want) {
		t.Fatalf("%g counts in the stack, want %g ± %g", total, want, 5*math.Sqrt(want))
	}
	excluded := 0
	for _, e := range res.G2.Excluded {
		excluded += e
	}
	if excluded == 0 {
		t.Fatal("no pixel excluded at 1e-4 counts/pixel/frame: most pixels see no photon")
	}
}
