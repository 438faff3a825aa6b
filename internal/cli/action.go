package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"github.com/xpcs-perf/xpcs-perf-action/runner/suite"
)

func cmdAction(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, "usage: xpcs-perf action   (configured by INPUT_* and GITHUB_* variables, see action.yml)")
		return nil
	}
	if len(args) > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("action: unexpected arguments %q (the action is configured by INPUT_* variables)", args)}
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	code, err := action.Run(ctx, action.Env{Getenv: getenv, Stdout: stdout, Stderr: stderr}, actionDeps())
	if code == 0 {
		return nil
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	return &exitError{code: code, msg: msg}
}

// actionDeps wires the real runner into the action pipeline.
func actionDeps() action.Deps {
	return action.Deps{Run: runBenchmarks}
}

// runBenchmarks measures what req selects with package runner, honouring the
// repository's .xpcs-perf.json and the XPCS_PERF_INJECT_SLOWDOWN testing aid.
func runBenchmarks(ctx context.Context, req action.RunRequest, log io.Writer) (*analysis.Results, error) {
	getenv := req.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := runner.DefaultConfig()
	conf := req.ConfigFile
	if conf == "" {
		conf = runner.ConfigFileName
	}
	if err := runner.LoadConfigFile(&cfg, conf, true); err != nil {
		return nil, err
	}
	o := runner.Overrides{Sizes: req.Sizes, Filter: req.Filter, Rounds: req.Rounds, Warmup: -1,
		MinTime: req.MinTime, TimeBudget: -1, Data: req.Data, Slowdown: req.Slowdown}
	if req.Category != "" && req.Category != "all" {
		o.Categories = []string{req.Category}
	}
	if req.TimeBudget > 0 {
		o.TimeBudget = req.TimeBudget
	}
	cfg.Apply(o, getenv)
	// The shard input alone decides the shard (the artifacts are named
	// after it), even when .xpcs-perf.json names one.
	cfg.Shard = req.Shard
	r, err := runner.NewRunner(cfg, log)
	if err != nil {
		return nil, err
	}
	r.Getenv = getenv
	suite.Setup(r)
	sel, err := suite.Registry().Select(&cfg, runner.AvailableMemoryMB())
	if err != nil {
		return nil, err
	}
	if len(sel.Run) == 0 {
		return nil, fmt.Errorf("no benchmark matches category %q, sizes %v, filter %q, shard %q (see xpcs-perf list)",
			req.Category, cfg.Sizes, cfg.Filter, cfg.Shard)
	}
	if getenv("GITHUB_ACTIONS") == "true" {
		r.Progress = runner.NewGitHubProgress(log)
	} else {
		r.Progress = runner.NewLineProgress(log)
	}
	res := r.Run(ctx, sel.Run)
	for _, s := range sel.Skipped {
		res.Notes = append(res.Notes, "skipped "+s.ID+": "+s.Reason)
	}
	suite.CleanupData()
	if ctx.Err() != nil {
		return res, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
	return res, nil
}
