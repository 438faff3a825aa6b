package cli

import (
	"context"
	"flag"
	"io"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func cmdDemo(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	var opt action.DemoOptions
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&opt.Category, "category", "memory", "category to measure")
	fs.StringVar(&opt.Filter, "filter", "", "regexp on benchmark IDs (default memory/workers/frame_sums\\[size=tiny for the memory category)")
	sizes := fs.String("sizes", "tiny", "sizes, comma-separated")
	fs.IntVar(&opt.Rounds, "rounds", 10, "timed rounds per benchmark")
	fs.StringVar(&opt.Slowdown, "inject-slowdown", "", "REGEX=FACTOR slowing the second run (default memory/workers/frame_sums\\[size=tiny,workers=1\\]=5)")
	fs.Float64Var(&opt.Threshold, "threshold", analysis.DefaultConfig().Threshold, "regression threshold (fraction)")
	fs.DurationVar(&opt.MinTime, "min-time", 30*time.Millisecond, "shortest round (longer rounds average a busy machine's noise)")
	fs.IntVar(&opt.Attempts, "attempts", 3, "measure again when the slowed benchmark is too noisy to judge")
	fs.StringVar(&opt.Dir, "out", "xpcs-perf-demo", "output folder (baseline/, report/)")
	fs.StringVar(&opt.Dir, "dir", "xpcs-perf-demo", "alias of --out")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: "demo: unexpected arguments " + strings.Join(fs.Args(), " ")}
	}
	opt.Sizes = strings.Split(*sizes, ",")
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	_, err := action.Demo(ctx, opt, actionDeps(), stdout, stderr)
	return err
}
