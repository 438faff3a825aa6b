package analysis

import (
	"fmt"
	"math"
	"slices"
)

// DefaultMaxEmbeddedSamples bounds the raw samples a report (report.json,
// report.html, the comparison file of the action) embeds per row and side.
// The statistics are computed from every sample before; results.json keeps
// them all.
const DefaultMaxEmbeddedSamples = 200

// CapSamples returns c with at most max raw samples per row and side: a
// side with more is replaced by max order statistics of its sorted samples,
// evenly spaced in rank (the minimum, the maximum and, within one rank step,
// every quantile are kept, so box and strip plots look the same). N, Median,
// Mean and the other summaries keep the figures of every sample. When
// anything was cut, a note says so. c itself is not modified; without
// anything to cut (or max < 2) c is returned as it is.
func (c *Comparison) CapSamples(max int) *Comparison {
	if max < 2 {
		return c
	}
	var rows []Row
	cut, most := 0, 0
	capSide := func(s *SampleSummary) *SampleSummary {
		if s == nil || len(s.Samples) <= max {
			return s
		}
		cp := *s
		cp.Samples = decimate(s.Samples, max)
		cut++
		most = slices.Max([]int{most, len(s.Samples)})
		return &cp
	}
	for i := range c.Rows {
		b, cur := capSide(c.Rows[i].Baseline), capSide(c.Rows[i].Current)
		if b == c.Rows[i].Baseline && cur == c.Rows[i].Current {
			continue
		}
		if rows == nil {
			rows = slices.Clone(c.Rows)
		}
		rows[i].Baseline, rows[i].Current = b, cur
	}
	if rows == nil {
		return c
	}
	out := *c
	out.Rows = rows
	out.Notes = append(slices.Clip(slices.Clone(c.Notes)), fmt.Sprintf(
		"to bound the report size, %d sample lists of up to %d samples are shown as %d evenly ranked samples each; "+
			"the statistics use every sample, and results.json keeps them all", cut, most, max))
	return &out
}

// decimate returns max order statistics of v, evenly spaced in rank from
// the minimum to the maximum, in ascending order.
func decimate(v []float64, max int) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	out := make([]float64, max)
	for k := range out {
		out[k] = s[int(math.Round(float64(k)*float64(len(s)-1)/float64(max-1)))]
	}
	return out
}
