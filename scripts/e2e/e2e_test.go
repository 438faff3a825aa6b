package main

import (
	"math"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestClassifyExit(t *testing.T) {
	for _, c := range []struct {
		exit    int
		verdict string
		err     string
		want    string
	}{
		{0, "pass", "", RunPass},
		{1, "fail", "", RunGateFailed},
		{2, "error", "", RunCouldNot},
		{0, "no-baseline", "", RunNoBaseline},
		{-1, "", "killed after 3m0s", RunHarnessError},
		{0, "skipped", "", "exit-0-skipped"},
	} {
		if got := ClassifyExit(c.exit, c.verdict, c.err); got != c.want {
			t.Errorf("ClassifyExit(%d, %q, %q) = %q, want %q", c.exit, c.verdict, c.err, got, c.want)
		}
	}
}

func row(id string, v analysis.Verdict, change float64, reason string) analysis.Row {
	name := id[strings.LastIndexByte(id, '/')+1:]
	return analysis.Row{ID: id, Name: name, Metric: "time", Role: analysis.RolePrimary, Verdict: v, Change: change, Reason: reason}
}

func TestJudgeSlowedRun(t *testing.T) {
	c := &analysis.Comparison{Rows: []analysis.Row{
		row("m/g/caught", analysis.Regression, 2.0, ""),
		row("m/g/drifty", analysis.Inconclusive, 1.5, "+150% is inside the run-to-run drift: runs on the base branch differ by ±300%"),
		row("m/g/noisy", analysis.Inconclusive, 1.4, "past the +20% threshold but not significant; judged on process CPU time: single-threaded, and CPU time drifts less between runs on shared runners than wall time"),
		row("m/g/hidden", analysis.Unchanged, 0.01, ""),
		row("m/g/other", analysis.Regression, 0.6, ""),
		{ID: "m/g/other", Name: "other", Metric: "MB/s", Role: analysis.RoleDerived, Verdict: analysis.Regression},
	}}
	c.Rows[4].Severity = analysis.Major
	r := Run{Phase: PhaseSlow, Exit: 1, Outputs: map[string]string{"verdict": "fail", "regressions": "2"}}
	body := "<!-- xpcs-perf:memory -->\n## ❌ xpcs-perf memory: failed — 2 regressions\n- drifty\n- caught\n- noisy\n"
	Judge(&r, c, []string{"m/g/caught", "m/g/drifty", "m/g/noisy", "m/g/hidden", "m/g/gone"}, body)
	if r.Class != RunGateFailed || r.Headline != "❌ xpcs-perf memory: failed — 2 regressions" {
		t.Errorf("class %q headline %q", r.Class, r.Headline)
	}
	want := []string{SlowCaught, SlowInconclDrift, SlowInconclOther, SlowMissed, SlowNotInCompared}
	for i, s := range r.Slowed {
		if s.Class != want[i] {
			t.Errorf("%s: class %q, want %q", s.ID, s.Class, want[i])
		}
	}
	if !r.Slowed[1].InComment || r.Slowed[3].InComment {
		t.Errorf("in comment: %+v", r.Slowed)
	}
	if len(r.FalseAlarms) != 1 || r.FalseAlarms[0].ID != "m/g/other" {
		t.Errorf("false alarms %+v (derived rows must not count)", r.FalseAlarms)
	}
	if r.SilentPass {
		t.Error("a failed gate is not a silent pass")
	}
	tot := Sum([]Run{r})
	if tot.Caught != 1 || tot.InconclDrift != 1 || tot.InconclOther != 1 || tot.Missed != 1 || tot.Absent != 1 || tot.SlowFalseAlarms != 1 {
		t.Errorf("totals %+v", tot)
	}
	if _, slow := tot.TargetsMet(); slow {
		t.Error("a missed slowdown meets the target")
	}
}

func TestSilentPass(t *testing.T) {
	c := &analysis.Comparison{Rows: []analysis.Row{row("m/g/slow_one", analysis.Unchanged, 0.0, "")}}
	r := Run{Phase: PhaseSlow, Outputs: map[string]string{"verdict": "pass", "regressions": "0"}}
	Judge(&r, c, []string{"m/g/slow_one"}, "## ✅ xpcs-perf memory: passed — 0 regressions\n")
	if !r.SilentPass {
		t.Error("passed, 0 regressions with the slowed benchmark unmentioned is a silent pass")
	}
	// Named in the comment (escaped Markdown): not silent.
	r = Run{Phase: PhaseSlow, Outputs: map[string]string{"verdict": "pass", "regressions": "0"}}
	c.Rows[0].Verdict, c.Rows[0].Reason = analysis.Inconclusive, "inside the run-to-run drift"
	Judge(&r, c, []string{"m/g/slow_one"}, "## ⚠️ xpcs-perf memory: passed with warnings — 0 regressions\n- ⚠️ g/slow\\_one: +190%\n")
	if r.SilentPass || !r.Slowed[0].InComment || r.Slowed[0].Class != SlowInconclDrift {
		t.Errorf("%+v", r)
	}
}

func TestJudgeAAAndMissingReport(t *testing.T) {
	c := &analysis.Comparison{Rows: []analysis.Row{row("m/g/a", analysis.Unchanged, 0.02, "")}}
	r := Run{Phase: PhaseAA, Outputs: map[string]string{"verdict": "pass"}}
	Judge(&r, c, nil, "## ✅ passed")
	if r.Class != RunPass || len(r.FalseAlarms) != 0 {
		t.Errorf("%+v", r)
	}
	r = Run{Phase: PhaseAA, Exit: 0, Outputs: map[string]string{"verdict": "pass"}}
	Judge(&r, nil, nil, "")
	if r.Class != RunHarnessError || r.Err == "" {
		t.Errorf("no report must be a harness error: %+v", r)
	}
	r = Run{Phase: PhaseAA, Exit: 2, Outputs: map[string]string{"verdict": "error"}}
	Judge(&r, nil, nil, "")
	if r.Class != RunCouldNot {
		t.Errorf("exit 2 without report: %+v", r)
	}
	tot := Sum([]Run{{Phase: PhaseAA, Class: RunPass}, {Phase: PhaseAA, Class: RunCouldNot}, {Phase: PhasePush, Class: RunGateFailed}})
	if tot.AARuns != 2 || tot.AAPass != 1 || tot.AACouldNot != 1 || tot.AAGateFailed != 0 {
		t.Errorf("%+v", tot)
	}
	if aa, _ := tot.TargetsMet(); aa {
		t.Error("a could-not-judge A/A run meets the target")
	}
}

func TestIsParallel(t *testing.T) {
	for id, want := range map[string]bool{
		"memory/workers/frame_sums[size=tiny,workers=2]":        true,
		"memory/workers/frame_sums[size=tiny,workers=1]":        false,
		"hdf5/pool/concurrent_frame_reads[goroutines=4]":        true,
		"memory/concurrency/shared_lru_4_goroutines[size=tiny]": true,
		"memory/sync/mutex":    false,
		"x/y/one_1_goroutines": false,
	} {
		if got := IsParallel(id); got != want {
			t.Errorf("IsParallel(%q) = %v", id, got)
		}
	}
}

func TestDriftRowsAndRender(t *testing.T) {
	var runs []map[string]Medians
	for i := 0; i < 8; i++ {
		f := 1.0
		if i%2 == 1 {
			f = 2 // wall alternates 1x/2x; cpu steady
		}
		runs = append(runs, map[string]Medians{
			"m/a/single":          {Wall: f * 1e-3, CPU: 0.9e-3},
			"m/a/par[workers=4]":  {Wall: 1e-3, CPU: f * 3e-3},
			"m/a/hot":             {Wall: 1e-3, CPU: 1.5e-3}, // cpu/wall 1.5: parallel by ratio
			"m/a/walls_only_here": {Wall: 1e-3},
		})
	}
	rows := DriftRows(runs)
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	by := map[string]DriftRow{}
	for _, r := range rows {
		by[r.ID] = r
	}
	s := by["m/a/single"]
	if s.Parallel || !(s.SigmaWall > 0.3) || s.SigmaCPU != 0 || math.Abs(s.SpreadWall-2) > 1e-9 {
		t.Errorf("single %+v", s)
	}
	if p := by["m/a/par[workers=4]"]; !p.Parallel || p.Why != "params" || !(p.SigmaCPU > p.SigmaWall) {
		t.Errorf("par %+v", p)
	}
	if h := by["m/a/hot"]; !h.Parallel || !strings.HasPrefix(h.Why, "cpu/wall 1.5") {
		t.Errorf("hot %+v", h)
	}
	if w := by["m/a/walls_only_here"]; !math.IsNaN(w.SigmaCPU) {
		t.Errorf("no cpu: σ %v", w.SigmaCPU)
	}
	sum := SummarizeDrift(rows)
	if sum[0].Kind != "single-threaded" || sum[0].N != 1 || sum[0].Recommended != "cpu-s/op" {
		t.Errorf("single summary %+v", sum[0])
	}
	if sum[1].N != 2 || sum[1].Recommended != "wall time" {
		t.Errorf("parallel summary %+v", sum[1])
	}

	pr := []Run{
		{Index: 1, Phase: PhasePush, Outputs: map[string]string{"verdict": "no-baseline"}, Class: RunNoBaseline},
		{Index: 2, Phase: PhaseAA, Outputs: map[string]string{"verdict": "pass", "benchmarks": "4"}, Class: RunPass, Headline: "✅ a | b",
			Clocks: map[string]string{"m/a/single": "cpu", "m/a/par[workers=4]": "wall"}},
		{Index: 3, Phase: PhaseSlow, Exit: 1, Outputs: map[string]string{"verdict": "fail"}, Class: RunGateFailed,
			Slowed: []SlowOutcome{{ID: "m/a/single", Class: SlowCaught}, {ID: "m/a/hot", Class: SlowInconclOther, Reason: "not significant"}}},
	}
	md := Render("T", []string{"setup line"}, pr, rows)
	for _, want := range []string{"### T", "- setup line", "| 2 | a/a |", `✅ a \| b`, "1 / 0 / 1 / 0", "1 pass, **0 gate failed (exit 1)**",
		"**met**; every 3x slowdown caught or inconclusive with the drift named: **NOT met**", "run 3 (3x): m/a/hot inconclusive-other", "| single-threaded | 1 |", "| cpu 1/1 |", "| wall 1/1 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("render lacks %q:\n%s", want, md)
		}
	}
}

func TestParseOutputsAndSlowRegexp(t *testing.T) {
	m := ParseOutputs("verdict<<ghadelim_1\npass\nghadelim_1\nregressions<<D\n0\nD\nold=style\n")
	if m["verdict"] != "pass" || m["regressions"] != "0" || m["old"] != "style" {
		t.Errorf("%q", m)
	}
	re := slowRegexp([]string{"m/a/x[size=tiny,workers=2]", "m/sync/mutex"})
	if re != `^(m/a/x\[size=tiny,workers=2\]|m/sync/mutex)$` {
		t.Errorf("%s", re)
	}
}

func TestReclassify(t *testing.T) {
	runs := []Run{{Phase: PhaseSlow, Headline: "⚠️ passed with warnings", Outputs: map[string]string{"regressions": "0"}, Slowed: []SlowOutcome{
		{ID: "a", Verdict: "inconclusive", Class: SlowInconclDrift, Reason: "not significant; CPU time drifts less between runs", InComment: true},
		{ID: "b", Verdict: "inconclusive", Reason: "separate runs on shared runners differ by up to ±50% (default allowance)", InComment: true},
		{ID: "c", Verdict: "unchanged", Class: SlowCaught},
	}}}
	Reclassify(runs)
	got := []string{runs[0].Slowed[0].Class, runs[0].Slowed[1].Class, runs[0].Slowed[2].Class}
	if got[0] != SlowInconclOther || got[1] != SlowInconclDrift || got[2] != SlowMissed || !runs[0].SilentPass {
		t.Errorf("%q silent %v", got, runs[0].SilentPass)
	}
}
