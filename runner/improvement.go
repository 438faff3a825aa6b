package runner

import "github.com/xpcs-perf/xpcs-perf-action/analysis"

// BeforeMetric is the Metrics key holding the "before" samples of a paired
// benchmark (seconds per operation).
const BeforeMetric = "before s/op"

// addImprovement records, for a paired benchmark, the speed-up
// before/after (ratio of medians, > 1 means the optimisation helps), its
// percentile-bootstrap 95% confidence interval, and "slower": true when the
// whole interval lies below 1 (the optimisation makes things slower).
func addImprovement(extra map[string]any, before, after []float64, beforeIters int) {
	// speed-up = median(before)/median(after): "after" is the baseline side.
	ratio, lo, hi := analysis.RatioCI(after, before, 2000, 1)
	extra["before_median_s"] = analysis.Describe(before, "s").Median
	extra["before_iterations"] = beforeIters
	extra["speedup"] = ratio
	extra["speedup_ci_low"] = lo
	extra["speedup_ci_high"] = hi
	extra["improvement_pct"] = 100 * (1 - 1/ratio)
	extra["slower"] = hi < 1
}
