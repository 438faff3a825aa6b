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
	callgrind *callgrind // counting instructions (Config.Metric), else nil
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
	if c.Metric == MetricModeInstructions {
		r.Config.Counters = false // callgrind counts; perf events under Valgrind would not
		var err error
		if r.callgrind, err = newCallgrind(os.Getenv(CallgrindOutEnv)); err != nil {
			return nil, err
		}
		r.callgrind.cacheSim = c.CacheSim
	}
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

// measure is the measurement proper (runs on the benchmark goroutine):
// setup, the plan (first call, calibration, warm-up, rounds), the timed
// rounds under the profilers and counters, and the result record.
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
	t := newTrial(r, ctx, op, id, logf, begin, maxTime)
	if err := t.plan(); err != nil {
		return out, err
	}
	if t.counters != nil {
		defer t.counters.close()
	}
	stopProfile := r.startCPUProfile(id, logf)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapStart, gcStart := ms.HeapAlloc, ms.NumGC
	gorStart := runtime.NumGoroutine()
	roundErr := t.runRounds()
	stopProfile()
	gorGrowth := runtime.NumGoroutine() - gorStart
	runtime.GC()
	runtime.ReadMemStats(&ms)
	r.writeHeapProfile(id)

	t.record(&out, b, env)
	out.Memory = &analysis.Memory{
		BytesPerOp:      mean(t.bytesS),
		AllocsPerOp:     mean(t.allocS),
		PeakRSSBytes:    peakRSS(),
		GCCycles:        ms.NumGC - gcStart,
		HeapGrowthBytes: int64(ms.HeapAlloc) - int64(heapStart),
		GoroutineGrowth: gorGrowth,
	}
	if !rssReset {
		out.Extra["peak_rss_scope"] = "process (VmHWM could not be reset)"
	}
	if roundErr != nil {
		return out, roundErr
	}
	if len(out.Samples) == 0 {
		return out, errStop
	}
	return out, nil
}

// trial is one benchmark being measured: its operation (slowed when a
// slowdown is injected) and the "before" variant of a paired benchmark, the
// plan (iterations per round, warm-up, rounds) and the samples of the timed
// rounds.
type trial struct {
	r       *Runner
	ctx     context.Context
	op      *Op
	logf    func(string, ...any)
	begin   time.Time
	maxTime time.Duration
	factor  float64
	fn      func() error
	pair    func() error // Op.Before, run interleaved; nil when unpaired

	// The plan.
	minTime                          time.Duration
	iters, pairIters, warmup, rounds int

	// The samples, one per round.
	samples, pairSamples               []float64
	bytesS, allocS, mbps, instrS, cpuS []float64
	counters                           *hwCounters
	cnt                                *analysis.Counters
	instrTot, cycTot, nCounted         uint64
	count                              *roundCount // instruction counts under callgrind (nil: time)
}

func newTrial(r *Runner, ctx context.Context, op *Op, id string, logf func(string, ...any), begin time.Time, maxTime time.Duration) *trial {
	t := &trial{r: r, ctx: ctx, op: op, logf: logf, begin: begin, maxTime: maxTime}
	t.factor = slowdownFactor(r.slowdown, id)
	t.fn = slowed(op.Run, t.factor)
	if op.Before != nil {
		t.pair = slowed(op.Before, t.factor)
		t.pairIters = 1
	}
	t.minTime = max(r.Config.MinTime.D(), 10*r.precision)
	if t.count = r.countRounds(t.factor); t.count != nil {
		// Counting instructions: the slowdown is extra counted work (see
		// roundCount) and a paired benchmark's "before" variant is not run.
		t.fn, t.pair = op.Run, nil
	}
	return t
}

// round runs the operation n times and returns the elapsed time.
func (t *trial) round(n int) (time.Duration, error) {
	start := time.Now()
	for range n {
		if err := t.fn(); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// pairRound is round for the "before" variant.
func (t *trial) pairRound(n int) (time.Duration, error) {
	start := time.Now()
	for range n {
		if err := t.pair(); err != nil {
			return 0, fmt.Errorf("before variant: %w", err)
		}
	}
	return time.Since(start), nil
}

// setupRound runs the pedantic per-round setup, if any.
func (t *trial) setupRound() error {
	if t.op.Pedantic != nil && t.op.Pedantic.Setup != nil {
		if err := t.op.Pedantic.Setup(); err != nil {
			return fmt.Errorf("round setup: %w", err)
		}
	}
	return nil
}

// plan fixes the iterations per round (pedantic, or one untimed first call
// and calibration), runs the warm-up rounds, fixes the number of timed
// rounds within maxTime and opens the hardware counters.
func (t *trial) plan() error {
	r := t.r
	var est time.Duration // estimated duration of one round
	if p := t.op.Pedantic; p != nil {
		t.iters, t.rounds, t.warmup = max(p.Iterations, 1), max(p.Rounds, 1), p.WarmupRounds
	} else {
		t.warmup = r.Config.WarmupRounds
		// One untimed call first: a cold first call (page faults, file
		// caches, lazy init) must not end calibration at one iteration.
		if _, err := t.round(1); err != nil {
			return fmt.Errorf("first call: %w", err)
		}
		if t.pair != nil {
			if _, err := t.pairRound(1); err != nil {
				return fmt.Errorf("first call: %w", err)
			}
		}
		var err error
		if t.iters, est, err = r.calibrate(t.ctx, t.round, t.minTime, t.begin, t.maxTime); err != nil {
			return err
		}
		if t.pair != nil {
			bi, be, err := r.calibrate(t.ctx, t.pairRound, t.minTime, t.begin, t.maxTime)
			if err != nil {
				return fmt.Errorf("before variant: %w", err)
			}
			t.pairIters = bi
			est += be
		}
		t.logf("calibrated %d iterations per round (%v per round, min %v)", t.iters, est, t.minTime)
		if t.count != nil { // counting instructions: iterations from a count, not the clock
			if t.iters, err = t.count.calibrate(t.fn); err != nil {
				return err
			}
			t.logf("counting instructions: %d iterations per round", t.iters)
		}
	}
	warmStart := time.Now()
	for w := range t.warmup {
		if t.ctx.Err() != nil {
			return errStop
		}
		if err := t.setupRound(); err != nil {
			return err
		}
		d, err := t.round(t.iters)
		if err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if t.pair != nil {
			d2, err := t.pairRound(t.pairIters)
			if err != nil {
				return fmt.Errorf("warm-up: %w", err)
			}
			d += d2
		}
		est = d
		if time.Since(warmStart) > t.maxTime/5 {
			t.logf("warm-up cut at %d rounds (%v)", w+1, time.Since(warmStart))
			break
		}
	}
	if t.op.Pedantic == nil {
		t.rounds = r.Config.Rounds
		left := t.maxTime - time.Since(t.begin)
		if est > 0 && time.Duration(t.rounds)*est > left*9/10 {
			t.rounds = max(r.Config.MinRounds, int(float64(left*9/10)/float64(est)))
			t.rounds = min(t.rounds, r.Config.Rounds)
			t.logf("rounds reduced to %d to fit %v", t.rounds, t.maxTime)
		}
		t.rounds = max(t.rounds, min(r.Config.MinRounds, r.Config.Rounds))
	}

	t.cnt = &analysis.Counters{}
	if r.Config.Counters {
		var err error
		if t.counters, err = openCounters(); err != nil {
			t.cnt.Reason = err.Error()
		}
	} else {
		t.cnt.Reason = "disabled by configuration"
	}
	return nil
}

// runRounds runs the timed rounds, recording per round the time, bytes and
// allocations, CPU time, throughput and instructions per operation, and the
// "before" variant's time in alternating order. It stops at the first error
// (returned) or when ctx is done.
func (t *trial) runRounds() error {
	var ms0, ms1 runtime.MemStats
	t.samples = make([]float64, 0, t.rounds)
	counters := t.counters
	// Paired: alternate the order (before-after, after-before) so that
	// drift in machine speed affects both variants alike.
	runPair := func() error {
		d, err := t.pairRound(t.pairIters)
		if err == nil {
			t.pairSamples = append(t.pairSamples, d.Seconds()/float64(t.pairIters))
		}
		return err
	}
	for i := range t.rounds {
		if t.ctx.Err() != nil {
			break
		}
		if err := t.setupRound(); err != nil {
			return err
		}
		if t.pair != nil && i%2 == 0 {
			if err := runPair(); err != nil {
				return err
			}
		}
		t.count.prepare() // outside the memory and counted windows
		runtime.ReadMemStats(&ms0)
		cpu0 := processCPUTime()
		if counters != nil {
			counters.start()
		}
		t.count.begin()
		d, err := t.round(t.iters)
		t.count.end()
		cpu1 := processCPUTime()
		if counters != nil {
			in, cy, cerr := counters.stop()
			if cerr != nil {
				t.cnt.Reason = cerr.Error()
				counters.close()
				counters = nil
			} else {
				t.instrTot += in
				t.cycTot += cy
				t.nCounted += uint64(t.iters)
				t.instrS = append(t.instrS, float64(in)/float64(t.iters))
			}
		}
		runtime.ReadMemStats(&ms1)
		if cerr := t.count.collect(t.iters); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if t.pair != nil && i%2 == 1 {
			if err := runPair(); err != nil {
				return err
			}
		}
		n := float64(t.iters)
		t.samples = append(t.samples, d.Seconds()/n)
		t.bytesS = append(t.bytesS, float64(ms1.TotalAlloc-ms0.TotalAlloc)/n)
		t.allocS = append(t.allocS, float64(ms1.Mallocs-ms0.Mallocs)/n)
		if cpu0 >= 0 && cpu1 >= cpu0 {
			t.cpuS = append(t.cpuS, (cpu1-cpu0).Seconds()/n)
		}
		if t.op.Bytes > 0 && d > 0 {
			t.mbps = append(t.mbps, float64(t.op.Bytes)*n/d.Seconds()/1e6)
		}
	}
	return nil
}

// startCPUProfile starts a CPU profile of the rounds into
// Config.ProfileDir (when set) and returns the function that stops it.
func (r *Runner) startCPUProfile(id string, logf func(string, ...any)) (stop func()) {
	stop = func() {}
	if r.Config.ProfileDir == "" {
		return stop
	}
	f, err := os.Create(filepath.Join(r.Config.ProfileDir, profileName(id)+".cpu.pprof"))
	if err != nil {
		logf("cpu profile: %v", err)
		return stop
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		logf("cpu profile: %v", err)
		f.Close()
		return stop
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// writeHeapProfile writes the heap profile after the rounds into
// Config.ProfileDir (when set).
func (r *Runner) writeHeapProfile(id string) {
	if r.Config.ProfileDir == "" {
		return
	}
	if f, err := os.Create(filepath.Join(r.Config.ProfileDir, profileName(id)+".heap.pprof")); err == nil {
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}

// record fills out, the benchmark's result record, from the trial: samples
// and their statistics, the metrics, the counters and extra (the
// benchmark's, those its Setup recorded, and the plan's).
func (t *trial) record(out *analysis.Benchmark, b *Benchmark, env *Env) {
	out.Samples = t.samples
	out.Iterations = t.iters
	out.Rounds = len(out.Samples)
	st := analysis.Describe(out.Samples, out.Unit)
	out.Stats = &st
	out.Metrics = map[string]analysis.Metric{
		"B/op":      {Unit: "B/op", Direction: analysis.LowerIsBetter, Samples: t.bytesS},
		"allocs/op": {Unit: "allocs/op", Direction: analysis.LowerIsBetter, Samples: t.allocS},
	}
	if len(t.cpuS) == len(out.Samples) && len(t.cpuS) > 0 {
		out.Metrics[CPUMetric] = analysis.Metric{Unit: CPUMetric, Direction: analysis.LowerIsBetter, Samples: t.cpuS}
	}
	if len(t.mbps) > 0 {
		out.Metrics["MB/s"] = analysis.Metric{Unit: "MB/s", Direction: analysis.HigherIsBetter, Samples: t.mbps}
	}
	cnt := t.cnt
	if t.nCounted > 0 {
		cnt.Available = true
		cnt.InstructionsOp = float64(t.instrTot) / float64(t.nCounted)
		cnt.CyclesOp = float64(t.cycTot) / float64(t.nCounted)
		cnt.InstructionSamp = t.instrS
		cnt.Reason = "user-space counts of the benchmark's own OS thread (goroutines it starts are not counted)"
		out.Metrics["instructions/op"] = analysis.Metric{Unit: "instructions/op", Direction: analysis.LowerIsBetter, Samples: t.instrS}
	}
	out.Counters = cnt
	if t.pair != nil && len(t.pairSamples) > 0 {
		out.Metrics[BeforeMetric] = analysis.Metric{Unit: "s", Direction: analysis.LowerIsBetter, Samples: t.pairSamples}
	}

	extra := maps.Clone(b.Extra)
	if extra == nil {
		extra = map[string]any{}
	}
	env.mu.Lock()
	maps.Copy(extra, env.extra)
	env.mu.Unlock()
	extra["min_round_time_s"] = t.minTime.Seconds()
	extra["warmup_rounds"] = t.warmup
	extra["pedantic"] = t.op.Pedantic != nil
	extra["duration_s"] = time.Since(t.begin).Seconds()
	if t.nCounted > 0 {
		extra["instructions_source"] = "perf_event"
	}
	if t.factor > 1 {
		extra["injected_slowdown"] = t.factor
	}
	if t.pair != nil && len(t.pairSamples) > 0 && len(out.Samples) > 0 {
		addImprovement(extra, t.pairSamples, out.Samples, t.pairIters)
	}
	out.Extra = extra
	t.count.record(out)
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
