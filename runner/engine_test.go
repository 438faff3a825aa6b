package runner

import (
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// fastConfig keeps unit tests short: 5 ms rounds, few rounds.
func fastConfig() Config {
	c := DefaultConfig()
	c.Rounds, c.MinRounds, c.WarmupRounds = 5, 3, 1
	c.MinTime = Duration(2 * time.Millisecond)
	c.MaxTime = Duration(2 * time.Second)
	c.Grace = Duration(300 * time.Millisecond)
	c.TimeBudget = 0
	return c
}

func newTestRunner(t *testing.T, c Config) *Runner {
	t.Helper()
	r, err := NewRunner(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Getenv = func(string) string { return "" }
	return r
}

func bench(name string, op func() error) *Benchmark {
	return &Benchmark{Category: "test", Group: "g", Name: name,
		Setup: func(*Env) (*Op, error) { return &Op{Run: op}, nil }}
}

// work is a deterministic CPU-bound operation of a few microseconds.
var sink float64

func work() error {
	s := 0.0
	for i := 1; i <= 2000; i++ {
		s += math.Sqrt(float64(i))
	}
	sink = s
	return nil
}

func TestIsolation(t *testing.T) {
	c := fastConfig()
	c.MaxTime = Duration(200 * time.Millisecond)
	hang := make(chan struct{})
	defer close(hang)
	benches := []*Benchmark{
		bench("ok1", work),
		bench("panics", func() error { panic("kaboom") }),
		bench("hangs", func() error { <-hang; return nil }),
		bench("errors", func() error { return errors.New("boom") }),
		{Category: "test", Group: "g", Name: "setupfails", Setup: func(*Env) (*Op, error) { return nil, errors.New("no data") }},
		bench("ok2", work),
	}
	r := newTestRunner(t, c)
	res := r.Run(context.Background(), benches)
	if got, want := len(res.Benchmarks), len(benches); got != want {
		t.Fatalf("got %d results, want %d", got, want)
	}
	wantErr := map[string]string{"panics": "panic: kaboom", "hangs": "exceeded max time", "errors": "boom", "setupfails": "setup: no data"}
	for _, b := range res.Benchmarks {
		if w, bad := wantErr[b.Name]; bad {
			if !strings.Contains(b.Error, w) {
				t.Errorf("%s: got error %q, want it to contain %q", b.Name, b.Error, w)
			}
			continue
		}
		// MaxTime is short here, so a loaded machine may cut rounds to MinRounds.
		if b.Error != "" || len(b.Samples) < c.MinRounds {
			t.Errorf("%s: got error %q and %d samples, want none and >= %d", b.Name, b.Error, len(b.Samples), c.MinRounds)
		}
	}
	if !strings.Contains(strings.Join(res.Notes, " "), "abandoned") {
		t.Errorf("notes %q do not mention the abandoned benchmark", res.Notes)
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := analysis.WriteResultsFile(path, res); err != nil {
		t.Fatal(err)
	}
	back, err := analysis.ReadResultsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(back.Benchmarks), len(benches); got != want {
		t.Errorf("file has %d benchmarks, want %d", got, want)
	}
}

func TestInterruptKeepsMeasured(t *testing.T) {
	c := fastConfig()
	ctx, cancel := context.WithCancelCause(context.Background())
	benches := []*Benchmark{
		bench("first", work),
		bench("cancels", func() error { cancel(errors.New("SIGINT")); return work() }),
		bench("never", work),
	}
	res := newTestRunner(t, c).Run(ctx, benches)
	if got, want := len(res.Benchmarks), 2; got != want {
		t.Fatalf("got %d results, want %d", got, want)
	}
	if res.Benchmarks[0].Error != "" || len(res.Benchmarks[0].Samples) == 0 {
		t.Errorf("first benchmark lost: %+v", res.Benchmarks[0])
	}
	if !strings.Contains(res.Benchmarks[1].Error, "interrupted: SIGINT") {
		t.Errorf("got error %q, want interrupted", res.Benchmarks[1].Error)
	}
	if n := strings.Join(res.Notes, " "); !strings.Contains(n, "test/g/never") || !strings.Contains(n, "interrupted") {
		t.Errorf("notes %q do not name the skipped benchmark", n)
	}
}

func TestTimeBudgetNamesSkipped(t *testing.T) {
	c := fastConfig()
	c.TimeBudget = Duration(time.Nanosecond)
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{bench("a", work), bench("b", work)})
	// The first benchmark starts before the budget is checked against elapsed
	// time > 0; at least the last one must be skipped and named.
	if n := strings.Join(res.Notes, " "); !strings.Contains(n, "time budget") || !strings.Contains(n, "test/g/b") {
		t.Errorf("notes %q do not name the benchmark skipped for the budget", n)
	}
}

func TestCalibrationReachesMinTime(t *testing.T) {
	c := fastConfig()
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{bench("work", work)})
	b := res.Benchmarks[0]
	if b.Error != "" {
		t.Fatal(b.Error)
	}
	round := b.Stats.Median * float64(b.Iterations)
	// Calibration aims at MinTime from one timed probe; on a loaded machine a
	// preempted probe overestimates the cost, so allow a wide margin: a broken
	// calibration (one iteration of a microsecond) misses it by orders of magnitude.
	if round < c.MinTime.D().Seconds()*0.25 {
		t.Errorf("median round lasts %gs with %d iterations, want >= min time %v", round, b.Iterations, c.MinTime)
	}
	if b.Iterations < 2 {
		t.Errorf("got %d iterations per round for a microsecond operation", b.Iterations)
	}
}

func TestPedantic(t *testing.T) {
	var setups, runs int
	b := &Benchmark{Category: "test", Group: "g", Name: "pedantic", Setup: func(*Env) (*Op, error) {
		return &Op{Run: func() error { runs++; return nil },
			Pedantic: &Pedantic{Rounds: 7, Iterations: 3, WarmupRounds: 2, Setup: func() error { setups++; return nil }}}, nil
	}}
	res := newTestRunner(t, fastConfig()).Run(context.Background(), []*Benchmark{b})
	got := res.Benchmarks[0]
	if got.Error != "" {
		t.Fatal(got.Error)
	}
	if got.Rounds != 7 || got.Iterations != 3 || len(got.Samples) != 7 {
		t.Errorf("got %d rounds x %d iterations (%d samples), want 7 x 3", got.Rounds, got.Iterations, len(got.Samples))
	}
	if setups != 9 || runs != 27 {
		t.Errorf("got %d round setups and %d runs, want 9 and 27 (2 warm-up + 7 rounds)", setups, runs)
	}
}

var keep [][]byte

func TestMemoryAccounting(t *testing.T) {
	c := fastConfig()
	alloc := bench("alloc1k", func() error { b := make([]byte, 1024); sinkBytes = b; return nil })
	leak := bench("leak", func() error { keep = append(keep, make([]byte, 4096)); return nil })
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{alloc, leak})
	defer func() { keep = nil }()
	a := res.Benchmarks[0].Memory
	if a.BytesPerOp < 1024 || a.BytesPerOp > 1100 || math.Abs(a.AllocsPerOp-1) > 0.05 {
		t.Errorf("alloc1k: got %.1f B/op %.2f allocs/op, want 1024 and 1", a.BytesPerOp, a.AllocsPerOp)
	}
	if math.Abs(float64(a.HeapGrowthBytes)) > 1<<20 {
		t.Errorf("alloc1k: heap grew %d bytes, want ~0", a.HeapGrowthBytes)
	}
	l := res.Benchmarks[1]
	if want := int64(4096 * l.Rounds * l.Iterations / 2); l.Memory.HeapGrowthBytes < want {
		t.Errorf("leak: heap grew %d bytes, want >= %d", l.Memory.HeapGrowthBytes, want)
	}
	if a.PeakRSSBytes == 0 {
		t.Errorf("peak RSS not recorded")
	}
}

var sinkBytes []byte

func TestSlowdownInjection(t *testing.T) {
	c := fastConfig()
	c.Rounds = 7
	c.Slowdown = `slow\b=3`
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{bench("fast", work), bench("slow", work)})
	fast, slow := res.Benchmarks[0], res.Benchmarks[1]
	// CPU time, not wall time: the two are measured one after the other on a
	// shared machine whose load changes between them (the busy wait burns
	// CPU, so CPU time triples too).
	cpu := func(b analysis.Benchmark) float64 { return analysis.Describe(b.Metrics[CPUMetric].Samples, "").Median }
	ratio := cpu(slow) / cpu(fast)
	// Lower bound only: the busy wait lasts (factor-1) times the operation's
	// wall time, which under load (and the race detector) is several times
	// its CPU time, so the CPU ratio rises well above 3 (8.8 seen in a CI
	// run on a loaded machine). TestSlowedIsExact checks the factor itself.
	if ratio < 2 {
		t.Errorf("slowed/normal median CPU ratio %.2f, want >= 2 (~3 on a quiet machine)", ratio)
	}
	if slow.Extra["injected_slowdown"] != 3.0 || fast.Extra["injected_slowdown"] != nil {
		t.Errorf("extra injected_slowdown: slow %v fast %v", slow.Extra["injected_slowdown"], fast.Extra["injected_slowdown"])
	}
}

// TestSlowedIsExact: a slowed call lasts at least factor times the
// operation's own duration, and not much more.
func TestSlowedIsExact(t *testing.T) {
	var own time.Duration
	fn := slowed(func() error {
		s := time.Now()
		work()
		own = time.Since(s)
		return nil
	}, 3)
	for range 5 {
		start := time.Now()
		fn()
		total := time.Since(start)
		if total < 3*own {
			t.Errorf("slowed call took %v, want >= 3 x %v", total, own)
		}
	}
}

func TestParseSlowdown(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"size=tiny=2", 2, false}, {"x=1.5; y=3", 1.5, false}, {"x", 0, true}, {"x=0.5", 0, true}, {"(=2", 0, true},
	} {
		got, err := ParseSlowdown(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseSlowdown(%q) error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && got[0].Factor != tc.want {
			t.Errorf("ParseSlowdown(%q) factor %g, want %g", tc.in, got[0].Factor, tc.want)
		}
	}
	rules, _ := ParseSlowdown("size=tiny=2")
	if f := slowdownFactor(rules, "scientific/multitau/correlate[size=tiny]"); f != 2 {
		t.Errorf("factor %g, want 2 (regexp with '=')", f)
	}
}

// TestAgreesWithTestingBenchmark is issue 4's accuracy item: the engine's
// median and testing.Benchmark's ns/op of the same function agree within 5%.
// The machine is shared and noisy, so both sides are sampled interleaved
// (testing.Benchmark with -test.benchtime=10ms, the engine with 10 ms rounds)
// and medians are compared; one of three attempts must agree.
//
// It is a measurement, not a unit test (timings on a shared 2-core machine
// are not a pass/fail signal): it runs only with XPCS_TIMING_TESTS=1, which
// `make bench-runner-accuracy` sets.
func TestAgreesWithTestingBenchmark(t *testing.T) {
	if os.Getenv("XPCS_TIMING_TESTS") != "1" {
		t.Skip("timing measurement: run with XPCS_TIMING_TESTS=1 (make bench-runner-accuracy)")
	}
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set("10ms"); err != nil {
		t.Fatal(err)
	}
	defer bt.Value.Set(old)
	c := DefaultConfig()
	c.TimeBudget, c.Counters, c.Rounds, c.MinRounds, c.WarmupRounds = 0, false, 1, 1, 0
	r := newTestRunner(t, c)
	var diffs []float64
	for range 3 {
		var ref, got, ratio []float64
		for range 31 { // one 10 ms sample of each, alternating
			tb := testing.Benchmark(func(b *testing.B) {
				for b.Loop() {
					work()
				}
			})
			r0 := float64(tb.T.Nanoseconds()) / float64(tb.N)
			res := r.Run(context.Background(), []*Benchmark{bench("work", work)})
			g := res.Benchmarks[0].Samples[0] * 1e9
			ref, got, ratio = append(ref, r0), append(got, g), append(ratio, g/r0)
		}
		mr, mg := analysis.Describe(ref, "").Median, analysis.Describe(got, "").Median
		// The median of the paired ratios cancels the machine's drift between
		// pairs; the medians of each side are logged too.
		d := math.Abs(analysis.Describe(ratio, "").Median - 1)
		t.Logf("engine median %.1f ns/op, testing.Benchmark median %.1f ns/op (n=%d pairs), median paired difference %.2f%%", mg, mr, len(ref), 100*d)
		diffs = append(diffs, d)
		if d < 0.05 {
			return
		}
	}
	t.Errorf("engine and testing.Benchmark medians differ by %v (fractions), want one < 0.05", diffs)
}

// TestEmptyOverhead reports the per-iteration overhead of an empty benchmark
// (loop + closure call + error check) and bounds it generously.
func TestEmptyOverhead(t *testing.T) {
	c := fastConfig()
	c.Counters = false
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{bench("empty", func() error { return nil })})
	ns := res.Benchmarks[0].Stats.Median * 1e9
	t.Logf("empty benchmark: %.2f ns per iteration (%d iterations per round)", ns, res.Benchmarks[0].Iterations)
	if ns >= 100 {
		t.Errorf("empty benchmark overhead %.1f ns per iteration, want < 100 ns", ns)
	}
}

func TestCountersNeverFail(t *testing.T) {
	res := newTestRunner(t, fastConfig()).Run(context.Background(), []*Benchmark{bench("work", work)})
	b := res.Benchmarks[0]
	if b.Error != "" || b.Counters == nil {
		t.Fatalf("got error %q counters %v", b.Error, b.Counters)
	}
	if b.Counters.Available {
		// ~2000 sqrt+add iterations: thousands of instructions per op.
		if b.Counters.InstructionsOp < 2000 || b.Counters.CyclesOp <= 0 {
			t.Errorf("implausible counts: %.0f instructions/op, %.0f cycles/op", b.Counters.InstructionsOp, b.Counters.CyclesOp)
		}
		t.Logf("%.0f instructions/op, %.0f cycles/op", b.Counters.InstructionsOp, b.Counters.CyclesOp)
	} else if b.Counters.Reason == "" {
		t.Errorf("counters unavailable without a reason")
	} else {
		t.Logf("counters unavailable: %s", b.Counters.Reason)
	}
}

// TestSlowedBurnsCPU: an injected slowdown of factor f makes an operation
// take at least f times its CPU time too (not only its wall time), so a
// benchmark judged on CPU time slows down as much on busy cores.
func TestSlowedBurnsCPU(t *testing.T) {
	work := func() error {
		x := 1.0
		for i := 0; i < 3_000_000; i++ {
			x = x*1.0000001 + 1e-9
		}
		if x == 0 {
			return errors.New("impossible")
		}
		return nil
	}
	c0 := processCPUTime()
	work()
	bare := processCPUTime() - c0
	if c0 < 0 || bare <= minCPUSpin {
		t.Skipf("process CPU clock unusable here (%v)", bare)
	}
	c0 = processCPUTime()
	if err := slowed(work, 3)(); err != nil {
		t.Fatal(err)
	}
	got := processCPUTime() - c0
	if float64(got) < 2.5*float64(bare) {
		t.Errorf("slowed x3 burnt %v of CPU, bare %v: want at least 2.5x", got, bare)
	}
}
