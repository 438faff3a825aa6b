package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MethodWilcoxonSignedRank is Row.Method of a benchmark measured side by
// side (xpcs-perf ab): both sides carry the same pairing (ExtraABPairs), and
// the row is judged on the per-pair log ratios (log current − log baseline)
// with the Wilcoxon signed-rank test; the change is their Hodges-Lehmann
// estimate with its distribution-free interval. MethodWilcoxonSignedRankNormal
// names the normal approximation (ties, zero differences or more than
// WilcoxonExactLimit pairs).
const (
	MethodWilcoxonSignedRank       = "wilcoxon-signed-rank"
	MethodWilcoxonSignedRankNormal = "wilcoxon-signed-rank-normal"
)

// WilcoxonExactLimit is the largest number of pairs for which
// WilcoxonSignedRank uses the exact null distribution (scipy.stats.wilcoxon's
// limit).
const WilcoxonExactLimit = 50

// SignedRank is the result of WilcoxonSignedRank.
type SignedRank struct {
	N     int     // non-zero differences (zeros are dropped, scipy's "wilcox")
	WPlus float64 // sum of the ranks of the positive differences
	T     float64 // min(W+, W−): scipy's two-sided statistic
	P     float64 // two-sided p-value
	Exact bool    // exact null distribution (else normal approximation)
}

// WilcoxonSignedRank tests whether the differences d are symmetric about 0
// (two-sided). Zero differences are dropped; ranks of |d| are averaged over
// ties. With no ties, no zeros and at most WilcoxonExactLimit differences the
// p-value is exact: min(1, 2·P(W ≤ T)) under the null distribution of the
// signed-rank sum; otherwise it is the normal approximation without
// continuity correction, the variance corrected for ties:
// σ² = n(n+1)(2n+1)/24 − Σ(t³−t)/48. This matches scipy.stats.wilcoxon's
// defaults (zero_method "wilcox", correction False, mode "auto" with exact
// only when nothing is tied). NaN differences are the caller's to exclude.
func WilcoxonSignedRank(d []float64) SignedRank {
	abs := make([]float64, 0, len(d))
	sign := make([]bool, 0, len(d))
	zeros := 0
	type pt struct {
		a   float64
		pos bool
	}
	var ps []pt
	for _, x := range d {
		if x == 0 {
			zeros++
			continue
		}
		ps = append(ps, pt{math.Abs(x), x > 0})
	}
	slices.SortFunc(ps, func(a, b pt) int {
		switch {
		case a.a < b.a:
			return -1
		case a.a > b.a:
			return 1
		}
		return 0
	})
	for _, p := range ps {
		abs = append(abs, p.a)
		sign = append(sign, p.pos)
	}
	n := len(abs)
	res := SignedRank{N: n, P: 1}
	if n == 0 {
		return res
	}
	var wPlus, tieSum float64
	ties := false
	for i := 0; i < n; {
		j := i
		for j+1 < n && abs[j+1] == abs[i] {
			j++
		}
		rank := float64(i+j+2) / 2 // average of ranks i+1..j+1
		if t := float64(j - i + 1); t > 1 {
			ties = true
			tieSum += t*t*t - t
		}
		for k := i; k <= j; k++ {
			if sign[k] {
				wPlus += rank
			}
		}
		i = j + 1
	}
	total := float64(n*(n+1)) / 2
	res.WPlus = wPlus
	res.T = min(wPlus, total-wPlus)
	if n <= WilcoxonExactLimit && !ties && zeros == 0 {
		res.Exact = true
		cdf := signedRankCDF(n)
		res.P = min(1, 2*cdf[int(res.T)])
		return res
	}
	mean := total / 2
	sd := math.Sqrt(float64(n*(n+1)*(2*n+1))/24 - tieSum/48)
	if !(sd > 0) {
		return res
	}
	z := (res.T - mean) / sd
	res.P = min(1, 2*distuv.UnitNormal.CDF(-math.Abs(z)))
	return res
}

// signedRankCDF returns P(W ≤ w) for w = 0..n(n+1)/2 under the null
// distribution of the signed-rank sum of n untied, non-zero differences
// (each of the 2^n sign patterns equally likely).
func signedRankCDF(n int) []float64 {
	m := n * (n + 1) / 2
	cnt := make([]float64, m+1)
	cnt[0] = 1
	for k := 1; k <= n; k++ {
		for w := m; w >= k; w-- {
			cnt[w] += cnt[w-k]
		}
	}
	total := math.Ldexp(1, n)
	cdf := make([]float64, m+1)
	acc := 0.0
	for w, c := range cnt {
		acc += c
		cdf[w] = acc / total
	}
	return cdf
}

// WalshShift is the Hodges-Lehmann estimate of the centre of paired
// differences: the median of the n(n+1)/2 Walsh averages (d_i+d_j)/2, i ≤ j,
// with the distribution-free interval [W_(k), W_(M+1−k)] of their order
// statistics, k−1 the largest t with P(W+ ≤ t) ≤ (1−level)/2 under the
// signed-rank null (exact up to WilcoxonExactLimit differences, the normal
// approximation beyond). Cover is the interval's actual coverage; with too
// few differences for the level (n < 6 at 95%) the interval is the range of
// the Walsh averages and Cover says how much less it covers. d must be
// non-empty.
func WalshShift(d []float64, level float64) Shift {
	n := len(d)
	w := make([]float64, 0, n*(n+1)/2)
	for i := range n {
		for j := i; j < n; j++ {
			w = append(w, (d[i]+d[j])/2)
		}
	}
	slices.Sort(w)
	m := len(w)
	est := Quantile(w, 0.5)
	alpha := (1 - level) / 2
	var k int // 1-based order statistic of the lower bound
	var cover float64
	if n <= WilcoxonExactLimit {
		cdf := signedRankCDF(n)
		t := -1
		for t+1 < len(cdf) && cdf[t+1] <= alpha {
			t++
		}
		k = t + 1
		if k >= 1 {
			cover = 1 - 2*cdf[t]
		} else {
			k, cover = 1, 1-2*cdf[0]
		}
	} else {
		mean := float64(m) / 2
		sd := math.Sqrt(float64(n*(n+1)*(2*n+1)) / 24)
		k = max(1, int(math.Floor(mean-distuv.UnitNormal.Quantile(1-alpha)*sd)))
		cover = level
	}
	return Shift{Est: est, Lo: w[k-1], Hi: w[m-k], Cover: cover}
}

// abPairs returns the pair indices of an A/B result (nil when b has none or
// they do not match its samples). JSON decodes them as []any of float64.
func abPairs(b *Benchmark) []int {
	v, ok := b.Extra[ExtraABPairs]
	if !ok {
		return nil
	}
	var out []int
	switch x := v.(type) {
	case []int:
		out = slices.Clone(x)
	case []any:
		for _, e := range x {
			f, ok := e.(float64)
			if !ok || f != math.Trunc(f) || f < 0 {
				return nil
			}
			out = append(out, int(f))
		}
	default:
		return nil
	}
	if len(out) != len(b.Samples) {
		return nil
	}
	return out
}

// samePairs reports whether a and b carry the same non-empty pairing.
func samePairs(a, b *Benchmark) bool {
	pa, pb := abPairs(a), abPairs(b)
	return len(pa) > 0 && slices.Equal(pa, pb)
}
