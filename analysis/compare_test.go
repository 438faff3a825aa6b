package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// noisy returns n lognormal-ish samples around center with relative spread cv.
func noisy(rng *rand.Rand, n int, center, cv float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = center * math.Exp(cv*rng.NormFloat64())
	}
	return xs
}

func res(bs ...Benchmark) *Results { return &Results{Schema: ResultsSchema, Benchmarks: bs} }

// sideBySide is DefaultConfig for base and head measured side by side: no
// run-to-run drift allowed, so the rounds' statistics alone decide.
func sideBySide() Config {
	cfg := DefaultConfig()
	cfg.DriftAllowance = 0
	return cfg
}

func bench(id string, samples []float64) Benchmark {
	return Benchmark{ID: id, Name: id, Unit: "s", Direction: LowerIsBetter, Samples: samples}
}

func findRow(t *testing.T, c *Comparison, id, metric string) Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.ID == id && r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %s/%s in %+v", id, metric, c.Rows)
	return Row{}
}

func TestCompareVerdicts(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	base := res(
		bench("same", noisy(rng, 10, 1e-3, 0.02)),
		bench("slow30", noisy(rng, 10, 1e-3, 0.02)),
		bench("slow70", noisy(rng, 10, 1e-3, 0.02)),
		bench("slow150", noisy(rng, 10, 1e-3, 0.02)),
		bench("fast", noisy(rng, 10, 1e-3, 0.02)),
		bench("small", noisy(rng, 10, 1e-3, 0.02)), // +5%: significant, below threshold
		bench("few", noisy(rng, 3, 1e-3, 0.02)),
		bench("noisy", noisy(rng, 10, 1e-3, 0.6)),
		bench("gone", noisy(rng, 10, 1e-3, 0.02)),
	)
	cur := res(
		bench("same", noisy(rng, 10, 1e-3, 0.02)),
		bench("slow30", noisy(rng, 10, 1.3e-3, 0.02)),
		bench("slow70", noisy(rng, 10, 1.7e-3, 0.02)),
		bench("slow150", noisy(rng, 10, 2.5e-3, 0.02)),
		bench("fast", noisy(rng, 10, 0.5e-3, 0.02)),
		bench("small", noisy(rng, 10, 1.05e-3, 0.005)),
		bench("few", noisy(rng, 3, 3e-3, 0.02)),
		bench("noisy", noisy(rng, 10, 3e-3, 0.6)),
		bench("added", noisy(rng, 10, 1e-3, 0.02)),
	)
	cfg := DefaultConfig()
	cfg.DriftAllowance = 0 // the rounds alone: no run-to-run drift allowed here
	c, err := Compare(base, cur, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A 3x slowdown with rounds of CV 60% is a regression: spread is never
	// a veto, the evidence (q) decides.
	tests := []struct {
		id   string
		want Verdict
		sev  Severity
	}{
		{"same", Unchanged, ""}, {"slow30", Regression, Minor}, {"slow70", Regression, Major},
		{"slow150", Regression, Critical}, {"fast", Improvement, ""}, {"small", Unchanged, ""},
		{"few", Inconclusive, ""}, {"noisy", Regression, Critical}, {"gone", Missing, ""}, {"added", New, ""},
	}
	for _, tt := range tests {
		r := findRow(t, c, tt.id, MetricTime)
		if r.Verdict != tt.want || r.Severity != tt.sev {
			t.Errorf("%s: got %s/%s, want %s/%s (change %.3f q %.4f reason %q)", tt.id, r.Verdict, r.Severity, tt.want, tt.sev, r.Change, r.Q, r.Reason)
		}
	}
	if r := findRow(t, c, "slow30", MetricTime); !(r.CILow < r.ShiftRatio && r.ShiftRatio < r.CIHigh && r.CILow > 1.2) {
		t.Errorf("slow30 CI [%v, %v] does not bracket the shift ratio %v above 1.2", r.CILow, r.CIHigh, r.ShiftRatio)
	}
	if r := findRow(t, c, "few", MetricTime); !strings.Contains(r.Reason, "too few samples") {
		t.Errorf("few reason %q", r.Reason)
	}
	// Two critical and 4 of 7 judged regressed (57% > 30%) fail the default
	// gate; both reasons are given and every regression is marked.
	if c.Gate.Pass || len(c.Gate.Reasons) != 2 {
		t.Errorf("gate %+v, want a failure with 2 reasons", c.Gate)
	}
	for _, r := range c.Rows {
		if got, want := r.GateFailed, r.Verdict == Regression; got != want {
			t.Errorf("%s GateFailed = %v, want %v", r.ID, got, want)
		}
	}
	s := c.Summary
	if s.Regressions != 4 || s.Critical != 2 || s.Major != 1 || s.Minor != 1 || s.Compared != 7 || s.New != 1 || s.Missing != 1 || s.Inconclusive != 1 ||
		s.Benchmarks != s.Compared+s.Inconclusive+s.New+s.Missing+s.Errored {
		t.Errorf("summary %+v", s)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Errorf("comparison does not encode: %v", err)
	}
}

func TestCompareHigherIsBetter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	// A benchmark whose primary metric is a throughput (Go's MB/s-only
	// benchmarks, Google Benchmark items/s).
	mk := func(center float64) Benchmark {
		return Benchmark{ID: "x", Name: "x", Unit: "MB/s", Direction: HigherIsBetter, Samples: noisy(rng, 10, center, 0.01)}
	}
	cfg := sideBySide()
	c, err := Compare(res(mk(1000)), res(mk(400)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := findRow(t, c, "x", MetricTime)
	// throughput 1000 -> 400: time per byte x2.5, +150% worse: critical.
	if r.Verdict != Regression || r.Severity != Critical || math.Abs(r.Change-1.5) > 0.05 {
		t.Errorf("MB/s drop: got %s/%s change %.3f", r.Verdict, r.Severity, r.Change)
	}
	c, _ = Compare(res(mk(400)), res(mk(1000)), cfg)
	if r := findRow(t, c, "x", MetricTime); r.Verdict != Improvement {
		t.Errorf("MB/s rise: got %s", r.Verdict)
	}
}

// TestDerivedMetricsShownNotCounted: a benchmark slowed 3x with MB/s and
// cpu-s/op beside its time counts once; the derived rows are shown (Info)
// with their statistics; memory rows are judged on their own.
func TestDerivedMetricsShownNotCounted(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	mk := func(f float64, allocs float64) Benchmark {
		b := bench("x", noisy(rng, 10, 1e-3*f, 0.02))
		b.Metrics = map[string]Metric{
			"MB/s":      {Unit: "MB/s", Direction: HigherIsBetter, Samples: noisy(rng, 10, 100/f, 0.02)},
			"cpu-s/op":  {Unit: "cpu-s/op", Direction: LowerIsBetter, Samples: noisy(rng, 10, 1e-3*f, 0.02)},
			"allocs/op": {Unit: "allocs/op", Direction: LowerIsBetter, Samples: []float64{allocs, allocs, allocs, allocs, allocs, allocs}},
		}
		return b
	}
	c, err := Compare(res(mk(1, 10)), res(mk(3, 30)), sideBySide())
	if err != nil {
		t.Fatal(err)
	}
	s := c.Summary
	if s.Benchmarks != 1 || s.Regressions != 1 || s.Critical != 1 || s.Compared != 1 || s.MemoryRegressions != 1 {
		t.Errorf("summary %+v: want 1 benchmark, 1 critical regression, 1 memory regression", s)
	}
	if r := findRow(t, c, "x", MetricTime); r.Clock != ClockCPU {
		t.Errorf("single-threaded benchmark judged on clock %q, want cpu", r.Clock)
	}
	for _, m := range []string{"MB/s", MetricWall} {
		r := findRow(t, c, "x", m)
		if r.Verdict != Info || r.Role != RoleDerived || r.Current == nil || r.Baseline == nil || r.Change < 1.5 {
			t.Errorf("%s: %s/%s change %v: want info with statistics", m, r.Verdict, r.Role, r.Change)
		}
	}
	if r := findRow(t, c, "x", "allocs/op"); r.Verdict != Regression || r.Role != RoleMemory {
		t.Errorf("allocs/op: %s/%s, want a memory regression", r.Verdict, r.Role)
	}
	vars := GateVarsOf(s)
	if vars["critical"] != 1 || vars["regressed_pct"] != 100 || vars["mem_regressed"] != 1 {
		t.Errorf("gate vars %v", vars)
	}
}

func TestBootstrapDeterministic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	var bs, cs []Benchmark
	for i := range 200 {
		id := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		bs = append(bs, bench(id, noisy(rng, 20, 1, 0.05)))
		cs = append(cs, bench(id, noisy(rng, 20, 1.1, 0.05)))
	}
	c1, _ := Compare(res(bs...), res(cs...), DefaultConfig())
	c2, _ := Compare(res(bs...), res(cs...), DefaultConfig())
	for i := range c1.Rows {
		if c1.Rows[i].CILow != c2.Rows[i].CILow || c1.Rows[i].CIHigh != c2.Rows[i].CIHigh {
			t.Fatalf("row %d CI differs between runs: %v vs %v", i, c1.Rows[i], c2.Rows[i])
		}
	}
	// Coverage: the true ratio 1.1 lies inside most 95% intervals.
	in := 0
	for _, r := range c1.Rows {
		if r.CILow <= 1.1 && 1.1 <= r.CIHigh {
			in++
		}
	}
	if in < 170 {
		t.Errorf("true ratio inside %d/200 bootstrap CIs, want >= 170", in)
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	t.Parallel()
	rows := []Row{{P: 0.01}, {P: 0.04}, {P: 0.03}, {P: 0.2}, {P: 0.001, Role: RoleMemory}}
	for i := range rows {
		rows[i].Method = MethodMannWhitneyExact
		if rows[i].Role == "" {
			rows[i].Role = RolePrimary
		}
	}
	adjust(rows, DefaultConfig(), RolePrimary)
	if rows[4].Q != 0 {
		t.Errorf("memory row adjusted with the primary family: q = %v, want untouched 0", rows[4].Q)
	}
	// sorted p: .01 .03 .04 .2 -> p*m/k: .04 .06 .0533 .2 -> step-up min: .04 .0533 .0533 .2
	want := []float64{0.04, 0.16 / 3, 0.16 / 3, 0.2}
	for i, r := range rows[:4] {
		if math.Abs(r.Q-want[i]) > 1e-12 {
			t.Errorf("q[%d] = %v, want %v", i, r.Q, want[i])
		}
	}
}

func TestWelchAndCohen(t *testing.T) {
	t.Parallel()
	// Hand-checked with scipy.stats.ttest_ind(equal_var=False): a = [1,2,3,4,5], b = [2,4,6,8,10]
	// -> |t| = 1.8973665961, p = 0.1075311949 (scipy 1.10 here); Cohen's d = 3/sqrt((2.5+10)/2) = 1.2.
	tt, p := welch(3, math.Sqrt(2.5), 5, 6, math.Sqrt(10), 5)
	if math.Abs(tt-1.8973665961) > 1e-9 || math.Abs(p-0.1075311949) > 1e-9 {
		t.Errorf("welch = %v, %v", tt, p)
	}
	if d := cohenD(3, math.Sqrt(2.5), 5, 6, math.Sqrt(10), 5); math.Abs(d-1.2) > 1e-12 {
		t.Errorf("cohen d = %v", d)
	}
}

func TestSummaryOnly(t *testing.T) {
	t.Parallel()
	sb := Benchmark{ID: "p", Unit: "s", SummaryOnly: true, Stats: &Stats{N: 20, Mean: 1, Median: 1, Stddev: 0.02, Min: 0.97, Max: 1.05}}
	sc := sb
	sc.Stats = &Stats{N: 20, Mean: 1.5, Median: 1.5, Stddev: 0.03, Min: 1.45, Max: 1.6}
	cfg := DefaultConfig()
	cfg.DriftAllowance = 0
	c, err := Compare(res(sb), res(sc), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := findRow(t, c, "p", MetricTime)
	if r.Method != MethodSummaryOnly || r.Verdict != Regression || r.Severity != Major || !strings.Contains(r.Reason, "raw samples not saved") {
		t.Errorf("summary-only row: %+v", r)
	}
}

func TestMemoryThreshold(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	mk := func(rss uint64) Benchmark {
		b := bench("m", noisy(rng, 10, 1, 0.01))
		b.Memory = &Memory{PeakRSSBytes: rss}
		return b
	}
	for _, tt := range []struct {
		base, cur uint64
		want      Verdict
	}{{1e9, 1.05e9, Unchanged}, {1e9, 1.2e9, Regression}, {50e6, 140e6, Unchanged}, {1e9, 0.8e9, Improvement}} {
		c, _ := Compare(res(mk(tt.base)), res(mk(tt.cur)), DefaultConfig())
		if got := findRow(t, c, "m", MetricPeakRSS).Verdict; got != tt.want {
			t.Errorf("rss %d -> %d: got %s, want %s", tt.base, tt.cur, got, tt.want)
		}
	}
}

func TestCalibration(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	base := res(bench("cal", noisy(rng, 10, 1, 0.01)), bench("work", noisy(rng, 10, 1, 0.01)))
	// The current machine is 2x slower on everything.
	cur := res(bench("cal", noisy(rng, 10, 2, 0.01)), bench("work", noisy(rng, 10, 2, 0.01)))
	cfg := sideBySide()
	c, _ := Compare(base, cur, cfg)
	if got := findRow(t, c, "work", MetricTime).Verdict; got != Regression {
		t.Errorf("without calibration: %s, want regression", got)
	}
	cfg.Calibration = "cal"
	c, _ = Compare(base, cur, cfg)
	if got := findRow(t, c, "work", MetricTime).Verdict; got != Unchanged {
		t.Errorf("with calibration: %s, want unchanged (notes %q)", got, c.Notes)
	}
}

func TestMachineDiff(t *testing.T) {
	t.Parallel()
	a := Machine{CPUModel: "AMD EPYC 7763", Cores: 4, GoVersion: "go1.26.0", HDF5Version: "1.10.8"}
	b := Machine{CPUModel: "Intel Xeon 8370C", Cores: 2, GoVersion: "go1.26.0", HDF5Version: "1.14.0"}
	got := strings.Join(MachineDiff(a, b), "|")
	want := "cpu_model: AMD EPYC 7763 -> Intel Xeon 8370C|cores: 4 -> 2|hdf5_version: 1.10.8 -> 1.14.0"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if d := MachineDiff(a, Machine{}); len(d) != 0 {
		t.Errorf("empty machine: got %q", d)
	}
}

// TestBadInput: bad values give errored or inconclusive rows with a reason,
// or a clear error; never a panic.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ok := []float64{1, 1.1, 0.9, 1.05, 1}
	tests := []struct {
		name    string
		base    *Results
		cur     *Results
		wantErr string  // substring of the error
		want    Verdict // verdict of row "x"
		reason  string  // substring of its reason
	}{
		{name: "nil current", base: res(), cur: nil, wantErr: "no current results"},
		{name: "newer schema", base: &Results{Schema: "xpcs-perf/results/v2"}, cur: res(), wantErr: "newer xpcs-perf"},
		{name: "foreign schema", base: res(), cur: &Results{Schema: "something/else"}, wantErr: "unsupported schema"},
		{name: "older schema", base: &Results{Schema: "xpcs-perf/results/v0"}, cur: res(), wantErr: `unsupported schema: "xpcs-perf/results/v0" (want`},
		{name: "nan", base: res(bench("x", ok)), cur: res(bench("x", []float64{1, math.NaN(), 1, 1, 1})), want: Errored, reason: "NaN"},
		{name: "inf", base: res(bench("x", []float64{math.Inf(1), 1, 1, 1})), cur: res(bench("x", ok)), want: Errored, reason: "NaN/Inf"},
		{name: "negative", base: res(bench("x", ok)), cur: res(bench("x", []float64{-1, 1, 1, 1, 1})), want: Errored, reason: "negative"},
		{name: "zero time", base: res(bench("x", []float64{0, 1, 1, 1, 1})), cur: res(bench("x", ok)), want: Errored, reason: "zero time"},
		{name: "no samples", base: res(bench("x", nil)), cur: res(bench("x", ok)), want: Errored, reason: "no samples"},
		{name: "duplicate id", base: res(bench("x", ok), bench("x", ok)), cur: res(bench("x", ok)), want: Errored, reason: "duplicate id"},
		{name: "mixed units", base: res(bench("x", ok)), cur: res(Benchmark{ID: "x", Unit: "ns", Samples: ok}), want: Errored, reason: "unit differs"},
		{name: "benchmark error", base: res(bench("x", ok)), cur: res(Benchmark{ID: "x", Unit: "s", Error: "panic: boom"}), want: Errored, reason: "panic: boom"},
		{name: "one sample", base: res(bench("x", []float64{1})), cur: res(bench("x", []float64{2})), want: Inconclusive, reason: "too few"},
		{name: "constant", base: res(bench("x", []float64{1, 1, 1, 1, 1})), cur: res(bench("x", []float64{1, 1, 1, 1, 1})), want: Unchanged},
		{name: "zero allocs", base: res(Benchmark{ID: "x", Unit: "allocs/op", Samples: []float64{0, 0, 0, 0, 0}}), cur: res(Benchmark{ID: "x", Unit: "allocs/op", Samples: []float64{2, 2, 2, 2, 2}}), want: Regression, reason: "median is 0"},
		{name: "empty both", base: res(), cur: res()},
		{name: "first run", base: nil, cur: res(bench("x", ok)), want: New},
		{name: "new with NaN", base: res(), cur: res(bench("x", []float64{math.NaN(), 1})), want: New, reason: "NaN"},
		{name: "new that failed", base: res(bench("y", ok)), cur: res(Benchmark{ID: "x", Unit: "s", Error: "timeout"}, bench("y", ok)), want: Errored, reason: "timeout"},
		{name: "direction differs", base: res(bench("x", ok)), cur: res(Benchmark{ID: "x", Unit: "s", Direction: HigherIsBetter, Samples: ok}), want: Errored, reason: "direction differs"},
		{name: "unknown direction", base: res(bench("x", ok)), cur: res(Benchmark{ID: "x", Unit: "s", Direction: "sideways", Samples: ok}), want: Errored, reason: "unknown direction"},
		{name: "zero spread both sides", base: res(bench("x", []float64{1, 1, 1, 1, 1})), cur: res(bench("x", []float64{3, 3, 3, 3, 3})), want: Regression},
		{name: "zero spread one side", base: res(bench("x", []float64{1, 1, 1, 1, 1})), cur: res(bench("x", ok)), want: Unchanged},
		{name: "missing with Inf stats", base: res(Benchmark{ID: "x", Unit: "s", Stats: &Stats{N: 3, Mean: math.Inf(1)}}), cur: res(bench("y", ok)), want: Missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compare(tt.base, tt.cur, sideBySide())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(c); err != nil {
				t.Fatalf("does not encode: %v", err)
			}
			if tt.want == "" {
				if len(c.Rows) != 0 || len(c.Warnings) == 0 || c.Gate.Pass {
					t.Errorf("rows %v warnings %q gate %+v: want no rows, a warning and a failed gate", c.Rows, c.Warnings, c.Gate)
				}
				return
			}
			r := findRow(t, c, "x", MetricTime)
			if r.Verdict != tt.want || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("got %s %q, want %s with %q", r.Verdict, r.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, mod := range []func(*Config){
		func(c *Config) { c.Threshold = 0 },
		func(c *Config) { c.Alpha = 1 },
		func(c *Config) { c.MinSamples = 1 },
		func(c *Config) { c.Correction = "bonferroni" },
		func(c *Config) { c.Rules = []string{"mean:100%"} },
		func(c *Config) { c.FailOn = "critical >" },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := Compare(res(), res(), cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestSelectK(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 2, 3, 10, 2000} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(n/2 + 1)) // ties on purpose
		}
		sorted := sortedCopy(xs)
		for _, k := range []int{0, n / 40, n / 2, n - 1} {
			ys := append([]float64(nil), xs...)
			if got, want := selectK(ys, k), sorted[k]; got != want {
				t.Errorf("n=%d k=%d: got %v, want %v", n, k, got, want)
			}
		}
	}
}

// TestMedianTable checks the exact resampled-median law against brute-force
// enumeration of every resample for small n.
func TestMedianTable(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 3, 4, 5, 6} {
		want := map[[2]int]float64{}
		idx := make([]int, n)
		total := int(math.Pow(float64(n), float64(n)))
		for code := range total {
			c := code
			for i := range idx {
				idx[i] = c % n
				c /= n
			}
			s := append([]int(nil), idx...)
			slices.Sort(s)
			want[[2]int{s[(n-1)/2], s[n/2]}] += 1 / float64(total)
		}
		tb := buildMedianTable(n)
		prev := 0.0
		got := map[[2]int]float64{}
		for k := range tb.cdf {
			got[[2]int{int(tb.lo[k]), int(tb.hi[k])}] = tb.cdf[k] - prev
			prev = tb.cdf[k]
		}
		if len(got) != len(want) {
			t.Errorf("n=%d: %d pairs, want %d", n, len(got), len(want))
		}
		for k, w := range want {
			if math.Abs(got[k]-w) > 1e-12 {
				t.Errorf("n=%d pair %v: p = %v, want %v", n, k, got[k], w)
			}
		}
	}
}

// TestMedianTableAlias checks that the alias table reproduces the exact law.
func TestMedianTableAlias(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, 6, 20} {
		tb := buildMedianTable(n)
		got := make([]float64, len(tb.cdf))
		for k := range tb.keep {
			got[k] += tb.keep[k]
			got[tb.alias[k]] += 1 - tb.keep[k]
		}
		prev := 0.0
		for k := range got {
			want := (tb.cdf[k] - prev) * float64(len(got))
			prev = tb.cdf[k]
			if math.Abs(got[k]-want) > 1e-9 {
				t.Errorf("n=%d slot %d: mass %v, want %v", n, k, got[k], want)
			}
		}
	}
}

func TestMannWhitneyMethod(t *testing.T) {
	t.Parallel()
	seq := func(n int, step float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(i) * step
		}
		return xs
	}
	tests := []struct {
		b, c []float64
		want string
	}{
		{seq(50, 1), seq(50, 1.001), MethodMannWhitneyNormal}, // 0 on both sides: a tie, and 50 > 25
		{seq(50, 1)[1:], seq(50, 1.001)[1:], MethodMannWhitneyExact},
		{seq(51, 1)[1:], seq(52, 1.001)[1:], MethodMannWhitneyNormal},
		{seq(26, 1), seq(26, 1), MethodMannWhitneyNormal}, // ties: limit 25
		{seq(25, 1), seq(25, 1), MethodMannWhitneyExact},
	}
	for i, tt := range tests {
		if got := mannWhitneyMethod(tt.b, tt.c); got != tt.want {
			t.Errorf("case %d: got %s, want %s", i, got, tt.want)
		}
	}
}

// TestCompareRandomBadInput throws random mixtures of bad values, units,
// duplicates, metrics and summaries at Compare: it must not panic, and the
// comparison must encode as JSON (no NaN or Inf leaks).
func TestCompareRandomBadInput(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(17, 18))
	vals := []float64{0, -1, math.NaN(), math.Inf(1), 1e-9, 1, 2, 1e300}
	randSamples := func() []float64 {
		xs := make([]float64, rng.IntN(7))
		for i := range xs {
			xs[i] = vals[rng.IntN(len(vals))]
		}
		return xs
	}
	randBench := func() Benchmark {
		b := Benchmark{ID: string(rune('a' + rng.IntN(4))), Unit: []string{"s", "ns", "B/op", ""}[rng.IntN(4)],
			Direction: []Direction{LowerIsBetter, HigherIsBetter, ""}[rng.IntN(3)], Samples: randSamples()}
		if rng.IntN(3) == 0 {
			b.Stats = &Stats{N: rng.IntN(6), Mean: vals[rng.IntN(len(vals))], Median: vals[rng.IntN(len(vals))], Stddev: vals[rng.IntN(len(vals))], IQR: vals[rng.IntN(len(vals))]}
		}
		if rng.IntN(3) == 0 {
			b.Metrics = map[string]Metric{"MB/s": {Unit: "MB/s", Direction: HigherIsBetter, Samples: randSamples()}}
		}
		if rng.IntN(5) == 0 {
			b.Memory = &Memory{PeakRSSBytes: uint64(rng.IntN(3)) * 1e8}
		}
		if rng.IntN(8) == 0 {
			b.Error = "boom"
		}
		return b
	}
	cfg := DefaultConfig()
	cfg.Rules = []string{"mean:10%", "iqr:0.5"}
	cfg.Calibration = "a"
	for i := range 500 {
		var bs, cs []Benchmark
		for range rng.IntN(5) {
			bs = append(bs, randBench())
		}
		for range rng.IntN(5) {
			cs = append(cs, randBench())
		}
		c, err := Compare(res(bs...), res(cs...), cfg)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("case %d: %v\nbaseline %+v\ncurrent %+v", i, err, bs, cs)
		}
	}
}

// TestDriftAllowance: a change inside the run-to-run drift is not a
// regression (inconclusive, naming the drift); outside it, it is; with a
// history the band of the base branch's run medians decides.
func TestDriftAllowance(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	base := res(bench("x", noisy(rng, 10, 1e-3, 0.02)))
	hist := func(meds ...float64) map[string]Drift {
		d, ok := EstimateDrift(meds)
		if !ok {
			t.Fatalf("history %v not usable", meds)
		}
		return map[string]Drift{"x": d}
	}
	quiet := hist(1e-3, 1.02e-3, 0.99e-3, 1.01e-3, 1e-3, 0.98e-3, 1.01e-3, 0.99e-3)
	noisyHist := hist(1e-3, 2.5e-3, 0.6e-3, 1.3e-3, 0.8e-3, 1.9e-3, 1e-3, 1.3e-3) // up to 2.2x its median
	// The baseline was a fast outlier run (0.5x the typical 1 ms).
	fastBase := res(bench("x", noisy(rng, 10, 0.5e-3, 0.02)))
	for _, tt := range []struct {
		name   string
		base   *Results
		factor float64
		drift  map[string]Drift
		want   Verdict
		past   bool
		reason string
	}{
		{"default: +40% inside ±50%", base, 1.4, nil, Inconclusive, true, "separate runs on shared runners differ by up to ±50%"},
		{"default: 3x outside", base, 3, nil, Regression, false, ""},
		{"quiet history: +40% is a regression", base, 1.4, quiet, Regression, false, ""},
		{"noisy history: 3x inside the widened band", base, 3, noisyHist, Inconclusive, true, "runs on the base branch differ by"},
		{"noisy history: 12x outside", base, 12, noisyHist, Regression, false, ""},
		{"short history: default applies", base, 1.4, map[string]Drift{"x": {Runs: 3}}, Inconclusive, true, "default allowance"},
		// A typical run against an outlier baseline: +100% vs the
		// baseline, inside the history's band and not past the threshold
		// relative to the typical run: no warning.
		{"outlier baseline, typical run", fastBase, 1.0, noisyHist, Inconclusive, false, "this run is at -13%"},
	} {
		cur := res(bench("x", noisy(rng, 10, tt.factor*1e-3, 0.02)))
		cfg := DefaultConfig()
		cfg.DriftAllowance = 0.5 // what a quieter runner would set
		c, err := CompareRuns([]*Results{tt.base}, []*Results{cur}, cfg, tt.drift)
		if err != nil {
			t.Fatal(err)
		}
		r := findRow(t, c, "x", MetricTime)
		if r.Verdict != tt.want || !strings.Contains(r.Reason, tt.reason) {
			t.Errorf("%s: got %s %q, want %s with %q", tt.name, r.Verdict, r.Reason, tt.want, tt.reason)
		}
		if r.PastThreshold != tt.past || (c.Summary.InconclusivePast == 1) != tt.past {
			t.Errorf("%s: past threshold %v (summary %d), want %v", tt.name, r.PastThreshold, c.Summary.InconclusivePast, tt.past)
		}
	}
}

func TestEstimateDrift(t *testing.T) {
	t.Parallel()
	if _, ok := EstimateDrift([]float64{1, 2, 3, 4, 5, 6, 7}); ok {
		t.Error("7 runs accepted, want at least MinDriftRuns")
	}
	d, ok := EstimateDrift([]float64{1.1, 0.9, 1.2, 0.8, 1.0, 1.0, 1.05, 0.95, 0, math.Inf(1)})
	if !ok || d.Runs != 8 || math.Abs(d.Center-0) > 1e-12 || math.Abs(d.Lo-math.Log(0.8)) > 1e-12 || math.Abs(d.Hi-math.Log(1.2)) > 1e-12 {
		t.Errorf("got %+v %v, want 8 runs, center log 1, band [log 0.8, log 1.2]", d, ok)
	}
	// Alternating ±10%: every successive |log difference| is log(1.1/0.9).
	d, _ = EstimateDrift([]float64{1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9})
	if want := MADScale * math.Log(1.1/0.9) / math.Sqrt2; math.Abs(d.Sigma-want) > 1e-12 {
		t.Errorf("sigma %v, want %v", d.Sigma, want)
	}
}

// TestRunsAsBlocks: with several runs per side, a run that drifted (all its
// rounds 2x slower) cannot make an A/A comparison a regression, while a
// consistent 3x slowdown in every pair is one.
func TestRunsAsBlocks(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(31, 32))
	run := func(center float64) *Results { return res(bench("x", noisy(rng, 10, center, 0.03))) }
	// A/A, but the second current run landed on a slow moment.
	c, err := CompareRuns([]*Results{run(1), run(1), run(1)}, []*Results{run(1), run(2), run(1)}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := findRow(t, c, "x", MetricTime)
	if r.Verdict == Regression || r.Method != MethodRunsPaired || r.Current.Runs != 3 {
		t.Errorf("A/A with one drifted run: %s method %s runs %d (reason %q)", r.Verdict, r.Method, r.Current.Runs, r.Reason)
	}
	// The same data pooled as one run each would (wrongly) call it a regression.
	pool := func(rs ...*Results) *Results {
		var s []float64
		for _, x := range rs {
			s = append(s, x.Benchmarks[0].Samples...)
		}
		return res(bench("x", s))
	}
	cfg := DefaultConfig()
	cfg.DriftAllowance = 0
	cp, _ := Compare(pool(run(1), run(1), run(1)), pool(run(1), run(2), run(2)), cfg)
	if v := findRow(t, cp, "x", MetricTime).Verdict; v != Regression {
		t.Logf("pooled rounds: %s", v)
	}
	c, _ = CompareRuns([]*Results{run(1), run(1.2), run(0.9)}, []*Results{run(3), run(3.5), run(2.8)}, DefaultConfig(), nil)
	if r := findRow(t, c, "x", MetricTime); r.Verdict != Regression || r.Severity != Critical {
		t.Errorf("3x in every pair: %s/%s (reason %q, p %v)", r.Verdict, r.Severity, r.Reason, r.P)
	}
	// Unequal counts: Welch over run medians.
	c, _ = CompareRuns([]*Results{run(1), run(1.1), run(0.95), run(1.05)}, []*Results{run(3), run(3.2)}, DefaultConfig(), nil)
	if r := findRow(t, c, "x", MetricTime); r.Verdict != Regression || r.Method != MethodRunsWelch {
		t.Errorf("unequal counts: %s %s (%q)", r.Verdict, r.Method, r.Reason)
	}
}

// TestNothingJudged: the gate fails with verdict error when every current
// benchmark errored (with or without a baseline) or nothing was judged.
func TestNothingJudged(t *testing.T) {
	t.Parallel()
	ok := []float64{1, 1.1, 0.9, 1.05, 1}
	failed := Benchmark{ID: "x", Unit: "s", Error: "panic: boom"}
	for _, tt := range []struct {
		name      string
		base, cur *Results
		verdict   string
	}{
		{"all errored, first run", nil, res(failed), GateError},
		{"all errored", res(bench("x", ok)), res(failed), GateError},
		{"all inconclusive", res(bench("x", []float64{1, 2})), res(bench("x", []float64{1, 2})), GateError},
		{"first run ok", nil, res(bench("x", ok)), GatePass},
		{"one judged", res(bench("x", ok), bench("y", []float64{1})), res(bench("x", ok), bench("y", []float64{1})), GatePass},
	} {
		c, err := Compare(tt.base, tt.cur, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if c.Gate.Verdict != tt.verdict || c.Gate.Pass != (tt.verdict == GatePass) {
			t.Errorf("%s: gate %+v, want verdict %s", tt.name, c.Gate, tt.verdict)
		}
	}
}

// TestChooseClock: single-threaded benchmarks (CPU ≈ wall per round) are
// judged on CPU time, parallel ones (CPU > 1.15 x wall) and benchmarks
// without CPU samples on either side on wall time.
func TestChooseClock(t *testing.T) {
	t.Parallel()
	mk := func(cpuPerWall float64, n int) *Benchmark {
		b := bench("x", []float64{1, 1.1, 0.9, 1.05, 1})
		if n > 0 {
			cpu := make([]float64, n)
			for i := range cpu {
				cpu[i] = b.Samples[i%len(b.Samples)] * cpuPerWall
			}
			b.Metrics = map[string]Metric{MetricCPU: {Unit: MetricCPU, Samples: cpu}}
		}
		return &b
	}
	forced := mk(0.98, 5)
	forced.Extra = map[string]any{"clock": "wall"}
	// Parallel benchmarks on busy cores: CPU/wall near 1, yet declared.
	marked := mk(0.98, 5)
	marked.Markers = []string{MarkerParallel}
	workers := mk(0.98, 5)
	workers.Params = map[string]string{"workers": "4"}
	for _, tt := range []struct {
		name   string
		b, c   *Benchmark
		config string
		want   string
	}{
		{"single-threaded", mk(0.98, 5), mk(0.6, 5), ClockAuto, ClockCPU},
		{"parallel", mk(1.9, 5), mk(1.0, 5), ClockAuto, ClockWall},
		{"no cpu on one side", mk(1, 0), mk(1, 5), ClockAuto, ClockWall},
		{"cpu count differs", mk(1, 4), mk(1, 5), ClockAuto, ClockWall},
		{"declared wall", forced, mk(1, 5), ClockAuto, ClockWall},
		{"marked parallel", marked, mk(1, 5), ClockAuto, ClockWall},
		{"workers=4 param", workers, mk(1, 5), ClockAuto, ClockWall},
		{"forced wall", mk(1, 5), mk(1, 5), ClockWall, ClockWall},
		{"forced cpu on parallel", mk(1.9, 5), mk(1.9, 5), ClockCPU, ClockCPU},
	} {
		cfg := DefaultConfig()
		cfg.Clock = tt.config
		if got, _ := chooseClock([]*Benchmark{tt.b}, []*Benchmark{tt.c}, cfg); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestExpectedRange checks d2(n) against the control-chart table (ASTM
// E2587 / Montgomery): 1.128 (2), 2.326 (5), 2.847 (8), 3.078 (10), 3.532 (16),
// 4.086 (30).
func TestExpectedRange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int
		want float64
	}{{2, 1.128}, {5, 2.326}, {8, 2.847}, {10, 3.078}, {16, 3.532}, {30, 4.086}} {
		if got := expectedRange(tt.n); math.Abs(got-tt.want) > 0.0015 {
			t.Errorf("d2(%d) = %.4f, want %.3f", tt.n, got, tt.want)
		}
	}
	if got := rangeScale(refRuns); math.Abs(got-1) > 1e-12 {
		t.Errorf("rangeScale(%d) = %v, want 1", refRuns, got)
	}
}

// TestPresenceRowsKeepMetrics: a first run's (or a new benchmark's)
// secondary metrics carry their statistics (the report showed "– n=0"
// though results.json had the samples).
func TestPresenceRowsKeepMetrics(t *testing.T) {
	t.Parallel()
	b := bench("x", []float64{1, 1.1, 0.9, 1.05, 1, 1, 1, 1, 1, 1})
	b.Metrics = map[string]Metric{"B/op": {Unit: "B/op", Samples: []float64{64, 64, 64, 64, 64, 64, 64, 64, 64, 64}},
		MetricCPU: {Unit: MetricCPU, Samples: []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}}
	c, err := Compare(nil, res(b), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{MetricTime, "B/op", MetricCPU} {
		r := findRow(t, c, "x", m)
		if r.Verdict != New || r.Current == nil || r.Current.N != 10 || r.Current.Median == 0 {
			t.Errorf("%s: verdict %s, current %+v: want new with n=10 and its median", m, r.Verdict, r.Current)
		}
	}
	if c.Summary.Benchmarks != 1 || c.Summary.New != 1 {
		t.Errorf("summary %+v: want 1 benchmark, new", c.Summary)
	}
}
