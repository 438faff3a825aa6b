package scaling

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestFitResults(t *testing.T) {
	t.Parallel()
	res := &analysis.Results{}
	add := func(fam string, n any, unit string, samples ...float64) {
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: fam + "[" + unit + "]", Unit: unit, Samples: samples,
			Extra: map[string]any{ExtraFamily: fam, ExtraN: n}})
	}
	for _, n := range []int{1000, 2000, 4000, 8000} {
		// 1 ms + 2 µs per element, three rounds each.
		v := 1e-3 + 2e-6*float64(n)
		add("scalability/multitau/correlate", n, "s", v*0.99, v, v*1.01)
	}
	add("scalability/read/full_stack", 100, "s", 1)
	add("scalability/read/full_stack", 200, "s", 2)
	add("scalability/multitau/correlate", 16000, "ns", 1)
	res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: "no-family", Unit: "s", Samples: []float64{1}})

	// Through JSON, as the report stage reads results.json.
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	back, err := analysis.ReadResults(&buf)
	if err != nil {
		t.Fatal(err)
	}
	infos, notes := FitResults(back)
	if len(infos) != 1 || infos[0].Family != "scalability/multitau/correlate" || infos[0].Best != Linear || len(infos[0].Points) != 4 {
		t.Fatalf("infos %+v", infos)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{`in "ns", the family in "s"`, "scalability/read/full_stack: 2 sizes, a fit needs 3"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes %q lack %q", joined, want)
		}
	}
}
