package analysis

import (
	"fmt"
	"math"
	"slices"
)

// Drift is the run-to-run spread of one benchmark on the base branch: how
// much the median of a run moves between runs of the same code on the
// runners, which the rounds inside one run do not show (shared runners move
// 2-7x between runs; docs/STATISTICS.md).
type Drift struct {
	// Sigma is the robust standard deviation of log(run median) between
	// consecutive runs (see EstimateDrift).
	Sigma float64 `json:"sigma"`
	// Runs is the number of run medians it was estimated from.
	Runs int `json:"runs"`
	// CPU is the same for the benchmark's CPU time (MetricCPU), when the
	// history has it: the spread that applies when it is judged on CPU time.
	CPU *Drift `json:"cpu,omitempty"`
}

// MinDriftRuns is the fewest history runs EstimateDrift accepts; with fewer
// the default allowance (Config.DriftAllowance) applies.
const MinDriftRuns = 5

// EstimateDrift estimates the run-to-run spread of a benchmark from the
// medians of its runs in time order (non-positive values are skipped):
//
//	σ = 1.4826 · median_i |log x_i - log x_{i-1}| / √2
//
// the median absolute successive difference of the log medians, scaled to
// a standard deviation for normal data. Successive differences make it
// robust to a change of the code on the base branch (a step moves one
// difference) and the median to outlier runs. ok is false with fewer than
// MinDriftRuns usable medians.
func EstimateDrift(medians []float64) (d Drift, ok bool) {
	var logs []float64
	for _, x := range medians {
		if x > 0 && !math.IsInf(x, 0) {
			logs = append(logs, math.Log(x))
		}
	}
	if len(logs) < MinDriftRuns {
		return Drift{Runs: len(logs)}, false
	}
	diffs := make([]float64, len(logs)-1)
	for i := 1; i < len(logs); i++ {
		diffs[i-1] = math.Abs(logs[i] - logs[i-1])
	}
	slices.Sort(diffs)
	return Drift{Sigma: MADScale * Quantile(diffs, 0.5) / math.Sqrt2, Runs: len(logs)}, true
}

// driftAllowance is the drift allowed on a benchmark whose sides are one
// run each, in log units, and where it came from: DriftSigmas·√2·σ from the
// history when it had enough runs, else the default Config.DriftAllowance
// (0 disables it: nothing is allowed, as for interleaved A/B runs).
func driftAllowance(d Drift, cfg Config) (float64, string) {
	if d.Runs >= MinDriftRuns && d.Sigma >= 0 && !math.IsNaN(d.Sigma) && !math.IsInf(d.Sigma, 0) {
		return cfg.DriftSigmas * math.Sqrt2 * d.Sigma, fmt.Sprintf("history of %d runs", d.Runs)
	}
	if cfg.DriftAllowance > 0 {
		return math.Log1p(cfg.DriftAllowance), "default allowance for separate runs without history"
	}
	return 0, ""
}
