package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCapSamples(t *testing.T) {
	t.Parallel()
	many := make([]float64, 5000)
	for i := range many {
		many[i] = float64((i * 7919) % 5000) // a permutation of 0..4999
	}
	few := []float64{3, 1, 2}
	c := &Comparison{
		Notes: []string{"earlier note"},
		Rows: []Row{
			{ID: "big", Baseline: &SampleSummary{N: 5000, Median: 2499.5, Samples: many}, Current: &SampleSummary{N: 3, Samples: few}},
			{ID: "small", Baseline: &SampleSummary{N: 3, Samples: few}},
			{ID: "none"},
		},
	}
	got := c.CapSamples(200)
	if got == c {
		t.Fatal("CapSamples(200) returned c unchanged, want a capped copy")
	}
	b := got.Rows[0].Baseline
	if n := len(b.Samples); n != 200 {
		t.Errorf("samples kept: got %d, want 200", n)
	}
	if b.N != 5000 || b.Median != 2499.5 {
		t.Errorf("summary: got N %d median %v, want the full-sample figures 5000, 2499.5", b.N, b.Median)
	}
	if !slices.IsSorted(b.Samples) || b.Samples[0] != 0 || b.Samples[199] != 4999 {
		t.Errorf("kept samples: want sorted from min 0 to max 4999, got %v ... %v", b.Samples[:3], b.Samples[197:])
	}
	for _, q := range []float64{0.25, 0.5, 0.75} {
		if d := math.Abs(Quantile(b.Samples, q) - Quantile(slices.Sorted(slices.Values(many)), q)); d > 5000.0/199 {
			t.Errorf("quantile %v moved by %v, want within one rank step", q, d)
		}
	}
	if len(c.Rows[0].Baseline.Samples) != 5000 || len(c.Notes) != 1 {
		t.Errorf("the input comparison was modified")
	}
	if !slices.Equal(got.Rows[0].Current.Samples, few) || !slices.Equal(got.Rows[1].Baseline.Samples, few) {
		t.Errorf("short sample lists were changed")
	}
	if len(got.Notes) != 2 || !strings.Contains(got.Notes[1], "1 sample lists of up to 5000 samples are shown as 200") {
		t.Errorf("notes: got %q, want the earlier note and one saying what was cut", got.Notes)
	}
	if again := got.CapSamples(200); again != got {
		t.Errorf("capping a capped comparison again changed it (a second note?)")
	}
	if small := (&Comparison{Rows: []Row{{Baseline: &SampleSummary{Samples: few}}}}); small.CapSamples(200) != small {
		t.Errorf("nothing to cut: want c itself")
	}
}
