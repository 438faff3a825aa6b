package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	if req.Metric == runner.MetricModeInstructions && !runner.UnderCallgrind(getenv) {
		return countBenchmarks(ctx, req, conf, log)
	}
	o := runner.Overrides{Sizes: req.Sizes, Filter: req.Filter, Rounds: req.Rounds, Warmup: -1,
		MinTime: req.MinTime, TimeBudget: -1, Data: req.Data, Slowdown: req.Slowdown, Metric: req.Metric}
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

// countBenchmarks is runBenchmarks for the metric instructions: `xpcs-perf
// run --metric instructions` with the request's selection, re-executed under
// callgrind (runUnderCallgrind), into a temporary results file that is read
// back. The progress goes to log; the partial results of an interrupted run
// are returned with the error, as runBenchmarks does.
func countBenchmarks(ctx context.Context, req action.RunRequest, conf string, log io.Writer) (*analysis.Results, error) {
	dir, err := os.MkdirTemp("", "xpcs-perf-count-")
	if err != nil {
		return nil, fmt.Errorf("count instructions: %w", err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "results.json")
	args := []string{"--metric", runner.MetricModeInstructions, "--config", conf, "--out", out, "--progress", "auto"}
	if req.Category != "" && req.Category != "all" {
		args = append(args, "--category", req.Category)
	}
	if len(req.Sizes) > 0 {
		args = append(args, "--sizes", strings.Join(req.Sizes, ","))
	}
	if req.Filter != "" {
		args = append(args, "--filter", req.Filter)
	}
	if req.Rounds > 0 {
		args = append(args, "--rounds", strconv.Itoa(req.Rounds))
	}
	if req.MinTime > 0 {
		args = append(args, "--min-time", req.MinTime.String())
	}
	if req.TimeBudget > 0 {
		args = append(args, "--time-budget", req.TimeBudget.String())
	}
	for _, d := range req.Data {
		args = append(args, "--data", d)
	}
	if req.Shard != "" {
		args = append(args, "--shard", req.Shard)
	}
	if req.Slowdown != "" {
		args = append(args, "--inject-slowdown", req.Slowdown)
	}
	if _, err := os.Stat(conf); err != nil { // the config file is optional
		args = slices.Delete(args, 2, 4)
	}
	runErr := runUnderCallgrind(ctx, log, log, args, cfgCacheSim(conf))
	res, err := analysis.ReadResultsFile(out)
	if err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("count instructions: %w", runErr)
		}
		return nil, fmt.Errorf("count instructions: %w", err)
	}
	if runErr != nil {
		var ee *exitError
		switch {
		case errors.As(runErr, &ee) && ee.code == 130:
			return res, fmt.Errorf("interrupted: xpcs-perf run under callgrind exited with status 130")
		case errors.As(runErr, &ee) && ee.msg == "":
			return res, fmt.Errorf("count instructions: xpcs-perf run under callgrind exited with status %d", ee.code)
		}
		return res, fmt.Errorf("count instructions: %w", runErr)
	}
	return res, nil
}

// cfgCacheSim reports whether the repository's config file asks for the
// cache simulation (cache_sim), which the valgrind command line needs.
func cfgCacheSim(conf string) bool {
	cfg := runner.DefaultConfig()
	return runner.LoadConfigFile(&cfg, conf, true) == nil && cfg.CacheSim
}
