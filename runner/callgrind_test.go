package runner

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestReadCallgrindTotal(t *testing.T) {
	t.Parallel()
	const head = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npart: 1\n\ndesc: I1 cache: \n"
	tests := []struct {
		name, body, label string
		want              uint64
		wantErr           string
	}{
		{name: "totals", label: "r1", body: head + "desc: Trigger: Client Request: r1\nevents: Ir\nsummary: 812189\n\nfn=(1) main\n3 5\ntotals: 801499\n", want: 801499},
		{name: "cache events: first is Ir", label: "r1", body: head + "desc: Trigger: Client Request: r1\nevents: Ir Dr Dw I1mr\ntotals: 1000 200 100 3\n", want: 1000},
		{name: "summary only", label: "r1", body: head + "desc: Trigger: Client Request: r1\nsummary: 42\n", want: 42},
		{name: "another dump", label: "r2", body: head + "desc: Trigger: Client Request: r1\ntotals: 5\n", wantErr: "not the dump"},
		{name: "program termination", label: "r1", body: head + "desc: Trigger: Program termination\ntotals: 5\n", wantErr: "not the dump"},
		{name: "no totals", label: "r1", body: head + "desc: Trigger: Client Request: r1\n", wantErr: "no totals"},
		{name: "garbage count", label: "r1", body: head + "desc: Trigger: Client Request: r1\ntotals: 12x\n", wantErr: "totals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "callgrind.out.1")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readCallgrindTotal(path, tt.label)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	if _, err := readCallgrindTotal(filepath.Join(t.TempDir(), "missing"), "x"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dump: %v, want os.ErrNotExist wrapped", err)
	}
}

func TestWithGodebug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, want []string
	}{
		{[]string{"A=1"}, []string{"A=1", "GODEBUG=asyncpreemptoff=1"}},
		{[]string{"GODEBUG=gctrace=1", "B=2"}, []string{"GODEBUG=gctrace=1,asyncpreemptoff=1", "B=2"}},
		{[]string{"GODEBUG="}, []string{"GODEBUG=asyncpreemptoff=1"}},
	}
	for _, tt := range tests {
		if got := withGodebug(tt.env, "asyncpreemptoff=1"); !slices.Equal(got, tt.want) {
			t.Errorf("withGodebug(%q) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestSelectSkipsUncountable(t *testing.T) {
	t.Parallel()
	setup := func(*Env) (*Op, error) { return &Op{Run: func() error { return nil }}, nil }
	var reg Registry
	reg.Register(&Benchmark{Category: "c", Group: "g", Name: "kernel", Setup: setup})
	reg.Register(&Benchmark{Category: "c", Group: "g", Name: "read", Markers: []string{IO}, Setup: setup})
	reg.Register(&Benchmark{Category: "c", Group: "g", Name: "pool", Markers: []string{analysis.MarkerParallel}, Setup: setup})
	reg.Register(&Benchmark{Category: "c", Group: "g", Name: "workers", Params: map[string]string{"workers": "4"}, Setup: setup})
	reg.Register(&Benchmark{Category: "c", Group: "g", Name: "one_worker", Params: map[string]string{"workers": "1"}, Setup: setup})
	tests := []struct {
		metric      string
		run         []string
		skippedWhys []string
	}{
		{metric: "", run: []string{"c/g/kernel", "c/g/one_worker[workers=1]", "c/g/pool", "c/g/read", "c/g/workers[workers=4]"}},
		{metric: MetricModeTime, run: []string{"c/g/kernel", "c/g/one_worker[workers=1]", "c/g/pool", "c/g/read", "c/g/workers[workers=4]"}},
		{metric: MetricModeInstructions, run: []string{"c/g/kernel", "c/g/one_worker[workers=1]"},
			skippedWhys: []string{"c/g/pool: parallel", "c/g/read: io", "c/g/workers[workers=4]: parallel"}},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.Sizes, cfg.Metric = nil, tt.metric
		sel, err := reg.Select(&cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		var run, skipped []string
		for _, b := range sel.Run {
			run = append(run, b.ID())
		}
		for _, s := range sel.Skipped {
			skipped = append(skipped, s.ID+": "+strings.SplitN(s.Reason, ":", 2)[0])
		}
		if !slices.Equal(run, tt.run) || !slices.Equal(skipped, tt.skippedWhys) {
			t.Errorf("metric %q: run %q skipped %q, want %q and %q", tt.metric, run, skipped, tt.run, tt.skippedWhys)
		}
	}
}

func TestConfigMetric(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		metric string
		ok     bool
	}{{"", true}, {"time", true}, {"instructions", true}, {"cycles", false}} {
		c := DefaultConfig()
		c.Apply(Overrides{Warmup: -1, TimeBudget: -1, Metric: tt.metric}, func(string) string { return "" })
		if err := c.Validate(); (err == nil) != tt.ok {
			t.Errorf("metric %q: Validate() = %v", tt.metric, err)
		}
	}
}

// TestNewRunnerInstructionsOutsideValgrind: counting instructions needs the
// process to run under callgrind; outside it NewRunner says how to get it.
func TestNewRunnerInstructionsOutsideValgrind(t *testing.T) {
	t.Parallel()
	if runningOnValgrind() {
		t.Skip("running under valgrind")
	}
	c := DefaultConfig()
	c.Metric = MetricModeInstructions
	_, err := NewRunner(c, nil)
	if err == nil || !strings.Contains(err.Error(), "valgrind") {
		t.Fatalf("NewRunner: %v, want an error naming valgrind", err)
	}
}

func TestCallgrindCommandNoValgrind(t *testing.T) {
	if !callgrindBuilt {
		t.Skip("built without cgo")
	}
	t.Setenv("PATH", t.TempDir())
	_, err := CallgrindCommand(context.Background(), "/bin/true", nil, t.TempDir(), nil, false)
	if !errors.Is(err, ErrNoValgrind) || !strings.Contains(err.Error(), "apt-get install valgrind") {
		t.Fatalf("err %v, want ErrNoValgrind naming the Debian package", err)
	}
}

// callgrindResultsEnv tells TestCallgrindHelper, re-executed under
// callgrind, where to write its results.
const callgrindResultsEnv = "XPCS_TEST_CALLGRIND_RESULTS"

// kernel is deterministic CPU work on a fixed slice: a few passes of a
// prefix sum.
func kernel(xs []float64) func() error {
	return func() error {
		for range 4 {
			s := 0.0
			for i := range xs {
				s += xs[i]
				xs[i] = s * 0.5
			}
		}
		return nil
	}
}

// TestCallgrindHelper is the child of TestCallgrindCounts: it runs only
// under callgrind, measuring two identical kernels, one with a +3%
// injected slowdown.
func TestCallgrindHelper(t *testing.T) {
	out := os.Getenv(callgrindResultsEnv)
	if out == "" {
		t.Skip("child of TestCallgrindCounts only")
	}
	c := DefaultConfig()
	c.Metric = MetricModeInstructions
	c.Rounds, c.MinRounds, c.WarmupRounds = 7, 7, 1
	c.MinTime = Duration(2 * time.Millisecond)
	c.Slowdown = "slow$=1.03"
	r, err := NewRunner(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) *Benchmark {
		return &Benchmark{Category: "t", Group: "k", Name: name, Setup: func(*Env) (*Op, error) {
			return &Op{Run: kernel(make([]float64, 200000))}, nil
		}}
	}
	res := r.Run(context.Background(), []*Benchmark{mk("base"), mk("slow")})
	if err := analysis.WriteResultsFile(out, res); err != nil {
		t.Fatal(err)
	}
}

// TestCallgrindCounts runs the runner under real callgrind: counts come back
// per round as the primary samples, repeat within 0.5%, and a +3% injected
// slowdown shows as +3% and is judged a regression.
func TestCallgrindCounts(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's own instructions perturb the counts")
	}
	if !callgrindBuilt {
		t.Skip("built without cgo: no callgrind client requests")
	}
	testenv.NeedCommand(t, "valgrind (apt-get install valgrind)", "valgrind", "--version")
	dir := t.TempDir()
	out := filepath.Join(dir, "results.json")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, err := CallgrindCommand(ctx, exe, []string{"-test.run=^TestCallgrindHelper$", "-test.v"}, dir, append(os.Environ(), callgrindResultsEnv+"="+out), false)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	res, err := analysis.ReadResultsFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benchmarks) != 2 {
		t.Fatalf("%d benchmarks, want 2: %+v", len(res.Benchmarks), res)
	}
	base, slow := res.Benchmarks[0], res.Benchmarks[1]
	for _, b := range []analysis.Benchmark{base, slow} {
		if b.Error != "" || b.Unit != analysis.UnitInstructions || len(b.Samples) != 7 {
			t.Fatalf("%s: error %q unit %q %d samples, want 7 counts", b.ID, b.Error, b.Unit, len(b.Samples))
		}
		if b.Extra["instructions_source"] != "callgrind" {
			t.Errorf("%s: instructions_source %v", b.ID, b.Extra["instructions_source"])
		}
		if _, ok := b.Metrics[analysis.MetricValgrindWall]; !ok {
			t.Errorf("%s: no %s metric", b.ID, analysis.MetricValgrindWall)
		}
		if _, ok := b.Metrics[CPUMetric]; ok {
			t.Errorf("%s: CPU time kept under valgrind", b.ID)
		}
		// The kernel allocates nothing: neither does the counting around it
		// (nor the injected work).
		if b.Memory == nil || b.Memory.BytesPerOp > 64 || b.Memory.AllocsPerOp > 0.5 {
			t.Errorf("%s: memory %+v: the counting's own allocations leak into B/op", b.ID, b.Memory)
		}
		lo, hi := slices.Min(b.Samples), slices.Max(b.Samples)
		// 4 passes × 200000 elements: about 11 instructions per element. The
		// rounds differ by the runtime's own threads (sysmon wakes up on
		// the clock, GC): a few thousand instructions per round, 0-1% of
		// a small kernel, 0.1-0.6% of this one (the first round most).
		if lo < 2e6 || hi/lo-1 > 0.01 {
			t.Errorf("%s: counts %v: want > 2e6 within 1%%", b.ID, b.Samples)
		}
	}
	t.Logf("counts: base %v, slow %v", base.Samples, slow.Samples)
	ratio := slow.Stats.Median / base.Stats.Median
	if math.Abs(ratio-1.03) > 0.005 {
		t.Errorf("injected +3%%: ratio of medians %.4f, want 1.03±0.005", ratio)
	}
	// Judged as a regression by the comparison (slow in the place of base).
	slow.ID = base.ID
	cmp, err := analysis.Compare(&analysis.Results{Benchmarks: []analysis.Benchmark{base}},
		&analysis.Results{Benchmarks: []analysis.Benchmark{slow}}, analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Summary.Regressions != 1 {
		t.Errorf("comparison: %+v, want one regression", cmp.Summary)
	}
}

func TestItersFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target, perCall float64
		want            int
	}{
		{20e6, 4750, 4200},
		{20e6, 4761, 4200},
		{20e6, 83194, 240},
		{20e6, 4.2e6, 5},
		{20e6, 3e7, 1},
		{20e6, 0, 20000000},
		{100, 7, 14},
	}
	for _, tt := range tests {
		if got := itersFor(tt.target, tt.perCall); got != tt.want {
			t.Errorf("itersFor(%g, %g) = %d, want %d", tt.target, tt.perCall, got, tt.want)
		}
	}
}

func TestReadCallgrindEventsCacheSim(t *testing.T) {
	t.Parallel()
	body := "# callgrind format\nversion: 1\ndesc: Trigger: Client Request: r7\n" +
		"events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nfn=(1) main\n3 5\ntotals: 100000 30000 20000 10 200 100 2 20 10\n"
	path := filepath.Join(t.TempDir(), "callgrind.out.7")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ev, err := readCallgrindEvents(path, "r7")
	if err != nil {
		t.Fatal(err)
	}
	if ev["Ir"] != 100000 || ev["D1mr"] != 200 || ev["DLmw"] != 10 {
		t.Fatalf("events %v", ev)
	}
	// 100000 + 10·(10+200+100) + 100·(2+20+10)
	if got, want := EstimatedCycles(ev), uint64(100000+3100+3200); got != want {
		t.Errorf("EstimatedCycles = %d, want %d", got, want)
	}
	if got := EstimatedCycles(map[string]uint64{"Ir": 42}); got != 42 {
		t.Errorf("without cache events: %d, want Ir", got)
	}
}
