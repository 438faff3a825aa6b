package trend

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// TestChangePointStudy prints the false-positive rate and the power of the
// change-point test (make trend-study). It runs only with TREND_STUDY=1:
// it takes about a minute.
//
// For each series length n: the share of pure-noise series (3% Gaussian, and
// AR(1) noise with phi = 0.3, a runner whose speed wanders from night to
// night) with at least one change point, and the share of series with a
// step of 1, 2 or 3 noise standard deviations in the middle where a change
// point is found within 2 runs of the step.
func TestChangePointStudy(t *testing.T) {
	if os.Getenv("TREND_STUDY") != "1" {
		t.Skip("set TREND_STUDY=1 to run the change-point study")
	}
	const seeds = 1000
	fmt.Printf("| n | false positives (iid) | false positives (AR(1) 0.3) | AR(1) with MinShift 3%% | power 1σ | power 2σ | power 3σ | power 2σ, MinShift 3%% |\n|---|---|---|---|---|---|---|---|\n")
	for _, n := range []int{20, 50, 100, 300} {
		var fp, fpAR, fpARShift, powShift int
		power := make([]int, 3)
		for s := range seeds {
			rng := rand.New(rand.NewPCG(uint64(s), uint64(n)))
			v := make([]float64, n)
			ar := make([]float64, n)
			prev := 0.0
			for i := range v {
				e := rng.NormFloat64()
				v[i] = 1 + 0.03*e
				prev = 0.3*prev + e*0.954 // unit variance: sqrt(1-0.3²)
				ar[i] = 1 + 0.03*prev
			}
			if len(Analyze(history(v), id, Options{Seed: uint64(s)}).ChangePoints) > 0 {
				fp++
			}
			if len(Analyze(history(ar), id, Options{Seed: uint64(s)}).ChangePoints) > 0 {
				fpAR++
			}
			if len(Analyze(history(ar), id, Options{Seed: uint64(s), MinShift: 0.03}).ChangePoints) > 0 {
				fpARShift++
			}
			for k := range power {
				w := make([]float64, n)
				for i := range w {
					w[i] = v[i]
					if i >= n/2 {
						w[i] += 0.03 * float64(k+1)
					}
				}
				if near(Analyze(history(w), id, Options{Seed: uint64(s)}).ChangePoints, n/2) {
					power[k]++
				}
				if k == 1 && near(Analyze(history(w), id, Options{Seed: uint64(s), MinShift: 0.03}).ChangePoints, n/2) {
					powShift++
				}
			}
		}
		pct := func(c int) string { return fmt.Sprintf("%.1f%%", 100*float64(c)/seeds) }
		fmt.Printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, pct(fp), pct(fpAR), pct(fpARShift), pct(power[0]), pct(power[1]), pct(power[2]), pct(powShift))
	}
}

// near reports whether a change point lies within 2 runs of at.
func near(cps []analysis.ChangePoint, at int) bool {
	for _, cp := range cps {
		if cp.Index >= at-2 && cp.Index <= at+2 {
			return true
		}
	}
	return false
}
