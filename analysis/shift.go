package analysis

import (
	"math"
	"sync"

	"github.com/aclements/go-moremath/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// Shift is the Hodges-Lehmann estimate of the shift between two samples and
// its distribution-free confidence interval, on whatever scale the samples
// are given (Compare passes logarithms, so exp(Est) is a ratio).
//
// With D(1) <= ... <= D(N) the N = m·n pairwise differences c_j - b_i:
//
//	Est = median of D
//	[Lo, Hi] = [D(k), D(N+1-k)]
//
// where k is the largest rank with P(U <= k-1) <= (1-level)/2 under the null
// distribution of the Mann-Whitney U statistic (Moses' interval, the one that
// goes with the Mann-Whitney test and the Hodges-Lehmann estimator). Cover
// is the interval's exact coverage 1 - 2·P(U <= k-1) (normal approximation
// of U beyond 50 samples per side); it is below level only when the samples
// are too small for any interval at that level (then k = 1 and the interval
// spans every difference).
type Shift struct {
	Est, Lo, Hi float64
	Cover       float64
}

// shiftScratch holds the buffer of materialised differences.
type shiftScratch struct {
	diffs []float64
}

// maxMaterialised is the largest m·n for which the pairwise differences
// are materialised and selected; beyond it they are counted implicitly, so
// memory stays O(m+n) (150,000 rounds per side would need 180 GB).
const maxMaterialised = 1 << 16

// shiftOf computes the Shift of c over b. Both must be sorted ascending and
// non-empty.
func (s *shiftScratch) shiftOf(b, c []float64, level float64) Shift {
	m, n := len(b), len(c)
	N := m * n
	k, cover := mosesRank(m, n, level)
	kth := func(r int) float64 { return kthDiffImplicit(b, c, r) }
	if N <= maxMaterialised {
		if cap(s.diffs) < N {
			s.diffs = make([]float64, N)
		}
		d := s.diffs[:N]
		i := 0
		for _, y := range c {
			for _, x := range b {
				d[i] = y - x
				i++
			}
		}
		kth = func(r int) float64 { return selectK(d, r-1) }
	}
	var est float64
	if N%2 == 1 {
		est = kth((N + 1) / 2)
	} else {
		est = (kth(N/2) + kth(N/2+1)) / 2
	}
	return Shift{Est: est, Lo: kth(k), Hi: kth(N + 1 - k), Cover: cover}
}

// ShiftCI returns the Hodges-Lehmann shift of cur over base and its
// confidence interval at the given level (0.95 for 95%). base and cur need
// not be sorted and are not modified. Memory is O(len(base)+len(cur)) for
// large samples; time O((m+n)·64) per order statistic.
func ShiftCI(base, cur []float64, level float64) Shift {
	var s shiftScratch
	return s.shiftOf(sortedCopy(base), sortedCopy(cur), level)
}

type rankKey struct {
	m, n  int
	level float64
}

var rankCache sync.Map // rankKey -> [2]float64{k, cover}

// exactULimit is the largest sample size per side for which the exact null
// distribution of U is used (go-moremath's UDist, the distribution benchstat's
// test uses); beyond it the normal approximation.
const exactULimit = 50

// mosesRank returns the rank k of the lower end of the level interval and
// its coverage (see Shift).
func mosesRank(m, n int, level float64) (int, float64) {
	key := rankKey{m, n, level}
	if v, ok := rankCache.Load(key); ok {
		a := v.([2]float64)
		return int(a[0]), a[1]
	}
	tail := (1 - level) / 2
	N := m * n
	var k int
	var cover float64
	if m <= exactULimit && n <= exactULimit {
		d := stats.UDist{N1: m, N2: n}
		cdf := func(u int) float64 {
			if u < 0 {
				return 0
			}
			return d.CDF(float64(u))
		}
		// The largest k with P(U <= k-1) <= tail (monotone in k: bisect).
		lo, hi := 0, N/2+1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if cdf(mid-1) <= tail {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		k = lo
		if k == 0 {
			k = 1
		}
		cover = 1 - 2*cdf(k-1)
	} else {
		// U ~ N(N/2, mn(m+n+1)/12): k - 1 = floor(N/2 - z·sd - 1/2)
		// (continuity-corrected), as in Hollander & Wolfe.
		z := distuv.UnitNormal.Quantile(1 - tail)
		sd := math.Sqrt(float64(m) * float64(n) * float64(m+n+1) / 12)
		k = int(math.Floor(float64(N)/2-z*sd-0.5)) + 1
		k = max(1, k)
		cover = 1 - 2*distuv.UnitNormal.CDF((float64(k-1)+0.5-float64(N)/2)/sd)
	}
	k = min(k, (N+1)/2)
	rankCache.Store(key, [2]float64{float64(k), cover})
	return k, cover
}

// kthDiffImplicit returns the r-th smallest (1-based) of the differences
// c[j]-b[i] without materialising them: it bisects over the float64 values
// in their total order and counts, for a candidate t, the pairs with
// c[j]-b[i] <= t in O(m+n) with two pointers (for fixed j the difference
// falls as i grows, and rises with j). The smallest t whose count reaches r
// is exactly the r-th difference, because every difference is a float64
// and the count only changes at them. Hand-written: neither the standard
// library nor gonum selects from an implicit sorted matrix (the exact
// algorithms of Johnson & Mizoguchi or Frederickson & Johnson are far more
// code for no gain at these sizes).
func kthDiffImplicit(b, c []float64, r int) float64 {
	lo, hi := orderKey(c[0]-b[len(b)-1]), orderKey(c[len(c)-1]-b[0])
	for lo < hi {
		mid := lo + (hi-lo)/2
		if countLE(b, c, fromOrderKey(mid)) >= r {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return fromOrderKey(lo)
}

// countLE counts the pairs (i, j) with c[j]-b[i] <= t; b and c sorted.
func countLE(b, c []float64, t float64) int {
	m := len(b)
	count, p := 0, 0
	for _, y := range c {
		for p < m && y-b[p] > t {
			p++
		}
		count += m - p
	}
	return count
}

// orderKey maps a float64 to a uint64 with the same order (negative values
// below positive ones; -0 and +0 adjacent).
func orderKey(f float64) uint64 {
	u := math.Float64bits(f)
	if u>>63 == 1 {
		return ^u
	}
	return u | 1<<63
}

func fromOrderKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
