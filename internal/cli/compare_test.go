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
