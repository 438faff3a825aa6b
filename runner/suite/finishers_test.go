package suite

import (
	"math"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestFitScalingLinear(t *testing.T) {
	res := &analysis.Results{}
	for _, n := range []int{100, 200, 400, 800} {
		s := []float64{1e-6 * float64(n), 1e-6 * float64(n)}
		st := analysis.Describe(s, "s")
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: "x", Samples: s, Stats: &st,
			Extra: map[string]any{"scaling_family": "c/g/n", "scaling_n": n}})
	}
	fitScaling(res)
	e := res.Benchmarks[0].Extra
	if e["scaling_best"] != "linear" || math.Abs(e["scaling_exponent"].(float64)-1) > 1e-6 {
		t.Errorf("got best %v exponent %v, want linear and 1", e["scaling_best"], e["scaling_exponent"])
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "c/g/n: best linear") {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestParallelEfficiency(t *testing.T) {
	res := &analysis.Results{}
	for _, w := range []string{"1", "2", "4"} {
		s := map[string]float64{"1": 4, "2": 2.5, "4": 2}[w]
		st := analysis.Describe([]float64{s}, "s")
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{Category: "c", Group: "g", Name: "n",
			Params: map[string]string{"size": "small", "workers": w}, Samples: []float64{s}, Stats: &st})
	}
	parallelEfficiency(res)
	for i, want := range []float64{1, 0.8, 0.5} {
		if got := res.Benchmarks[i].Extra["parallel_efficiency"]; got != want {
			t.Errorf("workers %s: efficiency %v, want %v", res.Benchmarks[i].Params["workers"], got, want)
		}
	}
}
