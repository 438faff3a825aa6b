package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestStudyRuns(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-samples", "testdata/samples.json", "-drift", "testdata/drift.json", "-trials", "6", "-synthetic-trials", "20", "-quick"}
	if err := run(&out, args); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Run-to-run drift", "| " + scHistory + " | A/A |", "| " + scSeveral + " | +200% |", "### Targets"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	var again bytes.Buffer
	if err := run(&again, args); err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string { return s[:strings.LastIndex(s, "(study ran in")] }
	if strip(out.String()) != strip(again.String()) {
		t.Error("two runs with the same seed differ")
	}
	if err := run(&out, []string{"-clock", "bogus"}); err == nil {
		t.Error("bad -clock accepted")
	}
}

func TestCollectDrift(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, at time.Time, wall, cpu []float64) {
		res := analysis.Results{Run: analysis.Run{Finished: at}, Machine: analysis.Machine{CPUModel: "X", Cores: 2},
			Benchmarks: []analysis.Benchmark{{ID: "a", Name: "a", Unit: "s", Samples: wall,
				Metrics: map[string]analysis.Metric{"cpu-s/op": {Unit: "cpu-s/op", Samples: cpu}}}}}
		b, err := jsonMarshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC)
	mk("run-02.json", t0.Add(time.Minute), []float64{2.123456, 2.2}, []float64{1, 1})
	mk("run-01.json", t0, []float64{1.000049, 1.1}, []float64{0.5, 0.5})
	if err := os.WriteFile(filepath.Join(dir, "log"), []byte("16:00:01 run 01 load 2.50\n16:01:01 run 02 load 6.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	path := filepath.Join(dir, "drift.json")
	if err := run(&out, []string{"-collect-drift", dir, "-drift", path}); err != nil {
		t.Fatal(err)
	}
	rec, err := loadDrift(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Runs) != 2 || rec.Runs[0].Load1 != 2.5 || rec.Runs[1].Load1 != 6.25 {
		t.Fatalf("runs %+v", rec.Runs)
	}
	if got := rec.Runs[1].Wall[0][0]; got != 2.123 {
		t.Errorf("4 significant digits: got %v", got)
	}
	if got := rec.Runs[0].CPU[0]; len(got) != 2 || got[0] != 0.5 {
		t.Errorf("cpu samples %v", got)
	}
}

func TestAddTails(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 10000)
	for i := range xs {
		xs[i] = 1
	}
	addTails(&tails{0.15, 0.15, false}, rng, xs, nil)
	n := 0
	for _, x := range xs {
		if x != 1 {
			n++
			if x < 2 || x > 6 {
				t.Fatalf("outlier factor %v outside [2, 6]", x)
			}
		}
	}
	if math.Abs(float64(n)/10000-0.15) > 0.02 {
		t.Errorf("outlier share %v, want ~0.15", float64(n)/10000)
	}
}

func TestOrderedPairs(t *testing.T) {
	if got := orderedPairs(4, 100, 1); len(got) != 12 {
		t.Errorf("4 runs: %d pairs, want 12", len(got))
	}
	got := orderedPairs(10, 20, 1)
	if len(got) != 20 {
		t.Fatalf("cap: %d pairs", len(got))
	}
	for _, p := range got {
		if p[0] == p[1] {
			t.Errorf("pair %v compares a run with itself", p)
		}
	}
}

func TestParamsOf(t *testing.T) {
	got := paramsOf("memory/workers/frame_sums[size=tiny,workers=2]")
	if len(got) != 2 || got["workers"] != "2" || got["size"] != "tiny" {
		t.Errorf("got %v", got)
	}
	if paramsOf("memory/sync/mutex") != nil {
		t.Error("params without brackets")
	}
}
