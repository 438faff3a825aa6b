package analysis

import (
	"math"
	"math/rand/v2"
	"sync"
)

// bootScratch holds per-goroutine buffers of the bootstrap.
type bootScratch struct {
	ratios []float64
	counts []int
	diffs  []float64 // Hodges-Lehmann pairwise differences
	logs   []float64
}

// ratioCI returns the percentile-bootstrap 95% confidence interval of
// median(cur)/median(base): iters times, both samples are resampled with
// replacement, the ratio of the resampled medians is recorded, and the 2.5%
// and 97.5% empirical quantiles (the definition of gonum's stat.Empirical)
// bound the interval.
// base and cur must be sorted ascending; the stream is PCG(seed, stream), so
// the interval is deterministic.
//
// The resampled median is found without sorting: because the input is
// sorted, the median of a resample is fixed by how many times each index was
// drawn (a counting sort over n bins, O(n) per resample instead of
// O(n log n)). Written by hand because no library resamples medians this way
// and BenchmarkCompare10k needs the speed.
func (bs *bootScratch) ratioCI(base, cur []float64, iters int, seed, stream uint64) (lo, hi float64) {
	rng := rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
	if cap(bs.ratios) < iters {
		bs.ratios = make([]float64, iters)
	}
	ratios := bs.ratios[:iters]
	tb, tc := medianTableFor(len(base)), medianTableFor(len(cur))
	for i := range ratios {
		var mb, mc float64
		if tb != nil {
			mb = tb.draw(base, rng)
		} else {
			mb = bs.resampledMedian(base, rng)
		}
		if tc != nil {
			mc = tc.draw(cur, rng)
		} else {
			mc = bs.resampledMedian(cur, rng)
		}
		if mb == 0 {
			ratios[i] = 0
			continue
		}
		ratios[i] = mc / mb
	}
	// stat.Empirical's p-quantile is the element of rank ceil(p*n)-1 of the
	// sorted values; selecting the two ranks avoids sorting all of them.
	kLo := max(0, int(math.Ceil(0.025*float64(iters)))-1)
	kHi := max(0, int(math.Ceil(0.975*float64(iters)))-1)
	lo = selectK(ratios, kLo)
	hi = selectK(ratios[kLo:], kHi-kLo)
	return lo, hi
}

// selectK partially orders xs so that xs[k] is its k-th smallest value
// (Hoare's quickselect, median-of-three pivot) and returns it. Hand-written:
// neither the standard library nor gonum exposes a selection algorithm, and
// sorting the 2000 bootstrap ratios of each row dominated Compare.
func selectK(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

// resampledMedian draws len(sorted) indices with replacement and returns the
// median of the drawn values (mean of the two middle ones for even n).
func (bs *bootScratch) resampledMedian(sorted []float64, rng *rand.Rand) float64 {
	n := len(sorted)
	if n == 1 {
		return sorted[0]
	}
	if cap(bs.counts) < n {
		bs.counts = make([]int, n)
	}
	counts := bs.counts[:n]
	clear(counts)
	if n <= 1<<12 {
		// Four 16-bit draws per PCG output, each mapped to [0, n) by a
		// multiply-shift (Lemire); the bias is below n/65536 (0.03% for n = 20),
		// far under the Monte Carlo error of 2000 resamples.
		left := n
		for left > 0 {
			u := rng.Uint64()
			for c := 0; c < 4 && left > 0; c++ {
				counts[(uint64(uint16(u))*uint64(n))>>16]++
				u >>= 16
				left--
			}
		}
	} else {
		for range n {
			counts[rng.IntN(n)]++
		}
	}
	// The k-th smallest drawn value (0-based) is sorted[i] for the first i
	// whose cumulative count exceeds k.
	lowK, highK := (n-1)/2, n/2
	var lowV, highV float64
	cum := 0
	found := false
	for i, c := range counts {
		cum += c
		if !found && cum > lowK {
			lowV = sorted[i]
			found = true
		}
		if cum > highK {
			highV = sorted[i]
			break
		}
	}
	return (lowV + highV) / 2
}

// maxTableN is the largest sample size with a precomputed median table; the
// table costs O(n^4) to build once per n, then one draw per resample.
const maxTableN = 64

var medianTables sync.Map // int -> *medianTable

// medianTable is the exact distribution of the median of a bootstrap
// resample of n sorted values: the median is (sorted[lo]+sorted[hi])/2 where
// (lo, hi) are the order statistics of ranks (n-1)/2 and n/2 of n indices
// drawn uniformly with replacement (lo == hi for odd n). cdf is cumulative
// over the pairs.
type medianTable struct {
	cdf    []float64
	lo, hi []int32
	// Walker's alias table over the pairs: draw picks slot k uniformly and
	// keeps it with probability keep[k], else takes alias[k]; O(1) per draw.
	keep  []float64
	alias []int32
}

func medianTableFor(n int) *medianTable {
	if n < 2 || n > maxTableN {
		return nil
	}
	if t, ok := medianTables.Load(n); ok {
		return t.(*medianTable)
	}
	t := buildMedianTable(n)
	medianTables.Store(n, t)
	return t
}

// buildMedianTable enumerates the multinomial counts of a resample: a
// draws below index i, b draws equal to i, c draws equal to j > i, d draws
// above j (or above i when i == j), with probabilities i/n, 1/n, 1/n and
// (n-1-j)/n. Written by hand: it is the exact resampling law of a median,
// which no library provides.
func buildMedianTable(n int) *medianTable {
	kLo, kHi := (n-1)/2, n/2 // 0-based ranks of the two middle order statistics
	lf := make([]float64, n+1)
	for i := range lf {
		lf[i], _ = math.Lgamma(float64(i + 1))
	}
	logp := func(p float64, k int) float64 {
		if k == 0 {
			return 0
		}
		if p == 0 {
			return math.Inf(-1)
		}
		return float64(k) * math.Log(p)
	}
	fn := float64(n)
	t := &medianTable{}
	total := 0.0
	for i := range n {
		p1 := float64(i) / fn
		for j := i; j < n; j++ {
			var pr float64
			if i == j {
				// a <= kLo below i, and a+b > kHi at i.
				p3 := float64(n-1-i) / fn
				for a := 0; a <= kLo; a++ {
					for b := max(1, kHi+1-a); a+b <= n; b++ {
						d := n - a - b
						pr += math.Exp(lf[n] - lf[a] - lf[b] - lf[d] + logp(p1, a) + logp(1/fn, b) + logp(p3, d))
					}
				}
			} else {
				if kLo == kHi {
					continue // odd n: a single middle order statistic
				}
				// a <= kLo below i, exactly kLo+1-a at i, none strictly between,
				// c >= 1 at j, the rest above j.
				p3 := float64(n-1-j) / fn
				for a := 0; a <= kLo; a++ {
					b := kLo + 1 - a
					for c := 1; a+b+c <= n; c++ {
						d := n - a - b - c
						pr += math.Exp(lf[n] - lf[a] - lf[b] - lf[c] - lf[d] + logp(p1, a) + logp(1/fn, b+c) + logp(p3, d))
					}
				}
			}
			if pr > 0 {
				total += pr
				t.cdf = append(t.cdf, total)
				t.lo = append(t.lo, int32(i))
				t.hi = append(t.hi, int32(j))
			}
		}
	}
	for i := range t.cdf {
		t.cdf[i] /= total
	}
	t.buildAlias()
	return t
}

// buildAlias builds Walker's alias table (Vose's stable variant) from cdf.
// Hand-written: gonum's sampleuv.Weighted is O(log n) per draw and mutates
// its weights; the bootstrap needs a read-only table shared by goroutines.
func (t *medianTable) buildAlias() {
	k := len(t.cdf)
	t.keep, t.alias = make([]float64, k), make([]int32, k)
	scaled := make([]float64, k)
	prev := 0.0
	var small, large []int32
	for i, c := range t.cdf {
		scaled[i] = (c - prev) * float64(k)
		prev = c
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.keep[s], t.alias[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		t.keep[i], t.alias[i] = 1, i
	}
}

// draw returns the median of one bootstrap resample of sorted.
func (t *medianTable) draw(sorted []float64, rng *rand.Rand) float64 {
	u := rng.Float64() * float64(len(t.keep))
	k := int(u)
	if k >= len(t.keep) {
		k = len(t.keep) - 1
	}
	if u-float64(k) >= t.keep[k] {
		k = int(t.alias[k])
	}
	return (sorted[t.lo[k]] + sorted[t.hi[k]]) / 2
}

// RatioCI returns median(cur)/median(base) and the percentile-bootstrap 95%
// confidence interval of that ratio, exactly as Compare computes Row.CILow and
// Row.CIHigh: iters resamples (Compare uses Config.BootstrapIters), the
// deterministic PCG stream of seed. base and cur need not be sorted and are
// not modified; both must be non-empty.
func RatioCI(base, cur []float64, iters int, seed uint64) (ratio, lo, hi float64) {
	b, c := sortedCopy(base), sortedCopy(cur)
	ratio = Quantile(c, 0.5) / Quantile(b, 0.5)
	var bs bootScratch
	lo, hi = bs.ratioCI(b, c, iters, seed, 0)
	return ratio, lo, hi
}
