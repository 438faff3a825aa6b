package comment

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// TestReportsCapSamples: report.json and report.html embed at most
// analysis.DefaultMaxEmbeddedSamples samples per row and side, say so, and
// keep N (and the other figures) of every sample.
func TestReportsCapSamples(t *testing.T) {
	t.Parallel()
	const n = 5000
	side := func(scale float64) *analysis.SampleSummary {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * (1 + float64((i*7919)%n)/n)
		}
		s := analysis.Describe(v, "s")
		return &analysis.SampleSummary{N: n, Median: s.Median, Mean: s.Mean, Min: s.Min, Max: s.Max, Samples: v}
	}
	c := &analysis.Comparison{Schema: analysis.ComparisonSchema, Category: "scientific",
		Baseline: &analysis.RunInfo{}, Gate: analysis.Gate{Pass: true},
		Rows: []analysis.Row{{ID: "scientific/g2/multitau[size=small]", Name: "multitau", Metric: "time", Unit: "s",
			Verdict: analysis.Unchanged, Baseline: side(1e-3), Current: side(1.01e-3)}}}

	var js bytes.Buffer
	if err := WriteJSON(&js, c, Options{}); err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	r := rep.Rows[0]
	if got, want := len(r.Baseline.Samples), analysis.DefaultMaxEmbeddedSamples; got != want {
		t.Errorf("report.json baseline samples: got %d, want %d", got, want)
	}
	if got, want := len(r.Current.Samples), analysis.DefaultMaxEmbeddedSamples; got != want {
		t.Errorf("report.json current samples: got %d, want %d", got, want)
	}
	if r.Baseline.N != n {
		t.Errorf("report.json baseline n: got %d, want %d (every sample)", r.Baseline.N, n)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "results.json keeps them all") {
		t.Errorf("report.json notes: got %q, want one saying the samples were cut", rep.Notes)
	}
	if len(c.Rows[0].Baseline.Samples) != n {
		t.Errorf("WriteJSON modified the comparison")
	}

	var html bytes.Buffer
	if err := WriteHTML(&html, c, Options{}, 0); err != nil {
		t.Fatal(err)
	}
	if got, max := strings.Count(html.String(), "<circle"), 2*analysis.DefaultMaxEmbeddedSamples; got > max {
		t.Errorf("report.html: got %d sample dots, want at most %d", got, max)
	}
	if !strings.Contains(html.String(), "results.json keeps them all") {
		t.Errorf("report.html does not say the samples were cut")
	}
}
