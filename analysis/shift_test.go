package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aclements/go-moremath/stats"
)

// bruteShift computes the Hodges-Lehmann shift and Moses' interval by
// materialising and sorting every pairwise difference, with the rank k found
// by walking the exact U distribution: the definition, written independently
// of shiftOf.
func bruteShift(b, c []float64, k int) (est, lo, hi float64) {
	var d []float64
	for _, y := range c {
		for _, x := range b {
			d = append(d, y-x)
		}
	}
	slices.Sort(d)
	n := len(d)
	return (d[(n-1)/2] + d[n/2]) / 2, d[k-1], d[n-k]
}

func TestShiftMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range [][2]int{{1, 1}, {2, 3}, {4, 4}, {5, 7}, {10, 10}, {30, 20}, {60, 70}, {300, 250}} {
		b, c := make([]float64, n[0]), make([]float64, n[1])
		for i := range b {
			b[i] = math.Log(1 + rng.ExpFloat64())
		}
		for i := range c {
			c[i] = math.Log(1.3 + rng.ExpFloat64())
		}
		if n[0] == 4 { // ties
			b[1], c[2] = b[0], b[0]
		}
		slices.Sort(b)
		slices.Sort(c)
		k, cover := mosesRank(len(b), len(c), Level)
		west, wlo, whi := bruteShift(b, c, k)
		var sc shiftScratch
		got := sc.shiftOf(b, c, Level)
		if got.Est != west || got.Lo != wlo || got.Hi != whi {
			t.Errorf("n=%v materialised: got %+v, want est %v [%v, %v]", n, got, west, wlo, whi)
		}
		// The implicit path on the same data must give the same order
		// statistics bit for bit.
		for _, r := range []int{1, k, (len(b)*len(c) + 1) / 2, len(b) * len(c)} {
			d := bruteOrder(b, c, r)
			if g := kthDiffImplicit(b, c, r); g != d {
				t.Errorf("n=%v rank %d implicit: got %v, want %v", n, r, g, d)
			}
		}
		if n[0] >= 4 && n[1] >= 4 && cover < Level {
			t.Errorf("n=%v: coverage %v below %v", n, cover, Level)
		}
	}
}

func bruteOrder(b, c []float64, r int) float64 {
	var d []float64
	for _, y := range c {
		for _, x := range b {
			d = append(d, y-x)
		}
	}
	slices.Sort(d)
	return d[r-1]
}

// TestMosesRank checks the exact ranks against the U distribution and
// published values: m = n = 10 at 95% gives k = 24 (Hollander & Wolfe,
// table A.6: lower critical value 24 for the 0.95 interval).
func TestMosesRank(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ m, n, k int }{{10, 10, 24}, {5, 5, 3}, {4, 4, 1}, {8, 8, 14}} {
		k, cover := mosesRank(tc.m, tc.n, 0.95)
		if k != tc.k {
			t.Errorf("m=%d n=%d: k = %d, want %d", tc.m, tc.n, k, tc.k)
		}
		d := stats.UDist{N1: tc.m, N2: tc.n}
		if want := 1 - 2*d.CDF(float64(k-1)); math.Abs(cover-want) > 1e-12 {
			t.Errorf("m=%d n=%d: cover %v, want %v", tc.m, tc.n, cover, want)
		}
	}
	// Normal approximation continues the exact ranks smoothly.
	kExact, _ := mosesRank(50, 50, 0.95)
	kNorm, _ := mosesRank(51, 50, 0.95)
	if kNorm < kExact || kNorm > kExact+60 {
		t.Errorf("k(51,50) = %d, k(50,50) = %d: the approximation does not continue the exact ranks", kNorm, kExact)
	}
}

// TestShiftCoverage checks by simulation that Moses' interval covers the
// true log shift about 95% of the time.
func TestShiftCoverage(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	in := 0
	const trials = 400
	for range trials {
		b, c := make([]float64, 10), make([]float64, 12)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		for i := range c {
			c[i] = 0.7 + rng.NormFloat64()
		}
		s := ShiftCI(b, c, Level)
		if s.Lo <= 0.7 && 0.7 <= s.Hi {
			in++
		}
	}
	if in < trials*92/100 {
		t.Errorf("true shift inside %d/%d intervals, want >= 92%%", in, trials)
	}
}

// TestShiftLargeBounded runs 150,000 rounds per side through the implicit
// path: memory stays O(m+n) (the n x m differences would be 180 GB).
func TestShiftLargeBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 150_000
	b, c := make([]float64, n), make([]float64, n)
	for i := range b {
		b[i] = math.Log(4e-6 * (1 + 0.2*rng.ExpFloat64()))
		c[i] = math.Log(1.5 * 4e-6 * (1 + 0.2*rng.ExpFloat64()))
	}
	s := ShiftCI(b, c, Level)
	if got := math.Exp(s.Est); math.Abs(got-1.5) > 0.01 {
		t.Errorf("ratio %v, want 1.5", got)
	}
	if !(s.Lo < s.Est && s.Est < s.Hi) || s.Hi-s.Lo > 0.01 {
		t.Errorf("interval [%v, %v] around %v", s.Lo, s.Hi, s.Est)
	}
}
