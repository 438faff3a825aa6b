package analysis

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Methods written into Row.Method.
const (
	// benchmath.AssumeNothing (go-moremath MannWhitneyUTest): the exact U
	// distribution up to 50 samples per side without ties (25 with ties),
	// the tie-corrected normal approximation beyond.
	MethodMannWhitneyExact  = "mann-whitney-exact"
	MethodMannWhitneyNormal = "mann-whitney-normal"
	MethodSummaryOnly       = "summary-welch" // no raw samples: Welch's t on mean, stddev and n
	MethodAbsolute          = "absolute-threshold"
	// Several runs per side: runs are the units. Paired by position when
	// both sides have the same number of runs (t-test on the per-pair
	// Hodges-Lehmann log shifts), else Welch's t on per-run log medians.
	MethodRunsPaired = "runs-paired-t"
	MethodRunsWelch  = "runs-welch-t"
)

// MetricTime is Row.Metric of the primary samples; MetricPeakRSS the row
// built from Memory.PeakRSSBytes.
const (
	MetricTime    = "time"
	MetricPeakRSS = "peak-rss"
)

// Level is the confidence level of every interval Compare reports.
const Level = 0.95

// DefaultDriftAllowance is Config.DriftAllowance's default: the run-to-run
// drift allowed without history when each side is one separate run (2.5 = a
// factor 3.5 either way). Chosen from the drift recorded between 44 runs of
// the suite on this project's shared 2-vCPU machines (load 0.7-10.5; run
// medians of the same code differed by x1.49 at the median and x5.68 at
// the 99th percentile on the wall clock, x1.19 and x3.32 in CPU time): the
// smallest allowance with A/A false alarms <= 1% of benchmarks per run
// (±50%: 11.8%, ±200%: 1.28%, ±250%: 0.69%, ±300%: 0.39%; docs/STATISTICS.md
// "Run-to-run drift"). Gross slowdowns (4x: 71%) are still caught before a
// history exists; smaller ones are reported inconclusive, past the
// threshold, with the drift named. A history of MinDriftRuns base-branch
// runs replaces it. On quieter runners set the drift-allowance input lower.
const DefaultDriftAllowance = 2.5

// DefaultDriftWiden is Config.DriftWiden's default: the band of the
// history's run medians is widened 2 times about its center, because a
// range of 8-30 runs underestimates the next run's (docs/STATISTICS.md).
const DefaultDriftWiden = 2

// DefaultConfig returns the default comparison settings: threshold 20%,
// alpha 0.05 with Benjamini-Hochberg across the suite, at least 4 samples
// per side, a 100 MB peak-RSS threshold, the default drift allowance
// (±250% without history, the band of the history's runs widened 2x with it),
// a 2% threshold for instruction counts (DefaultInstructionThreshold, no
// drift allowance) and the default gate DefaultGate.
func DefaultConfig() Config {
	return Config{
		Threshold:            0.20,
		InstructionThreshold: DefaultInstructionThreshold,
		Alpha:                0.05,
		MinSamples:           4,
		MemoryThreshold:      100e6,
		Correction:           "bh",
		DriftAllowance:       DefaultDriftAllowance,
		DriftWiden:           DefaultDriftWiden,
		Clock:                ClockAuto,
		FailOn:               DefaultGate,
	}
}

// Validate reports the first setting of c that Compare cannot use.
func (c Config) Validate() error {
	switch {
	case !(c.Threshold > 0) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("config: threshold %v must be a positive fraction (0.2 = 20%%)", c.Threshold)
	case !(c.InstructionThreshold >= 0) || math.IsInf(c.InstructionThreshold, 0):
		return fmt.Errorf("config: instruction_threshold %v must be a fraction >= 0 (0.02 = 2%%, 0 = the threshold)", c.InstructionThreshold)
	case !(c.Alpha > 0 && c.Alpha < 1):
		return fmt.Errorf("config: alpha %v must be in (0, 1)", c.Alpha)
	case c.MinSamples < 2:
		return fmt.Errorf("config: min_samples %d must be at least 2", c.MinSamples)
	case !(c.MemoryThreshold >= 0):
		return fmt.Errorf("config: memory_threshold %v must be >= 0 bytes", c.MemoryThreshold)
	case c.Correction != "bh" && c.Correction != "none" && c.Correction != "":
		return fmt.Errorf("config: correction %q must be \"bh\" or \"none\"", c.Correction)
	case c.Clock != "" && c.Clock != ClockAuto && c.Clock != ClockWall && c.Clock != ClockCPU:
		return fmt.Errorf("config: clock %q must be auto, wall or cpu", c.Clock)
	case !(c.DriftAllowance >= 0) || math.IsInf(c.DriftAllowance, 0):
		return fmt.Errorf("config: drift_allowance %v must be a fraction >= 0 (0.5 = ±50%%, 0 = none)", c.DriftAllowance)
	case !(c.DriftWiden >= 0) || math.IsInf(c.DriftWiden, 0):
		return fmt.Errorf("config: drift_widen %v must be >= 0 (0 ignores the history's drift)", c.DriftWiden)
	}
	if _, err := ParseRules(c.Rules); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if c.FailOn != "" {
		if _, err := ParseGate(c.FailOn); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

// Compare compares one current run with one baseline run (nil: first run).
// It is CompareRuns with one run per side and no history.
func Compare(baseline, current *Results, cfg Config) (*Comparison, error) {
	var base []*Results
	if baseline != nil {
		base = []*Results{baseline}
	}
	if current == nil {
		return nil, errors.New("compare: no current results")
	}
	return CompareRuns(base, []*Results{current}, cfg, nil)
}

// CompareRuns compares the current runs with the baseline runs benchmark by
// benchmark (keyed on Benchmark.ID) and applies the gate. Each side is one or
// more results files, one per run; baseline may be empty (first run: every
// benchmark is new). drift holds the run-to-run spread of benchmarks on the
// base branch, estimated from history (EstimateDrift); nil for none.
//
// The unit is a benchmark, judged on its primary metric (its Samples: time
// per operation). Memory metrics (B/op, allocs/op, peak RSS) are judged on
// their own (RoleMemory) and counted apart; every other metric (MB/s, ops/s,
// cpu-s/op, custom units) is derived or secondary and only shown
// (RoleDerived, verdict Info). For each judged row:
//
//   - Ratio = median(current)/median(baseline) (benchstat's number);
//   - ShiftRatio = exp(Hodges-Lehmann shift of the log samples) with Moses'
//     95% interval (CILow, CIHigh); Change = ShiftRatio-1 in the worse
//     direction (1/ShiftRatio-1 when higher is better);
//   - P = two-sided Mann-Whitney U (benchmath.AssumeNothing, benchstat's
//     test), Q = its Benjamini-Hochberg adjustment across the suite
//     (primary rows and memory rows are two families).
//
// With several runs on a side, runs are the units: P, ShiftRatio and the
// interval come from a t-test over runs (MethodRunsPaired or
// MethodRunsWelch), so run-to-run drift is in the error term.
//
// Verdicts, in this order:
//
//   - errored: an Error on either side, bad samples (NaN, Inf, negative,
//     zero time), a unit or direction that differs between sides, an
//     unknown direction or a duplicate id;
//   - inconclusive: fewer than MinSamples samples on a side;
//   - regression (improvement): Q < Alpha and Change >= Threshold
//     (<= -Threshold), whatever the spread, unless the change is inside the
//     run-to-run drift allowed for the row (then inconclusive, saying so);
//   - unchanged: the confidence interval of Change lies inside
//     (-Threshold, +Threshold);
//   - inconclusive otherwise, with a reason that says what would decide.
//
// A benchmark whose primary samples are instruction counts (Unit
// UnitInstructions, xpcs-perf run --metric instructions) is judged on them
// with Config.InstructionThreshold and without drift allowance; it counts in
// the summary and the gate like a benchmark judged on time.
//
// The drift allowed for a primary row when each side is one run: with
// drift[id] from at least MinDriftRuns history runs, the current median
// must lie outside the band of the base branch's run medians widened by
// Config.DriftWiden about their median; else it must differ from the
// baseline by more than Config.DriftAllowance (see driftBand). Spread (CV,
// MADRel, IQRRel) is reported, never a veto.
//
// Compare never panics on bad values; it returns an error only for an
// unusable Config, no current run or a schema newer than ResultsSchema.
func CompareRuns(baseline, current []*Results, cfg Config, drift map[string]Drift) (*Comparison, error) {
	if len(current) == 0 || slices.Contains(current, nil) {
		return nil, errors.New("compare: no current results")
	}
	if slices.Contains(baseline, nil) {
		return nil, errors.New("compare: a baseline run is nil")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	for _, side := range []struct {
		name string
		rs   []*Results
	}{{"baseline", baseline}, {"current", current}} {
		for _, r := range side.rs {
			if r.Schema != "" {
				if err := checkSchema(r.Schema, ResultsSchema); err != nil {
					return nil, fmt.Errorf("compare: %s: %w", side.name, err)
				}
			}
		}
	}
	cmp := &Comparison{
		Schema:  ComparisonSchema,
		Current: runInfo(current),
		Config:  cfg,
	}
	if len(baseline) > 0 {
		bi := runInfo(baseline)
		cmp.Baseline = &bi
		cmp.MachineDiffs = MachineDiff(baseline[0].Machine, current[0].Machine)
	} else {
		cmp.Notes = append(cmp.Notes, "no baseline: first run, every benchmark is new")
	}
	if len(baseline) > 1 || len(current) > 1 {
		how := "Welch's t-test on per-run log medians"
		if len(baseline) == len(current) {
			how = "paired by position (run i of the baseline with run i of the current side): t-test on the per-pair Hodges-Lehmann log shifts"
		}
		cmp.Notes = append(cmp.Notes, fmt.Sprintf("%d baseline run(s) and %d current run(s): runs are the units, %s", len(baseline), len(current), how))
	}
	scale := 1.0
	if cfg.Calibration != "" && len(baseline) > 0 {
		if len(baseline) == 1 && len(current) == 1 {
			s, note := calibrationScale(baseline[0].Benchmarks, current[0].Benchmarks, cfg.Calibration)
			scale = s
			cmp.Notes = append(cmp.Notes, note)
		} else {
			cmp.Notes = append(cmp.Notes, "calibration is applied to one run per side only: not applied")
		}
	}
	rules, _ := ParseRules(cfg.Rules) // validated above

	bIdx, bDup := indexRuns(baseline)
	cIdx, cDup := indexRuns(current)
	var ids []string
	seen := map[string]bool{}
	for _, runs := range [][]*Results{baseline, current} {
		for _, r := range runs {
			for _, b := range r.Benchmarks {
				if !seen[b.ID] {
					seen[b.ID] = true
					ids = append(ids, b.ID)
				}
			}
		}
	}
	var jobs []*rowJob
	for _, id := range ids {
		bb, cb := bIdx[id], cIdx[id]
		ref := first(cb, bb)
		switch {
		case id == "":
			cmp.Rows = append(cmp.Rows, errRow(ref, MetricTime, "benchmark without an id (name "+fmt.Sprintf("%q", ref.Name)+")"))
		case bDup[id] > 0 || cDup[id] > 0:
			cmp.Rows = append(cmp.Rows, errRow(ref, MetricTime, fmt.Sprintf("duplicate id: %d extra entries in the baseline, %d in the current run", bDup[id], cDup[id])))
		case len(bb) == 0:
			cmp.Rows = append(cmp.Rows, presenceRows(cb, New, "not in the baseline")...)
		case len(cb) == 0:
			cmp.Rows = append(cmp.Rows, presenceRows(bb, Missing, "in the baseline but not in the current run")...)
		default:
			for _, j := range pairJobs(bb, cb, cfg, scale, drift[id]) {
				cmp.Rows = append(cmp.Rows, Row{})
				j.row = len(cmp.Rows) - 1
				jobs = append(jobs, j)
			}
		}
	}
	runJobs(cmp.Rows, jobs, cfg)
	adjust(cmp.Rows, cfg, RolePrimary)
	adjust(cmp.Rows, cfg, RoleMemory)
	for i := range cmp.Rows {
		decide(&cmp.Rows[i], cfg)
	}
	applyRules(cmp.Rows, jobs, rules)
	for i := range cmp.Rows {
		sanitizeRow(&cmp.Rows[i])
	}
	cmp.Summary = summarize(cmp.Rows)
	if len(cmp.Rows) == 0 {
		cmp.Warnings = append(cmp.Warnings, "no benchmarks on either side: nothing was compared")
	}
	if len(cmp.MachineDiffs) > 0 {
		cmp.Warnings = append(cmp.Warnings, "baseline measured on a different machine: "+strings.Join(cmp.MachineDiffs, "; "))
	}
	for _, r := range current {
		cmp.Warnings = append(cmp.Warnings, LeakWarnings(r.Benchmarks)...)
	}
	gate, err := EvalGate(cmp, cfg.FailOn)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	cmp.Gate = gate
	return cmp, nil
}

func runInfo(rs []*Results) RunInfo {
	ri := RunInfo{Source: rs[0].Source, Run: rs[0].Run, Machine: rs[0].Machine}
	if len(rs) > 1 {
		ri.Runs = len(rs)
	}
	return ri
}

func first(a, b []*Benchmark) *Benchmark {
	if len(a) > 0 {
		return a[0]
	}
	return b[0]
}

// indexRuns maps each id to its benchmark in every run where it appears,
// and counts extra entries of an id inside one run (duplicates).
func indexRuns(runs []*Results) (map[string][]*Benchmark, map[string]int) {
	idx := map[string][]*Benchmark{}
	dup := map[string]int{}
	for _, r := range runs {
		here := make(map[string]bool, len(r.Benchmarks))
		for i := range r.Benchmarks {
			b := &r.Benchmarks[i]
			if here[b.ID] {
				dup[b.ID]++
				continue
			}
			here[b.ID] = true
			idx[b.ID] = append(idx[b.ID], b)
		}
	}
	return idx, dup
}

func baseRow(b *Benchmark, metric string) Row {
	return Row{ID: b.ID, Category: b.Category, Group: b.Group, Name: b.Name, Params: b.Params, Metric: metric,
		Unit: b.Unit, Direction: normDir(b.Direction), Role: RolePrimary}
}

func normDir(d Direction) Direction {
	if d == HigherIsBetter {
		return HigherIsBetter
	}
	return LowerIsBetter
}

// validDir reports whether d is a direction this version knows ("" reads as
// lower is better, as in files written before directions existed).
func validDir(d Direction) bool {
	return d == "" || d == LowerIsBetter || d == HigherIsBetter
}

// MetricRole is the role of a secondary metric keyed by its unit: B/op and
// allocs/op (and peak RSS) are memory, everything else is derived or
// secondary and only shown.
func MetricRole(key string) string {
	switch key {
	case "B/op", "allocs/op", MetricPeakRSS:
		return RoleMemory
	}
	return RoleDerived
}

func errRow(b *Benchmark, metric, reason string) Row {
	r := baseRow(b, metric)
	r.Verdict, r.Reason, r.P, r.Q = Errored, reason, 1, 1
	return r
}

// presenceRows lists every metric of the benchmark (pooled over its runs)
// as new or missing, with the side's statistics so reports can show them.
func presenceRows(bs []*Benchmark, v Verdict, reason string) []Row {
	b := bs[0]
	r := baseRow(b, MetricTime)
	r.Verdict, r.Reason, r.P, r.Q = v, reason, 1, 1
	samples := pooled(bs, func(b *Benchmark) []float64 { return b.Samples })
	side := summaryOf(samples, b.Stats)
	if side == nil && len(samples) > 0 {
		r.Reason += "; " + strings.TrimSuffix(badValues(samples, "samples", false), "; ")
	}
	for _, x := range bs {
		if x.Error != "" {
			r.Reason += "; benchmark failed: " + x.Error
			if v == New {
				r.Verdict = Errored // a new benchmark that failed is an error, not news
			}
			break
		}
	}
	setSide(&r, v, side, len(bs))
	rows := []Row{r}
	for _, k := range sortedKeys(b.Metrics) {
		m := b.Metrics[k]
		mr := baseRow(b, k)
		mr.Unit, mr.Direction, mr.Role = m.Unit, normDir(m.Direction), MetricRole(k)
		mr.Verdict, mr.Reason, mr.P, mr.Q = v, reason, 1, 1
		ms := pooled(bs, func(b *Benchmark) []float64 { return b.Metrics[k].Samples })
		setSide(&mr, v, summaryOf(ms, nil), len(bs))
		rows = append(rows, mr)
	}
	return rows
}

func setSide(r *Row, v Verdict, s *SampleSummary, runs int) {
	if s != nil && runs > 1 {
		s.Runs = runs
	}
	if v == New {
		r.Current = s
	} else {
		r.Baseline = s
	}
}

// pooled concatenates the samples that get returns for every run.
func pooled(bs []*Benchmark, get func(*Benchmark) []float64) []float64 {
	runs := make([][]float64, len(bs))
	for i, b := range bs {
		runs[i] = get(b)
	}
	return pooledRuns(runs)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// rowJob is one metric of one benchmark present on both sides.
type rowJob struct {
	row       int
	tmpl      Row
	base, cur [][]float64 // raw samples per run (current already calibrated)
	bStats    *Stats      // summary statistics when one run has no samples
	cStats    *Stats
	bBench    *Benchmark // first run of each side (pytest-benchmark rules)
	cBench    *Benchmark
	errReason string
	absolute  bool      // peak-rss: absolute threshold in bytes
	drift     driftBand // run-to-run drift allowed (primary rows, one run per side)
	paired    bool      // side by side (A/B): sample i of each side is pair i
}

func pairJobs(bs, cs []*Benchmark, cfg Config, scale float64, d Drift) []*rowJob {
	b, c := bs[0], cs[0]
	var jobs []*rowJob
	t := baseRow(c, MetricTime)
	clock, why := chooseClock(bs, cs, cfg)
	primary := func(x *Benchmark) []float64 { return x.Samples }
	if clock == ClockCPU {
		t.Clock, t.Reason = ClockCPU, why
		primary = func(x *Benchmark) []float64 { return x.Metrics[MetricCPU].Samples }
		if d.CPU != nil {
			d = *d.CPU
		} else {
			d = Drift{}
		}
	}
	j := &rowJob{tmpl: t, bBench: b, cBench: c}
	for _, x := range bs {
		j.base = append(j.base, primary(x))
	}
	for _, x := range cs {
		s := primary(x)
		if scale != 1 && c.ID != cfg.Calibration {
			s = scaled(s, scale)
		}
		j.cur = append(j.cur, s)
	}
	if len(bs) == 1 && len(b.Samples) == 0 {
		j.bStats = b.Stats
	}
	if len(cs) == 1 && len(c.Samples) == 0 {
		j.cStats = c.Stats
		if c.Stats != nil && scale != 1 && c.ID != cfg.Calibration {
			s := scaleStats(*c.Stats, scale)
			j.cStats = &s
		}
	}
	// Measured side by side (xpcs-perf ab): a paired test, and no drift
	// allowance, since base and head shared the machine round by round.
	// Instruction counts do not drift with the machine: no band either.
	paired := len(bs) == 1 && len(cs) == 1 && samePairs(b, c)
	j.paired = paired
	if len(bs) == 1 && len(cs) == 1 && !paired && !anyCountsInstructions(bs, cs) {
		j.drift = newDriftBand(d, cfg)
	}
	j.errReason = pairErrors(bs, cs)
	jobs = append(jobs, j)
	if clock == ClockCPU {
		// The wall time, shown beside the CPU time that is judged.
		r := baseRow(c, MetricWall)
		r.Role = RoleDerived
		wj := &rowJob{tmpl: r, bBench: b, cBench: c, paired: paired}
		for _, x := range bs {
			wj.base = append(wj.base, x.Samples)
		}
		for _, x := range cs {
			wj.cur = append(wj.cur, x.Samples)
		}
		wj.errReason = j.errReason
		jobs = append(jobs, wj)
	}
	for _, k := range sortedKeys(c.Metrics) {
		if k == MetricCPU && clock == ClockCPU {
			continue // it is the primary row
		}
		if k == MetricInstructions && countsInstructions(c) {
			continue // the primary samples repeated
		}
		cm := c.Metrics[k]
		bm, ok := b.Metrics[k]
		r := baseRow(c, k)
		r.Unit, r.Direction, r.Role = cm.Unit, normDir(cm.Direction), MetricRole(k)
		mj := &rowJob{tmpl: r, bBench: b, cBench: c, paired: paired}
		for _, x := range bs {
			mj.base = append(mj.base, x.Metrics[k].Samples)
		}
		for _, x := range cs {
			mj.cur = append(mj.cur, x.Metrics[k].Samples)
		}
		switch {
		case !ok:
			mj.tmpl.Verdict, mj.tmpl.Reason = New, "metric not in the baseline"
			mj.tmpl.Current = summaryOf(pooledRuns(mj.cur), nil)
		case j.errReason != "" && strings.HasPrefix(j.errReason, "benchmark failed"):
			mj.errReason = "benchmark failed"
		case bm.Unit != cm.Unit:
			mj.errReason = fmt.Sprintf("unit differs: baseline %q, current %q", bm.Unit, cm.Unit)
		case !validDir(bm.Direction) || !validDir(cm.Direction):
			mj.errReason = fmt.Sprintf("unknown direction (baseline %q, current %q): want %q or %q", bm.Direction, cm.Direction, LowerIsBetter, HigherIsBetter)
		case normDir(bm.Direction) != normDir(cm.Direction):
			mj.errReason = fmt.Sprintf("direction differs: baseline %q, current %q", bm.Direction, cm.Direction)
		default:
			bp, cp := pooledRuns(mj.base), pooledRuns(mj.cur)
			mj.errReason = badValues(bp, "baseline", false) + badValues(cp, "current", false)
			if len(bp) == 0 || len(cp) == 0 {
				mj.errReason += "no samples of " + k
			}
		}
		jobs = append(jobs, mj)
	}
	for _, k := range sortedKeys(b.Metrics) {
		if _, ok := c.Metrics[k]; !ok {
			bm := b.Metrics[k]
			r := baseRow(b, k)
			r.Unit, r.Direction, r.Role = bm.Unit, normDir(bm.Direction), MetricRole(k)
			r.Verdict, r.Reason = Missing, "metric not in the current run"
			r.Baseline = summaryOf(bm.Samples, nil)
			jobs = append(jobs, &rowJob{tmpl: r, bBench: b, cBench: c})
		}
	}
	if rb, rc := peakRSS(bs), peakRSS(cs); rb > 0 && rc > 0 {
		r := baseRow(c, MetricPeakRSS)
		r.Unit, r.Direction, r.Role = "B", LowerIsBetter, RoleMemory
		jobs = append(jobs, &rowJob{tmpl: r, absolute: true, base: [][]float64{{rb}}, cur: [][]float64{{rc}}})
	}
	return jobs
}

// peakRSS is the largest peak RSS over the runs (0 when a run lacks it).
func peakRSS(bs []*Benchmark) float64 {
	var m float64
	for _, b := range bs {
		if b.Memory == nil || b.Memory.PeakRSSBytes == 0 {
			return 0
		}
		m = max(m, float64(b.Memory.PeakRSSBytes))
	}
	return m
}

// pairErrors validates the primary metric of both sides over every run.
func pairErrors(bs, cs []*Benchmark) string {
	var failed []string
	for _, side := range []struct {
		name string
		bs   []*Benchmark
	}{{"baseline", bs}, {"current", cs}} {
		for _, b := range side.bs {
			if b.Error != "" {
				failed = append(failed, side.name+": "+b.Error)
				break
			}
		}
	}
	if len(failed) > 0 {
		return "benchmark failed: " + strings.Join(failed, "; ")
	}
	b := bs[0]
	for _, x := range append(slices.Clone(bs), cs...) {
		if !validDir(x.Direction) {
			return fmt.Sprintf("unknown direction %q: want %q or %q", x.Direction, LowerIsBetter, HigherIsBetter)
		}
	}
	for _, x := range append(slices.Clone(bs[1:]), cs...) {
		if x.Unit != b.Unit {
			return fmt.Sprintf("unit differs: baseline %q, current %q", b.Unit, x.Unit)
		}
		if normDir(x.Direction) != normDir(b.Direction) {
			return fmt.Sprintf("direction differs: baseline %q, current %q", b.Direction, x.Direction)
		}
	}
	var reason string
	for i, x := range bs {
		reason += checkSamples(x, runName("baseline", i, len(bs)))
	}
	for i, x := range cs {
		reason += checkSamples(x, runName("current", i, len(cs)))
	}
	return strings.TrimSuffix(reason, "; ")
}

func runName(side string, i, n int) string {
	if n == 1 {
		return side
	}
	return fmt.Sprintf("%s run %d", side, i+1)
}

func pooledRuns(runs [][]float64) []float64 {
	if len(runs) == 1 {
		return runs[0]
	}
	var out []float64
	for _, r := range runs {
		out = append(out, r...)
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

func scaleStats(s Stats, f float64) Stats {
	s.Min *= f
	s.Max *= f
	s.Mean *= f
	s.Stddev *= f
	s.Median *= f
	s.Q1 *= f
	s.Q3 *= f
	s.IQR *= f
	return s
}

// isTimeUnit reports whether unit is a time per operation (positive values).
func isTimeUnit(unit string) bool {
	return unit == "s" || strings.HasSuffix(unit, "/op") && !strings.HasPrefix(unit, "B/") && !strings.HasPrefix(unit, "allocs/")
}

// checkSamples validates the primary samples (or summary stats) of one run.
func checkSamples(b *Benchmark, name string) string {
	isTime := isTimeUnit(b.Unit)
	if len(b.Samples) == 0 {
		if b.Stats == nil || b.Stats.N == 0 {
			return name + " has no samples and no summary statistics; "
		}
		s := b.Stats
		reason := badValues([]float64{s.Mean, s.Median, s.Min, s.Max}, name+" summary", isTime)
		if !(s.Stddev >= 0) || math.IsInf(s.Stddev, 0) {
			reason += fmt.Sprintf("%s summary stddev %v is not a finite non-negative number; ", name, s.Stddev)
		}
		return reason
	}
	return badValues(b.Samples, name, isTime)
}

// badValues describes non-finite, negative and (for times) zero values.
func badValues(xs []float64, side string, positive bool) string {
	var nan, neg, zero int
	for _, x := range xs {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			nan++
		case x < 0:
			neg++
		case x == 0 && positive:
			zero++
		}
	}
	var parts []string
	if nan > 0 {
		parts = append(parts, fmt.Sprintf("%d NaN/Inf", nan))
	}
	if neg > 0 {
		parts = append(parts, fmt.Sprintf("%d negative", neg))
	}
	if zero > 0 {
		parts = append(parts, fmt.Sprintf("%d zero time", zero))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s has %s sample(s) of %d; ", side, strings.Join(parts, ", "), len(xs))
}

// runJobs fills rows from jobs on GOMAXPROCS goroutines; each job is
// deterministic, so results do not depend on scheduling.
func runJobs(rows []Row, jobs []*rowJob, cfg Config) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(jobs)/64))
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc shiftScratch
			for i := range next {
				rows[jobs[i].row] = jobs[i].compute(cfg, &sc)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (j *rowJob) compute(cfg Config, sc *shiftScratch) Row {
	r := j.tmpl
	r.P, r.Q = 1, 1
	if r.Verdict == New || r.Verdict == Missing {
		return r
	}
	if j.errReason != "" {
		r.Verdict, r.Reason = Errored, strings.TrimSuffix(j.errReason, "; ")
		return r
	}
	if j.absolute {
		r.Method = MethodAbsolute
		r.Baseline, r.Current = Summarize(j.base[0]), Summarize(j.cur[0])
		b, c := j.base[0][0], j.cur[0][0]
		r.Ratio = safeDiv(c, b)
		r.Change = r.Ratio - 1
		return r
	}
	b, c := pooledRuns(j.base), pooledRuns(j.cur)
	if len(b) == 0 || len(c) == 0 {
		return j.computeSummary(r, cfg)
	}
	r.Baseline, r.Current = Summarize(b), Summarize(c)
	if len(j.base) > 1 {
		r.Baseline.Runs = len(j.base)
	}
	if len(j.cur) > 1 {
		r.Current.Runs = len(j.cur)
	}
	setRatio(&r, r.Baseline.Median, r.Current.Median)
	logScale := r.Baseline.Min > 0 && r.Current.Min > 0
	switch {
	case j.paired && len(b) == len(c):
		computePaired(&r, b, c, logScale)
	case len(j.base) > 1 || len(j.cur) > 1:
		j.computeRuns(&r, logScale, sc)
	default:
		j.computeSingle(&r, b, c, logScale, sc)
	}
	r.WelchT, r.WelchP = welch(r.Baseline.Mean, r.Baseline.Stddev, r.Baseline.N, r.Current.Mean, r.Current.Stddev, r.Current.N)
	r.CohenD = cohenD(r.Baseline.Mean, r.Baseline.Stddev, r.Baseline.N, r.Current.Mean, r.Current.Stddev, r.Current.N)
	j.setDrift(&r)
	j.tooFew(&r, cfg)
	return r
}

// setDrift records the drift band on a primary row.
func (j *rowJob) setDrift(r *Row) {
	if r.Role == RolePrimary && j.drift.active() {
		r.drift = j.drift
		r.Drift, r.DriftSource = j.drift.width(), j.drift.source
	}
}

// computeSingle: one run per side. Mann-Whitney U on the samples, the
// Hodges-Lehmann shift of the logs with Moses' interval.
func (j *rowJob) computeSingle(r *Row, b, c []float64, logScale bool, sc *shiftScratch) {
	bSorted, cSorted := sortedCopy(b), sortedCopy(c)
	r.Method = mannWhitneyMethod(bSorted, cSorted)
	th := benchmath.Thresholds{CompareAlpha: 0.05}
	res := benchmath.AssumeNothing.Compare(benchmath.NewSample(bSorted, &th), benchmath.NewSample(cSorted, &th))
	r.P = finite(res.P, 1)
	var sh Shift
	if logScale {
		sh = sc.shiftOf(logs(bSorted), logs(cSorted), Level)
	} else {
		sh = sc.shiftOf(bSorted, cSorted, Level)
	}
	setShift(r, sh, logScale)
}

// computePaired: base and head measured side by side, sample i of each in
// pair i. The Wilcoxon signed-rank test on the per-pair differences of the
// logs (log ratios; raw differences when a value is not positive), their
// Hodges-Lehmann estimate (median of the Walsh averages) with its
// distribution-free interval.
func computePaired(r *Row, b, c []float64, logScale bool) {
	d := make([]float64, len(b))
	for i := range d {
		if logScale {
			d[i] = math.Log(c[i]) - math.Log(b[i])
		} else {
			d[i] = c[i] - b[i]
		}
	}
	sr := WilcoxonSignedRank(d)
	r.Method = MethodWilcoxonSignedRank
	variant := "exact"
	if !sr.Exact {
		r.Method, variant = MethodWilcoxonSignedRankNormal, "normal approximation"
	}
	r.P = finite(sr.P, 1)
	setShift(r, WalshShift(d, Level), logScale)
	what := "log ratios"
	if !logScale {
		what = "differences"
	}
	r.Reason = joinReason(fmt.Sprintf("side by side (A/B): %d pairs, %s %s on per-pair %s, Hodges-Lehmann estimate; no drift allowance", len(d), r.Method, variant, what), r.Reason)
}

// computeRuns: several runs on a side; runs are the units.
func (j *rowJob) computeRuns(r *Row, logScale bool, sc *shiftScratch) {
	tr := func(xs []float64) []float64 {
		s := sortedCopy(xs)
		if logScale {
			return logs(s)
		}
		return s
	}
	center := func(xs []float64) float64 { return Quantile(tr(xs), 0.5) }
	kb, kc := len(j.base), len(j.cur)
	var est, se float64
	var df float64
	if kb == kc {
		r.Method = MethodRunsPaired
		d := make([]float64, kb)
		for i := range d {
			bi, ci := tr(j.base[i]), tr(j.cur[i])
			if len(bi) == 0 || len(ci) == 0 {
				d[i] = center(j.cur[i]) - center(j.base[i])
				continue
			}
			d[i] = sc.shiftOf(bi, ci, Level).Est
		}
		m, sd := stat.MeanStdDev(d, nil)
		est, se, df = m, sd/math.Sqrt(float64(kb)), float64(kb-1)
	} else {
		r.Method = MethodRunsWelch
		xb, xc := make([]float64, kb), make([]float64, kc)
		for i := range xb {
			xb[i] = center(j.base[i])
		}
		for i := range xc {
			xc[i] = center(j.cur[i])
		}
		mb, sb := stat.MeanStdDev(xb, nil)
		mc, sc2 := stat.MeanStdDev(xc, nil)
		est = mc - mb
		switch {
		case kb >= 2 && kc >= 2:
			vb, vc := sb*sb/float64(kb), sc2*sc2/float64(kc)
			se = math.Sqrt(vb + vc)
			df = (vb + vc) * (vb + vc) / (vb*vb/float64(kb-1) + vc*vc/float64(kc-1))
		case kb >= 2: // one current run: the run-to-run variance from the baseline runs
			se, df = sb*math.Sqrt(1/float64(kb)+1/float64(kc)), float64(kb-1)
		default:
			se, df = sc2*math.Sqrt(1/float64(kb)+1/float64(kc)), float64(kc-1)
		}
	}
	var lo, hi float64
	switch {
	case se > 0 && df > 0 && !math.IsNaN(df):
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
		r.P = finite(2*t.Survival(math.Abs(est/se)), 1)
		q := t.Quantile(0.5 + Level/2)
		lo, hi = est-q*se, est+q*se
	case est == 0:
		r.P, lo, hi = 1, est, est
	default: // identical shifts in every run: no run-to-run variation at all
		r.P, lo, hi = 0, est, est
	}
	setShift(r, Shift{Est: est, Lo: lo, Hi: hi, Cover: Level}, logScale)
	unit := "log"
	if !logScale {
		unit = "raw"
	}
	r.Reason = joinReason(fmt.Sprintf("%d+%d runs as units (%s, df=%.3g, %s scale)", kb, kc, r.Method, df, unit), r.Reason)
}

// setShift turns a shift (log or raw scale) into ShiftRatio, its interval
// and Change.
func setShift(r *Row, sh Shift, logScale bool) {
	if logScale {
		r.ShiftRatio, r.CILow, r.CIHigh = math.Exp(sh.Est), math.Exp(sh.Lo), math.Exp(sh.Hi)
	} else {
		mb := r.Baseline.Median
		if !(mb > 0) {
			return // ratio undefined: Change stays that of the medians
		}
		r.ShiftRatio = max(0, (mb+sh.Est)/mb)
		r.CILow, r.CIHigh = max(0, (mb+sh.Lo)/mb), max(0, (mb+sh.Hi)/mb)
	}
	if r.ShiftRatio > 0 {
		r.Change = worse(r.ShiftRatio, r.Direction)
	}
}

func logs(sorted []float64) []float64 {
	out := make([]float64, len(sorted))
	for i, x := range sorted {
		out[i] = math.Log(x)
	}
	return out
}

// mannWhitneyMethod names the variant go-moremath's MannWhitneyUTest uses
// for these sorted samples (its MannWhitneyExactLimit and
// MannWhitneyTiesExactLimit).
func mannWhitneyMethod(b, c []float64) string {
	limit := 50
	i, j := 0, 0
	prev, has := 0.0, false
	for i < len(b) || j < len(c) {
		var v float64
		if j >= len(c) || i < len(b) && b[i] <= c[j] {
			v, i = b[i], i+1
		} else {
			v, j = c[j], j+1
		}
		if has && v == prev {
			limit = 25
			break
		}
		prev, has = v, true
	}
	if len(b) <= limit && len(c) <= limit {
		return MethodMannWhitneyExact
	}
	return MethodMannWhitneyNormal
}

// computeSummary adapts the method when a side has only summary statistics
// (pytest-benchmark without --benchmark-save-data): Welch's t-test on mean,
// stddev and n replaces the rank test, the medians give the ratio, and no
// interval of the shift is possible.
func (j *rowJob) computeSummary(r Row, cfg Config) Row {
	bs, cs := j.bStats, j.cStats
	b, c := pooledRuns(j.base), pooledRuns(j.cur)
	if bs == nil {
		s := Describe(b, "")
		bs = &s
	}
	if cs == nil {
		s := Describe(c, "")
		cs = &s
	}
	r.Baseline, r.Current = statsSummary(bs, b), statsSummary(cs, c)
	r.Method = MethodSummaryOnly
	r.Reason = "raw samples not saved: Welch's t-test on mean, stddev and n replaces Mann-Whitney U; change = ratio of the means with Welch's 95% interval"
	setRatio(&r, bs.Median, cs.Median)
	r.WelchT, r.WelchP = welch(bs.Mean, bs.Stddev, bs.N, cs.Mean, cs.Stddev, cs.N)
	r.P = r.WelchP
	if lo, hi, ok := welchCI(bs.Mean, bs.Stddev, bs.N, cs.Mean, cs.Stddev, cs.N); ok && bs.Mean > 0 && cs.Mean > 0 {
		r.ShiftRatio = cs.Mean / bs.Mean
		r.CILow, r.CIHigh = max(0, 1+lo/bs.Mean), max(0, 1+hi/bs.Mean)
		r.Change = worse(r.ShiftRatio, r.Direction)
	}
	r.CohenD = cohenD(bs.Mean, bs.Stddev, bs.N, cs.Mean, cs.Stddev, cs.N)
	j.setDrift(&r)
	j.tooFew(&r, cfg)
	return r
}

// tooFew makes a row inconclusive when a side has fewer than MinSamples
// samples: too few for a test at the 5% level.
func (j *rowJob) tooFew(r *Row, cfg Config) {
	if r.Baseline.N >= cfg.MinSamples && r.Current.N >= cfg.MinSamples {
		return
	}
	r.Verdict = Inconclusive
	msg := fmt.Sprintf("too few samples (n=%d+%d): at least %d rounds per side are needed to judge", r.Baseline.N, r.Current.N, cfg.MinSamples)
	if r.Reason != "" {
		msg += "; " + r.Reason
	}
	r.Reason = msg
}

func statsSummary(s *Stats, samples []float64) *SampleSummary {
	cv := s.CV
	if cv == 0 && s.Mean != 0 {
		cv = s.Stddev / math.Abs(s.Mean)
	}
	out := &SampleSummary{N: s.N, Median: s.Median, Mean: s.Mean, Stddev: s.Stddev, Min: s.Min, Max: s.Max, CV: cv, Samples: slices.Clone(samples)}
	if s.Median != 0 {
		out.IQRRel = s.IQR / math.Abs(s.Median)
	}
	return out
}

// setRatio sets Ratio and Change from the two medians. A zero baseline
// median leaves Ratio 0 and says so in Reason (JSON has no infinity).
func setRatio(r *Row, base, cur float64) {
	switch {
	case base == 0 && cur == 0:
		r.Ratio, r.Change = 1, 0
		return
	case base == 0 || cur == 0:
		r.Reason = strings.TrimPrefix(r.Reason+"; a median is 0: ratio undefined", "; ")
		if r.Direction == LowerIsBetter && cur > base || r.Direction == HigherIsBetter && cur < base {
			r.Change = math.MaxFloat64
		} else {
			r.Change = -1
		}
		return
	}
	r.Ratio = cur / base
	r.Change = worse(r.Ratio, r.Direction)
}

// worse converts a ratio current/baseline into the fractional change in the
// worse direction: ratio-1 when lower is better, 1/ratio-1 when higher is.
func worse(ratio float64, d Direction) float64 {
	if d == HigherIsBetter {
		return 1/ratio - 1
	}
	return ratio - 1
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func finite(x, def float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return def
	}
	return x
}

// welch returns Welch's t = (m2-m1)/sqrt(s1²/n1 + s2²/n2) and its two-sided
// p-value from Student's t with Welch-Satterthwaite degrees of freedom. With
// no spread at all it returns t=0 and p=1 for equal means, p=0 otherwise.
func welch(m1, s1 float64, n1 int, m2, s2 float64, n2 int) (t, p float64) {
	if n1 < 2 || n2 < 2 {
		return 0, 1
	}
	v1, v2 := s1*s1/float64(n1), s2*s2/float64(n2)
	se := math.Sqrt(v1 + v2)
	if !(se > 0) {
		if m1 == m2 {
			return 0, 1
		}
		return 0, 0
	}
	t = (m2 - m1) / se
	df := (v1 + v2) * (v1 + v2) / (v1*v1/float64(n1-1) + v2*v2/float64(n2-1))
	st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	p = 2 * st.Survival(math.Abs(t))
	return finite(t, 0), finite(p, 1)
}

// welchCI is Welch's 95% interval of m2-m1 (Welch-Satterthwaite df); ok is
// false when it is undefined (n < 2 on a side).
func welchCI(m1, s1 float64, n1 int, m2, s2 float64, n2 int) (lo, hi float64, ok bool) {
	if n1 < 2 || n2 < 2 {
		return 0, 0, false
	}
	v1, v2 := s1*s1/float64(n1), s2*s2/float64(n2)
	se := math.Sqrt(v1 + v2)
	d := m2 - m1
	if !(se > 0) {
		return d, d, true
	}
	df := (v1 + v2) * (v1 + v2) / (v1*v1/float64(n1-1) + v2*v2/float64(n2-1))
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.5 + Level/2)
	return d - q*se, d + q*se, !math.IsNaN(q)
}

// cohenD is (m2-m1) divided by the pooled standard deviation
// sqrt(((n1-1)s1² + (n2-1)s2²)/(n1+n2-2)); 0 when undefined.
func cohenD(m1, s1 float64, n1 int, m2, s2 float64, n2 int) float64 {
	if n1+n2 <= 2 {
		return 0
	}
	pooled := math.Sqrt((float64(n1-1)*s1*s1 + float64(n2-1)*s2*s2) / float64(n1+n2-2))
	if !(pooled > 0) {
		return 0
	}
	return finite((m2-m1)/pooled, 0)
}

// tested reports whether a row reached a test (and so enters BH).
func tested(r *Row) bool {
	switch r.Method {
	case MethodMannWhitneyExact, MethodMannWhitneyNormal, MethodSummaryOnly, MethodRunsPaired, MethodRunsWelch,
		MethodWilcoxonSignedRank, MethodWilcoxonSignedRankNormal:
		return r.Verdict != Errored
	}
	return false
}

// adjust sets Q for the rows of one role (a family): the Benjamini-Hochberg
// step-up adjustment of P over the family's tested rows (cfg.Correction
// "bh"), or Q = P ("none"). q(i) = min over j>=i of p(j)·m/j with p sorted
// ascending, capped at 1.
func adjust(rows []Row, cfg Config, role string) {
	var idx []int
	for i := range rows {
		if rows[i].RoleOf() == role && tested(&rows[i]) {
			idx = append(idx, i)
		}
	}
	if cfg.Correction == "none" {
		for _, i := range idx {
			rows[i].Q = rows[i].P
		}
		return
	}
	sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]].P < rows[idx[b]].P })
	m := float64(len(idx))
	q := 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		q = math.Min(q, rows[i].P*m/float64(k+1))
		rows[i].Q = q
	}
}

// decide turns the statistics of a row into its verdict, severity and
// reason (see CompareRuns).
func decide(r *Row, cfg Config) {
	switch r.Verdict {
	case New, Missing, Errored, Inconclusive:
		if r.Verdict == Inconclusive && r.Role != RoleDerived {
			r.PastThreshold = pastThreshold(r, cfg.thresholdFor(r))
		}
		if r.Role == RoleDerived && r.Verdict == Inconclusive {
			r.Verdict = Info
		}
		return
	}
	if r.Role == RoleDerived {
		r.Verdict = Info
		r.Reason = joinReason("derived from the benchmark's time (or secondary): shown, not judged", r.Reason)
		return
	}
	r.Verdict = Unchanged
	if r.Method == MethodAbsolute {
		delta := r.Current.Median - r.Baseline.Median
		switch {
		case delta > cfg.MemoryThreshold:
			r.Verdict, r.Severity = Regression, severity(r.Change)
			if r.Severity == NoSeverity {
				r.Severity = Minor
			}
			r.Reason = fmt.Sprintf("peak RSS grew by %.0f MB (threshold %.0f MB)", delta/1e6, cfg.MemoryThreshold/1e6)
		case -delta > cfg.MemoryThreshold:
			r.Verdict = Improvement
		}
		return
	}
	th := cfg.thresholdFor(r)
	sig := r.Q < cfg.Alpha
	// The change's interval in the worse direction.
	wLo, wHi := r.Change, r.Change
	if r.CILow > 0 && r.CIHigh > 0 {
		wLo, wHi = worse(r.CILow, r.Direction), worse(r.CIHigh, r.Direction)
		if wLo > wHi {
			wLo, wHi = wHi, wLo
		}
	}
	est := r.ShiftRatio
	if !(est > 0) {
		est = r.Ratio
	}
	inDrift := est > 0 && r.Current != nil && r.Current.Median > 0 && r.drift.inside(r.Current.Median, math.Log(est), est > 1)
	ci := fmt.Sprintf("%s (95%% CI %s..%s, p=%.3f, q=%.3f)", pct(r.Change), pct(wLo), pct(wHi), r.P, r.Q)
	switch {
	case sig && (r.Change >= th || r.Change <= -th) && inDrift:
		r.Verdict = Inconclusive
		r.PastThreshold = pastThreshold(r, th)
		r.Reason = joinReason(fmt.Sprintf("%s is inside the run-to-run drift: %s; measure base and head side by side (A/B) or in several runs per side to decide",
			ci, driftText(r)), r.Reason)
	case sig && r.Change >= th:
		r.Verdict, r.Severity = Regression, severity(r.Change)
	case sig && r.Change <= -th:
		r.Verdict = Improvement
	case wLo > -th && wHi < th:
		r.Verdict = Unchanged
	default:
		r.Verdict = Inconclusive
		r.PastThreshold = pastThreshold(r, th)
		why := inconclusiveReason(r, th, wLo, wHi, sig, ci)
		if r.drift.active() {
			why += "; " + driftText(r)
		}
		r.Reason = joinReason(why, r.Reason)
	}
}

// pastThreshold reports whether an inconclusive row's estimate is at or
// past the regression threshold: against the base branch's typical run
// when a history gave one (so a baseline run that was itself an outlier
// does not raise warnings on every pull request), else against the
// baseline.
func pastThreshold(r *Row, th float64) bool {
	if r.drift.history && r.Current != nil && r.Current.Median > 0 {
		return worse(r.Current.Median/math.Exp(r.drift.center), r.Direction) >= th
	}
	return r.Change >= th
}

// inconclusiveReason says why the interval did not decide and what would.
func inconclusiveReason(r *Row, th, wLo, wHi float64, sig bool, ci string) string {
	n := min(r.Baseline.N, r.Current.N)
	var what string
	switch {
	case math.Abs(r.Change) >= th:
		what = fmt.Sprintf("%s: past the %s threshold but not significant", ci, pct(th))
	case sig:
		what = fmt.Sprintf("%s: a significant change below the %s threshold whose interval reaches it", ci, pct(th))
	default:
		what = fmt.Sprintf("%s: the interval reaches the %s threshold and the difference is not significant", ci, pct(th))
	}
	if r.Baseline.Runs > 1 || r.Current.Runs > 1 {
		return what + "; more runs per side would decide"
	}
	if strings.HasPrefix(r.Method, MethodWilcoxonSignedRank) {
		return what + fmt.Sprintf("; more pairs (now %d) or longer rounds would decide", n)
	}
	// The interval narrows as 1/sqrt(n): rounds for it to fit inside
	// (-th, th) around the same estimate.
	half := (wHi - wLo) / 2
	room := min(th-r.Change, r.Change+th)
	if math.Abs(r.Change) < th && room > 0 && half > 0 && n > 0 {
		need := math.Ceil(float64(n) * (half / room) * (half / room))
		if need <= 10*float64(n) && need < 1e6 {
			return what + fmt.Sprintf("; about %.0f rounds per side (now %d) would decide", need, n)
		}
		return what + fmt.Sprintf("; more than %d rounds per side would be needed: measure base and head side by side (A/B) instead", 10*n)
	}
	return what + fmt.Sprintf("; more rounds (now %d per side) or measuring base and head side by side (A/B) would decide", n)
}

func driftText(r *Row) string {
	b := r.drift
	if b.history {
		ratio := 0.0
		if r.Current != nil && r.Current.Median > 0 {
			ratio = r.Current.Median / math.Exp(b.center)
		}
		return fmt.Sprintf("runs on the base branch differ by %s..%s from their typical run (%s, widened), this run is at %s",
			pct(math.Expm1(b.lo-b.center)), pct(math.Expm1(b.hi-b.center)), b.source, pct(ratio-1))
	}
	return fmt.Sprintf("separate runs on shared runners differ by up to ±%.0f%% (%s)", 100*r.Drift, r.DriftSource)
}

// pct formats a fraction as a signed percentage ("+25%", "-3.1%").
func pct(f float64) string {
	switch {
	case math.IsInf(f, 0) || f >= math.MaxFloat64/2:
		return "+inf%"
	case math.Abs(f) >= 0.1:
		return fmt.Sprintf("%+.0f%%", 100*f)
	}
	return fmt.Sprintf("%+.1f%%", 100*f)
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// severity grades a change (fraction worse): minor below +50%, major below
// +100%, critical from +100% (twice as slow) on.
func severity(change float64) Severity {
	switch {
	case change >= 1:
		return Critical
	case change >= 0.5:
		return Major
	default:
		return Minor
	}
}

// summarize counts benchmarks: the primary row of each decides its verdict;
// memory rows count in the Memory* fields.
func summarize(rows []Row) Summary {
	var s Summary
	memReg, memImp := map[string]bool{}, map[string]bool{}
	for i := range rows {
		r := &rows[i]
		role := r.RoleOf()
		if role == RoleMemory {
			switch r.Verdict {
			case Regression:
				memReg[r.ID] = true
			case Improvement:
				memImp[r.ID] = true
			}
			continue
		}
		if role != RolePrimary {
			continue
		}
		s.Benchmarks++
		switch r.Verdict {
		case Regression:
			s.Regressions++
			s.Compared++
			switch r.Severity {
			case Critical:
				s.Critical++
			case Major:
				s.Major++
			default:
				s.Minor++
			}
		case Improvement:
			s.Improvements++
			s.Compared++
		case Unchanged:
			s.Unchanged++
			s.Compared++
		case Inconclusive:
			s.Inconclusive++
			if r.PastThreshold {
				s.InconclusivePast++
			}
		case New:
			s.New++
		case Missing:
			s.Missing++
		case Errored:
			s.Errored++
		}
		if len(r.RuleFailures) > 0 {
			s.RulesFailed++
		}
	}
	s.MemoryRegressions = len(memReg)
	for id := range memImp {
		if !memReg[id] {
			s.MemoryImprovements++
		}
	}
	return s
}

// calibrationScale returns baseline/current median of the calibration
// benchmark id and a note saying what was done.
func calibrationScale(base, cur []Benchmark, id string) (float64, string) {
	find := func(bs []Benchmark) float64 {
		for _, b := range bs {
			if b.ID == id && len(b.Samples) > 0 && b.Error == "" {
				return stat.Quantile(0.5, stat.Empirical, sortedCopy(b.Samples), nil)
			}
		}
		return 0
	}
	b, c := find(base), find(cur)
	if !(b > 0) || !(c > 0) || math.IsInf(b, 0) || math.IsInf(c, 0) {
		return 1, fmt.Sprintf("calibration benchmark %q not usable on both sides: no normalisation", id)
	}
	return b / c, fmt.Sprintf("current times normalised by calibration benchmark %q: factor %.4f (baseline median / current median)", id, b/c)
}

func sortedCopy(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// summaryOf summarises one side from its samples, or from its stats when
// the producer saved none.
func summaryOf(samples []float64, st *Stats) *SampleSummary {
	for _, x := range samples {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil // JSON cannot carry them; the row's Reason says why
		}
	}
	if st != nil && len(samples) == 0 {
		for _, x := range []float64{st.Mean, st.Median, st.Stddev, st.Min, st.Max, st.CV} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil
			}
		}
	}
	if len(samples) > 0 {
		return Summarize(samples)
	}
	if st != nil {
		return statsSummary(st, nil)
	}
	return nil
}

// sanitizeRow replaces NaN and ±Inf (extreme inputs such as 1e300 overflow
// the variance) by 0 so the comparison always encodes as JSON, and turns a
// statistical verdict computed from such values into errored.
func sanitizeRow(r *Row) {
	bad := false
	fix := func(xs ...*float64) {
		for _, x := range xs {
			if math.IsNaN(*x) || math.IsInf(*x, 0) {
				*x, bad = 0, true
			}
		}
	}
	fix(&r.Ratio, &r.Change, &r.ShiftRatio, &r.CILow, &r.CIHigh, &r.P, &r.Q, &r.WelchT, &r.WelchP, &r.CohenD, &r.Drift)
	for _, s := range []*SampleSummary{r.Baseline, r.Current} {
		if s == nil {
			continue
		}
		fix(&s.Median, &s.Mean, &s.Stddev, &s.Min, &s.Max, &s.CV, &s.MADRel, &s.IQRRel)
		for i := range s.Samples {
			fix(&s.Samples[i])
		}
	}
	if !bad {
		return
	}
	msg := "values out of float64 range (NaN or overflow): statistics set to 0"
	switch r.Verdict {
	case New, Missing, Errored, Info:
		r.Reason = strings.TrimPrefix(r.Reason+"; "+msg, "; ")
	default:
		r.Verdict, r.Severity, r.PastThreshold, r.Reason = Errored, NoSeverity, false, msg
	}
}
