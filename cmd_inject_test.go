package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
)

// hostileIDs start a workflow command when printed at the start of a line
// of a `run:` step, or drive a terminal.
var hostileIDs = []string{
	"::add-mask::visible",
	"::stop-commands::tok1",
	"  ::error::forged",
	"x\n::set-output name=verdict::pass",
	"a ##[error]v1 command",
	"\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
	"\x1b[2J\x1b[Hcleared",
	"rtl\u202Eexe.txt",
	"csi\u009b31m",
}

// checkInert fails when out holds a line that the runner would read as a
// workflow command, or a control or bidi character a terminal acts on.
func checkInert(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "::") || strings.Contains(l, "##[") {
			t.Errorf("%s line %d is a workflow command: %q", what, i+1, line)
		}
		if strings.ContainsAny(line, "\x1b\x07\u009b\u202E") {
			t.Errorf("%s line %d keeps an escape or bidi control: %q", what, i+1, line)
		}
	}
}

func writeHostileResults(t *testing.T, factor float64) string {
	t.Helper()
	res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf"}
	for k, id := range hostileIDs {
		var s []float64
		for i := range 8 {
			s = append(s, factor*1e-3*(1+0.01*float64(k)+0.001*float64(i)))
		}
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: id, Name: id, Group: "g", Unit: "s",
			Direction: analysis.LowerIsBetter, Samples: s})
	}
	res.Notes = []string{"::warning::note"}
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLITextInert: compare and trend print benchmark ids, commits and
// notes through comment.SafeText (issue 13 item 5).
func TestCLITextInert(t *testing.T) {
	t.Parallel()
	base, cur := writeHostileResults(t, 1), writeHostileResults(t, 2)
	_, out, errOut := runCode("compare", "--baseline", base, "--current", cur)
	if !strings.Contains(out, "add-mask") {
		t.Fatalf("compare printed no ids:\n%s\n%s", out, errOut)
	}
	checkInert(t, "compare stdout", out)

	var es []trend.Entry
	t0 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	for i := range 6 {
		m := map[string]trend.Summary{}
		for _, id := range hostileIDs {
			m[id] = trend.Summary{Median: 0.001 * (1 + 0.1*float64(i%2)), N: 10, Unit: "s"}
		}
		es = append(es, trend.Entry{Time: t0.AddDate(0, 0, i), Commit: "::error::commit", RunID: "1", Benchmarks: m})
	}
	var buf bytes.Buffer
	if err := trend.Write(&buf, es); err != nil {
		t.Fatal(err)
	}
	h := filepath.Join(t.TempDir(), "history.jsonl")
	os.WriteFile(h, buf.Bytes(), 0o644)
	_, out, errOut = runCode("trend", "--history", h)
	if !strings.Contains(out, "add-mask") {
		t.Fatalf("trend printed no ids:\n%s\n%s", out, errOut)
	}
	checkInert(t, "trend stdout", out)
}

// TestCompareTextUnits: compare prints bytes with binary prefixes and
// qualified CPU times as times, as the comment does (issue 13 item 12:
// "6.554e+04 B/op", "0.000676 cpu-s/op").
func TestCompareTextUnits(t *testing.T) {
	t.Parallel()
	write := func(f float64) string {
		res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf"}
		var s, bs, cs []float64
		for i := range 8 {
			s = append(s, f*1e-3*(1+0.001*float64(i)))
			bs = append(bs, 65536)
			cs = append(cs, f*0.000676)
		}
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: "memory/g/a", Name: "a", Group: "g", Unit: "s",
			Direction: analysis.LowerIsBetter, Samples: s, Metrics: map[string]analysis.Metric{
				"B/op":     {Unit: "B/op", Direction: analysis.LowerIsBetter, Samples: bs},
				"cpu-s/op": {Unit: "cpu-s/op", Direction: analysis.LowerIsBetter, Samples: cs}}})
		var buf bytes.Buffer
		if err := analysis.WriteResults(&buf, res); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "results.json")
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}
	// --clock wall: judged on wall time, the CPU time is a shown row.
	_, out, errOut := runCode("compare", "--clock", "wall", "--baseline", write(1), "--current", write(1))
	for _, want := range []string{"64.0 KiB", "676 µs cpu"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s%s", want, out, errOut)
		}
	}
	if strings.Contains(out, "e+04") {
		t.Errorf("compare prints bytes in e-notation:\n%s", out)
	}
	// By default this single-threaded benchmark is judged on CPU time, and
	// says so; its wall time is shown.
	_, out, errOut = runCode("compare", "--baseline", write(1), "--current", write(1))
	for _, want := range []string{"time (cpu)", "wall"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s%s", want, out, errOut)
		}
	}
}
