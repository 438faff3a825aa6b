package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"github.com/xpcs-perf/xpcs-perf-action/runner/suite"
	"github.com/xpcs-perf/xpcs-perf-action/runner/worker"
)

// cmdWorker serves the A/B protocol (package runner/worker) on stdin and
// stdout for `xpcs-perf ab`. Anything the benchmarks print on stdout is
// moved to stderr so that stdout carries protocol lines only.
func cmdWorker(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	cfg := runner.DefaultConfig()
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var cats, sizes, data listFlag
	var (
		filter       = fs.String("filter", "", "regexp on benchmark IDs")
		dataDir      = fs.String("data-dir", "", "folder of the synthetic data files, shared with the other side (reused when present)")
		memIntensive = fs.Bool("memory-intensive", false, "also offer benchmarks marked memory_intensive")
		slowdown     = fs.String("inject-slowdown", "", "testing aid: REGEX=FACTOR[;...] (env "+runner.SlowdownEnv+")")
		debugFlag    = fs.Bool("debug", false, "detailed logging on stderr")
	)
	fs.Var(&cats, "category", "categories (default all)")
	fs.Var(&sizes, "sizes", "sizes (default tiny,small)")
	fs.Var(&data, "data", "HDF5 data file for benchmarks that read user data (repeatable)")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("worker: unexpected arguments %q", fs.Args())}
	}
	cfg.Apply(runner.Overrides{
		Categories: cats, Sizes: sizes, Data: data, Filter: *filter,
		MemoryIntensive: *memIntensive, Debug: *debugFlag, Slowdown: *slowdown, NoCounters: true,
	}, getenv)
	r, err := runner.NewRunner(cfg, stderr)
	if err != nil {
		return &exitError{code: 2, msg: "worker: " + err.Error()}
	}
	r.Getenv = getenv
	suite.Setup(r)
	if *dataDir != "" {
		if err := os.MkdirAll(*dataDir, 0o755); err != nil {
			return fmt.Errorf("worker: data folder: %w", err)
		}
		suite.SetDataDir(*dataDir)
	}
	defer suite.CleanupData()
	sel, err := suite.Registry().Select(&cfg, runner.AvailableMemoryMB())
	if err != nil {
		return &exitError{code: 2, msg: "worker: " + err.Error()}
	}
	out := stdout
	if stdout == io.Writer(os.Stdout) {
		// Protocol on a private copy of fd 1; fd 1 itself now points at
		// stderr, so stray prints cannot corrupt the protocol.
		fd, err := unix.Dup(1)
		if err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		if err := unix.Dup3(2, 1, 0); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		f := os.NewFile(uintptr(fd), "protocol")
		defer f.Close()
		out = f
	}
	srv := &worker.Server{Runner: r, Benches: sel.Run}
	return srv.Serve(ctx, os.Stdin, out)
}
