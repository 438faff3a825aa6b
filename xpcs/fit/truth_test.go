package fit

import (
	"fmt"
	"math"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// TestTruthRecoveredSmall is issue 3's "truth recovered" check end to end:
// a synthetic 'small' stack (500 x 128 x 128, known tau_c(q) ~ q^-2 and
// contrast 0.2) is correlated by the multi-tau correlator and fitted on the
// delays up to T/4 (Options.TMax explains why). For seed 1, tau must be
// within 5% of tau_c on every dynamic bin with at least 1000 pixels and the
// power law of the fitted taus must have exponent -2 within 0.1.
//
// The spread of tau over seeds in the last bins of 'small' is itself about
// 5% (tau_c 2-3 frames, 1 count/pixel/frame, contrast 0.2; seed 2 gives
// -8.3% in bin 7), so 5% cannot hold for every seed: seeds 2 and 3 are held
// to 10% on tau and to 0.1 on the exponent, or -2 inside the exponent's 95%
// CI (seed 3 gives -2.12 ± 0.06 with the APS normalisation, whose static-bin
// averages are noisier at the longest lags than the old per-pixel ratios). The standard errors from the fit
// understate that spread by about 2x because multi-tau error bars ignore the
// correlation between neighbouring lags.
func TestTruthRecoveredSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and correlates 500x128x128 stacks")
	}
	t.Parallel()
	for seed := uint64(1); seed <= 3; seed++ {
		if seed > 1 && raceEnabled {
			break // seed 1 is the strict check; the others add minutes under -race
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			truthSmall(t, seed, seed == 1)
		})
	}
}

func truthSmall(t *testing.T, seed uint64, strict bool) {
	const dt = 1e-3 // s per frame
	syn, err := xpcs.NewSynth(xpcs.DefaultSynth(xpcs.Sizes["small"], seed))
	if err != nil {
		t.Fatal(err)
	}
	shape := syn.Shape()
	corr, err := xpcs.NewCorrelator(syn.QMap(), shape.Frames, 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]uint16, 50*shape.Pixels())
	for {
		n, err := syn.ReadFrames(buf)
		if n > 0 {
			if err := xpcs.AddFrames(corr, buf[:n*shape.Pixels()]); err != nil {
				t.Fatal(err)
			}
		}
		if err != nil || n == 0 {
			break
		}
	}
	g2, err := corr.Result()
	if err != nil {
		t.Fatal(err)
	}
	tt := make([]float64, len(g2.Delays))
	for i, d := range g2.Delays {
		tt[i] = float64(d) * dt
	}
	tauC := syn.TauC()
	var q, tau, te []float64
	checked := 0
	for b := 0; b < g2.NQ; b++ {
		y, e := make([]float64, len(tt)), make([]float64, len(tt))
		for i := range tt {
			y[i], e[i] = g2.At(i, b)
		}
		res, err := Fit(tt, y, e, Options{TMax: float64(shape.Frames/4) * dt})
		if err != nil {
			t.Fatalf("bin %d: %v", b, err)
		}
		got, ge := res.Tau()
		want := tauC[b] * dt
		rel := (got - want) / want
		t.Logf("bin %d: %5d pixels, tau %.4g ± %.2g s, truth %.4g s (%+.1f%%), contrast %.3f, chi2/dof %.2f",
			b, g2.Pixels[b], got, ge, want, 100*rel, res.Params[0], res.RedChi2)
		if g2.Pixels[b] < 1000 {
			continue
		}
		checked++
		limit := 0.10
		if strict {
			limit = 0.05
		}
		if math.Abs(rel) > limit {
			t.Errorf("bin %d (%d pixels): tau = %.4g ± %.2g s, truth %.4g s: %+.1f%%, limit %.0f%%", b, g2.Pixels[b], got, ge, want, 100*rel, 100*limit)
		}
		q, tau, te = append(q, syn.QMap().DynamicQ[b]), append(tau, got), append(te, ge)
	}
	if checked < 3 {
		t.Fatalf("only %d bins with >= 1000 pixels", checked)
	}
	pl, err := PowerLaw(q, tau, te)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("alpha = %.4f ± %.4f, 95%% CI %v, %d bins", pl.Alpha, pl.AlphaErr, pl.AlphaCI, pl.N)
	inCI := pl.AlphaCI[0] <= -2 && -2 <= pl.AlphaCI[1]
	if math.Abs(pl.Alpha+2) > 0.1 && (strict || !inCI) {
		t.Errorf("power-law exponent %.4f (95%% CI %v), want -2 within 0.1", pl.Alpha, pl.AlphaCI)
	}
}
