package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Example runs the team's benchmarks with short rounds; the output lists
// each benchmark with its rounds and extra info (timings vary, so they are
// not printed).
func Example() {
	dir, _ := os.MkdirTemp("", "custombench-")
	defer os.RemoveAll(dir)
	if err := run(os.Stdout, []string{"-out", filepath.Join(dir, "r.json"), "-rounds", "5", "-min-time", "1ms"}); err != nil {
		panic(err)
	}
	// Output:
	// custom/filters/median_filter_row[width=3]: 5 rounds, extra team=beamline-8id window=3
	// custom/filters/median_filter_row[width=9]: 5 rounds, extra team=beamline-8id window=9
}

func TestResultsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := run(os.Stderr, []string{"-out", path, "-rounds", "5", "-min-time", "1ms"}); err != nil {
		t.Fatal(err)
	}
	res, err := analysis.ReadResultsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Benchmarks), 2; got != want {
		t.Fatalf("got %d benchmarks, want %d", got, want)
	}
	w3, w9 := res.Benchmarks[0], res.Benchmarks[1]
	if w3.Stats == nil || w9.Stats == nil || w9.Stats.Median <= w3.Stats.Median {
		t.Errorf("width 9 should be slower than width 3: %v vs %v", w9.Stats, w3.Stats)
	}
}
