package analysis

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Describe computes the descriptive statistics of samples exactly as
// pytest-benchmark's Stats does: q1/q3 by Wikipedia's quartile method 1 (even n:
// median of each half) or method 3 (odd n: weighted order statistics), the
// sample standard deviation (n-1), and the outlier counts "a;b" where a counts values
// outside mean ± 1 stddev and b values outside [q1-1.5 IQR, q3+1.5 IQR].
// Ops is 1/mean when unit is "s". Describe of an empty slice is the zero Stats.
//
// Every field of the result is finite, so it always encodes as JSON: see
// DescribeChecked for how values beyond the float64 range are handled.
func Describe(samples []float64, unit string) Stats {
	st, _ := DescribeChecked(samples, unit)
	return st
}

// DescribeChecked is Describe that also names the fields it could not
// represent. Samples near math.MaxFloat64 (the sum behind the mean
// overflows) or below 2^-500 (squares underflow) are first scaled by a power
// of two, which is exact, so their mean and stddev are right; on ordinary
// samples (magnitudes in [2^-500, 2^500]) nothing is scaled and the result
// is bit-for-bit pytest-benchmark's. A statistic still beyond the float64
// range (the stddev or IQR of values of both signs near ±MaxFloat64, the CV
// of a mean near 0) is clamped to ±math.MaxFloat64 and NaN (from NaN or ±Inf
// samples, which callers should drop first) is set to 0; Ops is omitted (0)
// when 1/mean overflows (a mean below ~5.6e-309 s). bad lists those fields
// ("ops", "stddev", ...), so the caller can note it.
func DescribeChecked(samples []float64, unit string) (st Stats, bad []string) {
	n := len(samples)
	if n == 0 {
		return Stats{}, nil
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	mean, sd := meanStd(s)
	st = Stats{
		N:      n,
		Min:    s[0],
		Max:    s[n-1],
		Mean:   mean,
		Stddev: sd,
		Median: Quantile(s, 0.5),
		Q1:     pyQ1(s),
		Q3:     pyQ3(s),
	}
	st.IQR = st.Q3 - st.Q1
	if mean != 0 {
		st.CV = sd / math.Abs(mean)
	}
	var sdOut, iqrOut int
	lo, hi := st.Q1-1.5*st.IQR, st.Q3+1.5*st.IQR
	for _, v := range s {
		if v < mean-sd || v > mean+sd {
			sdOut++
		}
		if v < lo || v > hi {
			iqrOut++
		}
	}
	st.Outliers = fmt.Sprintf("%d;%d", sdOut, iqrOut)
	if unit == "s" && mean > 0 {
		st.Ops = 1 / mean
		if math.IsInf(st.Ops, 0) {
			st.Ops, bad = 0, append(bad, "ops")
		}
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{
		{"min", &st.Min}, {"max", &st.Max}, {"mean", &st.Mean}, {"stddev", &st.Stddev},
		{"median", &st.Median}, {"q1", &st.Q1}, {"q3", &st.Q3}, {"iqr", &st.IQR}, {"cv", &st.CV},
	} {
		switch {
		case math.IsNaN(*f.v):
			*f.v, bad = 0, append(bad, f.name)
		case math.IsInf(*f.v, 0):
			*f.v, bad = math.Copysign(math.MaxFloat64, *f.v), append(bad, f.name)
		}
	}
	return st, bad
}

// meanStd returns the mean and the sample standard deviation (n-1) of the
// sorted, non-empty s. gonum computes them on ordinary magnitudes; when the
// largest magnitude is above 2^500 (the sum or the squares may overflow) or
// below 2^-500 (the squares underflow to 0) the samples are scaled by a
// power of two first, exact in binary floating point, and the results scaled
// back: gonum has no overflow-safe variant, hence this wrapper.
func meanStd(s []float64) (mean, sd float64) {
	n := len(s)
	big := math.Max(math.Abs(s[0]), math.Abs(s[n-1]))
	scale := 0
	if big > 0 && !math.IsInf(big, 0) && (big > 0x1p500 || big < 0x1p-500) {
		_, scale = math.Frexp(big)
	}
	x := s
	if scale != 0 {
		x = make([]float64, n)
		for i, v := range s {
			x[i] = math.Ldexp(v, -scale)
		}
	}
	mean = stat.Mean(x, nil)
	if n > 1 {
		sd = stat.StdDev(x, nil)
	}
	return math.Ldexp(mean, scale), math.Ldexp(sd, scale)
}

// Quantile returns the p-quantile of sorted by linear interpolation between
// closest ranks (Hyndman-Fan type 7, numpy's default). sorted must be sorted
// ascending and non-empty; p is clamped to [0, 1].
func Quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 1 {
		return sorted[0]
	}
	p = math.Max(0, math.Min(1, p))
	h := p * float64(n-1)
	i := int(math.Floor(h))
	if i >= n-1 {
		return sorted[n-1]
	}
	f := h - float64(i)
	if d := sorted[i+1] - sorted[i]; !math.IsInf(d, 0) {
		return sorted[i] + f*d
	}
	// The gap overflows (values of both signs near ±MaxFloat64): the
	// weighted form stays in range.
	return (1-f)*sorted[i] + f*sorted[i+1]
}

// Summarize returns the SampleSummary of samples (sorted copy kept).
func Summarize(samples []float64) *SampleSummary {
	st := Describe(samples, "")
	s := &SampleSummary{
		N: st.N, Median: st.Median, Mean: st.Mean, Stddev: st.Stddev,
		Min: st.Min, Max: st.Max, CV: st.CV, Samples: slices.Clone(samples),
	}
	if st.Median != 0 && st.N > 0 {
		s.MADRel = MADScale * MAD(samples, st.Median) / math.Abs(st.Median)
		s.IQRRel = st.IQR / math.Abs(st.Median)
	}
	return s
}

// MADScale makes the median absolute deviation a consistent estimator of the
// standard deviation of normal data: 1/Φ⁻¹(3/4).
const MADScale = 1.4826

// MAD is the median absolute deviation of xs from center:
// median |x_i - center| (unscaled). 0 for an empty slice.
func MAD(xs []float64, center float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - center)
	}
	slices.Sort(d)
	return Quantile(d, 0.5)
}

// pyQ1 is pytest-benchmark's Stats.q1 (stats.py) on sorted data: written by
// hand because no library implements this particular quartile convention and
// the pytest-benchmark export must reproduce it.
func pyQ1(d []float64) float64 {
	n := len(d)
	switch {
	case n == 1:
		return d[0]
	case n%2 == 1:
		k, q := n/4, n%4
		if q == 1 {
			return 0.25*d[k-1] + 0.75*d[k]
		}
		return 0.75*d[k] + 0.25*d[k+1]
	default:
		return median(d[:n/2])
	}
}

// pyQ3 is pytest-benchmark's Stats.q3 on sorted data.
func pyQ3(d []float64) float64 {
	n := len(d)
	switch {
	case n == 1:
		return d[0]
	case n%2 == 1:
		k, q := n/4, n%4
		if q == 1 {
			return 0.75*d[3*k] + 0.25*d[3*k+1]
		}
		return 0.25*d[3*k+1] + 0.75*d[3*k+2]
	default:
		return median(d[n/2:])
	}
}

func median(sorted []float64) float64 { return Quantile(sorted, 0.5) }
