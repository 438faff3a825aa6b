package main

// Scenarios: how the two sides of a comparison are drawn, and the engine
// that runs the real analysis.CompareRuns on whole suites, trial by trial.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
)

// Changes are the injected slowdowns (current samples multiplied by 1+s);
// 0 is the A/A comparison.
var Changes = []float64{0, 0.10, 0.25, 0.50, 2.00}

// trial is one comparison of a suite: each side one or more runs, and the
// run-to-run drift estimated from a history (nil: none).
type trial struct {
	base, cur []runData
	drift     map[string]analysis.Drift
}

// runData is one run of a suite: per benchmark (same index as the
// scenario's ids) its samples and, with -clock auto, its process CPU-time
// samples (nil otherwise), given to CompareRuns as the cpu-s/op metric so
// that it chooses the clock itself.
type runData struct {
	samples, cpu [][]float64
}

// tails describes heavy-tailed rounds: in every run of both sides, each
// benchmark gets a share f ~ U(FracLo, FracHi) of its rounds multiplied by
// a factor ~ U(2, 6) (descheduling, page faults, GC: outlier rounds). Each
// round is an outlier with probability f, or, with Exact, exactly
// floor(f·n) or ceil(f·n) rounds are (stochastic rounding: f·n on average).
type tails struct {
	FracLo, FracHi float64
	Exact          bool
}

// scenario is one way of drawing trials, evaluated at every change.
type scenario struct {
	Name      string
	Allowance float64 // Config.DriftAllowance (history, when present, overrides it)
	Widen     float64 // Config.DriftWiden (0: the default)
	Tails     *tails
	Changes   []float64
	ids       []string
	draw      func(rng *rand.Rand, i int) trial // the i-th trial
	trials    int
	// pairs[i] are the runs (baseline, current) of trial i when each trial
	// is a pair of recorded runs (nil otherwise), out of nRuns runs.
	pairs [][2]int
	nRuns int
}

// tally counts verdicts of benchmarks (their primary metric) and gate
// outcomes over the trials of one scenario and change.
type tally struct {
	Trials                                                    int
	Regression, Improvement, Unchanged, Inconclusive, Errored int
	GateFail, GateError                                       int
	Units                                                     int // benchmarks judged or not, errored included
	CPUJudged                                                 int // benchmarks whose primary row was judged on CPU time
}

func (t *tally) add(c *analysis.Comparison) {
	s := c.Summary
	t.Trials++
	t.Regression += s.Regressions
	t.Improvement += s.Improvements
	t.Unchanged += s.Unchanged
	t.Inconclusive += s.Inconclusive
	t.Errored += s.Errored
	t.Units += s.Regressions + s.Improvements + s.Unchanged + s.Inconclusive + s.Errored
	for _, r := range c.Rows {
		if r.Role == analysis.RolePrimary && r.Clock == analysis.ClockCPU {
			t.CPUJudged++
		}
	}
	switch c.Gate.Verdict {
	case analysis.GateFail:
		t.GateFail++
	case analysis.GateError:
		t.GateError++
	}
}

func (t *tally) merge(o tally) {
	t.Trials += o.Trials
	t.Regression += o.Regression
	t.Improvement += o.Improvement
	t.Unchanged += o.Unchanged
	t.Inconclusive += o.Inconclusive
	t.Errored += o.Errored
	t.GateFail += o.GateFail
	t.GateError += o.GateError
	t.Units += o.Units
	t.CPUJudged += o.CPUJudged
}

// pct is 100·k/n (0 when n = 0).
func pct(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return 100 * float64(k) / float64(n)
}

// outcome is a scenario evaluated: one tally per change, the verdicts of
// every trial (for intervals over runs), and the A/A false alarms per
// benchmark id.
type outcome struct {
	sc      *scenario
	byShift map[float64]tally
	cells   map[float64][]cell
	aaByID  map[string]int
}

// cell is one trial at one change: regressions among units benchmarks.
type cell struct{ reg, units int }

// evaluate runs every trial of sc at every change on 2 workers. Trial i
// draws from its own PCG(seed, i) stream, so the result does not depend on
// scheduling.
func evaluate(sc *scenario, seed uint64) (*outcome, error) {
	cfg := analysis.DefaultConfig()
	cfg.DriftAllowance = sc.Allowance
	if sc.Widen > 0 {
		cfg.DriftWiden = sc.Widen
	}
	workers := min(2, runtime.GOMAXPROCS(0))
	parts := make([]map[float64]tally, workers)
	byID := make([]map[string]int, workers)
	errs := make([]error, workers)
	cells := map[float64][]cell{}
	for _, s := range sc.Changes {
		cells[s] = make([]cell, sc.trials)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w], byID[w] = map[float64]tally{}, map[string]int{}
			for i := w; i < sc.trials; i += workers {
				if err := runTrial(sc, cfg, seed, i, parts[w], cells, byID[w]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	out := &outcome{sc: sc, byShift: map[float64]tally{}, cells: cells, aaByID: map[string]int{}}
	for w := range workers {
		if errs[w] != nil {
			return nil, fmt.Errorf("scenario %q: %w", sc.Name, errs[w])
		}
		for s, t := range parts[w] {
			m := out.byShift[s]
			m.merge(t)
			out.byShift[s] = m
		}
		for id, n := range byID[w] {
			out.aaByID[id] += n
		}
	}
	return out, nil
}

// runTrial draws trial i and compares it at every change; it writes
// cells[s][i] (the caller allocated them) and counts A/A regressions per id.
func runTrial(sc *scenario, cfg analysis.Config, seed uint64, i int, into map[float64]tally, cells map[float64][]cell, aaByID map[string]int) error {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	tr := sc.draw(rng, i)
	for _, s := range sc.Changes {
		base, cur := sideResults(sc.ids, tr.base, 1, sc.Tails, rng), sideResults(sc.ids, tr.cur, 1+s, sc.Tails, rng)
		cmp, err := analysis.CompareRuns(base, cur, cfg, tr.drift)
		if err != nil {
			return fmt.Errorf("trial %d, change %+.0f%%: %w", i, 100*s, err)
		}
		t := into[s]
		before := t
		t.add(cmp)
		into[s] = t
		cells[s][i] = cell{t.Regression - before.Regression, t.Units - before.Units}
		if s == 0 {
			for _, r := range cmp.Rows {
				if r.Verdict == analysis.Regression && r.Role == analysis.RolePrimary {
					aaByID[r.ID]++
				}
			}
		}
	}
	return nil
}

// intervalOverRuns is a 95% percentile interval of the regression rate at
// change s that accounts for trials sharing runs: B bootstrap draws of the
// nRuns runs with replacement (multiplicities w), each giving
//
//	rate* = Σ_pairs w_i·w_j·reg_ij / Σ_pairs w_i·w_j·units_ij
//
// ok is false for scenarios whose trials are not pairs of runs.
func (o *outcome) intervalOverRuns(s float64, seed uint64) (lo, hi float64, ok bool) {
	sc := o.sc
	cs := o.cells[s]
	if sc.pairs == nil || len(cs) != len(sc.pairs) {
		return 0, 0, false
	}
	const draws = 1000
	rng := rand.New(rand.NewPCG(seed, 12345))
	w := make([]float64, sc.nRuns)
	rates := make([]float64, 0, draws)
	for range draws {
		clear(w)
		for range sc.nRuns {
			w[rng.IntN(sc.nRuns)]++
		}
		var num, den float64
		for i, p := range sc.pairs {
			ww := w[p[0]] * w[p[1]]
			num += ww * float64(cs[i].reg)
			den += ww * float64(cs[i].units)
		}
		if den > 0 {
			rates = append(rates, num/den)
		}
	}
	if len(rates) == 0 {
		return 0, 0, false
	}
	slices.Sort(rates)
	return analysis.Quantile(rates, 0.025), analysis.Quantile(rates, 0.975), true
}

// sideResults builds one results file per run, every sample (wall and CPU)
// multiplied by factor (copies: the recording is never modified), with
// heavy tails when tl is set (the same outlier factors on both clocks of a
// round). Benchmarks without samples in a run are left out of it.
func sideResults(ids []string, runs []runData, factor float64, tl *tails, rng *rand.Rand) []*analysis.Results {
	out := make([]*analysis.Results, len(runs))
	for r, run := range runs {
		res := &analysis.Results{Benchmarks: make([]analysis.Benchmark, 0, len(ids))}
		for k, xs := range run.samples {
			if len(xs) == 0 {
				continue
			}
			b := analysis.Benchmark{ID: ids[k], Name: ids[k], Params: paramsOf(ids[k]), Unit: "s", Direction: analysis.LowerIsBetter, Samples: scaled(xs, factor)}
			var cpu []float64
			if run.cpu != nil && len(run.cpu[k]) == len(xs) {
				cpu = scaled(run.cpu[k], factor)
				b.Metrics = map[string]analysis.Metric{analysis.MetricCPU: {Unit: analysis.MetricCPU, Direction: analysis.LowerIsBetter, Samples: cpu}}
			}
			if tl != nil {
				addTails(tl, rng, b.Samples, cpu)
			}
			res.Benchmarks = append(res.Benchmarks, b)
		}
		out[r] = res
	}
	return out
}

// paramsOf parses the parameters of an id "category/group/name[k=v,...]"
// (nil without brackets): CompareRuns reads workers/goroutines to know a
// benchmark is parallel. The recording keeps ids only; markers (the other
// way a benchmark is declared parallel) are not recorded.
func paramsOf(id string) map[string]string {
	i := strings.LastIndexByte(id, '[')
	if i < 0 || !strings.HasSuffix(id, "]") {
		return nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(id[i+1:len(id)-1], ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}

// addTails multiplies a share f ~ U(FracLo, FracHi) of the rounds by
// U(2, 6): each round independently with probability f, or exactly
// floor(f·n) or ceil(f·n) of them with Exact. also (nil, or as long as xs)
// gets the same factors: the other clock of the same rounds.
func addTails(tl *tails, rng *rand.Rand, xs, also []float64) {
	hit := func(j int) {
		f := 2 + 4*rng.Float64()
		xs[j] *= f
		if len(also) == len(xs) {
			also[j] *= f
		}
	}
	f := tl.FracLo + (tl.FracHi-tl.FracLo)*rng.Float64()
	if !tl.Exact {
		for j := range xs {
			if rng.Float64() < f {
				hit(j)
			}
		}
		return
	}
	k := int(math.Floor(f * float64(len(xs))))
	if rng.Float64() < f*float64(len(xs))-float64(k) {
		k++
	}
	for _, j := range rng.Perm(len(xs))[:k] {
		hit(j)
	}
}

// ---- drawing trials from the drift recording ----

// orderedPairs returns up to max ordered pairs (i, j), i != j, of k runs:
// all of them when there are few enough, else a seeded sample without
// replacement.
func orderedPairs(k, max int, seed uint64) [][2]int {
	var all [][2]int
	for i := range k {
		for j := range k {
			if i != j {
				all = append(all, [2]int{i, j})
			}
		}
	}
	if len(all) <= max {
		return all
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	rng.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
	all = all[:max]
	slices.SortFunc(all, func(a, b [2]int) int { return (a[0]*k + a[1]) - (b[0]*k + b[1]) })
	return all
}

// separateRuns: baseline = run i, current = run j, no history.
func separateRuns(name string, runs []suiteRun, ids []string, allowance float64, maxTrials int, seed uint64) *scenario {
	pairs := orderedPairs(len(runs), maxTrials, seed)
	return &scenario{Name: name, Allowance: allowance, Changes: Changes, ids: ids, trials: len(pairs), pairs: pairs, nRuns: len(runs),
		draw: func(_ *rand.Rand, i int) trial {
			p := pairs[i]
			return trial{base: []runData{runs[p[0]].runData}, cur: []runData{runs[p[1]].runData}}
		}}
}

// withHistory: baseline run i, current run j, and a history of
// H ~ U{hMin..hMax} other runs (at most all the others), in time order, as
// the action's history artifact holds them: one trend.Entry of run medians
// (wall and CPU) per run; the drift is trend.Drift of that history.
func withHistory(name string, runs []suiteRun, ids []string, maxTrials int, seed uint64, hMin, hMax int) *scenario {
	pairs := orderedPairs(len(runs), maxTrials, seed)
	entries := make([]trend.Entry, len(runs))
	for r, run := range runs {
		entries[r] = historyEntry(ids, run)
	}
	return &scenario{Name: name, Allowance: analysis.DefaultDriftAllowance, Changes: Changes, ids: ids, trials: len(pairs), pairs: pairs, nRuns: len(runs),
		draw: func(rng *rand.Rand, i int) trial {
			p := pairs[i]
			var others []int
			for r := range runs {
				if r != p[0] && r != p[1] {
					others = append(others, r)
				}
			}
			h := min(len(others), hMin+rng.IntN(hMax-hMin+1))
			rng.Shuffle(len(others), func(a, b int) { others[a], others[b] = others[b], others[a] })
			pick := others[:h]
			slices.Sort(pick) // runs are in time order
			hist := make([]trend.Entry, h)
			for k, r := range pick {
				hist[k] = entries[r]
			}
			return trial{base: []runData{runs[p[0]].runData}, cur: []runData{runs[p[1]].runData}, drift: trend.Drift(hist)}
		}}
}

// historyEntry is the history line the action would append for run: the
// median of every benchmark (trend.FromResults).
func historyEntry(ids []string, run suiteRun) trend.Entry {
	res := &analysis.Results{Run: analysis.Run{Finished: run.time}}
	for k, xs := range run.samples {
		if len(xs) > 0 {
			b := analysis.Benchmark{ID: ids[k], Name: ids[k], Unit: "s", Samples: xs}
			if run.cpu != nil && len(run.cpu[k]) > 0 {
				b.Metrics = map[string]analysis.Metric{analysis.MetricCPU: {Unit: analysis.MetricCPU, Samples: run.cpu[k]}}
			}
			res.Benchmarks = append(res.Benchmarks, b)
		}
	}
	return trend.FromResults(res)
}

// interleavedRuns: inside each run, even rounds against odd rounds (which
// side is baseline at random), as if base and head had been measured
// alternately in one job; no drift allowance (Config.DriftAllowance 0, as
// for A/B runs).
func interleavedRuns(name string, runs []suiteRun, ids []string) *scenario {
	return &scenario{Name: name, Allowance: 0, Changes: Changes, ids: ids, trials: 2 * len(runs),
		draw: func(_ *rand.Rand, i int) trial {
			b, c := splitRounds(runs[i/2].runData, i%2)
			return trial{base: []runData{b}, cur: []runData{c}}
		}}
}

// splitRounds puts the rounds j with j%2 == parity of every benchmark in b,
// the others in c (both clocks alike).
func splitRounds(run runData, parity int) (b, c runData) {
	split := func(all [][]float64) (x, y [][]float64) {
		if all == nil {
			return nil, nil
		}
		x, y = make([][]float64, len(all)), make([][]float64, len(all))
		for k, xs := range all {
			for j, v := range xs {
				if j%2 == parity {
					x[k] = append(x[k], v)
				} else {
					y[k] = append(y[k], v)
				}
			}
		}
		return x, y
	}
	b.samples, c.samples = split(run.samples)
	b.cpu, c.cpu = split(run.cpu)
	return b, c
}

// severalRuns: k distinct runs per side drawn at random (paired by position
// by CompareRuns), no history; nil when the recording has fewer than 2k runs.
func severalRuns(name string, runs []suiteRun, ids []string, k, trials int) *scenario {
	if len(runs) < 2*k {
		return nil
	}
	return &scenario{Name: name, Allowance: analysis.DefaultDriftAllowance, Changes: []float64{0, 0.50, 2.00}, ids: ids, trials: trials,
		draw: func(rng *rand.Rand, _ int) trial {
			perm := rng.Perm(len(runs))[:2*k]
			var tr trial
			for _, r := range perm[:k] {
				tr.base = append(tr.base, runs[r].runData)
			}
			for _, r := range perm[k:] {
				tr.cur = append(tr.cur, runs[r].runData)
			}
			return tr
		}}
}

// ---- within-run and synthetic trials ----

// interleavedWorkloads: samples.json, per workload n alternate rounds of a
// random stretch of 2n consecutive rounds per side (measured side by side);
// with cpu (the thread CPU clock of the same rounds) both clocks are given.
func interleavedWorkloads(name string, wall, cpu map[string][]float64, n, trials int) *scenario {
	ids := sortedKeys(wall)
	return &scenario{Name: name, Allowance: 0, Changes: Changes, ids: ids, trials: trials,
		draw: func(rng *rand.Rand, _ int) trial {
			var b, c runData
			b.samples, c.samples = make([][]float64, len(ids)), make([][]float64, len(ids))
			if cpu != nil {
				b.cpu, c.cpu = make([][]float64, len(ids)), make([][]float64, len(ids))
			}
			for k, id := range ids {
				bi, ci := alternate(len(wall[id]), n, rng)
				b.samples[k], c.samples[k] = pick(wall[id], bi), pick(wall[id], ci)
				if cpu != nil {
					b.cpu[k], c.cpu[k] = pick(cpu[id], bi), pick(cpu[id], ci)
				}
			}
			return trial{base: []runData{b}, cur: []runData{c}}
		}}
}

// alternate returns the indices of the even and odd rounds of a random
// stretch of 2n consecutive rounds out of total, baseline first or second
// at random.
func alternate(total, n int, rng *rand.Rand) (b, c []int) {
	a := rng.IntN(total - 2*n + 1)
	for i := range 2 * n {
		if i%2 == 0 {
			b = append(b, a+i)
		} else {
			c = append(c, a+i)
		}
	}
	if rng.IntN(2) == 1 {
		b, c = c, b
	}
	return b, c
}

func pick(xs []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// syntheticSuite: benchmarks lognormal with the given CV, n rounds per
// side, fresh samples every trial (no drift between the sides). With
// historyRuns > 0 each trial also draws that many past runs of the same
// process and estimates the drift from their medians (a quiet machine with
// a history).
func syntheticSuite(name string, benchmarks, n int, cv float64, allowance float64, historyRuns, trials int) *scenario {
	ids := make([]string, benchmarks)
	for k := range ids {
		ids[k] = fmt.Sprintf("synthetic-%02d", k)
	}
	sigma := math.Sqrt(math.Log(1 + cv*cv)) // lognormal with exactly this CV
	draw := func(rng *rand.Rand) []float64 {
		xs := make([]float64, n)
		for j := range xs {
			xs[j] = math.Exp(sigma * rng.NormFloat64())
		}
		return xs
	}
	return &scenario{Name: name, Allowance: allowance, Changes: Changes, ids: ids, trials: trials,
		draw: func(rng *rand.Rand, _ int) trial {
			b, c := make([][]float64, benchmarks), make([][]float64, benchmarks)
			for k := range ids {
				b[k], c[k] = draw(rng), draw(rng)
			}
			tr := trial{base: []runData{{samples: b}}, cur: []runData{{samples: c}}}
			if historyRuns > 0 {
				tr.drift = map[string]analysis.Drift{}
				for _, id := range ids {
					med := make([]float64, historyRuns)
					for r := range med {
						xs := draw(rng)
						slices.Sort(xs)
						med[r] = analysis.Quantile(xs, 0.5)
					}
					if d, ok := analysis.EstimateDrift(med); ok {
						tr.drift[id] = d
					}
				}
			}
			return tr
		}}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// runTimes is used to report the time span of a study run.
func since(t0 time.Time) string { return time.Since(t0).Round(100 * time.Millisecond).String() }
