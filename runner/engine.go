package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Runner measures benchmarks with a Config. The zero Runner is not usable:
// build it with [NewRunner].
type Runner struct {
	Config Config
	// Progress receives progress events (nil: none).
	Progress Progress
	// Checkpoint, when set, is called with the results so far after every
	// benchmark (the CLI writes results.json atomically there, so a killed
	// run still leaves a valid file).
	Checkpoint func(*analysis.Results)
	// Getenv reads the environment for Environment (default os.Getenv).
	Getenv func(string) string
	// Finishers post-process the results after the last benchmark, in
	// order: derived figures that need several benchmarks (a suite's
	// complexity fits, parallel efficiency).
	Finishers []func(*analysis.Results)
	// HDF5Version, when set, reports the libhdf5 version for the machine
	// block of results.json (the engine itself does not link libhdf5).
	HDF5Version func() string

	logf      func(string, ...any)
	slowdown  []Slowdown
	precision time.Duration
	abandoned atomic.Int32
}

// NewRunner checks c and returns a Runner. logw receives debug logging when
// c.Debug is set (nil: stderr).
func NewRunner(c Config, logw io.Writer) (*Runner, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if logw == nil {
		logw = os.Stderr
	}
	r := &Runner{Config: c, Getenv: os.Getenv}
	r.logf = debugLogger(c.Debug, log.New(logw, "xpcs-perf debug: ", log.Lmicroseconds))
	if c.Slowdown != "" {
		var err error
		if r.slowdown, err = ParseSlowdown(c.Slowdown); err != nil {
			return nil, err
		}
	}
	r.precision = TimerPrecision()
	return r, nil
}

// TimerPrecision estimates the resolution of the monotonic clock: the
// smallest non-zero difference between consecutive time.Now readings, as
// pytest-benchmark's compute_timer_precision does.
func TimerPrecision() time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 20 {
		t1 := time.Now()
		t2 := time.Now()
		for t2.Sub(t1) == 0 {
			t2 = time.Now()
		}
		best = min(best, t2.Sub(t1))
	}
	return best
}

// Run measures benches in order, honouring the time budget and ctx (SIGINT /
// SIGTERM in the CLI). It always returns the results measured so far; the
// benchmarks it did not start are named in Results.Notes.
func (r *Runner) Run(ctx context.Context, benches []*Benchmark) *analysis.Results {
	getenv := r.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	res := &analysis.Results{
		Schema:  analysis.ResultsSchema,
		Source:  "xpcs-perf",
		Run:     RunInfo(getenv),
		Machine: MachineInfo(getenv),
		Config:  r.Config.Map(),
	}
	if r.HDF5Version != nil {
		res.Machine.HDF5Version = r.HDF5Version()
	}
	res.Run.Shard = r.Config.Shard
	res.Run.Started = time.Now().UTC()
	res.Config["timer_precision_s"] = r.precision.Seconds()
	res.Config["gomaxprocs"] = runtime.GOMAXPROCS(0)
	prog := r.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	prog.Start(len(benches))
	start := time.Now()
	budget := r.Config.TimeBudget.D()
	var skipped []string
	for i, b := range benches {
		id := b.ID()
		if ctx.Err() != nil {
			skipped = append(skipped, id)
			continue
		}
		if budget > 0 && time.Since(start) >= budget {
			skipped = append(skipped, id)
			continue
		}
		prog.Begin(i, b)
		remaining := time.Duration(0)
		if budget > 0 {
			remaining = budget - time.Since(start)
		}
		rb, skip := r.measureIsolated(ctx, b, remaining)
		if skip != "" {
			res.Notes = append(res.Notes, "skipped "+id+": "+skip)
			prog.Skipped(id + ": " + skip)
			continue
		}
		res.Benchmarks = append(res.Benchmarks, rb)
		prog.End(i, b, &res.Benchmarks[len(res.Benchmarks)-1])
		if r.Checkpoint != nil {
			r.Checkpoint(res)
		}
	}
	if len(skipped) > 0 {
		why := "time budget " + budget.String() + " exhausted"
		if ctx.Err() != nil {
			why = "run interrupted (" + context.Cause(ctx).Error() + ")"
		}
		msg := fmt.Sprintf("%s: %d of %d benchmarks not run: %s", why, len(skipped), len(benches), strings.Join(skipped, ", "))
		res.Notes = append(res.Notes, msg)
		prog.Skipped(msg)
	}
	for _, f := range r.Finishers {
		f(res)
	}
	if n := r.abandoned.Load(); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d benchmark(s) timed out and were abandoned while still running; later timings may be disturbed", n))
	}
	res.Run.Finished = time.Now().UTC()
	prog.Done(res)
	return res
}

// outcome is what a benchmark goroutine reports.
type outcome struct {
	b   analysis.Benchmark
	err error
}

// measureIsolated runs one benchmark in its own goroutine so that a panic,
// an error or a hang cannot take the run down: see the package doc.
// budgetLeft > 0 caps the benchmark's planned time. A non-empty skip means
// Setup declined with ErrSkip.
func (r *Runner) measureIsolated(ctx context.Context, b *Benchmark, budgetLeft time.Duration) (_ analysis.Benchmark, skip string) {
	base := skeleton(b)
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan outcome, 1) // buffered: an abandoned goroutine must not block forever
	maxTime := r.Config.MaxTime.D()
	if budgetLeft > 0 && budgetLeft < maxTime {
		maxTime = budgetLeft
	}
	go func() {
		runtime.LockOSThread() // perf counters follow the thread
		defer runtime.UnlockOSThread()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("panic: %v\n%s", p, firstLines(debug.Stack(), 12))}
			}
		}()
		rb, err := r.measure(bctx, b, maxTime)
		done <- outcome{rb, err}
	}()
	hard := time.NewTimer(r.Config.MaxTime.D() + r.Config.Grace.D())
	defer hard.Stop()
	select {
	case o := <-done:
		if errors.Is(o.err, ErrSkip) {
			return base, o.err.Error()
		}
		if o.err != nil {
			base.Error = o.err.Error()
			if len(o.b.Samples) > 0 { // keep what was measured before the error
				o.b.Error = base.Error
				return o.b, ""
			}
			return base, ""
		}
		return o.b, ""
	case <-hard.C:
		cancel()
		r.abandoned.Add(1)
		base.Error = fmt.Sprintf("exceeded max time %v (+%v grace): abandoned", r.Config.MaxTime, r.Config.Grace)
	case <-ctx.Done():
		// Give a cooperative benchmark a moment to stop between rounds.
		select {
		case o := <-done:
			if o.err == nil && len(o.b.Samples) > 0 {
				o.b.Error = "interrupted: " + context.Cause(ctx).Error()
				return o.b, ""
			}
		case <-time.After(200 * time.Millisecond):
			r.abandoned.Add(1)
		}
		base.Error = "interrupted: " + context.Cause(ctx).Error()
	}
	return base, ""
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// skeleton is the result before measuring: identity only.
func skeleton(b *Benchmark) analysis.Benchmark {
	return analysis.Benchmark{
		ID:        b.ID(),
		Category:  b.Category,
		Group:     b.Group,
		Name:      b.Name,
		Params:    maps.Clone(b.Params),
		Markers:   b.Markers,
		Unit:      "s",
		Direction: analysis.LowerIsBetter,
		Samples:   []float64{},
	}
}

var errStop = errors.New("stopped")

// ErrSkip, wrapped in an error returned by a benchmark's Setup, leaves the
// benchmark out of the results (named with the reason in the notes) instead
// of recording it as errored: for variants this machine cannot run, such as
// a compression filter whose plugin is not installed.
var ErrSkip = errors.New("skipped")

// measure is the measurement proper (runs on the benchmark goroutine).
func (r *Runner) measure(ctx context.Context, b *Benchmark, maxTime time.Duration) (analysis.Benchmark, error) {
	out := skeleton(b)
	begin := time.Now()
	id := out.ID
	logf := func(format string, args ...any) { r.logf(id+": "+format, args...) }
	rssReset := resetPeakRSS()

	tmp, err := os.MkdirTemp("", "xpcs-perf-bench-")
	if err != nil {
		return out, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	env := &Env{Ctx: ctx, Params: maps.Clone(b.Params), TempDir: tmp, Data: r.Config.Data, Logf: logf}
	if s, ok := Sizes[b.Params["size"]]; ok {
		env.Size = s
	}
	op, err := b.Setup(env)
	if errors.Is(err, ErrSkip) {
		return out, err
	}
	if err != nil {
		return out, fmt.Errorf("setup: %w", err)
	}
	if op == nil || op.Run == nil {
		return out, errors.New("setup returned no operation")
	}
	if op.Teardown != nil {
		defer func() {
			if err := op.Teardown(); err != nil {
				logf("teardown: %v", err)
			}
		}()
	}
	fn := op.Run
	factor := slowdownFactor(r.slowdown, id)
	fn = slowed(fn, factor)

	round := func(n int) (time.Duration, error) {
		start := time.Now()
		for range n {
			if err := fn(); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	// The "before" variant of a paired benchmark (Op.Before), run interleaved.
	var pair func() error
	var pairIters int
	var pairSamples []float64
	if op.Before != nil {
		pair = slowed(op.Before, factor)
		pairIters = 1
	}
	pairRound := func(n int) (time.Duration, error) {
		start := time.Now()
		for range n {
			if err := pair(); err != nil {
				return 0, fmt.Errorf("before variant: %w", err)
			}
		}
		return time.Since(start), nil
	}

	// Plan: iterations per round, warm-up and rounds.
	var iters, rounds, warmup int
	var est time.Duration // estimated duration of one round
	minTime := max(r.Config.MinTime.D(), 10*r.precision)
	if p := op.Pedantic; p != nil {
		iters, rounds, warmup = max(p.Iterations, 1), max(p.Rounds, 1), p.WarmupRounds
	} else {
		warmup = r.Config.WarmupRounds
		// One untimed call first: a cold first call (page faults, file
		// caches, lazy init) must not end calibration at one iteration.
		if _, err := round(1); err != nil {
			return out, fmt.Errorf("first call: %w", err)
		}
		if pair != nil {
			if _, err := pairRound(1); err != nil {
				return out, fmt.Errorf("first call: %w", err)
			}
		}
		var err error
		if iters, est, err = r.calibrate(ctx, round, minTime, begin, maxTime); err != nil {
			return out, err
		}
		if pair != nil {
			bi, be, err := r.calibrate(ctx, pairRound, minTime, begin, maxTime)
			if err != nil {
				return out, fmt.Errorf("before variant: %w", err)
			}
			pairIters = bi
			est += be
		}
		logf("calibrated %d iterations per round (%v per round, min %v)", iters, est, minTime)
	}
	setupRound := func() error {
		if op.Pedantic != nil && op.Pedantic.Setup != nil {
			if err := op.Pedantic.Setup(); err != nil {
				return fmt.Errorf("round setup: %w", err)
			}
		}
		return nil
	}
	warmStart := time.Now()
	for w := range warmup {
		if ctx.Err() != nil {
			return out, errStop
		}
		if err := setupRound(); err != nil {
			return out, err
		}
		d, err := round(iters)
		if err != nil {
			return out, fmt.Errorf("warm-up: %w", err)
		}
		if pair != nil {
			d2, err := pairRound(pairIters)
			if err != nil {
				return out, fmt.Errorf("warm-up: %w", err)
			}
			d += d2
		}
		est = d
		if time.Since(warmStart) > maxTime/5 {
			logf("warm-up cut at %d rounds (%v)", w+1, time.Since(warmStart))
			break
		}
	}
	if op.Pedantic == nil {
		rounds = r.Config.Rounds
		left := maxTime - time.Since(begin)
		if est > 0 && time.Duration(rounds)*est > left*9/10 {
			rounds = max(r.Config.MinRounds, int(float64(left*9/10)/float64(est)))
			rounds = min(rounds, r.Config.Rounds)
			logf("rounds reduced to %d to fit %v", rounds, maxTime)
		}
		rounds = max(rounds, min(r.Config.MinRounds, r.Config.Rounds))
	}

	var counters *hwCounters
	cnt := &analysis.Counters{}
	if r.Config.Counters {
		if counters, err = openCounters(); err != nil {
			cnt.Reason = err.Error()
		} else {
			defer counters.close()
		}
	} else {
		cnt.Reason = "disabled by configuration"
	}

	var cpuProf *os.File
	if r.Config.ProfileDir != "" {
		if cpuProf, err = os.Create(filepath.Join(r.Config.ProfileDir, profileName(id)+".cpu.pprof")); err == nil {
			if err := pprof.StartCPUProfile(cpuProf); err != nil {
				logf("cpu profile: %v", err)
				cpuProf.Close()
				cpuProf = nil
			}
		} else {
			logf("cpu profile: %v", err)
		}
	}

	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	heapStart, gcStart := ms0.HeapAlloc, ms0.NumGC
	gorStart := runtime.NumGoroutine()
	var bytesS, allocS, mbps, instrS, cpuS []float64
	var instrTot, cycTot, nCounted uint64
	out.Samples = make([]float64, 0, rounds)
	var roundErr error
	for i := range rounds {
		if ctx.Err() != nil {
			break
		}
		if roundErr = setupRound(); roundErr != nil {
			break
		}
		// Paired: alternate the order (before-after, after-before) so that
		// drift in machine speed affects both variants alike.
		runPair := func() error {
			d, err := pairRound(pairIters)
			if err == nil {
				pairSamples = append(pairSamples, d.Seconds()/float64(pairIters))
			}
			return err
		}
		if pair != nil && i%2 == 0 {
			if roundErr = runPair(); roundErr != nil {
				break
			}
		}
		runtime.ReadMemStats(&ms0)
		cpu0 := processCPUTime()
		if counters != nil {
			counters.start()
		}
		d, err := round(iters)
		cpu1 := processCPUTime()
		if counters != nil {
			in, cy, cerr := counters.stop()
			if cerr != nil {
				cnt.Reason = cerr.Error()
				counters.close()
				counters = nil
			} else {
				instrTot += in
				cycTot += cy
				nCounted += uint64(iters)
				instrS = append(instrS, float64(in)/float64(iters))
			}
		}
		runtime.ReadMemStats(&ms1)
		if err != nil {
			roundErr = err
			break
		}
		if pair != nil && i%2 == 1 {
			if roundErr = runPair(); roundErr != nil {
				break
			}
		}
		n := float64(iters)
		out.Samples = append(out.Samples, d.Seconds()/n)
		bytesS = append(bytesS, float64(ms1.TotalAlloc-ms0.TotalAlloc)/n)
		allocS = append(allocS, float64(ms1.Mallocs-ms0.Mallocs)/n)
		if cpu0 >= 0 && cpu1 >= cpu0 {
			cpuS = append(cpuS, (cpu1-cpu0).Seconds()/n)
		}
		if op.Bytes > 0 && d > 0 {
			mbps = append(mbps, float64(op.Bytes)*n/d.Seconds()/1e6)
		}
	}
	if cpuProf != nil {
		pprof.StopCPUProfile()
		cpuProf.Close()
	}
	gorGrowth := runtime.NumGoroutine() - gorStart
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	if r.Config.ProfileDir != "" {
		if f, err := os.Create(filepath.Join(r.Config.ProfileDir, profileName(id)+".heap.pprof")); err == nil {
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}

	out.Iterations = iters
	out.Rounds = len(out.Samples)
	st := analysis.Describe(out.Samples, out.Unit)
	out.Stats = &st
	out.Memory = &analysis.Memory{
		BytesPerOp:      mean(bytesS),
		AllocsPerOp:     mean(allocS),
		PeakRSSBytes:    peakRSS(),
		GCCycles:        ms1.NumGC - gcStart,
		HeapGrowthBytes: int64(ms1.HeapAlloc) - int64(heapStart),
		GoroutineGrowth: gorGrowth,
	}
	out.Metrics = map[string]analysis.Metric{
		"B/op":      {Unit: "B/op", Direction: analysis.LowerIsBetter, Samples: bytesS},
		"allocs/op": {Unit: "allocs/op", Direction: analysis.LowerIsBetter, Samples: allocS},
	}
	if len(cpuS) == len(out.Samples) && len(cpuS) > 0 {
		out.Metrics[CPUMetric] = analysis.Metric{Unit: CPUMetric, Direction: analysis.LowerIsBetter, Samples: cpuS}
	}
	if len(mbps) > 0 {
		out.Metrics["MB/s"] = analysis.Metric{Unit: "MB/s", Direction: analysis.HigherIsBetter, Samples: mbps}
	}
	if nCounted > 0 {
		cnt.Available = true
		cnt.InstructionsOp = float64(instrTot) / float64(nCounted)
		cnt.CyclesOp = float64(cycTot) / float64(nCounted)
		cnt.InstructionSamp = instrS
		cnt.Reason = "user-space counts of the benchmark's own OS thread (goroutines it starts are not counted)"
		out.Metrics["instructions/op"] = analysis.Metric{Unit: "instructions/op", Direction: analysis.LowerIsBetter, Samples: instrS}
	}
	out.Counters = cnt
	if pair != nil && len(pairSamples) > 0 {
		out.Metrics[BeforeMetric] = analysis.Metric{Unit: "s", Direction: analysis.LowerIsBetter, Samples: pairSamples}
	}

	extra := maps.Clone(b.Extra)
	if extra == nil {
		extra = map[string]any{}
	}
	env.mu.Lock()
	maps.Copy(extra, env.extra)
	env.mu.Unlock()
	extra["min_round_time_s"] = minTime.Seconds()
	extra["warmup_rounds"] = warmup
	extra["pedantic"] = op.Pedantic != nil
	extra["duration_s"] = time.Since(begin).Seconds()
	if !rssReset {
		extra["peak_rss_scope"] = "process (VmHWM could not be reset)"
	}
	if factor > 1 {
		extra["injected_slowdown"] = factor
	}
	if pair != nil && len(pairSamples) > 0 && len(out.Samples) > 0 {
		addImprovement(extra, pairSamples, out.Samples, pairIters)
	}
	out.Extra = extra
	if roundErr != nil {
		return out, roundErr
	}
	if len(out.Samples) == 0 {
		return out, errStop
	}
	return out, nil
}

// calibrate finds the iterations per round for which one round lasts at
// least minTime, as pytest-benchmark's calibration does; it returns them with
// the last round's duration.
func (r *Runner) calibrate(ctx context.Context, round func(int) (time.Duration, error), minTime time.Duration, begin time.Time, maxTime time.Duration) (int, time.Duration, error) {
	iters := 1
	for {
		if ctx.Err() != nil {
			return 0, 0, errStop
		}
		d, err := round(iters)
		if err != nil {
			return 0, 0, fmt.Errorf("calibration: %w", err)
		}
		if d >= minTime || time.Since(begin) > maxTime/4 {
			return iters, d, nil
		}
		// Extrapolate like pytest-benchmark (ceil(min_time*loops/duration)),
		// with 20% headroom and at most 100x per step against a noisy first
		// round.
		next := iters * 100
		if d > r.precision {
			next = min(next, int(math.Ceil(1.2*float64(minTime)*float64(iters)/float64(d))))
		}
		iters = max(next, iters+1)
	}
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._=-]+`)

// profileName turns an ID into a file name.
func profileName(id string) string { return strings.Trim(unsafeName.ReplaceAllString(id, "_"), "_") }
