package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

// DemoOptions configure Demo. Zero fields take the defaults shown.
type DemoOptions struct {
	Category string   // "memory"
	Filter   string   // `memory/workers/frame_sums\[size=tiny`: four benchmarks, ~2 s per run
	Sizes    []string // tiny
	Rounds   int      // 10
	// Slowdown is injected into the second run: "REGEX=FACTOR", default
	// `memory/workers/frame_sums\[size=tiny,workers=1\]=5` (that benchmark
	// really runs 5x longer: the runner busy-waits after each operation; 5x because the two runs are separate and a history-less comparison allows ±250% of run-to-run drift).
	Slowdown  string
	Threshold float64       // analysis.DefaultConfig().Threshold
	MinTime   time.Duration // shortest round: 30 ms
	// Attempts is how often the pair is measured again when the slowed
	// benchmark came out inconclusive (too noisy to judge on a busy
	// machine): 3.
	Attempts int
	Dir      string // "xpcs-perf-demo"
}

func (o *DemoOptions) defaults() {
	if o.Category == "" {
		o.Category = "memory"
	}
	if o.Filter == "" && o.Category == "memory" {
		o.Filter = `memory/workers/frame_sums\[size=tiny`
	}
	if len(o.Sizes) == 0 {
		o.Sizes = []string{"tiny"}
	}
	if o.Rounds <= 0 {
		o.Rounds = 10
	}
	if o.Slowdown == "" && o.Category == "memory" {
		o.Slowdown = `memory/workers/frame_sums\[size=tiny,workers=1\]=5`
	}
	if o.MinTime <= 0 {
		o.MinTime = 30 * time.Millisecond
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Threshold <= 0 {
		o.Threshold = analysis.DefaultConfig().Threshold
	}
	if o.Dir == "" {
		o.Dir = "xpcs-perf-demo"
	}
}

// Demo runs the action's pipeline locally with files: it measures the
// category twice — a baseline, then the same code with a real injected
// slowdown — compares them, writes every report into Dir/report and prints
// the verdict. It returns an error when the injected slowdown is NOT caught
// as a regression, so `make demo` doubles as a self-check.
func Demo(ctx context.Context, opt DemoOptions, deps Deps, stdout, stderr io.Writer) (*analysis.Comparison, error) {
	opt.defaults()
	if deps.Run == nil {
		return nil, errors.New("demo: no benchmark runner in this build")
	}
	i := strings.LastIndexByte(opt.Slowdown, '=')
	if i <= 0 {
		return nil, fmt.Errorf("demo: slowdown %q: want REGEX=FACTOR", opt.Slowdown)
	}
	rule := opt.Slowdown[:i]
	re, err := regexp.Compile(rule)
	if err != nil {
		return nil, fmt.Errorf("demo: slowdown %q: %w", opt.Slowdown, err)
	}
	var cmp *analysis.Comparison
	caught, inconclusive := 0, 0
	for attempt := 1; attempt <= opt.Attempts; attempt++ {
		if attempt > 1 {
			fmt.Fprintf(stdout, "the slowed benchmark was too noisy to judge (inconclusive): measuring again (%d of %d)\n", attempt, opt.Attempts)
		}
		cmp, caught, inconclusive, err = demoOnce(ctx, opt, re, deps, stdout, stderr)
		if err != nil || caught > 0 || inconclusive == 0 {
			break
		}
	}
	if err != nil {
		return cmp, err
	}
	report := filepath.Join(opt.Dir, "report")
	if caught == 0 {
		return cmp, fmt.Errorf("demo: the injected slowdown %s was NOT detected as a regression (see %s)", opt.Slowdown, filepath.Join(report, MarkdownName))
	}
	fmt.Fprintf(stdout, "the injected slowdown was caught: %d regression(s) on %s\n", caught, rule)
	return cmp, nil
}

// demoOnce measures the pair once, compares and writes the reports. It
// returns how many rows of the slowed benchmarks are regressions and how many
// are inconclusive.
func demoOnce(ctx context.Context, opt DemoOptions, re *regexp.Regexp, deps Deps, stdout, stderr io.Writer) (*analysis.Comparison, int, int, error) {
	req := RunRequest{Category: opt.Category, Sizes: opt.Sizes, Filter: opt.Filter, Rounds: opt.Rounds, MinTime: opt.MinTime,
		Getenv: func(string) string { return "" }}
	fmt.Fprintf(stdout, "1/3 baseline: %s benchmarks matching %s\n", opt.Category, opt.Filter)
	base, err := deps.Run(ctx, req, stderr)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("demo: baseline run: %w", err)
	}
	base.Run.Branch, base.Run.Commit = "main", "baseline"
	if err := WriteResults(filepath.Join(opt.Dir, "baseline"), base, nil); err != nil {
		return nil, 0, 0, err
	}
	fmt.Fprintf(stdout, "2/3 current: the same benchmarks with the injected slowdown %s\n", opt.Slowdown)
	req.Slowdown = opt.Slowdown
	cur, err := deps.Run(ctx, req, stderr)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("demo: current run: %w", err)
	}
	cur.Run.Branch, cur.Run.Commit = "feature", "slowed-down"
	report := filepath.Join(opt.Dir, "report")
	if err := WriteResults(report, cur, base); err != nil {
		return nil, 0, 0, err
	}
	cfg := analysis.DefaultConfig()
	cfg.Threshold = opt.Threshold
	cmp, err := analysis.Compare(base, cur, cfg)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("demo: compare: %w", err)
	}
	cmp.Category = opt.Category
	if _, err := WriteReports(report, cmp, comment.Options{Category: opt.Category}); err != nil {
		return cmp, 0, 0, err
	}
	fmt.Fprintf(stdout, "3/3 compared %d benchmarks: %d regressions (%d critical, %d major, %d minor), %d improvements, %d inconclusive; gate %s\n",
		cmp.Summary.Benchmarks, cmp.Summary.Regressions, cmp.Summary.Critical, cmp.Summary.Major, cmp.Summary.Minor,
		cmp.Summary.Improvements, cmp.Summary.Inconclusive, map[bool]string{true: "passed", false: "FAILED"}[cmp.Gate.Pass])
	caught, inconclusive := 0, 0
	for _, r := range cmp.Rows {
		if !re.MatchString(r.ID) {
			continue
		}
		switch r.Verdict {
		case analysis.Regression:
			caught++ // time, or MB/s which the slowdown lowers too
		case analysis.Inconclusive:
			inconclusive++
		}
	}
	for _, r := range cmp.Rows {
		if r.Verdict == analysis.Regression {
			fmt.Fprintf(stdout, "    regression %-45s %+7.1f%%  %s -> %s  q=%.2g  %s\n", r.ID+" ["+r.Metric+"]", 100*r.Change,
				fmtSide(r.Baseline, r.Unit), fmtSide(r.Current, r.Unit), r.Q, r.Severity)
		}
	}
	for _, why := range cmp.Gate.Reasons {
		fmt.Fprintf(stdout, "    gate: %s\n", why)
	}
	fmt.Fprintf(stdout, "reports: %s/{%s,%s,%s,%s,%s}\n", report, MarkdownName, HTMLName, JSONName, JUnitName, CmpName)
	return cmp, caught, inconclusive, nil
}
