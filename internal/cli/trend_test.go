package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// writeTestHistory writes 30 nightly runs of two benchmarks: "step" gets 20%
// slower from run 20 on, "flat" has a wild run at 12.
func writeTestHistory(t *testing.T, extra string) string {
	t.Helper()
	t0 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	var es []trend.Entry
	for i := range 30 {
		wiggle := 1 + 0.02*math.Sin(float64(i)*2.3)
		step := 0.010 * wiggle
		if i >= 20 {
			step *= 1.2
		}
		flat := 0.002 * wiggle
		if i == 12 {
			flat = 0.004
		}
		es = append(es, trend.Entry{Time: t0.AddDate(0, 0, i), Commit: fmt.Sprintf("c%02d", i), RunID: fmt.Sprint(i),
			Benchmarks: map[string]trend.Summary{"step": {Median: step, N: 10, Unit: "s"}, "flat": {Median: flat, N: 10, Unit: "s"}}})
	}
	var buf bytes.Buffer
	if err := trend.Write(&buf, es); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(extra)
	p := filepath.Join(t.TempDir(), "history.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCode(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	err := run(context.Background(), &o, &e, args, os.Getenv)
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		e.WriteString(err.Error())
	}
	return code, o.String(), e.String()
}

func TestTrendCommand(t *testing.T) {
	t.Parallel()
	h := writeTestHistory(t, "")
	bad := writeTestHistory(t, "{not json\n")
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{"report", []string{"trend", "--history", h}, 0, []string{
			"30 runs from 2026-01-01 to 2026-01-30, 2 benchmarks",
			"change point  #20 2026-01-21 c20: 10", "(+20.",
			"anomalies     #12 2026-01-13 4.00 ms (z=+",
		}},
		{"one benchmark", []string{"trend", "--history", h, "--benchmark", "flat"}, 0, []string{"1 benchmarks", "flat  (30 points)", "change points none"}},
		{"unknown benchmark", []string{"trend", "--history", h, "--benchmark", "nope"}, 1, nil},
		{"bad line skipped", []string{"trend", "--history", bad}, 0, []string{"1 bad lines skipped"}},
		{"bad line strict", []string{"trend", "--history", bad, "--strict"}, 1, nil},
		{"missing", []string{"trend", "--history", "/nonexistent/h.jsonl"}, 1, nil},
		{"no history", []string{"trend"}, 2, nil},
		{"bad format", []string{"trend", "--history", h, "--format", "xml"}, 2, nil},
		{"min shift", []string{"trend", "--history", h, "--min-shift", "0.5"}, 0, []string{"step  (30 points)"}},
		{"bad alpha", []string{"trend", "--history", h, "--alpha", "2"}, 2, nil},
	} {
		code, out, errOut := runCode(tc.args...)
		if code != tc.wantCode {
			t.Errorf("%s: exit %d, want %d; stderr %s", tc.name, code, tc.wantCode, errOut)
		}
		for _, w := range tc.wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, out)
			}
		}
	}
	if _, out, _ := runCode("trend", "--history", h, "--min-shift", "0.5"); strings.Contains(out, "change point  #") {
		t.Errorf("--min-shift 0.5 kept the +20%% change point:\n%s", out)
	}
	if _, _, errOut := runCode("trend", "--history", bad); !strings.Contains(errOut, "line 31") {
		t.Errorf("skipped line not named on stderr: %q", errOut)
	}
}

func TestTrendCommandJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCode("trend", "--history", writeTestHistory(t, ""), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Schema string
		Runs   int
		Trends []struct {
			analysis.TrendInfo
			Notes []string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != TrendsSchema || doc.Runs != 30 || len(doc.Trends) != 2 || doc.Trends[1].ID != "step" {
		t.Fatalf("doc %+v", doc)
	}
	if cps := doc.Trends[1].ChangePoints; len(cps) != 1 || cps[0].Index != 20 || cps[0].P > 0.01 {
		t.Errorf("change points %+v, want one at 20 with p <= 0.01", cps)
	}
}

func TestTrendAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := &analysis.Results{
		Run:        analysis.Run{Commit: "new", RunID: "99", Finished: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		Benchmarks: []analysis.Benchmark{{ID: "step", Name: "step", Unit: "s", Direction: analysis.LowerIsBetter, Samples: []float64{0.012, 0.013, 0.012, 0.0125}}},
	}
	rp := filepath.Join(dir, "results.json")
	if err := analysis.WriteResultsFile(rp, res); err != nil {
		t.Fatal(err)
	}
	h := filepath.Join(dir, "history.jsonl") // does not exist yet: a new history
	for i := range 3 {
		if code, _, errOut := runCode("trend", "--history", h, "--append", rp, "--max", "2"); code != 0 {
			t.Fatalf("append %d: exit %d: %s", i, code, errOut)
		}
	}
	f, err := os.Open(h)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := trend.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	// The same run id three times is one run.
	if len(es) != 1 || es[0].Commit != "new" || es[0].Benchmarks["step"].Median != 0.01225 {
		t.Errorf("history %+v, want one run of commit new with median 0.01225", es)
	}
	// Appending to an existing history, bounded by --max.
	h2 := writeTestHistory(t, "")
	out := filepath.Join(dir, "h2.jsonl")
	if code, stdout, errOut := runCode("trend", "--history", h2, "--append", rp, "--max", "10", "--out", out); code != 0 || !strings.Contains(stdout, "10 runs") {
		t.Fatalf("exit %d: %s %s", code, stdout, errOut)
	}
}

// TestTrendAppendPytestBenchmark builds a history from pytest-benchmark's own
// saved runs (four runs of 2015-08-15, old format) through --append, as a
// user migrating from pytest-benchmark would.
func TestTrendAppendPytestBenchmark(t *testing.T) {
	t.Parallel()
	h := filepath.Join(t.TempDir(), "history.jsonl")
	for _, f := range []string{
		"0030_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030419_uncommitted-changes.json", // out of order on purpose
		"0001_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190343_uncommitted-changes.json",
		"0002_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190348_uncommitted-changes.json",
		"0029_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030413_uncommitted-changes.json",
	} {
		p := testenv.Fixture(t, "pytest-benchmark/ionelmc-test_storage/"+f)
		if code, _, errOut := runCode("trend", "--history", h, "--append", p); code != 0 {
			t.Fatalf("append %s: exit %d: %s", f, code, errOut)
		}
	}
	code, out, errOut := runCode("trend", "--history", h, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc trendsDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runs != 4 || len(doc.Trends) == 0 {
		t.Fatalf("%d runs, %d trends; want 4 runs", doc.Runs, len(doc.Trends))
	}
	full := 0 // benchmarks present in all four runs
	for _, tr := range doc.Trends {
		// pytest-benchmark's "datetime" is UTC: 2015-08-15 00:01:46 for 0001.
		if len(tr.Points) == 4 && tr.Points[0].Time.Format(time.DateTime) == "2015-08-15 00:01:46" {
			full++
		}
		if !slices.IsSortedFunc(tr.Points, func(a, b analysis.TrendPoint) int { return a.Time.Compare(b.Time) }) {
			t.Errorf("%s: points not in time order", tr.ID)
		}
		if len(tr.Anomalies) != 0 || !strings.Contains(strings.Join(tr.Notes, ";"), "anomalies need at least 10") {
			t.Errorf("%s: 4 points must give no anomalies and a note: %v %v", tr.ID, tr.Anomalies, tr.Notes)
		}
	}
	if full == 0 {
		t.Error("no benchmark with the 4 runs from 2015-08-15 00:01:46 on")
	}
}
