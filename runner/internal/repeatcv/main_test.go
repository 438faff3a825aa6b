package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

func write(t *testing.T, path string, wall, cpu []float64) {
	t.Helper()
	res := &analysis.Results{Benchmarks: []analysis.Benchmark{{ID: "c/g/n", Name: "n", Unit: "s", Samples: wall,
		Metrics: map[string]analysis.Metric{runner.CPUMetric: {Unit: runner.CPUMetric, Samples: cpu}}}}}
	if err := analysis.WriteResultsFile(path, res); err != nil {
		t.Fatal(err)
	}
}

func TestRepeatCV(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	write(t, a, []float64{1, 1, 1, 1}, []float64{1, 1, 1, 1})
	write(t, b, []float64{2, 2, 2, 2}, []float64{1, 1, 1, 1})
	var out bytes.Buffer
	if err := run(&out, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "c/g/n") || !strings.Contains(got, "2.00 |") || !strings.Contains(got, "wall 0.693, cpu 0.000") {
		t.Errorf("got:\n%s", got)
	}
	if err := run(&out, []string{a}); err == nil {
		t.Errorf("one file accepted")
	}
}
