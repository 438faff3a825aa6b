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
func Describe(samples []float64, unit string) Stats {
	n := len(samples)
	if n == 0 {
		return Stats{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	mean := stat.Mean(s, nil)
	var sd float64
	if n > 1 {
		sd = stat.StdDev(s, nil)
	}
	st := Stats{
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
	}
	return st
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
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// Summarize returns the SampleSummary of samples (sorted copy kept).
func Summarize(samples []float64) *SampleSummary {
	st := Describe(samples, "")
	return &SampleSummary{
		N: st.N, Median: st.Median, Mean: st.Mean, Stddev: st.Stddev,
		Min: st.Min, Max: st.Max, CV: st.CV, Samples: slices.Clone(samples),
	}
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
