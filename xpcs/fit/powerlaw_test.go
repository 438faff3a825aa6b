package fit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPowerLawExactAndNoisy(t *testing.T) {
	t.Parallel()
	q := []float64{0.002, 0.003, 0.004, 0.006, 0.008, 0.01}
	tau := make([]float64, len(q))
	te := make([]float64, len(q))
	for i, v := range q {
		tau[i] = 3e-7 * math.Pow(v, -1.5)
		te[i] = 0.02 * tau[i]
	}
	pl, err := PowerLaw(q, tau, te)
	if err != nil {
		t.Fatal(err)
	}
	if !near(pl.Alpha, -1.5, 1e-9) || !near(pl.A, 3e-7, 1e-8) || pl.N != 6 || pl.AlphaErr > 1e-9 {
		t.Errorf("exact: %+v", pl)
	}
	// Noisy: the 95% interval must cover the truth in about 95% of draws.
	rng := rand.New(rand.NewPCG(4, 4))
	cover := 0
	const n = 400
	for range n {
		noisy := make([]float64, len(q))
		for i := range q {
			noisy[i] = tau[i] * math.Exp(0.05*rng.NormFloat64())
			te[i] = 0.05 * noisy[i]
		}
		pl, err := PowerLaw(q, noisy, te)
		if err != nil {
			t.Fatal(err)
		}
		if pl.AlphaCI[0] <= -1.5 && -1.5 <= pl.AlphaCI[1] {
			cover++
		}
	}
	if f := float64(cover) / n; f < 0.91 || f > 0.985 {
		t.Errorf("95%% CI covered the exponent in %.3f of draws", f)
	}
}

func TestPowerLawEdges(t *testing.T) {
	t.Parallel()
	pl, err := PowerLaw([]float64{1, 2}, []float64{1, 0.25}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(pl.Alpha, -2, 1e-12) || !math.IsNaN(pl.AlphaErr) || pl.AlphaCI != [2]float64{pl.Alpha, pl.Alpha} {
		t.Errorf("two points: %+v", pl)
	}
	cases := []struct {
		name       string
		q, tau, te []float64
		want       string
	}{
		{"length", []float64{1, 2}, []float64{1}, nil, "2 q values, 1 tau values"},
		{"nonpositive", []float64{0, -1, 2}, []float64{1, 1, 1}, nil, "1 usable"},
		{"badErrors", []float64{1, 2, 3}, []float64{1, 1, 1}, []float64{0, math.NaN(), 1}, "1 usable"},
		{"sameQ", []float64{2, 2, 2}, []float64{1, 2, 3}, nil, "share one q"},
	}
	for _, c := range cases {
		_, err := PowerLaw(c.q, c.tau, c.te)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := PowerLaw([]float64{1}, []float64{1}, nil); !errors.Is(err, ErrTooFewPoints) {
		t.Errorf("one point: %v is not ErrTooFewPoints", err)
	}
}
