package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"github.com/xpcs-perf/xpcs-perf-action/runner/suite"
)

// listFlag is a repeatable or comma-separated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// exportFlag collects FORMAT=FILE pairs.
type exportFlag [][2]string

func (e *exportFlag) String() string { return fmt.Sprint(*e) }
func (e *exportFlag) Set(s string) error {
	f, path, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return fmt.Errorf("want FORMAT=FILE or FORMAT FILE (FORMAT %s or %s)", runner.ExportPytest, runner.ExportGo)
	}
	if f != runner.ExportPytest && f != runner.ExportGo {
		return fmt.Errorf("unknown export format %q (want %s or %s)", f, runner.ExportPytest, runner.ExportGo)
	}
	*e = append(*e, [2]string{f, path})
	return nil
}

// joinExportArgs rewrites "--export FORMAT FILE" into "--export=FORMAT=FILE"
// so that the documented two-word form works with the flag package.
func joinExportArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--export" || a == "-export") && i+2 < len(args) &&
			!strings.Contains(args[i+1], "=") && !strings.HasPrefix(args[i+2], "-") {
			out = append(out, "--export="+args[i+1]+"="+args[i+2])
			i += 2
			continue
		}
		out = append(out, a)
	}
	return out
}

// cmdRun measures the selected benchmarks into --out. SIGINT and SIGTERM
// stop it after the benchmark in progress, with the partial results written.
func cmdRun(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	cfg := runner.DefaultConfig()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var (
		cats, sizes, data listFlag
		exports           exportFlag
		configPath        = fs.String("config", runner.ConfigFileName, "JSON config file overriding the defaults (optional when it is the default name)")
		out               = fs.String("out", "results.json", "results file (written atomically, also after every benchmark)")
		filter            = fs.String("filter", "", "regexp on benchmark IDs")
		rounds            = fs.Int("rounds", 0, "timed rounds per benchmark (default 10, min 5)")
		warmup            = fs.Int("warmup", -1, "warm-up rounds (default 3)")
		maxTime           = fs.Duration("max-time", 0, "maximum time per benchmark (default 30s)")
		minTime           = fs.Duration("min-time", 0, "minimum duration of one round (default 10ms)")
		budget            = fs.Duration("time-budget", -1, "time budget of the whole run; 0 = unlimited (default 5m)")
		shard             = fs.String("shard", "", "run shard i/n of the selection (stable hash split)")
		profile           = fs.String("profile", "", "write pprof CPU and heap profiles per benchmark into this folder")
		memIntensive      = fs.Bool("memory-intensive", false, "also run benchmarks marked memory_intensive")
		slowdown          = fs.String("inject-slowdown", "", "testing aid: REGEX=FACTOR[;...] really slows matching benchmarks (env "+runner.SlowdownEnv+")")
		noCounters        = fs.Bool("no-counters", false, "do not open hardware performance counters")
		gomaxprocs        = fs.Int("gomaxprocs", 0, "pin GOMAXPROCS for the run (0 = leave)")
		progress          = fs.String("progress", "auto", "progress output: auto, terminal, github, lines, none")
		debugFlag         = fs.Bool("debug", false, "detailed logging (also "+runner.DebugEnv+"=1)")
		cacheSim          = fs.Bool("cache-sim", false, "with --metric instructions: callgrind's cache simulation and an estimated-cycles figure per operation (shown, not judged; about 2x slower)")
		metric            = fs.String("metric", "", "what the rounds measure: time (default) or instructions (instruction counts under valgrind --tool=callgrind; needs Debian's valgrind)")
	)
	fs.Var(&cats, "category", "categories to run (comma-separated or repeated; default all)")
	fs.Var(&sizes, "sizes", "sizes to run (default tiny,small)")
	fs.Var(&data, "data", "HDF5 data file for benchmarks that read user data (repeatable)")
	fs.Var(&exports, "export", "also write FORMAT=FILE or FORMAT FILE: pytest-benchmark or gobench (repeatable)")
	if err := parseFlags(fs, stderr, joinExportArgs(args)); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("run: unexpected arguments %q", fs.Args())}
	}
	explicitConfig := false
	fs.Visit(func(f *flag.Flag) { explicitConfig = explicitConfig || f.Name == "config" })
	if err := runner.LoadConfigFile(&cfg, *configPath, !explicitConfig); err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	// Every file this run writes, checked before anything is measured.
	paths := []string{*out}
	for _, e := range exports {
		paths = append(paths, e[1])
	}
	for _, p := range paths {
		if err := analysis.CheckWritable(filepath.Dir(p)); err != nil {
			return &exitError{code: 2, msg: fmt.Sprintf("run: %v (nothing measured yet; fix --out/--export)", err)}
		}
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return fmt.Errorf("run: profile folder: %w", err)
		}
	}
	cfg.Apply(runner.Overrides{
		Categories: cats, Sizes: sizes, Data: data, Filter: *filter,
		Rounds: *rounds, Warmup: *warmup, MaxTime: *maxTime, MinTime: *minTime, TimeBudget: *budget,
		Shard: *shard, ProfileDir: *profile, MemoryIntensive: *memIntensive, NoCounters: *noCounters,
		Debug: *debugFlag, Slowdown: *slowdown, Metric: *metric, CacheSim: *cacheSim,
	}, getenv)
	if err := cfg.Validate(); err != nil {
		return &exitError{code: 2, msg: "run: " + err.Error()}
	}
	if cfg.Metric == runner.MetricModeInstructions && !runner.UnderCallgrind(getenv) {
		return runUnderCallgrind(ctx, stdout, stderr, args, cfg.CacheSim)
	}
	if *gomaxprocs > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*gomaxprocs))
	}
	r, err := runner.NewRunner(cfg, stderr)
	if err != nil {
		return &exitError{code: 2, msg: "run: " + err.Error()}
	}
	r.Getenv = getenv
	suite.Setup(r)
	sel, err := suite.Registry().Select(&cfg, runner.AvailableMemoryMB())
	if err != nil {
		return &exitError{code: 2, msg: "run: " + err.Error()}
	}
	if len(sel.Run) == 0 {
		return &exitError{code: 2, msg: "run: no benchmark matches the selection (see xpcs-perf list)"}
	}
	for _, s := range sel.Skipped {
		fmt.Fprintf(stderr, "skip %s: %s\n", s.ID, s.Reason)
	}
	r.Progress = chooseProgress(*progress, stderr, getenv)
	var cpErr error
	r.Checkpoint = func(res *analysis.Results) {
		if err := analysis.WriteResultsFile(*out, res); err != nil && cpErr == nil {
			cpErr = err
			fmt.Fprintln(stderr, "warning:", err)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
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
	defer cancel(nil)
	defer suite.CleanupData() // the synthetic HDF5 files in the temp folder
	res := r.Run(ctx, sel.Run)
	for _, s := range sel.Skipped {
		res.Notes = append(res.Notes, "skipped "+s.ID+": "+s.Reason)
	}
	if err := analysis.WriteResultsFile(*out, res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d benchmarks)\n", *out, len(res.Benchmarks))
	for _, e := range exports {
		if err := runner.Export(e[0], e[1], res); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s (%s)\n", e[1], e[0])
	}
	if ctx.Err() != nil {
		return &exitError{code: 130, msg: fmt.Sprintf("run interrupted (%v): partial results written to %s", context.Cause(ctx), *out)}
	}
	return nil
}

// chooseProgress picks the progress display: GitHub groups under Actions, a
// live line on a terminal, plain lines otherwise.
func chooseProgress(mode string, w io.Writer, getenv func(string) string) runner.Progress {
	if mode == "auto" {
		switch {
		case getenv("GITHUB_ACTIONS") == "true":
			mode = "github"
		case isTerminal(w):
			mode = "terminal"
		default:
			mode = "lines"
		}
	}
	switch mode {
	case "github":
		return runner.NewGitHubProgress(w)
	case "terminal":
		return runner.NewTerminalProgress(w)
	case "none":
		return nil
	}
	return runner.NewLineProgress(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
