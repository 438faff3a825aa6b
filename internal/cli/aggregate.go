package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

// cmdAggregate is the local form of the action's mode=aggregate: it merges
// every results.json (with its baseline.json) below --dir, compares once and
// writes the reports. Exit status 1 when the gate fails.
func cmdAggregate(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("aggregate", flag.ContinueOnError)
	dir := fs.String("dir", "xpcs-perf-artifacts", "folder holding the downloaded report folders")
	out := fs.String("out", "xpcs-perf-report", "output report folder")
	def := analysis.DefaultConfig()
	threshold := fs.Float64("threshold", def.Threshold, "regression threshold (fraction)")
	alpha := fs.Float64("alpha", def.Alpha, "significance level")
	failOn := fs.String("fail-on", "", "gate expression (default "+analysis.DefaultGate+")")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	m, err := action.Merge(*dir)
	if err != nil {
		return err
	}
	cfg := analysis.DefaultConfig()
	cfg.Threshold, cfg.Alpha = *threshold, *alpha
	if *failOn != "" {
		cfg.FailOn = *failOn
	}
	cmp, err := analysis.Compare(m.Baseline, m.Current, cfg)
	if err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	cmp.Category = "all"
	if err := action.WriteResults(*out, m.Current, m.Baseline); err != nil {
		return err
	}
	if _, err := action.WriteReports(*out, cmp, comment.Options{Category: "all"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d reports (%d benchmarks): %d regressions, %d improvements; gate %v; reports in %s\n",
		len(m.Sources), len(m.Current.Benchmarks), cmp.Summary.Regressions, cmp.Summary.Improvements, cmp.Gate.Pass, filepath.Clean(*out))
	if !cmp.Gate.Pass {
		return &exitError{code: 1, msg: "gate failed: " + fmt.Sprint(cmp.Gate.Reasons)}
	}
	return nil
}
