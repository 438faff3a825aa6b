package runner

import (
	"math/rand/v2"
	"slices"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// BeforeMetric is the Metrics key holding the "before" samples of a paired
// benchmark (seconds per operation).
const BeforeMetric = "before s/op"

// addImprovement records, for a paired benchmark, the speed-up
// before/after (ratio of medians, > 1 means the optimisation helps), its
// percentile-bootstrap 95% confidence interval, and "slower": true when the
// whole interval lies below 1 (the optimisation makes things slower).
func addImprovement(extra map[string]any, before, after []float64, beforeIters int) {
	ratio, lo, hi := ratioCI(before, after, 2000, 0.95, 1)
	extra["before_median_s"] = analysis.Describe(before, "s").Median
	extra["before_iterations"] = beforeIters
	extra["speedup"] = ratio
	extra["speedup_ci_low"] = lo
	extra["speedup_ci_high"] = hi
	extra["improvement_pct"] = 100 * (1 - 1/ratio)
	extra["slower"] = hi < 1
}

// ratioCI returns median(a)/median(b) with a percentile bootstrap CI at the
// given level (resampling a and b independently, deterministic in seed).
// Hand-written because analysis keeps its bootstrap unexported; 2000
// resamples of ~10 values take well under a millisecond.
func ratioCI(a, b []float64, iters int, level float64, seed uint64) (ratio, lo, hi float64) {
	med := func(x []float64) float64 { return analysis.Quantile(slices.Sorted(slices.Values(x)), 0.5) }
	ratio = med(a) / med(b)
	rng := rand.New(rand.NewPCG(seed, 7))
	ra, rb := make([]float64, len(a)), make([]float64, len(b))
	rs := make([]float64, iters)
	for i := range rs {
		for j := range ra {
			ra[j] = a[rng.IntN(len(a))]
		}
		for j := range rb {
			rb[j] = b[rng.IntN(len(b))]
		}
		rs[i] = med(ra) / med(rb)
	}
	slices.Sort(rs)
	alpha := (1 - level) / 2
	return ratio, analysis.Quantile(rs, alpha), analysis.Quantile(rs, 1-alpha)
}
