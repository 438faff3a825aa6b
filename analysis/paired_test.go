package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Reference values from scipy 1.10.1 on this machine:
// scipy.stats.wilcoxon(d) (defaults) and, for ties, mode="approx".
func TestWilcoxonSignedRankScipy(t *testing.T) {
	t.Parallel()
	n60 := []float64{0.05, 0.3475, -0.0267, -0.2277, 0.1982, 0.2895, -0.16, -0.1354, 0.3077, 0.169, -0.2384, 0.0053, 0.3499, 0.0174, -0.2415, 0.1577, 0.3138, -0.1257, -0.1685, 0.282, 0.2087, -0.2229, -0.0384, 0.3457, 0.0622, -0.2488, 0.1148, 0.3321, -0.0875, -0.1967, 0.2511, 0.2449, -0.2013, -0.0801, 0.3348, 0.1067, -0.2494, 0.0704, 0.3442, -0.0462, -0.2194, 0.2157, 0.2767, -0.1741, -0.119, 0.3176, 0.15, -0.2434, 0.0256, 0.3497, -0.0028, -0.236, 0.1765, 0.3034, -0.1418, -0.154, 0.2944, 0.191, -0.2308, -0.0187}
	tests := []struct {
		name      string
		d         []float64
		wantT     float64
		wantP     float64
		wantExact bool
	}{
		{"n5 all positive", []float64{0.1, 0.2, 0.3, 0.4, 0.5}, 0, 0.0625, true},
		{"n8 mixed", []float64{0.05, -0.02, 0.11, 0.07, -0.01, 0.09, 0.03, 0.12}, 3, 0.0390625, true},
		{"n10 mixed", []float64{1.2, -0.4, 0.8, 2.1, -1.3, 0.5, 0.9, -0.2, 1.7, 0.3}, 12, 0.130859375, true},
		{"n12 ties (approx)", []float64{0.1, 0.1, -0.2, 0.3, 0.3, 0.3, -0.1, 0.4, 0.5, -0.5, 0.2, 0.6}, 17, 0.08318487806875982, false},
		{"n6 with a zero (approx)", []float64{0, 0.2, -0.1, 0.3, 0.4, 0.25}, 1, 0.07961580146011343, false},
		{"n60 (approx)", n60, 662, 0.06253467905389178, false},
		{"all zero", []float64{0, 0, 0}, 0, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WilcoxonSignedRank(tt.d)
			if got.T != tt.wantT || math.Abs(got.P-tt.wantP) > 1e-9 || got.Exact != tt.wantExact {
				t.Errorf("got T=%v P=%.12g exact=%v, want T=%v P=%.12g exact=%v", got.T, got.P, got.Exact, tt.wantT, tt.wantP, tt.wantExact)
			}
		})
	}
}

// The interval's order statistics from the signed-rank table (n=8: T=3,
// n=10: T=8 at 5% two-sided), checked against the sorted Walsh averages
// computed with numpy.
func TestWalshShift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		d                 []float64
		wantEst, wLo, wHi float64
		wantCoverAtLeast  float64
	}{
		{"n10", []float64{1.2, -0.4, 0.8, 2.1, -1.3, 0.5, 0.9, -0.2, 1.7, 0.3}, 0.6, -0.2, 1.3, 0.95},
		{"n8", []float64{0.05, -0.02, 0.11, 0.07, -0.01, 0.09, 0.03, 0.12}, 0.0525, 0.005, 0.105, 0.95},
		{"n3 too few: the range", []float64{0.1, 0.2, 0.4}, 0.225, 0.1, 0.4, 0.7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WalshShift(tt.d, Level)
			if math.Abs(got.Est-tt.wantEst) > 1e-12 || math.Abs(got.Lo-tt.wLo) > 1e-12 || math.Abs(got.Hi-tt.wHi) > 1e-12 || got.Cover < tt.wantCoverAtLeast-1e-12 {
				t.Errorf("got %+v, want est %v CI [%v, %v] cover >= %v", got, tt.wantEst, tt.wLo, tt.wHi, tt.wantCoverAtLeast)
			}
		})
	}
}

// abResults builds one side of an A/B run: samples base*f_i with the pair
// indices as JSON gives them back.
func abResults(t *testing.T, samples []float64, pairs bool) *Results {
	t.Helper()
	b := Benchmark{ID: "c/g/x", Name: "x", Unit: "s", Direction: LowerIsBetter, Samples: samples}
	if pairs {
		p := make([]int, len(samples))
		for i := range p {
			p[i] = i
		}
		b.Extra = map[string]any{ExtraABPairs: p}
	}
	res := &Results{Schema: ResultsSchema, Benchmarks: []Benchmark{b}}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back Results
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

func TestCompareRunsPaired(t *testing.T) {
	t.Parallel()
	// A drifting machine: the pair level moves 3x over the run, the head is
	// slower by the given factor within each pair (with a little noise).
	drift := []float64{1, 1.5, 2.2, 3, 2.5, 1.2, 1.8, 2.9, 1.1, 2}
	noise := []float64{1.011, 0.993, 1.021, 0.984, 1.002, 1.013, 0.991, 1.004, 1.019, 0.982}
	side := func(f float64, shuffle bool) []float64 {
		out := make([]float64, len(drift))
		for i := range out {
			out[i] = 1e-3 * drift[i] * f * noise[(i*3+map[bool]int{false: 0, true: 5}[shuffle])%len(noise)]
		}
		return out
	}
	tests := []struct {
		name        string
		f           float64
		pairs       bool
		wantVerdict Verdict
		wantMethod  string
	}{
		{"paired +30% is a regression", 1.3, true, Regression, MethodWilcoxonSignedRank},
		{"paired A/A is unchanged (mirrored noise ties: normal)", 1.0, true, Unchanged, MethodWilcoxonSignedRankNormal},
		{"unpaired +30% drowns in the drift", 1.3, false, Inconclusive, MethodMannWhitneyExact},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := abResults(t, side(1, false), tt.pairs)
			cur := abResults(t, side(tt.f, true), tt.pairs)
			cmp, err := Compare(base, cur, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			r := cmp.Rows[0]
			if r.Verdict != tt.wantVerdict || r.Method != tt.wantMethod {
				t.Errorf("got %s by %s (%s), want %s by %s", r.Verdict, r.Method, r.Reason, tt.wantVerdict, tt.wantMethod)
			}
			if tt.pairs && (r.Drift != 0 || !strings.Contains(r.Reason, "side by side")) {
				t.Errorf("got drift %v, reason %q; want no drift and the method named", r.Drift, r.Reason)
			}
		})
	}
}

func TestSamePairs(t *testing.T) {
	t.Parallel()
	mk := func(n int, extra any) *Benchmark {
		b := &Benchmark{Samples: make([]float64, n)}
		if extra != nil {
			b.Extra = map[string]any{ExtraABPairs: extra}
		}
		return b
	}
	tests := []struct {
		name string
		a, b *Benchmark
		want bool
	}{
		{"same", mk(3, []any{0.0, 1.0, 2.0}), mk(3, []int{0, 1, 2}), true},
		{"one side unpaired", mk(3, []any{0.0, 1.0, 2.0}), mk(3, nil), false},
		{"different pairs", mk(2, []any{0.0, 1.0}), mk(2, []any{1.0, 2.0}), false},
		{"length differs from samples", mk(3, []any{0.0, 1.0}), mk(3, []any{0.0, 1.0}), false},
		{"not numbers", mk(1, []any{"0"}), mk(1, []any{"0"}), false},
	}
	for _, tt := range tests {
		if got := samePairs(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
