package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestCompareCommand(t *testing.T) {
	t.Parallel()
	lagomOld := testenv.Fixture(t, "pytest-benchmark/lagom/py38_at_9df7c79_baseline.json")
	lagomNew := testenv.Fixture(t, "pytest-benchmark/lagom/py38_at_8462f07_baseline.json")
	old := testenv.Fixture(t, "gobench/benchstat-v2/old.txt")
	cmpOut := filepath.Join(t.TempDir(), "cmp.json")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"benchstat pair", []string{"--baseline", old, "--current", testenv.Fixture(t, "gobench/benchstat-v2/new.txt")}, 0, "-17.20%  (p=0.000"},
		{"rule passes", []string{"--baseline", lagomOld, "--current", lagomNew, "--rules", "mean:50%"}, 0, "PASS"},
		{"rule fails", []string{"--baseline", lagomOld, "--current", lagomNew, "--rules", "mean:10%", "--out", cmpOut}, 1, "Field 'mean' has failed PercentageRegressionCheck: 14.356226901 > 10.000000000"},
		{"first run", []string{"--current", old}, 0, "new"},
		{"bad gate", []string{"--current", old, "--fail-on", "crit>0"}, 2, ""},
		{"bad rule", []string{"--current", old, "--rules", "mean:abc"}, 2, ""},
		{"no current", []string{"--baseline", old}, 2, ""},
		{"missing file", []string{"--current", "/nonexistent/results.json"}, 2, ""},
		{"unmatched glob", []string{"--current", "/nonexistent/run-*.json"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), &stdout, &stderr, append([]string{"compare"}, tt.args...), os.Getenv)
			code := 0
			if err != nil {
				code = 1
				var ee *exitError
				if errors.As(err, &ee) {
					code = ee.code
				}
			}
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("exit %d (err %v), want %d; stdout:\n%s\nwant it to contain %q", code, err, tt.wantCode, stdout.String(), tt.wantOut)
			}
		})
	}
	c, err := analysis.ReadComparisonFile(cmpOut)
	if err != nil {
		t.Fatal(err)
	}
	if c.Gate.Pass || c.Summary.RulesFailed != 2 {
		t.Errorf("cmp.json gate %+v summary %+v", c.Gate, c.Summary)
	}
}

func TestCompareCommandJSON(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	f := testenv.Fixture(t, "gobench/benchstat-v2/crc-old.txt")
	if err := run(context.Background(), &stdout, &stderr, []string{"compare", "--baseline", f, "--current", testenv.Fixture(t, "gobench/benchstat-v2/crc-new.txt"), "--format", "json"}, os.Getenv); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 1 {
			t.Fatal(err)
		}
	}
	var c analysis.Comparison
	if err := json.Unmarshal(stdout.Bytes(), &c); err != nil {
		t.Fatalf("json output: %v", err)
	}
	if c.Schema != analysis.ComparisonSchema || len(c.Rows) != 72 {
		t.Errorf("schema %q rows %d, want %q and 72", c.Schema, len(c.Rows), analysis.ComparisonSchema)
	}
}

// TestCompareInstructionThreshold: counts 3% apart fail the gate at the
// default 2% instruction threshold and pass at 5%; counts 1% apart pass.
func TestCompareInstructionThreshold(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, center float64) string {
		counts := []float64{center, center * 1.0005, center * 0.9995, center * 1.001, center * 0.999, center}
		st := analysis.Describe(counts, analysis.UnitInstructions)
		res := &analysis.Results{Schema: analysis.ResultsSchema, Benchmarks: []analysis.Benchmark{{
			ID: "scientific/saxs/k", Name: "k", Unit: analysis.UnitInstructions, Direction: analysis.LowerIsBetter,
			Samples: counts, Stats: &st}}}
		p := filepath.Join(dir, name)
		if err := analysis.WriteResultsFile(p, res); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base, plus1, plus3 := write("base.json", 1e6), write("plus1.json", 1.01e6), write("plus3.json", 1.03e6)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"+3% default", []string{"--baseline", base, "--current", plus3}, 1},
		{"+3% threshold 5%", []string{"--baseline", base, "--current", plus3, "--instruction-threshold", "0.05"}, 0},
		{"+1% default", []string{"--baseline", base, "--current", plus1}, 0},
		{"negative threshold", []string{"--baseline", base, "--current", plus1, "--instruction-threshold", "-1"}, 2},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), &stdout, &stderr, append([]string{"compare"}, tt.args...), os.Getenv)
		code := 0
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else if err != nil {
			code = 1
		}
		if code != tt.wantCode {
			t.Errorf("%s: exit %d (err %v), want %d\n%s", tt.name, code, err, tt.wantCode, stdout.String())
		}
	}
}
