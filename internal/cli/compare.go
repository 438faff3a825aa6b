package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/scaling"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

// readResultsAny reads any format ingest recognises (results.json,
// pytest-benchmark JSON, go test -bench text, Google Benchmark JSON).
func readResultsAny(path string) (*analysis.Results, error) {
	res, _, err := ingest.ReadFile(path)
	return res, err
}

// runCompare implements
//
//	xpcs-perf compare --baseline B[,B2...|GLOB] --current C[,C2...|GLOB]
//	    [--history history.jsonl] [--drift-allowance 0.5] [--threshold 0.2]
//	    [--instruction-threshold 0.02]
//	    [--alpha 0.05] [--fail-on EXPR] [--rules mean:20%,...]
//	    [--format text|json] [--out cmp.json]
//
// Each side is one or more results files, one per run (runs are the units
// when a side has several). The exit status is 0 when the gate passes, 1
// when it fails, 2 when nothing could be judged or the input is unusable
// (usage errors, unreadable files).
func cmdCompare(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	def := analysis.DefaultConfig()
	baseline := fs.String("baseline", "", "baseline results `files`: a path, a comma list or a glob, one file per run (empty: first run, every benchmark is new)")
	current := fs.String("current", "", "current results `files`: a path, a comma list or a glob, one file per run (required)")
	history := fs.String("history", "", "history `file` (JSON Lines, from the action's history artifact): each benchmark's run-to-run drift on the base branch")
	drift := fs.Float64("drift-allowance", def.DriftAllowance, "run-to-run drift allowed without history when each side is one separate run, as a `fraction` (0.5 = ±50%); 0 when base and head were measured side by side (interleaved)")
	driftWiden := fs.Float64("drift-widen", def.DriftWiden, "with history, a run whose median lies in the band of the base branch's run medians widened this many times about their median is inside the drift (0 ignores the history)")
	threshold := fs.Float64("threshold", def.Threshold, "regression threshold as a `fraction` of the median (0.2 = 20%)")
	instrThreshold := fs.Float64("instruction-threshold", def.InstructionThreshold, "regression threshold of benchmarks counted in instructions (unit instr/op, run --metric instructions) as a `fraction` (0.02 = 2%; 0 = --threshold)")
	alpha := fs.Float64("alpha", def.Alpha, "significance level after Benjamini-Hochberg")
	minSamples := fs.Int("min-samples", def.MinSamples, "fewer samples per side give inconclusive")
	maxCV := fs.Float64("max-cv", 0, "deprecated and ignored: spread is reported, never a veto")
	memThreshold := fs.Float64("memory-threshold", def.MemoryThreshold, "peak RSS increase in `bytes` that is a regression")
	correction := fs.String("correction", def.Correction, "multiple-testing correction: bh or none")
	failOn := fs.String("fail-on", def.FailOn, "gate `expression`, e.g. \"critical>0 || major>3 || regressed_pct>30\"")
	rules := fs.String("rules", "", "pytest-benchmark compare-fail `rules`, comma separated (mean:20%,min:30%,max:0.000001)")
	calibration := fs.String("calibration", "", "normalise current times by this calibration benchmark `id` (off when empty)")
	clock := fs.String("clock", def.Clock, "primary time of benchmarks that record both clocks: auto (single-threaded ones on CPU time, parallel ones on wall time), wall or cpu")
	format := fs.String("format", "text", "output format: text or json")
	out := fs.String("out", "", "also write the comparison JSON to this `file`")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if *current == "" || fs.NArg() > 0 {
		fs.Usage()
		return &exitError{code: 2, msg: "compare: --current is required and no positional arguments are accepted"}
	}
	if *format != "text" && *format != "json" {
		return &exitError{code: 2, msg: fmt.Sprintf("compare: --format %q: want text or json", *format)}
	}
	if *maxCV != 0 {
		fmt.Fprintln(stderr, "xpcs-perf: compare: --max-cv is ignored: spread (CV, MAD/median) is reported and never vetoes a verdict; the evidence (q and the confidence interval) decides")
	}
	cfg := def
	cfg.Threshold, cfg.Alpha, cfg.MinSamples = *threshold, *alpha, *minSamples
	cfg.InstructionThreshold = *instrThreshold
	cfg.MemoryThreshold, cfg.Correction = *memThreshold, *correction
	cfg.DriftAllowance, cfg.DriftWiden = *drift, *driftWiden
	cfg.FailOn, cfg.Calibration, cfg.Clock = *failOn, *calibration, *clock
	if *rules != "" {
		cfg.Rules = []string{*rules}
	}
	if err := cfg.Validate(); err != nil {
		return &exitError{code: 2, msg: "compare: " + err.Error()}
	}
	var base []*analysis.Results
	if *baseline != "" {
		b, _, err := ingest.ReadRuns(*baseline)
		if err != nil {
			return &exitError{code: 2, msg: fmt.Sprintf("compare: baseline: %v", err)}
		}
		base = b
	}
	cur, _, err := ingest.ReadRuns(*current)
	if err != nil {
		return &exitError{code: 2, msg: fmt.Sprintf("compare: current: %v", err)}
	}
	var driftOf map[string]analysis.Drift
	var histNote string
	if *history != "" {
		entries, skipped, err := trend.ReadFileLenient(*history)
		if err != nil {
			return &exitError{code: 2, msg: fmt.Sprintf("compare: history: %v", err)}
		}
		driftOf = trend.Drift(entries)
		histNote = fmt.Sprintf("history %s: %d runs, run-to-run drift estimated for %d benchmarks", filepath.Base(*history), len(entries), len(driftOf))
		if len(skipped) > 0 {
			histNote += fmt.Sprintf(" (%d unusable lines skipped, first: %v)", len(skipped), skipped[0])
		}
	}
	c, err := analysis.CompareRuns(base, cur, cfg, driftOf)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	if histNote != "" {
		c.Notes = append(c.Notes, histNote)
	}
	// Complexity fits of the current run's scaling families, for the reports.
	if scal, notes := scaling.FitResults(cur[0]); len(scal) > 0 {
		c.Scaling = scal
		c.Notes = append(c.Notes, notes...)
	}
	if *out != "" {
		if err := analysis.WriteComparisonFile(*out, c); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
	}
	if *format == "json" {
		if err := analysis.WriteComparison(stdout, c); err != nil {
			return err
		}
	} else if err := writeCompareText(stdout, c, *baseline, *current); err != nil {
		return err
	}
	switch {
	case c.Gate.Verdict == analysis.GateError:
		return &exitError{code: 2, msg: "could not judge: " + strings.Join(c.Gate.Reasons, "; ")}
	case !c.Gate.Pass:
		return &exitError{code: 1, msg: "gate failed: " + strings.Join(c.Gate.Reasons, "; ")}
	}
	return nil
}

// writeCompareText prints a benchstat-like table: medians of each side,
// the change of the median (or ~ when not significant), the p-value with
// its BH q and the sample sizes, and the verdict.
func writeCompareText(w io.Writer, c *analysis.Comparison, baseName, curName string) error {
	baseName, curName = filepath.Base(baseName), filepath.Base(curName)
	if baseName == "." {
		baseName = "(none)"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "benchmark\tmetric\t%s\t%s\tvs base\t\tverdict\n", comment.SafeText(baseName), comment.SafeText(curName))
	for _, r := range c.Rows {
		b, cu := "-", "-"
		if r.Baseline != nil {
			b = formatValue(r.Baseline.Median, r.Unit)
		}
		if r.Current != nil {
			cu = formatValue(r.Current.Median, r.Unit)
		}
		change, stats := "", ""
		if r.Baseline != nil && r.Current != nil && r.Verdict != analysis.Errored {
			switch {
			case r.Verdict == analysis.Info && r.P >= c.Config.Alpha, r.Verdict != analysis.Info && r.Q >= c.Config.Alpha:
				change = "~" // not significant (benchstat's mark; derived rows are not corrected across the suite)
			case r.Ratio > 0:
				change = fmt.Sprintf("%+.2f%%", 100*(r.Ratio-1))
			default:
				change = "?"
			}
			stats = fmt.Sprintf("(p=%.3f q=%.3f n=%d+%d)", r.P, r.Q, r.Baseline.N, r.Current.N)
		}
		verdict := string(r.Verdict)
		if r.Severity != analysis.NoSeverity {
			verdict += " " + string(r.Severity)
		}
		if r.GateFailed {
			verdict += " !"
		}
		metric := r.Metric
		if r.Clock == analysis.ClockCPU {
			metric += " (cpu)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", comment.SafeText(r.ID), comment.SafeText(metric), comment.SafeText(b), comment.SafeText(cu), change, stats, comment.SafeText(verdict))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := c.Summary
	fmt.Fprintf(w, "\n%d benchmarks: %d judged, %d regressed (%d critical, %d major, %d minor), %d improved, %d unchanged, %d inconclusive (%d past the threshold), %d new, %d missing, %d errored\n",
		s.Benchmarks, s.Compared, s.Regressions, s.Critical, s.Major, s.Minor, s.Improvements, s.Unchanged, s.Inconclusive, s.InconclusivePast, s.New, s.Missing, s.Errored)
	if s.MemoryRegressions+s.MemoryImprovements > 0 {
		fmt.Fprintf(w, "memory (B/op, allocs/op, peak RSS; judged apart): %d benchmarks regressed, %d improved\n", s.MemoryRegressions, s.MemoryImprovements)
	}
	for _, r := range c.Rows {
		if r.Reason != "" && r.Verdict != analysis.Unchanged && r.Verdict != analysis.Info || len(r.RuleFailures) > 0 {
			fmt.Fprintf(w, "  %s (%s): %s %s\n", comment.SafeText(r.ID), comment.SafeText(r.Metric), comment.SafeText(string(r.Verdict)), comment.SafeText(strings.Join(append([]string{r.Reason}, r.RuleFailures...), "; ")))
		}
	}
	for _, m := range append(append([]string{}, c.Warnings...), c.Notes...) {
		fmt.Fprintf(w, "note: %s\n", comment.SafeText(m))
	}
	status := "PASS"
	if !c.Gate.Pass {
		status = "FAIL"
	}
	fmt.Fprintf(w, "gate (%s): %s\n", comment.SafeText(c.Gate.Rule), status)
	for _, r := range c.Gate.Reasons {
		fmt.Fprintf(w, "  %s\n", comment.SafeText(r))
	}
	return nil
}

// formatValue prints v with 4 significant digits, seconds scaled to
// ns/µs/ms like benchstat; other units as the comment prints them (bytes
// with binary prefixes, qualified times such as cpu-s/op as times).
func formatValue(v float64, unit string) string {
	if unit != "s" {
		return comment.FormatValue(v, unit)
	}
	if unit == "s" && v != 0 && !math.IsInf(v, 0) {
		for _, s := range []struct {
			f float64
			u string
		}{{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}} {
			if math.Abs(v) < s.f*1000 {
				return fmt.Sprintf("%.4g%s", v/s.f, s.u)
			}
		}
	}
	return fmt.Sprintf("%.4g%s", v, " "+unit)
}
