package analysis

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"
)

// Drift is the run-to-run spread of one benchmark on the base branch: how
// much the median of a run moves between runs of the same code on the
// runners, which the rounds inside one run do not show (shared runners move
// 2-7x between runs; docs/STATISTICS.md). All values are natural logs of
// run medians.
type Drift struct {
	// Runs is the number of run medians it was estimated from.
	Runs int `json:"runs"`
	// Center is the median of the log run medians: the base branch's
	// typical run. Lo and Hi are the smallest and largest.
	Center float64 `json:"center"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	// Sigma is a robust run-to-run standard deviation (1.4826·median
	// |successive difference|/√2), reported for information.
	Sigma float64 `json:"sigma"`
	// CPU is the same for the benchmark's CPU time (MetricCPU), when the
	// history has it: the band that applies when it is judged on CPU time.
	CPU *Drift `json:"cpu,omitempty"`
}

// MinDriftRuns is the fewest history runs EstimateDrift accepts; with fewer
// the default allowance (Config.DriftAllowance) applies. The range of 5 runs
// missed the heavy tail of the drift measured here (2.68% A/A false alarms
// even with the d2 scaling); 8 runs gave 0.7% end to end
// (docs/STATISTICS.md, docs/perf/action.md).
const MinDriftRuns = 8

// EstimateDrift summarises the medians of a benchmark's runs on the base
// branch (non-positive and infinite values are skipped): the median, the
// smallest and the largest log median. ok is false with fewer than
// MinDriftRuns usable medians.
//
// The comparison calls a change "inside the drift" when the current run's
// median lies in the band of the base branch's runs widened by
// Config.DriftWiden about its center (driftBand): a range is what the
// runners were actually seen to do, it does not assume normal tails (the
// drift measured here is heavy-tailed: a normal model with 3 robust sigmas
// still false-alarmed on 1.5-2.5% of benchmarks), and it is relative to
// the base branch's typical run, so a baseline run that was itself an
// outlier cannot make every pull request look slower.
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
	sorted := slices.Clone(logs)
	slices.Sort(sorted)
	return Drift{
		Runs:   len(logs),
		Center: Quantile(sorted, 0.5),
		Lo:     sorted[0],
		Hi:     sorted[len(sorted)-1],
		Sigma:  MADScale * Quantile(diffs, 0.5) / math.Sqrt2,
	}, true
}

// usable reports whether d came from enough history runs and is finite.
func (d Drift) usable() bool {
	for _, x := range []float64{d.Center, d.Lo, d.Hi} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return d.Runs >= MinDriftRuns && d.Lo <= d.Center && d.Center <= d.Hi
}

// driftBand is the drift allowed on a benchmark judged on one run per side.
//
// With a usable history (d): the band of log medians
//
//	[Center - w·(Center-Lo), Center + w·(Hi-Center)],  w = Config.DriftWiden · rangeScale(Runs),
//
// inside which the current run's median counts as drift (a regression must
// lie above it, an improvement below it). Without: the current median
// must differ from the baseline's by more than a factor 1+DriftAllowance
// (0 disables it: base and head measured side by side).
type driftBand struct {
	history bool
	center  float64 // log; history only
	lo, hi  float64 // log bounds of the current median (history), or ± allowance (default)
	runs    int
	source  string
}

func (b driftBand) active() bool { return b.history || b.hi > 0 }

func newDriftBand(d Drift, cfg Config) driftBand {
	if d.usable() && cfg.DriftWiden > 0 {
		w := cfg.DriftWiden * rangeScale(d.Runs)
		return driftBand{history: true, center: d.Center, runs: d.Runs,
			lo: d.Center - w*(d.Center-d.Lo), hi: d.Center + w*(d.Hi-d.Center),
			source: fmt.Sprintf("history of %d runs", d.Runs)}
	}
	if cfg.DriftAllowance > 0 {
		a := math.Log1p(cfg.DriftAllowance)
		return driftBand{lo: -a, hi: a, source: "default allowance for separate runs without history"}
	}
	return driftBand{}
}

// inside reports whether a change of the current run (its median cur and
// its estimated log shift vs the baseline) is inside the drift, in the
// direction of the change (worse for a regression).
func (b driftBand) inside(cur, shift float64, slower bool) bool {
	switch {
	case !b.active():
		return false
	case b.history && slower:
		return math.Log(cur) <= b.hi
	case b.history:
		return math.Log(cur) >= b.lo
	}
	return math.Abs(shift) <= b.hi
}

// width is the allowance as a fraction for reports: how far above its
// typical run (history) or the baseline (default) a run may be.
func (b driftBand) width() float64 {
	if b.history {
		return math.Expm1(b.hi - b.center)
	}
	return math.Expm1(b.hi)
}

// refRuns is the history length at which Config.DriftWiden applies as is.
const refRuns = 16

// rangeScale is d2(refRuns)/d2(n): the range of n runs underestimates the
// spread the more the fewer runs there are, and d2(n), the expected range
// of n standard normal samples (the control-chart constant: 2.33 for 5,
// 2.85 for 8, 3.53 for 16, 4.09 for 30), says by how much. The band then
// covers the same number of standard deviations whatever the history's
// length: 1.52x wider for 5 runs, 1.24x for 8, 0.86x for 30.
func rangeScale(n int) float64 {
	if n < 2 {
		return 1
	}
	return expectedRange(refRuns) / expectedRange(n)
}

var rangeCache sync.Map // int -> float64

// expectedRange is d2(n) = ∫ 1 - Φ(x)^n - (1-Φ(x))^n dx over the real line,
// integrated numerically (Gauss-Legendre on [-10, 10], where the integrand
// is below 1e-20 outside). gonum has no table of d2, hence the integral.
func expectedRange(n int) float64 {
	if v, ok := rangeCache.Load(n); ok {
		return v.(float64)
	}
	f := func(x float64) float64 {
		p := distuv.UnitNormal.CDF(x)
		return 1 - math.Pow(p, float64(n)) - math.Pow(1-p, float64(n))
	}
	v := quad.Fixed(f, -10, 10, 400, quad.Legendre{}, 0)
	rangeCache.Store(n, v)
	return v
}
