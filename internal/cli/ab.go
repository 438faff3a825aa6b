package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"github.com/xpcs-perf/xpcs-perf-action/runner/worker"
)

// envFlag collects K=V pairs.
type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, " ") }
func (e *envFlag) Set(s string) error {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return fmt.Errorf("want K=V, got %q", s)
	}
	*e = append(*e, s)
	return nil
}

// cmdAB measures a base and a head binary side by side: both run as
// `xpcs-perf worker` subprocesses, rounds interleaved per benchmark
// (package runner/worker), into DIR/baseline.json and DIR/results.json.
func cmdAB(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("ab", flag.ContinueOnError)
	var cats, sizes listFlag
	var bEnv, hEnv envFlag
	var (
		baseBin      = fs.String("base", "", "the base binary (xpcs-perf of the base commit)")
		headBin      = fs.String("head", "", "the head binary (xpcs-perf of the pull request)")
		out          = fs.String("out", "", "output folder: baseline.json and results.json")
		filter       = fs.String("filter", "", "regexp on benchmark IDs")
		rounds       = fs.Int("rounds", 10, "timed pairs per benchmark (one base and one head round each)")
		warmup       = fs.Int("warmup", 3, "warm-up rounds per side")
		minTime      = fs.Duration("min-time", 10*time.Millisecond, "minimum duration of one round (calibrated on the base)")
		seed         = fs.Uint64("seed", 0, "seed of the pair orders (0: from the clock; recorded)")
		roundTimeout = fs.Duration("round-timeout", 2*time.Minute, "a worker that does not answer one request in this time is killed")
		memIntensive = fs.Bool("memory-intensive", false, "also run benchmarks marked memory_intensive")
		cpus         = fs.String("cpus", "", "pin both workers to these CPUs (e.g. 1 or 0-1; default: no pinning)")
		dataDir      = fs.String("data-dir", "", "folder of the synthetic data files both sides read (default: a temporary folder, removed after)")
	)
	fs.Var(&cats, "category", "categories to run (comma-separated or repeated; default all)")
	fs.Var(&sizes, "sizes", "sizes to run (default tiny,small)")
	fs.Var(&bEnv, "base-env", "K=V in the base worker's environment only (repeatable)")
	fs.Var(&hEnv, "head-env", "K=V in the head worker's environment only (repeatable; e.g. "+runner.SlowdownEnv+"=REGEX=1.2)")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	usage := func(msg string) error { return &exitError{code: 2, msg: "ab: " + msg} }
	switch {
	case fs.NArg() > 0:
		return usage(fmt.Sprintf("unexpected arguments %q", fs.Args()))
	case *baseBin == "" || *headBin == "":
		return usage("--base BIN and --head BIN are required")
	case *out == "":
		return usage("--out DIR is required")
	case *rounds < 2:
		return usage("--rounds must be at least 2")
	case *warmup < 0 || *minTime <= 0 || *roundTimeout < 0:
		return usage("--warmup, --min-time and --round-timeout must not be negative")
	}
	for _, s := range []struct{ side, bin string }{{"base", *baseBin}, {"head", *headBin}} {
		p, err := exec.LookPath(s.bin)
		if err != nil {
			return usage(fmt.Sprintf("%s binary %s: %v", s.side, s.bin, err))
		}
		if s.side == "base" {
			*baseBin = p
		} else {
			*headBin = p
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usage(fmt.Sprintf("output folder: %v", err))
	}
	if err := analysis.CheckWritable(*out); err != nil {
		return usage(fmt.Sprintf("%v (nothing measured yet; fix --out)", err))
	}
	pin, err := parseCPUs(*cpus)
	if err != nil {
		return usage(fmt.Sprintf("--cpus: %v", err))
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano()) & (1<<53 - 1) // exact in JSON
	}
	dd := *dataDir
	if dd == "" {
		d, err := os.MkdirTemp("", "xpcs-perf-ab-data-")
		if err != nil {
			return fmt.Errorf("ab: data folder: %w", err)
		}
		defer os.RemoveAll(d)
		dd = d
	}
	wargs := []string{"worker", "--data-dir", dd}
	if len(cats) > 0 {
		wargs = append(wargs, "--category", strings.Join(cats, ","))
	}
	if len(sizes) > 0 {
		wargs = append(wargs, "--sizes", strings.Join(sizes, ","))
	}
	if *filter != "" {
		wargs = append(wargs, "--filter", *filter)
	}
	if *memIntensive {
		wargs = append(wargs, "--memory-intensive")
	}
	// Each side's environment: the orchestrator's without the slowdown
	// variable (it must reach only the side it is given to), plus its own.
	baseEnvList := append(sideEnv(), bEnv...)
	headEnvList := append(sideEnv(), hEnv...)

	plan := worker.Plan{Rounds: *rounds, Warmup: *warmup, MinTime: *minTime, RoundTimeout: *roundTimeout, Seed: *seed}
	newResults := func(side, bin string, env []string) *analysis.Results {
		res := &analysis.Results{
			Schema: analysis.ResultsSchema, Source: "xpcs-perf",
			Run: runner.RunInfo(getenv), Machine: runner.MachineInfo(getenv),
			Config: map[string]any{
				"mode": "ab", "ab_side": side, "ab_binary": bin, "ab_seed": *seed,
				"rounds": *rounds, "warmup_rounds": *warmup, "min_time": minTime.String(),
				"round_timeout": roundTimeout.String(), "cpus": *cpus, "categories": []string(cats), "sizes": []string(sizes), "filter": *filter,
				"ab_order": "ABBA blocks, orientation per block drawn from ab_seed; per benchmark in extra.ab_order",
			},
			Benchmarks: []analysis.Benchmark{},
		}
		if len(env) > 0 {
			res.Config["ab_env"] = env
		}
		res.Run.Started = time.Now().UTC()
		return res
	}
	base := newResults("base", *baseBin, bEnv)
	head := newResults("head", *headBin, hEnv)
	basePath, headPath := filepath.Join(*out, "baseline.json"), filepath.Join(*out, "results.json")
	write := func(b, h *analysis.Results) error {
		now := time.Now().UTC()
		b.Run.Finished, h.Run.Finished = now, now
		if err := analysis.WriteResultsFile(basePath, b); err != nil {
			return err
		}
		return analysis.WriteResultsFile(headPath, h)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case s := <-sigs:
			cancel(fmt.Errorf("received %v", s))
		case <-ctx.Done():
		}
	}()

	fmt.Fprintf(stderr, "ab: base %s, head %s, %d pairs per benchmark, seed %d, data %s\n", *baseBin, *headBin, *rounds, *seed, dd)
	bc, err := worker.StartOn(pin, "base", *baseBin, wargs, baseEnvList, stderr)
	if err != nil {
		return &exitError{code: 2, msg: "ab: " + err.Error()}
	}
	defer bc.Close(5 * time.Second)
	hc, err := worker.StartOn(pin, "head", *headBin, wargs, headEnvList, stderr)
	if err != nil {
		return &exitError{code: 2, msg: "ab: " + err.Error()}
	}
	defer hc.Close(5 * time.Second)
	var cpErr error
	sess := &worker.Session{Base: bc, Head: hc, Plan: plan, Progress: stderr,
		Checkpoint: func(b, h *analysis.Results) {
			if err := write(b, h); err != nil && cpErr == nil {
				cpErr = err
				fmt.Fprintln(stderr, "warning:", err)
			}
		}}
	runErr := sess.Run(ctx, base, head)
	if runErr != nil {
		note := "ab stopped early: " + runErr.Error()
		base.Notes = append(base.Notes, note)
		head.Notes = append(head.Notes, note)
	}
	if err := write(base, head); err != nil {
		return fmt.Errorf("ab: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s (%d benchmarks) and %s (%d benchmarks)\n", basePath, len(base.Benchmarks), headPath, len(head.Benchmarks))
	if runErr != nil {
		return &exitError{code: 2, msg: fmt.Sprintf("ab: %v\n(results measured so far written to %s)", runErr, *out)}
	}
	return nil
}

// sideEnv is this process's environment without the variables that must
// reach one side only.
func sideEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, runner.SlowdownEnv+"=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// parseCPUs parses "1", "0-1" or "0,2-3" (empty: none).
func parseCPUs(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad CPU %q", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad CPU range %q", part)
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out, nil
}
