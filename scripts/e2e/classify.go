package main

// The pure parts of the end-to-end verdict measurement: classifying a run
// from its exit code, outputs, comparison and comment, the CPU-vs-wall drift
// per benchmark, and the Markdown rendering. No process, file or network
// here: scripts/e2e/e2e_test.go tests them on hand-made records.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Phases of a run.
const (
	PhasePush = "push" // setup: main's push run (baseline + history source)
	PhaseAA   = "a/a"  // pull request without a change
	PhaseSlow = "3x"   // pull request with the injected slowdown
)

// Outcomes of a whole run (A/A) and of one slowed benchmark.
const (
	RunPass         = "pass"            // exit 0, verdict pass
	RunGateFailed   = "gate-failed"     // exit 1
	RunCouldNot     = "could-not-judge" // exit 2 with verdict error
	RunNoBaseline   = "no-baseline"     // exit 0, verdict no-baseline
	RunHarnessError = "harness-error"   // timeout, crash, missing report

	SlowCaught        = "caught"             // verdict regression
	SlowInconclDrift  = "inconclusive-drift" // inconclusive, reason names the drift
	SlowInconclOther  = "inconclusive-other" // inconclusive for another reason
	SlowMissed        = "missed"             // unchanged, improvement, missing, errored
	SlowNotInCompared = "absent"             // no primary row at all
)

// SlowOutcome is what the action said about one slowed benchmark in one run.
type SlowOutcome struct {
	ID        string  `json:"id"`
	Verdict   string  `json:"verdict"`
	Class     string  `json:"class"`
	Change    float64 `json:"change"` // estimated change (+2.0 = 3x)
	CILow     float64 `json:"ci_low,omitempty"`
	CIHigh    float64 `json:"ci_high,omitempty"`
	Drift     float64 `json:"drift,omitempty"`
	Reason    string  `json:"reason,omitempty"`
	InComment bool    `json:"in_comment"` // named in the PR comment
}

// FalseAlarm is a regression of a benchmark that was not slowed.
type FalseAlarm struct {
	ID       string  `json:"id"`
	Change   float64 `json:"change"`
	Severity string  `json:"severity,omitempty"`
	Q        float64 `json:"q"`
	Drift    float64 `json:"drift,omitempty"`
	DriftSrc string  `json:"drift_source,omitempty"`
}

// Run is the record of one run of the action.
type Run struct {
	Index   int               `json:"index"`
	Phase   string            `json:"phase"`
	Start   string            `json:"start"` // HH:MM:SS
	Wall    float64           `json:"wall_s"`
	Exit    int               `json:"exit"`
	Outputs map[string]string `json:"outputs"`
	Class   string            `json:"class"`
	// Headline is the first line of the PR comment ("" on push runs).
	Headline string `json:"headline,omitempty"`
	// SilentPass: the comment says "✅ ... passed" with 0 regressions while
	// a slowed benchmark was neither caught nor named.
	SilentPass  bool          `json:"silent_pass,omitempty"`
	FalseAlarms []FalseAlarm  `json:"false_alarms,omitempty"`
	PastIDs     []string      `json:"inconclusive_past,omitempty"` // not slowed, past the threshold
	Slowed      []SlowOutcome `json:"slowed,omitempty"`
	GateReasons []string      `json:"gate_reasons,omitempty"`
	HistoryRuns int           `json:"history_runs"`
	Err         string        `json:"error,omitempty"`
	// Medians per benchmark of this run's own results (wall and cpu-s/op).
	Medians map[string]Medians `json:"medians,omitempty"`
	// Clocks is the clock the comparison judged each benchmark on
	// ("cpu" or "wall"), from cmp.json.
	Clocks map[string]string `json:"clocks,omitempty"`
}

// Medians are one run's medians of a benchmark.
type Medians struct {
	Wall float64 `json:"wall"`
	CPU  float64 `json:"cpu,omitempty"`
	// Parallel: the benchmark's params or name say it uses several
	// goroutines (workers=N, goroutines=N, N_goroutines, parallel with N>1).
	Parallel bool `json:"parallel,omitempty"`
}

// Out returns an integer output ("" or garbage: -1).
func (r *Run) Out(name string) int {
	v, err := strconv.Atoi(strings.TrimSpace(r.Outputs[name]))
	if err != nil {
		return -1
	}
	return v
}

// ClassifyExit classifies a run by its exit status and verdict output.
func ClassifyExit(exit int, verdict string, harnessErr string) string {
	switch {
	case harnessErr != "":
		return RunHarnessError
	case exit == 0 && verdict == "pass":
		return RunPass
	case exit == 0 && verdict == "no-baseline":
		return RunNoBaseline
	case exit == 1:
		return RunGateFailed
	case exit == 2:
		return RunCouldNot
	}
	return fmt.Sprintf("exit-%d-%s", exit, verdict)
}

// ClassifySlowed classifies one slowed benchmark's primary row (nil: the
// comparison had none).
func ClassifySlowed(id string, row *analysis.Row, comment string) SlowOutcome {
	o := SlowOutcome{ID: id, Class: SlowNotInCompared}
	if row == nil {
		return o
	}
	o.Verdict, o.Change, o.CILow, o.CIHigh, o.Drift, o.Reason = string(row.Verdict), row.Change, row.CILow, row.CIHigh, row.Drift, row.Reason
	switch {
	case row.Verdict == analysis.Regression:
		o.Class = SlowCaught
	default:
		o.Class = slowClass(o.Verdict, o.Reason)
	}
	o.InComment = mentions(comment, row)
	return o
}

// namesDrift matches the measured run-to-run drift in a reason ("inside the
// run-to-run drift: runs on the base branch differ by ±80%"), not the word
// alone: the clock note "CPU time drifts less between runs" names no drift
// that was measured or allowed.
var namesDrift = regexp.MustCompile(`run-to-run drift|differ by (up to )?±|runs on the base branch differ by`)

// slowClass classifies a slowed benchmark from its verdict and reason.
func slowClass(verdict, reason string) string {
	switch {
	case verdict == string(analysis.Regression):
		return SlowCaught
	case verdict == string(analysis.Inconclusive) && namesDrift.MatchString(reason):
		return SlowInconclDrift
	case verdict == string(analysis.Inconclusive):
		return SlowInconclOther
	case verdict == "":
		return SlowNotInCompared
	}
	return SlowMissed
}

// Reclassify re-derives every slowed benchmark's class and the silent-pass
// flag of stored records (after a change of the rules above).
func Reclassify(runs []Run) {
	for i := range runs {
		r := &runs[i]
		r.SilentPass = false
		for j := range r.Slowed {
			s := &r.Slowed[j]
			s.Class = slowClass(s.Verdict, s.Reason)
			if len(r.Slowed) > 0 && strings.Contains(r.Headline, "passed") && r.Out("regressions") == 0 && s.Class != SlowCaught && !s.InComment {
				r.SilentPass = true
			}
		}
	}
}

// mentions reports whether the comment names the row's benchmark (raw or
// Markdown-escaped name).
func mentions(comment string, row *analysis.Row) bool {
	if comment == "" {
		return false
	}
	unesc := strings.NewReplacer(`\_`, "_", `\[`, "[", `\]`, "]", `\*`, "*", `\=`, "=").Replace(comment)
	return strings.Contains(unesc, row.Name)
}

// PrimaryRows indexes the comparison's primary rows by benchmark id.
func PrimaryRows(c *analysis.Comparison) map[string]*analysis.Row {
	m := map[string]*analysis.Row{}
	if c == nil {
		return m
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.RoleOf() == analysis.RolePrimary {
			m[r.ID] = r
		}
	}
	return m
}

// Judge fills the classification of run r from its comparison (nil when the
// report is missing), the ids slowed in it and the PR comment body.
func Judge(r *Run, c *analysis.Comparison, slowed []string, comment string) {
	r.Class = ClassifyExit(r.Exit, r.Outputs["verdict"], r.Err)
	r.Headline = headline(comment)
	if c == nil {
		if r.Err == "" && r.Class != RunCouldNot {
			r.Err = "no comparison in the report folder"
			r.Class = RunHarnessError
		}
		for _, id := range slowed {
			r.Slowed = append(r.Slowed, SlowOutcome{ID: id, Class: SlowNotInCompared})
		}
		return
	}
	r.GateReasons = c.Gate.Reasons
	rows := PrimaryRows(c)
	r.Clocks = map[string]string{}
	for id, row := range rows {
		r.Clocks[id] = row.Clock
		if row.Clock == "" {
			r.Clocks[id] = analysis.ClockWall
		}
	}
	isSlow := map[string]bool{}
	for _, id := range slowed {
		isSlow[id] = true
		r.Slowed = append(r.Slowed, ClassifySlowed(id, rows[id], comment))
	}
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		row := rows[id]
		if isSlow[id] {
			continue
		}
		if row.Verdict == analysis.Regression {
			r.FalseAlarms = append(r.FalseAlarms, FalseAlarm{ID: id, Change: row.Change, Severity: string(row.Severity), Q: row.Q, Drift: row.Drift, DriftSrc: row.DriftSource})
		}
		if row.Verdict == analysis.Inconclusive && row.PastThreshold {
			r.PastIDs = append(r.PastIDs, id)
		}
	}
	if len(slowed) > 0 && strings.Contains(r.Headline, "passed") && r.Out("regressions") == 0 {
		for _, s := range r.Slowed {
			if s.Class != SlowCaught && !s.InComment {
				r.SilentPass = true
			}
		}
	}
}

// headline is the first non-empty line of a comment without its marker and
// heading marks.
func headline(body string) string {
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "<!--") {
			continue
		}
		return strings.TrimSpace(strings.TrimLeft(l, "#"))
	}
	return ""
}

var nGoroutines = regexp.MustCompile(`(?i)(\d+)_(goroutines|workers|threads)`)

// IsParallel says from a benchmark's id whether it runs several goroutines:
// a workers= or goroutines= param above 1, or "N_goroutines" in its name
// with N > 1.
func IsParallel(id string) bool {
	if i := strings.IndexByte(id, '['); i >= 0 && strings.HasSuffix(id, "]") {
		for _, kv := range strings.Split(id[i+1:len(id)-1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			if k == "workers" || k == "goroutines" || k == "threads" {
				if n, err := strconv.Atoi(v); err == nil && n > 1 {
					return true
				}
			}
		}
	}
	for _, m := range nGoroutines.FindAllStringSubmatch(id, -1) {
		if n, _ := strconv.Atoi(m[1]); n > 1 {
			return true
		}
	}
	return false
}

// DriftRow compares the run-to-run drift of wall time and of process CPU
// time of one benchmark over the runs without a slowdown on it.
type DriftRow struct {
	ID       string
	Parallel bool
	Why      string // "params", "cpu/wall 1.4", ""
	Runs     int
	// SigmaWall and SigmaCPU are analysis.EstimateDrift's σ of the log run
	// medians; SpreadWall and SpreadCPU the max/min ratio of the medians.
	SigmaWall, SigmaCPU   float64
	SpreadWall, SpreadCPU float64
	CPUPerWall            float64 // median over runs of cpu/wall
}

// DriftRows computes a DriftRow per benchmark from runs in time order.
// Only medians of runs where the benchmark was not slowed should be passed.
func DriftRows(runs []map[string]Medians) []DriftRow {
	type acc struct {
		wall, cpu, ratio []float64
		par              bool
	}
	by := map[string]*acc{}
	for _, m := range runs {
		for id, md := range m {
			a := by[id]
			if a == nil {
				a = &acc{}
				by[id] = a
			}
			a.par = a.par || md.Parallel || IsParallel(id)
			if md.Wall > 0 {
				a.wall = append(a.wall, md.Wall)
				if md.CPU > 0 {
					a.cpu = append(a.cpu, md.CPU)
					a.ratio = append(a.ratio, md.CPU/md.Wall)
				}
			}
		}
	}
	var out []DriftRow
	for id, a := range by {
		d := DriftRow{ID: id, Runs: len(a.wall), SigmaWall: math.NaN(), SigmaCPU: math.NaN(), SpreadWall: spread(a.wall), SpreadCPU: spread(a.cpu), CPUPerWall: median(a.ratio)}
		if e, ok := analysis.EstimateDrift(a.wall); ok {
			d.SigmaWall = e.Sigma
		}
		if e, ok := analysis.EstimateDrift(a.cpu); ok {
			d.SigmaCPU = e.Sigma
		}
		switch {
		case a.par:
			d.Parallel, d.Why = true, "params"
		case d.CPUPerWall > 1.2:
			d.Parallel, d.Why = true, fmt.Sprintf("cpu/wall %.2f", d.CPUPerWall)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func spread(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return slices.Max(xs) / slices.Min(xs)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return analysis.Quantile(s, 0.5)
}

// DriftSummary is the CPU-vs-wall finding for one kind of benchmark.
type DriftSummary struct {
	Kind                string
	N                   int // benchmarks with both σ
	MedSigmaWall        float64
	MedSigmaCPU         float64
	CPULess             int // benchmarks whose σ_cpu < σ_wall
	MedSpreadWall       float64
	MedSpreadCPU        float64
	Recommended, Reason string
}

// SummarizeDrift splits rows into single-threaded and parallel.
func SummarizeDrift(rows []DriftRow) []DriftSummary {
	var out []DriftSummary
	for _, par := range []bool{false, true} {
		s := DriftSummary{Kind: "single-threaded"}
		if par {
			s.Kind = "parallel"
		}
		var sw, sc, pw, pc []float64
		for _, r := range rows {
			if r.Parallel != par || math.IsNaN(r.SigmaWall) || math.IsNaN(r.SigmaCPU) {
				continue
			}
			s.N++
			sw, sc = append(sw, r.SigmaWall), append(sc, r.SigmaCPU)
			pw, pc = append(pw, r.SpreadWall), append(pc, r.SpreadCPU)
			if r.SigmaCPU < r.SigmaWall {
				s.CPULess++
			}
		}
		s.MedSigmaWall, s.MedSigmaCPU, s.MedSpreadWall, s.MedSpreadCPU = median(sw), median(sc), median(pw), median(pc)
		switch {
		case s.N == 0:
			s.Recommended, s.Reason = "?", "no benchmark of this kind with enough runs"
		case s.MedSigmaCPU < 0.8*s.MedSigmaWall && 2*s.CPULess > s.N:
			s.Recommended, s.Reason = "cpu-s/op", "CPU time drifts less than wall time"
		case s.MedSigmaCPU > 1.25*s.MedSigmaWall:
			s.Recommended, s.Reason = "wall time", "CPU time drifts more than wall time"
		default:
			s.Recommended, s.Reason = "wall time", "no clear difference: keep wall time (what users measure)"
		}
		out = append(out, s)
	}
	return out
}

// Totals sums the pull-request runs.
type Totals struct {
	AARuns, AAPass, AAGateFailed, AACouldNot, AAOther int
	AAFalseAlarms                                     int // benchmark-runs
	AAPast                                            int // benchmark-runs inconclusive past the threshold
	SlowRuns, SlowInstances                           int
	Caught, InconclDrift, InconclOther, Missed        int
	Absent                                            int
	SilentPasses                                      int
	SlowFalseAlarms                                   int // non-slowed benchmarks regressed in 3x runs
	SlowExit                                          map[int]int
}

// Sum totals the PR runs.
func Sum(runs []Run) Totals {
	t := Totals{SlowExit: map[int]int{}}
	for _, r := range runs {
		switch r.Phase {
		case PhaseAA:
			t.AARuns++
			switch r.Class {
			case RunPass:
				t.AAPass++
			case RunGateFailed:
				t.AAGateFailed++
			case RunCouldNot:
				t.AACouldNot++
			default:
				t.AAOther++
			}
			t.AAFalseAlarms += len(r.FalseAlarms)
			t.AAPast += len(r.PastIDs)
		case PhaseSlow:
			t.SlowRuns++
			t.SlowExit[r.Exit]++
			t.SlowFalseAlarms += len(r.FalseAlarms)
			if r.SilentPass {
				t.SilentPasses++
			}
			for _, s := range r.Slowed {
				t.SlowInstances++
				switch s.Class {
				case SlowCaught:
					t.Caught++
				case SlowInconclDrift:
					t.InconclDrift++
				case SlowInconclOther:
					t.InconclOther++
				case SlowMissed:
					t.Missed++
				default:
					t.Absent++
				}
			}
		}
	}
	return t
}

// TargetsMet says whether issue 12 item 7's two targets hold.
func (t Totals) TargetsMet() (aa, slow bool) {
	aa = t.AARuns > 0 && t.AAPass == t.AARuns
	slow = t.SlowInstances > 0 && t.Caught+t.InconclDrift == t.SlowInstances && t.SilentPasses == 0
	return aa, slow
}

func yesNo(b bool) string {
	if b {
		return "**met**"
	}
	return "**NOT met**"
}

func pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.0f%%", 100*x)
}

func num(x float64, f string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf(f, x)
}

// cell makes text safe for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Render writes the Markdown report: setup, per-run table, totals, the
// detail of every non-pass and every slowed benchmark not caught, and the
// CPU-vs-wall drift.
func Render(title string, setup []string, runs []Run, drift []DriftRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	for _, s := range setup {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	b.WriteString("\n| # | phase | start | wall s | exit | verdict | bench | judged | regr | incl | incl past | false alarms | slowed: caught / incl-drift / incl-other / missed | headline |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		sl := "–"
		if len(r.Slowed) > 0 {
			var c [5]int
			for _, s := range r.Slowed {
				switch s.Class {
				case SlowCaught:
					c[0]++
				case SlowInconclDrift:
					c[1]++
				case SlowInconclOther:
					c[2]++
				case SlowMissed:
					c[3]++
				default:
					c[4]++
				}
			}
			sl = fmt.Sprintf("%d / %d / %d / %d", c[0], c[1], c[2], c[3]+c[4])
			if r.SilentPass {
				sl += " **silent pass**"
			}
		}
		head := r.Headline
		if r.Err != "" {
			head = "error: " + r.Err
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %.1f | %d | %s | %s | %s | %s | %s | %s | %d | %s | %s |\n",
			r.Index, r.Phase, r.Start, r.Wall, r.Exit, cell(r.Outputs["verdict"]), outStr(r, "benchmarks"), outStr(r, "judged"),
			outStr(r, "regressions"), outStr(r, "inconclusive"), outStr(r, "inconclusive-past"), len(r.FalseAlarms), sl, cell(short(head, 90)))
	}
	t := Sum(runs)
	aa, slow := t.TargetsMet()
	b.WriteString("\n**Totals (pull-request runs)**\n\n| | runs | result |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| A/A (no change) | %d | %d pass, **%d gate failed (exit 1)**, %d could not judge (exit 2), %d other; %d false-alarm benchmark-runs, %d inconclusive past the threshold |\n",
		t.AARuns, t.AAPass, t.AAGateFailed, t.AACouldNot, t.AAOther, t.AAFalseAlarms, t.AAPast)
	exits := []string{}
	for _, k := range sortedKeys(t.SlowExit) {
		exits = append(exits, fmt.Sprintf("exit %d × %d", k, t.SlowExit[k]))
	}
	fmt.Fprintf(&b, "| 3x slowdown | %d | %d slowed benchmark-runs: %d caught, %d inconclusive naming the drift, %d inconclusive otherwise, %d missed (%d absent); %d silent passes; %s; %d false alarms on benchmarks not slowed |\n",
		t.SlowRuns, t.SlowInstances, t.Caught, t.InconclDrift, t.InconclOther, t.Missed+t.Absent, t.Absent, t.SilentPasses, strings.Join(exits, ", "), t.SlowFalseAlarms)
	fmt.Fprintf(&b, "\nTargets: 0 failed gates without a change (and every A/A run judged): %s; every 3x slowdown caught or inconclusive with the drift named: %s.\n", yesNo(aa), yesNo(slow))

	// Details.
	var det []string
	for _, r := range runs {
		if r.Phase == PhasePush {
			continue
		}
		for _, f := range r.FalseAlarms {
			det = append(det, fmt.Sprintf("run %d (%s): false alarm %s %s %s, q=%.2g, drift allowed %s (%s)", r.Index, r.Phase, f.ID, pct(f.Change), f.Severity, f.Q, pct(f.Drift), f.DriftSrc))
		}
		if r.Phase == PhaseAA && r.Class != RunPass {
			det = append(det, fmt.Sprintf("run %d (a/a): %s, gate: %s", r.Index, r.Class, strings.Join(r.GateReasons, "; ")))
		}
		for _, s := range r.Slowed {
			if s.Class == SlowCaught {
				continue
			}
			det = append(det, fmt.Sprintf("run %d (3x): %s %s: %s, change %s (CI %s..%s), in comment: %v — %s", r.Index, s.ID, s.Class, s.Verdict,
				pct(s.Change), pct(s.CILow-1), pct(s.CIHigh-1), s.InComment, short(s.Reason, 240)))
		}
	}
	if len(det) > 0 {
		b.WriteString("\nDetails (everything that is not a clean pass or a caught slowdown):\n\n")
		for _, d := range det {
			fmt.Fprintf(&b, "- %s\n", d)
		}
	}

	if len(drift) > 0 {
		b.WriteString("\n**Run-to-run drift: wall time vs process CPU time (cpu-s/op)**, over the runs without a slowdown on the benchmark (push runs, A/A runs, and the benchmarks not slowed in 3x runs). σ = analysis.EstimateDrift of the log run medians; spread = max/min of the run medians.\n\n")
		b.WriteString("| benchmark | kind | runs | cpu/wall | σ wall | σ cpu | spread wall | spread cpu | judged on (PR runs) |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, d := range drift {
			kind := "single"
			if d.Parallel {
				kind = "parallel (" + d.Why + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", cell(d.ID), kind, d.Runs, num(d.CPUPerWall, "%.2f"),
				num(d.SigmaWall, "%.3f"), num(d.SigmaCPU, "%.3f"), num(d.SpreadWall, "%.2fx"), num(d.SpreadCPU, "%.2fx"), clockCount(runs, d.ID))
		}
		b.WriteString("\n| kind | benchmarks | median σ wall | median σ cpu | σ cpu < σ wall | median spread wall | median spread cpu | primary metric it suggests |\n|---|---|---|---|---|---|---|---|\n")
		for _, s := range SummarizeDrift(drift) {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %d of %d | %s | %s | %s (%s) |\n", s.Kind, s.N, num(s.MedSigmaWall, "%.3f"), num(s.MedSigmaCPU, "%.3f"),
				s.CPULess, s.N, num(s.MedSpreadWall, "%.2fx"), num(s.MedSpreadCPU, "%.2fx"), s.Recommended, s.Reason)
		}
	}
	return b.String()
}

// clockCount says which clock the PR runs' comparisons judged id on.
func clockCount(runs []Run, id string) string {
	n := map[string]int{}
	total := 0
	for _, r := range runs {
		if r.Phase == PhasePush {
			continue
		}
		if c, ok := r.Clocks[id]; ok {
			n[c]++
			total++
		}
	}
	if total == 0 {
		return "–"
	}
	var parts []string
	for _, c := range []string{analysis.ClockCPU, analysis.ClockWall} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", c, n[c], total))
		}
	}
	return strings.Join(parts, ", ")
}

func outStr(r Run, k string) string {
	if v, ok := r.Outputs[k]; ok && v != "" {
		return v
	}
	return "–"
}

func sortedKeys(m map[int]int) []int {
	var k []int
	for x := range m {
		k = append(k, x)
	}
	sort.Ints(k)
	return k
}
