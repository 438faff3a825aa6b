package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

func init() {
	register(command{name: "trend", summary: "trends, anomalies and change points over a history file (or append a run to it)", run: runTrend})
}

// TrendsSchema tags the JSON output of `xpcs-perf trend --format json`.
const TrendsSchema = "xpcs-perf/trends/v1"

// trendsDoc is the JSON output of the trend command.
type trendsDoc struct {
	Schema  string         `json:"schema"`
	History string         `json:"history"`
	Runs    int            `json:"runs"`
	Skipped []string       `json:"skipped_lines,omitempty"`
	Trends  []trend.Detail `json:"trends"`
}

// runTrend implements
//
//	xpcs-perf trend --history H [--benchmark ID] [--format text|json] [--strict]
//	    [--sensitivity 2] [--alpha 0.05] [--min-segment 5] [--min-shift 0] [--seed 0]
//	xpcs-perf trend --history H --append RESULTS [--max 1000] [--out H2]
//
// The first form reports; bad history lines are skipped with a note on stderr
// (--strict: the first one is an error). The second adds the summary of a
// results file (any format ingest reads) to the history, keeping the newest
// --max runs, and writes it atomically to --out (default: the history file;
// a missing history starts a new one).
func runTrend(stdout, stderr io.Writer, args []string) error {
	fset := flag.NewFlagSet("trend", flag.ContinueOnError)
	history := fset.String("history", "", "history `file` (JSON Lines, required)")
	bench := fset.String("benchmark", "", "report only this benchmark `id`")
	format := fset.String("format", "text", "output format: text or json")
	strict := fset.Bool("strict", false, "fail on the first bad history line instead of skipping it")
	sensitivity := fset.Float64("sensitivity", 2.0, "robust |z| above which a run is an anomaly")
	alpha := fset.Float64("alpha", 0.05, "significance level of each change-point test")
	minSeg := fset.Int("min-segment", 5, "fewest runs on each side of a change point")
	seed := fset.Uint64("seed", 0, "permutation seed")
	minShift := fset.Float64("min-shift", 0, "drop change points whose median shift is below this `fraction` (0.05 = 5%; 0 keeps every significant one)")
	appendRes := fset.String("append", "", "append the summary of this results `file` to the history instead of reporting")
	maxRuns := fset.Int("max", trend.DefaultMax, "with --append: keep the newest `n` runs")
	out := fset.String("out", "", "with --append: write the history here (default: --history)")
	if err := parseFlags(fset, stderr, args); err != nil {
		return err
	}
	if *history == "" || fset.NArg() > 0 {
		fset.Usage()
		return &exitError{code: 2, msg: "trend: --history is required and no positional arguments are accepted"}
	}
	if *format != "text" && *format != "json" {
		return &exitError{code: 2, msg: fmt.Sprintf("trend: --format %q: want text or json", *format)}
	}
	if *sensitivity <= 0 || *alpha <= 0 || *alpha >= 1 || *minSeg < 1 || *maxRuns < 1 || *minShift < 0 {
		return &exitError{code: 2, msg: "trend: --sensitivity must be > 0, --alpha in (0, 1), --min-segment and --max >= 1, --min-shift >= 0"}
	}
	if *appendRes != "" {
		return appendHistory(stdout, stderr, *history, *appendRes, *out, *maxRuns)
	}

	entries, skipped, err := readHistory(*history, *strict)
	if err != nil {
		return err
	}
	doc := trendsDoc{Schema: TrendsSchema, History: *history, Runs: len(entries)}
	for _, s := range skipped {
		msg := fmt.Sprintf("%s: skipped %v", *history, s)
		doc.Skipped = append(doc.Skipped, msg)
		fmt.Fprintln(stderr, "xpcs-perf: trend:", comment.SafeText(msg))
	}
	opts := trend.Options{Sensitivity: *sensitivity, Alpha: *alpha, MinSegment: *minSeg, Seed: *seed, MinShift: *minShift}
	if *bench != "" {
		d := trend.AnalyzeDetail(entries, *bench, opts)
		if len(d.Points) == 0 {
			return fmt.Errorf("trend: benchmark %q is not in %s (%d runs)", *bench, *history, len(entries))
		}
		doc.Trends = []trend.Detail{d}
	} else {
		doc.Trends = trend.AnalyzeAllDetail(entries, opts)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("trend: encode report: %w", err)
		}
		return nil
	}
	writeTrendText(stdout, &doc, entries)
	return nil
}

func readHistory(path string, strict bool) ([]trend.Entry, []*trend.LineError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("trend: %w", err)
	}
	defer f.Close()
	if strict {
		es, err := trend.Read(f)
		if err != nil {
			return nil, nil, fmt.Errorf("trend: %s: %w", path, err)
		}
		return es, nil, nil
	}
	es, skipped, err := trend.ReadLenient(f)
	if err != nil {
		return nil, nil, fmt.Errorf("trend: %s: %w", path, err)
	}
	return es, skipped, nil
}

func appendHistory(stdout, stderr io.Writer, history, resPath, out string, max int) error {
	res, _, err := ingest.ReadFile(resPath)
	if err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	e := trend.FromResults(res)
	if e.Time.IsZero() {
		// A results file without timestamps (e.g. go test -bench text)
		// counts as measured when its file was written.
		st, err := os.Stat(resPath)
		if err != nil {
			return fmt.Errorf("trend: %w", err)
		}
		e.Time = st.ModTime().UTC()
		fmt.Fprintf(stderr, "xpcs-perf: trend: %s has no run time; using its modification time %s\n", comment.SafeText(resPath), e.Time.Format(time.RFC3339))
	}
	entries, skipped, err := readHistory(history, false)
	if errors.Is(err, fs.ErrNotExist) {
		entries, err = nil, nil
	}
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "xpcs-perf: trend: %s: dropped %s\n", comment.SafeText(history), comment.SafeText(fmt.Sprint(s)))
	}
	entries = trend.Append(entries, e, max)
	if out == "" {
		out = history
	}
	if err := analysis.WriteFileAtomic(out, func(w io.Writer) error { return trend.Write(w, entries) }); err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d runs (added %s, commit %q, %d benchmarks)\n", comment.SafeText(out), len(entries), e.Time.UTC().Format(time.RFC3339), e.Commit, len(e.Benchmarks))
	return nil
}

func writeTrendText(w io.Writer, doc *trendsDoc, entries []trend.Entry) {
	fmt.Fprintf(w, "history %s: %d runs", comment.SafeText(doc.History), doc.Runs)
	if len(entries) > 0 {
		lo, hi := entries[0].Time, entries[0].Time
		for _, e := range entries {
			if e.Time.Before(lo) {
				lo = e.Time
			}
			if e.Time.After(hi) {
				hi = e.Time
			}
		}
		fmt.Fprintf(w, " from %s to %s", lo.UTC().Format(time.DateOnly), hi.UTC().Format(time.DateOnly))
	}
	fmt.Fprintf(w, ", %d benchmarks\n", len(doc.Trends))
	if len(doc.Skipped) > 0 {
		fmt.Fprintf(w, "%d bad lines skipped (see stderr)\n", len(doc.Skipped))
	}
	for i := range doc.Trends {
		d := &doc.Trends[i]
		fmt.Fprintf(w, "\n%s  (%d points)\n", comment.SafeText(d.ID), len(d.Points))
		if len(d.Points) == 0 {
			continue
		}
		last := d.Points[len(d.Points)-1]
		fmt.Fprintf(w, "  latest        %s  (%s %s)\n", comment.SafeText(comment.FormatValue(last.Value, d.Unit)), last.Time.UTC().Format(time.DateOnly), comment.SafeText(last.Commit))
		if len(d.Points) >= 2 {
			fmt.Fprintf(w, "  slope         %s/day  %s/day", signed(comment.FormatPercent(d.RelSlopeDay)), signedValue(d.SlopePerDay, d.Unit))
			if d.SlopeCILow != 0 || d.SlopeCIHigh != 0 {
				fmt.Fprintf(w, "  (95%% CI %s … %s)", signedValue(d.SlopeCILow, d.Unit), signedValue(d.SlopeCIHigh, d.Unit))
			}
			fmt.Fprintln(w)
		}
		if len(d.ChangePoints) == 0 {
			fmt.Fprintln(w, "  change points none")
		}
		for _, cp := range d.ChangePoints {
			p := d.Points[cp.Index]
			rel := ""
			if cp.Before != 0 {
				rel = " (" + signed(comment.FormatPercent(cp.After/cp.Before-1)) + ")"
			}
			fmt.Fprintf(w, "  change point  #%d %s %s: %s -> %s%s, p=%s\n", cp.Index, p.Time.UTC().Format(time.DateOnly), comment.SafeText(p.Commit),
				comment.SafeText(comment.FormatValue(cp.Before, d.Unit)), comment.SafeText(comment.FormatValue(cp.After, d.Unit)), rel, comment.FormatP(cp.P))
		}
		if len(d.Anomalies) > 0 {
			var parts []string
			for _, a := range d.Anomalies {
				p := d.Points[a]
				parts = append(parts, fmt.Sprintf("#%d %s %s (z=%+.1f)", a, p.Time.UTC().Format(time.DateOnly), comment.FormatValue(p.Value, d.Unit), p.Robust))
			}
			fmt.Fprintf(w, "  anomalies     %s\n", comment.SafeText(strings.Join(parts, ", ")))
		}
		for _, n := range d.Notes {
			fmt.Fprintf(w, "  note          %s\n", comment.SafeText(n))
		}
	}
}

func signed(s string) string {
	if !strings.HasPrefix(s, "-") && s != "n/a" {
		return "+" + s
	}
	return s
}

func signedValue(v float64, unit string) string {
	return comment.SafeText(signed(comment.FormatValue(v, unit)))
}
