package main

// The study's Markdown report.

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// defaultAllowance is the allowance the separate-run scenarios use: the
// comparison's default, the value the allowance table justifies.
const defaultAllowance = analysis.DefaultDriftAllowance

// Allowances are the values of Config.DriftAllowance in the trade-off table.
var Allowances = []float64{0, 0.25, 0.5, 1, 2, 2.5, 3, 3.5, 4, 5}

// WidenChoices are the values of Config.DriftWiden in the history table.
var WidenChoices = []float64{1, 1.5, 2, 3, 4}

// allowanceRow is a separate-runs scenario at one setting: the allowance
// without history, or DriftWiden with history.
type allowanceRow struct {
	allowance float64
	out       *outcome
}

type report struct {
	o          options
	drift      *DriftRecording
	workloads  *Recording
	spread     []spreadRow
	outcomes   []*outcome
	allowances []allowanceRow
	widen      []allowanceRow
}

// spreadRow is the run-to-run drift of the recording on one clock.
type spreadRow struct {
	clock string
	// sigma: per benchmark σ_run = analysis.EstimateDrift of its run medians
	// in time order; median and 90th percentile over the benchmarks.
	sigmaMed, sigmaP90 float64
	// pairQ: quantiles of |log(median_j/median_i)| over all pairs of runs
	// and benchmarks, as factors exp(q).
	pairQ []float64
	// exceed[a] = share of ordered run pairs with median_j/median_i > 1+a.
	exceed map[float64]float64
	// perID[k] is σ_run of benchmark k (NaN with too few runs).
	perID []float64
}

var pairQuantiles = []float64{0.5, 0.9, 0.95, 0.99}

// driftSpread measures the recording's run-to-run drift on both clocks.
func driftSpread(rec *DriftRecording) []spreadRow {
	var out []spreadRow
	for _, clock := range []string{"wall", "cpu"} {
		runs, _ := driftRuns(rec, clock)
		var sigmas, pairs, perID []float64
		for k := range rec.IDs {
			var logs, meds []float64
			for _, r := range runs {
				if xs := slices.Clone(r.samples[k]); len(xs) > 0 {
					slices.Sort(xs)
					m := analysis.Quantile(xs, 0.5)
					meds, logs = append(meds, m), append(logs, math.Log(m))
				}
			}
			d, ok := analysis.EstimateDrift(meds)
			if ok {
				sigmas = append(sigmas, d.Sigma)
			} else {
				d.Sigma = math.NaN()
			}
			perID = append(perID, d.Sigma)
			for i := range logs {
				for j := range logs {
					if i != j {
						pairs = append(pairs, logs[j]-logs[i])
					}
				}
			}
		}
		slices.Sort(sigmas)
		abs := make([]float64, len(pairs))
		for i, p := range pairs {
			abs[i] = math.Abs(p)
		}
		slices.Sort(abs)
		row := spreadRow{clock: clock, perID: perID, sigmaMed: analysis.Quantile(sigmas, 0.5), sigmaP90: analysis.Quantile(sigmas, 0.9), exceed: map[float64]float64{}}
		for _, q := range pairQuantiles {
			row.pairQ = append(row.pairQ, math.Exp(analysis.Quantile(abs, q)))
		}
		for _, a := range Allowances {
			n := 0
			for _, p := range pairs {
				if p > math.Log1p(a) {
					n++
				}
			}
			row.exceed[a] = pct(n, len(pairs))
		}
		out = append(out, row)
	}
	return out
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "Drift recording: %s.\n", describeDrift(r.drift))
	fmt.Fprintf(w, "Primary clock of this study run: **%s**. Seed %d; at most %d run pairs per drift scenario, %d trials per workload scenario, %d per synthetic scenario (20 benchmarks each).\n\n",
		r.o.clock, r.o.seed, r.o.trials, r.o.synthetic, max(1, r.o.synthetic/5))
	r.writeSpread(w)
	r.writeScenarios(w)
	r.writeAllowances(w)
	r.writeWiden(w)
	r.writeWorst(w)
	r.writeTargets(w)
}

func (r *report) writeSpread(w io.Writer) {
	fmt.Fprintf(w, "### Run-to-run drift of the recording\n\n")
	fmt.Fprintf(w, "σ_run = EstimateDrift of each benchmark's run medians (1.4826·median|Δlog|/√2); pair ratios = median_j/median_i over all ordered pairs of runs, all benchmarks.\n\n")
	fmt.Fprintf(w, "| clock | σ_run median | σ_run p90 | pair ratio p50 | p90 | p95 | p99 |")
	for _, a := range Allowances[1:] {
		fmt.Fprintf(w, " > +%.0f%% |", 100*a)
	}
	fmt.Fprintf(w, "\n|---|---|---|---|---|---|---|%s\n", repeat("---|", len(Allowances)-1))
	for _, s := range r.spread {
		fmt.Fprintf(w, "| %s | %.3f | %.3f |", s.clock, s.sigmaMed, s.sigmaP90)
		for _, q := range s.pairQ {
			fmt.Fprintf(w, " x%.2f |", q)
		}
		for _, a := range Allowances[1:] {
			fmt.Fprintf(w, " %.2f%% |", s.exceed[a])
		}
		fmt.Fprintln(w)
	}
	if len(r.spread) == 2 {
		less, n := 0, 0
		for k, sw := range r.spread[0].perID {
			if sc := r.spread[1].perID[k]; !math.IsNaN(sw) && !math.IsNaN(sc) {
				n++
				if sc < sw {
					less++
				}
			}
		}
		fmt.Fprintf(w, "\nProcess CPU time drifts less than wall time (σ_run cpu < wall) for %d of %d benchmarks.\n", less, n)
	}
	fmt.Fprintln(w)
}

func (r *report) writeScenarios(w io.Writer) {
	fmt.Fprintf(w, "### Scenarios\n\n")
	fmt.Fprintf(w, "Cells: %% of benchmarks per run (regression = false alarm at +0%%, detection otherwise); gate fail: %% of comparisons whose gate (default `%s`) failed; gate error: %% that judged nothing (verdict `error`, which fails the gate too).\n\n", analysis.DefaultGate)
	auto := r.o.clock == "auto"
	if auto {
		fmt.Fprintf(w, "Clock auto: `on CPU time` is the %% of benchmarks CompareRuns judged on process CPU time (single-threaded on every run of both sides), the rest on wall time.\n\n")
	}
	fmt.Fprintf(w, "| scenario | change | runs compared | regression | improvement | unchanged | inconclusive | errored | gate fail | gate error |%s\n", map[bool]string{true: " on CPU time |"}[auto])
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|%s\n", map[bool]string{true: "---|"}[auto])
	for _, o := range r.outcomes {
		for _, s := range o.sc.Changes {
			t := o.byShift[s]
			fmt.Fprintf(w, "| %s | %s | %d | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.1f%% | %.1f%% |",
				o.sc.Name, changeName(s), t.Trials, pct(t.Regression, t.Units), pct(t.Improvement, t.Units), pct(t.Unchanged, t.Units),
				pct(t.Inconclusive, t.Units), pct(t.Errored, t.Units), pct(t.GateFail, t.Trials), pct(t.GateError, t.Trials))
			if auto {
				fmt.Fprintf(w, " %.1f%% |", pct(t.CPUJudged, t.Units))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
}

func (r *report) writeAllowances(w io.Writer) {
	if len(r.allowances) == 0 {
		return
	}
	fmt.Fprintf(w, "### Drift allowance without history (separate runs, one per side)\n\n")
	fmt.Fprintf(w, "A/A 95%% CI: bootstrap over the recorded runs (pairs share runs, so this is wider than a binomial interval).\n\n")
	fmt.Fprintf(w, "An injected change equal to the allowance is a knife edge (|log 3| <= log(1+2) at ±200%%): about half of the +200%% rows fall inside it there.\n\n")
	fmt.Fprintf(w, "| allowance | A/A false alarms | A/A 95%% CI | A/A inconclusive | A/A gate fail | A/A gate error | +50%% caught | +200%% caught | +200%% inconclusive | +200%% gate fail | +300%% caught |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, a := range r.allowances {
		aa, p50, p200, p300 := a.out.byShift[0], a.out.byShift[0.5], a.out.byShift[2], a.out.byShift[3]
		fmt.Fprintf(w, "| ±%.0f%% | %.2f%% | %s | %.2f%% | %.1f%% | %.1f%% | %.2f%% | %.2f%% | %.2f%% | %.1f%% | %.2f%% |\n", 100*a.allowance,
			pct(aa.Regression, aa.Units), r.ci(a.out), pct(aa.Inconclusive, aa.Units), pct(aa.GateFail, aa.Trials), pct(aa.GateError, aa.Trials),
			pct(p50.Regression, p50.Units), pct(p200.Regression, p200.Units), pct(p200.Inconclusive, p200.Units), pct(p200.GateFail, p200.Trials),
			pct(p300.Regression, p300.Units))
	}
	if a, ok := r.smallestAllowance(0.01); ok {
		p200 := a.out.byShift[2]
		fmt.Fprintf(w, "\nSmallest allowance with A/A false alarms <= 1%% of benchmarks per run: **±%.0f%%** (+200%% caught %.2f%%, inconclusive %.2f%%).\n",
			100*a.allowance, pct(p200.Regression, p200.Units), pct(p200.Inconclusive, p200.Units))
	} else {
		fmt.Fprintf(w, "\nNo allowance of the table keeps A/A false alarms <= 1%% of benchmarks per run.\n")
	}
	fmt.Fprintln(w)
}

func (r *report) writeWiden(w io.Writer) {
	if len(r.widen) == 0 {
		return
	}
	fmt.Fprintf(w, "### Drift band with history (separate runs, history of 10-20 runs)\n\n")
	fmt.Fprintf(w, "A change is inside the drift when the current median lies in the band of the history's log run medians widened w times about their median: [c - w·(c-lo), c + w·(hi-c)] (Config.DriftWiden = w).\n\n")
	fmt.Fprintf(w, "| w | A/A false alarms | A/A 95%% CI | A/A inconclusive | A/A gate fail | A/A gate error | +50%% caught | +200%% caught | +200%% inconclusive |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|\n")
	for _, a := range r.widen {
		aa, p50, p200 := a.out.byShift[0], a.out.byShift[0.5], a.out.byShift[2]
		fmt.Fprintf(w, "| %g | %.2f%% | %s | %.2f%% | %.1f%% | %.1f%% | %.2f%% | %.2f%% | %.2f%% |\n", a.allowance,
			pct(aa.Regression, aa.Units), r.ci(a.out), pct(aa.Inconclusive, aa.Units), pct(aa.GateFail, aa.Trials), pct(aa.GateError, aa.Trials),
			pct(p50.Regression, p50.Units), pct(p200.Regression, p200.Units), pct(p200.Inconclusive, p200.Units))
	}
	fmt.Fprintln(w)
}

// smallestAllowance is the first allowance of the table whose A/A false
// alarm rate is at most limit.
func (r *report) smallestAllowance(limit float64) (allowanceRow, bool) {
	for _, a := range r.allowances {
		aa := a.out.byShift[0]
		if float64(aa.Regression) <= limit*float64(aa.Units) {
			return a, true
		}
	}
	return allowanceRow{}, false
}

// target is one of issue 12's targets checked against a scenario.
type target struct {
	what     string
	scenario string
	change   float64
	atMost   bool // the rate must be <= limit (false alarms), else >= limit
	limit    float64
}

var targets = []target{
	{"A/A false alarms, separate runs with history", scHistory, 0, true, 0.01},
	{"A/A false alarms, separate runs with the shortest usable history (MinDriftRuns = 8 runs)", scHistory5, 0, true, 0.01},
	{"A/A false alarms, separate runs without history (default allowance)", scNoHistory, 0, true, 0.01},
	{"A/A false alarms, interleaved (drift runs, 5 vs 5 rounds)", scInterleaved, 0, true, 0.005},
	{"A/A false alarms, interleaved (workloads, 10 vs 10 rounds)", scWorkloads, 0, true, 0.005},
	{"+25% caught at CV 5%, n=10 (side by side)", scSynthSide, 0.25, false, 0.95},
	{"+25% caught at CV 5%, n=10 (history)", scSynthHistory, 0.25, false, 0.95},
	{"3x caught, 15% outliers x2-6, n=15 (side by side)", scSynthTails, 2, false, 0.99},
	{"3x caught, outliers x2-6 with p=15% per round, n=15 (side by side)", scSynthTailsBern, 2, false, 0.99},
	{"3x caught, 15% outliers x2-6, n=15 (default allowance)", scSynthTailsDflt, 2, false, 0.99},
}

func (r *report) writeTargets(w io.Writer) {
	fmt.Fprintf(w, "### Targets (issue 12)\n\n| target | scenario | measured | 95%% CI over runs | limit | |\n|---|---|---|---|---|---|\n")
	for _, t := range targets {
		o := r.find(t.scenario)
		if o == nil {
			continue
		}
		tl := o.byShift[t.change]
		rate := float64(tl.Regression) / float64(max(1, tl.Units))
		ok := rate >= t.limit
		cmp := ">="
		if t.atMost {
			ok, cmp = rate <= t.limit, "<="
		}
		ci := "-"
		if t.change == 0 {
			ci = r.ci(o)
		}
		fmt.Fprintf(w, "| %s | %s | %.2f%% | %s | %s %.1f%% | %s |\n", t.what, t.scenario, 100*rate, ci, cmp, 100*t.limit, okString(ok))
	}
}

// ci formats the A/A interval over runs of a pair scenario ("-" for others).
func (r *report) ci(o *outcome) string {
	lo, hi, ok := o.intervalOverRuns(0, r.o.seed)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f-%.2f%%", 100*lo, 100*hi)
}

// writeWorst lists the benchmarks with the most A/A false alarms in the
// separate-run scenarios.
func (r *report) writeWorst(w io.Writer) {
	fmt.Fprintf(w, "### Benchmarks with the most A/A false alarms\n\n| scenario | benchmark | false alarms |\n|---|---|---|\n")
	for _, name := range []string{scNoHistory, scHistory} {
		o := r.find(name)
		if o == nil {
			continue
		}
		ids := sortedKeys(o.aaByID)
		slices.SortStableFunc(ids, func(a, b string) int { return o.aaByID[b] - o.aaByID[a] })
		for _, id := range ids[:min(5, len(ids))] {
			fmt.Fprintf(w, "| %s | `%s` | %.1f%% |\n", name, id, pct(o.aaByID[id], o.sc.trials))
		}
	}
	fmt.Fprintln(w)
}

func (r *report) find(name string) *outcome {
	for _, o := range r.outcomes {
		if o.sc.Name == name {
			return o
		}
	}
	return nil
}

func changeName(s float64) string {
	if s == 0 {
		return "A/A"
	}
	return fmt.Sprintf("+%.0f%%", 100*s)
}

func okString(ok bool) string {
	if ok {
		return "met"
	}
	return "**NOT met**"
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
