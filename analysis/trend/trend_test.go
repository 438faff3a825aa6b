package trend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

const id = "xpcs/g2/multitau[size=small]"

// history makes one entry per day with value values[i] for benchmark id.
func history(values []float64) []Entry {
	es := make([]Entry, len(values))
	for i, v := range values {
		es[i] = entry(i, fmt.Sprintf("c%03d", i), map[string]Summary{id: {Median: v, N: 10, Unit: "s", CV: 0.03}})
	}
	return es
}

// noise returns n values 1 + 0.03·N(0,1) (runner-like 3% noise).
func noise(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	v := make([]float64, n)
	for i := range v {
		v[i] = 1 + 0.03*rng.NormFloat64()
	}
	return v
}

func TestStepFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, at, tol int // tol: allowed index error
		step       float64
	}{
		{30, 15, 0, 0.10},   // +10% (3.3 sigma) after 15 nightly runs
		{60, 40, 0, 0.06},   // +6% (2 sigma) late in a longer series
		{200, 50, 1, -0.05}, // a 1.7-sigma improvement: located within one run
		{20, 5, 0, 0.25},    // at the minimum segment
	} {
		v := noise(tc.n, 1)
		for i := tc.at; i < tc.n; i++ {
			v[i] += tc.step
		}
		tr := Analyze(history(v), id, Options{})
		if len(tr.ChangePoints) != 1 {
			t.Errorf("n=%d step %+g at %d: change points %+v, want exactly one", tc.n, tc.step, tc.at, tr.ChangePoints)
			continue
		}
		cp := tr.ChangePoints[0]
		if cp.Index < tc.at-tc.tol || cp.Index > tc.at+tc.tol || cp.P > 0.01 {
			t.Errorf("n=%d step %+g at %d: change point %+v, want index %d±%d, p <= 0.01", tc.n, tc.step, tc.at, cp, tc.at, tc.tol)
		}
		// Medians of segments of 5 or more points of 3% noise.
		if got := cp.After - cp.Before; math.Abs(got-tc.step) > 0.05 {
			t.Errorf("n=%d: after-before = %g, want about %g", tc.n, got, tc.step)
		}
		// The step is no run of anomalies.
		if len(tr.Anomalies) > tc.n/10 {
			t.Errorf("n=%d: %d anomalies around a clean step, want few", tc.n, len(tr.Anomalies))
		}
	}
}

func TestTwoSteps(t *testing.T) {
	t.Parallel()
	v := noise(90, 3)
	for i := 30; i < 90; i++ {
		v[i] += 0.15
	}
	for i := 60; i < 90; i++ {
		v[i] -= 0.3
	}
	tr := Analyze(history(v), id, Options{})
	var idx []int
	for _, cp := range tr.ChangePoints {
		idx = append(idx, cp.Index)
	}
	if !slices.Equal(idx, []int{30, 60}) {
		t.Errorf("change points at %v, want [30 60] (%+v)", idx, tr.ChangePoints)
	}
}

// TestNoiseFalsePositives: pure noise over many seeds; a series with any
// change point counts as one false positive. The rate must be about Alpha.
func TestNoiseFalsePositives(t *testing.T) {
	t.Parallel()
	const seeds = 300
	for _, n := range []int{20, 100} {
		fp := 0
		for s := range seeds {
			tr := Analyze(history(noise(n, uint64(1000+s))), id, Options{Seed: uint64(s)})
			if len(tr.ChangePoints) > 0 {
				fp++
			}
		}
		rate := float64(fp) / seeds
		t.Logf("n=%d: false-positive rate %.3f over %d series (alpha 0.05)", n, rate, seeds)
		// Binomial(300, 0.05): mean 15, sd 3.8; 0.085 is 2.8 sd above.
		if rate > 0.085 {
			t.Errorf("n=%d: false-positive rate %.3f, want <= about 0.05", n, rate)
		}
	}
}

// TestSlopeCI: a known drift of +0.2%/day with 3% noise; the 95% CI covers it
// in about 95% of seeds, and the estimate is close.
func TestSlopeCI(t *testing.T) {
	t.Parallel()
	const seeds, n, slope = 400, 40, 0.002
	covered := 0
	for s := range seeds {
		v := noise(n, uint64(s))
		for i := range v {
			v[i] += slope * float64(i)
		}
		tr := Analyze(history(v), id, Options{})
		if tr.SlopeCILow <= slope && slope <= tr.SlopeCIHigh {
			covered++
		}
		if s == 0 {
			if math.Abs(tr.SlopePerDay-slope) > 0.001 {
				t.Errorf("slope %g, want about %g", tr.SlopePerDay, slope)
			}
			if !(tr.SlopeCILow < tr.SlopePerDay && tr.SlopePerDay < tr.SlopeCIHigh) {
				t.Errorf("slope %g outside its CI [%g, %g]", tr.SlopePerDay, tr.SlopeCILow, tr.SlopeCIHigh)
			}
			if got, want := tr.RelSlopeDay, tr.SlopePerDay/median(v); math.Abs(got-want) > 1e-15 {
				t.Errorf("relative slope %g, want %g", got, want)
			}
		}
	}
	rate := float64(covered) / seeds
	t.Logf("slope CI coverage %.3f over %d seeds", rate, seeds)
	if rate < 0.92 || rate > 0.98 {
		t.Errorf("95%% CI covered the true slope in %.3f of seeds, want about 0.95", rate)
	}
}

func TestExactSlope(t *testing.T) {
	t.Parallel()
	// Uneven times: value = 2 + 0.5·days exactly.
	days := []float64{0, 0.5, 3, 7, 7.25, 30}
	var es []Entry
	for i, d := range days {
		es = append(es, Entry{Schema: Schema, Time: t0.Add(time.Duration(d * 24 * float64(time.Hour))),
			Benchmarks: map[string]Summary{id: {Median: 2 + 0.5*d, Unit: "s"}}})
		_ = i
	}
	slices.Reverse(es) // Analyze sorts by time
	tr := Analyze(es, id, Options{})
	if math.Abs(tr.SlopePerDay-0.5) > 1e-12 || math.Abs(tr.SlopeCILow-0.5) > 1e-9 || math.Abs(tr.SlopeCIHigh-0.5) > 1e-9 {
		t.Errorf("slope %g [%g, %g], want 0.5 exactly", tr.SlopePerDay, tr.SlopeCILow, tr.SlopeCIHigh)
	}
	if !tr.Points[0].Time.Equal(t0) {
		t.Error("points not in time order")
	}
}

func TestAnomalies(t *testing.T) {
	t.Parallel()
	v := noise(40, 5)
	v[17] = 1.5 // one wild run
	v[39] = 0.7 // the latest run is suspiciously fast
	tr := Analyze(history(v), id, Options{Sensitivity: 4})
	if !slices.Equal(tr.Anomalies, []int{17, 39}) {
		t.Errorf("anomalies %v, want [17 39]", tr.Anomalies)
	}
	if z := tr.Points[17].Robust; z < 10 {
		t.Errorf("robust z of the spike %g, want > 10", z)
	}
	if len(tr.ChangePoints) != 0 {
		t.Errorf("two outliers made change points %+v", tr.ChangePoints)
	}
	// Default sensitivity 2: about 5% of pure-noise points, never the bulk.
	def := Analyze(history(noise(200, 6)), id, Options{})
	if got := len(def.Anomalies); got < 2 || got > 20 {
		t.Errorf("%d anomalies in 200 noise points at |z| > 2, want about 9", got)
	}
}

func TestFewPoints(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 3, 9} {
		v := noise(n, 7)
		if n > 0 {
			v[n-1] = 10 // would be an anomaly with enough points
		}
		d := AnalyzeDetail(history(v), id, Options{})
		if len(d.Anomalies) != 0 || len(d.ChangePoints) != 0 {
			t.Errorf("n=%d: anomalies %v, change points %v; want none", n, d.Anomalies, d.ChangePoints)
		}
		notes := strings.Join(d.Notes, "; ")
		if n > 0 && !strings.Contains(notes, "anomalies need at least 10") {
			t.Errorf("n=%d: notes %q, want the reason for no anomalies", n, notes)
		}
		if len(d.Points) != n {
			t.Errorf("n=%d: %d points", n, len(d.Points))
		}
		if n == 2 && (d.SlopePerDay == 0 || d.SlopeCILow != 0 || !strings.Contains(notes, "without confidence interval")) {
			t.Errorf("n=2: slope %g CI %g, notes %q", d.SlopePerDay, d.SlopeCILow, notes)
		}
	}
}

func TestMixedUnitsAndMachines(t *testing.T) {
	t.Parallel()
	es := history(noise(12, 8))
	es[0].Benchmarks[id] = Summary{Median: 1e6, Unit: "ns"}
	es[6].Machine = Machine{CPUModel: "Intel Xeon 8370C", Cores: 4}
	d := AnalyzeDetail(es, id, Options{})
	if len(d.Points) != 11 || d.Unit != "s" {
		t.Errorf("%d points in %q, want 11 in s", len(d.Points), d.Unit)
	}
	notes := strings.Join(d.Notes, "; ")
	for _, want := range []string{"1 points in another unit", "machine changed at point 5", "Intel Xeon 8370C x4"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q, want %q", notes, want)
		}
	}
}

func TestAnalyzeAllDeterministic(t *testing.T) {
	t.Parallel()
	es := benchHistory(60, 8, 11)
	all := AnalyzeAll(es, Options{Seed: 3})
	if len(all) != 8 {
		t.Fatalf("%d trends, want 8", len(all))
	}
	for _, tr := range all {
		one := Analyze(es, tr.ID, Options{Seed: 3})
		if !reflect.DeepEqual(one, tr) {
			t.Errorf("%s: AnalyzeAll and Analyze differ:\n%+v\n%+v", tr.ID, tr, one)
		}
	}
	if !reflect.DeepEqual(all, AnalyzeAll(es, Options{Seed: 3})) {
		t.Error("AnalyzeAll is not deterministic")
	}
	if !slices.IsSortedFunc(all, func(a, b analysis.TrendInfo) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("trends not sorted by id")
	}
}

func TestConstantSeries(t *testing.T) {
	t.Parallel()
	v := make([]float64, 30)
	for i := range v {
		v[i] = 0.5
	}
	v[29] = 0.6
	tr := Analyze(history(v), id, Options{})
	if len(tr.ChangePoints) != 0 || tr.SlopePerDay <= 0 {
		t.Errorf("change points %v, slope %g", tr.ChangePoints, tr.SlopePerDay)
	}
	if !slices.Equal(tr.Anomalies, []int{29}) {
		t.Errorf("anomalies %v, want [29] (MAD 0: mean-deviation fallback)", tr.Anomalies)
	}
}

func TestMidranks(t *testing.T) {
	t.Parallel()
	got := midranks([]float64{3, 1, 3, 2, 3})
	want := []float64{4, 1, 4, 2, 4}
	if !slices.Equal(got, want) {
		t.Errorf("midranks = %v, want %v", got, want)
	}
}

// benchHistory makes runs entries of bench benchmarks: noise with a +20% step
// at 2/3 of the series in every third benchmark and a slow drift in every
// fifth.
func benchHistory(runs, bench int, seed uint64) []Entry {
	rng := rand.New(rand.NewPCG(seed, 1))
	es := make([]Entry, runs)
	for i := range es {
		m := make(map[string]Summary, bench)
		for b := range bench {
			v := 1e-3 * float64(b+1) * (1 + 0.03*rng.NormFloat64())
			if b%3 == 0 && i >= 2*runs/3 {
				v *= 1.2
			}
			if b%5 == 0 {
				v *= 1 + 0.001*float64(i)
			}
			m[fmt.Sprintf("cat/group/bench%03d", b)] = Summary{Median: v, N: 10, Unit: "s", CV: 0.03}
		}
		es[i] = entry(i, fmt.Sprintf("c%04d", i), m)
	}
	return es
}

func TestMinShift(t *testing.T) {
	t.Parallel()
	v := noise(90, 4)
	for i := 30; i < 90; i++ {
		v[i] += 0.04 // +4%
	}
	for i := 60; i < 90; i++ {
		v[i] += 0.26 // then +25%
	}
	all := Analyze(history(v), id, Options{})
	big := Analyze(history(v), id, Options{MinShift: 0.1})
	if len(all.ChangePoints) != 2 {
		t.Fatalf("change points %+v, want 2 without MinShift", all.ChangePoints)
	}
	if len(big.ChangePoints) != 1 || big.ChangePoints[0].Index != 60 {
		t.Fatalf("change points %+v, want only the +25%% one at 60 with MinShift 10%%", big.ChangePoints)
	}
	// Merged segments: the medians are re-measured over the merged run.
	if got, want := big.ChangePoints[0].Before, median(v[:60]); got != want {
		t.Errorf("before %g, want the median of the merged segment %g", got, want)
	}
}

func TestManyMachineChanges(t *testing.T) {
	t.Parallel()
	es := history(noise(20, 9))
	for i := range es {
		if i%2 == 1 {
			es[i].Machine = Machine{CPUModel: "AMD EPYC 9V74", Cores: 4}
		}
	}
	d := AnalyzeDetail(es, id, Options{})
	n := 0
	for _, note := range d.Notes {
		if strings.HasPrefix(note, "machine changed at") {
			n++
		}
	}
	if notes := strings.Join(d.Notes, "; "); n != 3 || !strings.Contains(notes, "machine changed 19 times in all") {
		t.Errorf("notes %q: want 3 named changes and a count of 19", notes)
	}
}
