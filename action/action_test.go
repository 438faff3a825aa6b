package action

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
	"github.com/xpcs-perf/xpcs-perf-action/internal/actiontest"
)

const testToken = "ghs_unitTESTtoken42"

// synth returns results of ids with 10 deterministic samples around 1 ms;
// ids matching slow (if any) are factor times slower.
func synth(ids []string, slow *regexp.Regexp, factor float64) *analysis.Results {
	res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf"}
	for k, id := range ids {
		f := 1.0
		if slow != nil && slow.MatchString(id) {
			f = factor
		}
		var s []float64
		for i := 0; i < 10; i++ {
			s = append(s, f*1e-3*(1+0.01*float64(k)+0.02*math.Sin(float64(i*7+k))))
		}
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: id, Name: id, Category: "memory", Group: "g",
			Unit: "s", Direction: analysis.LowerIsBetter, Samples: s})
	}
	return res
}

var ids = []string{"memory/g/a", "memory/g/b", "memory/g/c", "memory/g/d"}

func fakeRun(slow string, factor float64) RunFunc {
	return func(ctx context.Context, req RunRequest, log io.Writer) (*analysis.Results, error) {
		var re *regexp.Regexp
		if slow != "" {
			re = regexp.MustCompile(slow)
		}
		return synth(ids, re, factor), nil
	}
}

// harness is a job step running Run with the fake GitHub (actiontest.Job).
type harness struct {
	*actiontest.Job
	t      *testing.T
	stdout bytes.Buffer
	fake   *ghfake.Server
}

func newHarness(t *testing.T, event string, payload any) *harness {
	t.Helper()
	fake := ghfake.New(testToken)
	t.Cleanup(fake.Close)
	return &harness{Job: actiontest.NewJob(t, fake.URL(), testToken, event, payload), t: t, fake: fake}
}

func (h *harness) run(deps Deps) int {
	h.t.Helper()
	deps.NewGitHub = func(opt ghapi.Options) (GitHub, error) {
		opt.Sleep = func(ctx context.Context, d time.Duration) error { return nil }
		return ghapi.New(opt)
	}
	code, err := Run(context.Background(), Env{Getenv: h.Getenv, Stdout: &h.stdout, Stderr: io.Discard}, deps)
	if err != nil {
		h.t.Logf("Run error: %v", err)
	}
	for _, f := range []string{h.Outputs, h.Summary} {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), testToken) {
			h.t.Errorf("%s leaks the token", f)
		}
	}
	// The one line allowed to carry it is the mask command, which the
	// runner consumes and never shows.
	if strings.Contains(strings.Replace(h.stdout.String(), "::add-mask::"+testToken+"\n", "", 1), testToken) {
		h.t.Errorf("stdout leaks the token")
	}
	if v := h.fake.Violations(); len(v) > 0 {
		h.t.Errorf("GitHub protocol violations: %q", v)
	}
	return code
}

func zipResults(t *testing.T, res *analysis.Results) []byte {
	return actiontest.ResultsZip(t, res, map[string][]byte{"report.md": []byte("old")})
}

func prPayload(number int) map[string]any {
	return actiontest.PullRequest(number, "o/r", "o/r", "feature")
}

func TestRunPullRequestRegression(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "pull_request", prPayload(4))
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Zip: zipResults(t, synth(ids, nil, 1))})
	var hist bytes.Buffer
	for i := 0; i < 3; i++ {
		json.NewEncoder(&hist).Encode(historyEntry(synth(ids, nil, 1), time.Now().AddDate(0, 0, i-3)))
	}
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-memory", Branch: "main", Zip: ghfake.Zip(map[string][]byte{"history.jsonl": hist.Bytes()})})
	code := h.run(Deps{Run: fakeRun("memory/g/b", 4)})
	t.Log(h.stdout.String())
	if code != ExitGate {
		t.Fatalf("exit: got %d, want %d (critical regression)\n%s", code, ExitGate, h.stdout.String())
	}
	out := h.OutputsMap()
	want := map[string]string{"analysis_pass": "false", "verdict": "fail", "regressions": "1", "critical": "1",
		"baseline-found": "true", "baseline-sha": "basesha", "report-dir": "xpcs-perf-report",
		"results-file": "xpcs-perf-report/results.json", "benchmarks": "4"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("output %s: got %q, want %q", k, out[k], v)
		}
	}
	if !strings.HasPrefix(out["comment-url"], "https://") {
		t.Errorf("comment-url: got %q", out["comment-url"])
	}
	cs := h.fake.Comments(4)
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "<!-- xpcs-perf:memory -->") {
		t.Fatalf("comments: got %+v, want one with the marker", cs)
	}
	if !strings.Contains(h.stdout.String(), "::error title=performance regression::memory/g/b") {
		t.Errorf("no ::error annotation for memory/g/b in:\n%s", h.stdout.String())
	}
	for _, f := range []string{ResultsName, BaselineName, CmpName, MarkdownName, JSONName, JUnitName, HTMLName} {
		if _, err := os.Stat(filepath.Join(h.WS, "xpcs-perf-report", f)); err != nil {
			t.Errorf("report file: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.WS, "xpcs-perf-report", HistoryName)); err == nil {
		t.Errorf("a pull request wrote history.jsonl")
	}
	// The PR reads the history for trend charts (3 nightly points + this run).
	cmp, err := analysis.ReadComparisonFile(filepath.Join(h.WS, "xpcs-perf-report", CmpName))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Trends) != 4 || len(cmp.Trends[0].Points) != 4 || !strings.Contains(cs[0].Body, "xychart-beta") {
		t.Errorf("trends: got %d series, want 4 of 4 points and a chart in the comment", len(cmp.Trends))
	}
}

func TestRunReportOnlyAndForbiddenComment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "pull_request", prPayload(5))
	h.fake.ForbidComments = true
	h.Env["INPUT_FAIL-ON-REGRESSION"] = "false"
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "other", Zip: zipResults(t, synth(ids, nil, 1))})
	if code := h.run(Deps{Run: fakeRun("memory/g/[ab]", 4)}); code != ExitPass {
		t.Fatalf("exit: got %d, want 0 in report-only mode", code)
	}
	if out := h.OutputsMap(); out["analysis_pass"] != "false" || out["comment-url"] != "" {
		t.Errorf("outputs: got %v", out)
	}
	if !strings.Contains(h.stdout.String(), "::warning::the token may not comment") {
		t.Errorf("no fork warning in:\n%s", h.stdout.String())
	}
	sum, _ := os.ReadFile(h.Summary)
	if !strings.Contains(string(sum), "Not posted as a pull-request comment") || !strings.Contains(string(sum), "memory/g/a") {
		t.Errorf("job summary lacks the report or the fallback note:\n%s", sum)
	}
}

func TestRunNightlyWritesHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "schedule", map[string]any{"schedule": "0 2 * * *"})
	stale := filepath.Join(h.WS, "xpcs-perf-report", BaselineName)
	os.MkdirAll(filepath.Dir(stale), 0o755)
	os.WriteFile(stale, []byte("stale"), 0o644)
	old := historyEntry(synth(ids, nil, 1), time.Unix(1e9, 0))
	old.RunID = "1"
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(old)
	buf.WriteString("{broken\n")
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-memory", Branch: "main", Zip: ghfake.Zip(map[string][]byte{"history.jsonl": buf.Bytes()})})
	if code := h.run(Deps{Run: fakeRun("", 1)}); code != ExitPass {
		t.Fatalf("exit: got %d, want 0\n%s", code, h.stdout.String())
	}
	if out := h.OutputsMap(); out["verdict"] != "no-baseline" || out["baseline-found"] != "false" {
		t.Errorf("outputs: got %v", out)
	}
	if !strings.Contains(h.stdout.String(), "::warning::history history.jsonl: skipped history line 2") {
		t.Errorf("the damaged history line was not reported:\n%s", h.stdout.String())
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("a stale %s of an earlier run was left in the report folder", BaselineName)
	}
	entries, skipped, err := readHistoryFile(filepath.Join(h.WS, "xpcs-perf-report", HistoryName))
	if err != nil || len(entries) != 2 || len(skipped) != 0 || entries[1].RunID != "77" || len(entries[1].Benchmarks) != 4 {
		t.Errorf("history: got %d entries (%v, %v), want the old one plus this run", len(entries), skipped, err)
	}
	if n := len(h.fake.Comments(0)); n != 0 {
		t.Errorf("nightly commented %d times", n)
	}
}

func TestRunSkipsDeletedRef(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "push", map[string]any{"ref": "refs/tags/v1", "deleted": true, "after": strings.Repeat("0", 40)})
	called := false
	code := h.run(Deps{Run: func(context.Context, RunRequest, io.Writer) (*analysis.Results, error) {
		called = true
		return nil, nil
	}})
	if code != ExitPass || called || h.OutputsMap()["verdict"] != "skipped" {
		t.Errorf("got exit %d, runner called %v, outputs %v", code, called, h.OutputsMap())
	}
}

func TestReadInputs(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	os.Symlink("/etc", filepath.Join(ws, "link"))
	base := map[string]string{"GITHUB_WORKSPACE": ws}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(*Inputs) string
	}{
		{"defaults", nil, "", func(in *Inputs) string {
			if in.Category != "all" || in.Threshold != 0.2 || in.Alpha != 0.05 || in.DriftAllowance != -1 || !in.FailOnRegression || in.Comment != ghapi.CommentUpdate ||
				in.OutputDir != filepath.Join(ws, "xpcs-perf-report") || in.BaselineArtifact != "xpcs-perf-all" || in.Mode != "run" {
				return fmt.Sprintf("%+v", *in)
			}
			return ""
		}},
		{"dashes", map[string]string{"INPUT_TIME-BUDGET": "90s", "INPUT_REGRESSION-THRESHOLD": "35%", "INPUT_FAIL-ON-REGRESSION": "false",
			"INPUT_SHARD": "2/3", "INPUT_CATEGORY": "hdf5", "INPUT_SIZES": "tiny, small", "INPUT_COMMENT": "on-regression"}, "", func(in *Inputs) string {
			if in.TimeBudget != 90*time.Second || in.Threshold != 0.35 || in.FailOnRegression || in.BaselineArtifact != "xpcs-perf-hdf5-shard-2-of-3" ||
				strings.Join(in.Sizes, "|") != "tiny|small" || in.Comment != ghapi.CommentOnRegression {
				return fmt.Sprintf("%+v", *in)
			}
			return ""
		}},
		{"escape", map[string]string{"INPUT_RESULTS-FILE": "../outside.json"}, "results-file", nil},
		{"absolute-outside", map[string]string{"INPUT_OUTPUT-DIR": "/tmp/elsewhere"}, "output-dir", nil},
		{"symlink-out", map[string]string{"INPUT_BASELINE-FILE": "link/passwd"}, "baseline-file", nil},
		{"bad-category", map[string]string{"INPUT_CATEGORY": "gpu"}, "category", nil},
		{"bad-shard", map[string]string{"INPUT_SHARD": "4/3"}, "shard", nil},
		{"bad-alpha", map[string]string{"INPUT_ALPHA": "2"}, "alpha", nil},
		{"bad-drift", map[string]string{"INPUT_DRIFT-ALLOWANCE": "-1"}, "drift-allowance", nil},
		{"max-cv deprecated", map[string]string{"INPUT_MAX-CV": "45%", "INPUT_DRIFT-ALLOWANCE": "0"}, "", func(in *Inputs) string {
			if in.DriftAllowance != 0 || len(in.Deprecated) != 1 || !strings.Contains(in.Deprecated[0], "max-cv is ignored") {
				return fmt.Sprint("DriftAllowance ", in.DriftAllowance, " deprecated ", in.Deprecated)
			}
			return ""
		}},
		{"metric default", nil, "", func(in *Inputs) string {
			if in.Metric != "time" {
				return "metric " + in.Metric
			}
			return ""
		}},
		{"metric instructions", map[string]string{"INPUT_METRIC": "Instructions"}, "", func(in *Inputs) string {
			if in.Metric != "instructions" {
				return "metric " + in.Metric
			}
			return ""
		}},
		{"bad-metric", map[string]string{"INPUT_METRIC": "cycles"}, "metric", nil},
		{"bad-mode", map[string]string{"INPUT_MODE": "fast"}, "mode", nil},
		{"bad-comment", map[string]string{"INPUT_COMMENT": "loud"}, "comment", nil},
		{"bad-gate", map[string]string{"INPUT_FAIL-ON": "critical >> 0"}, "fail-on", nil},
		{"gate", map[string]string{"INPUT_FAIL-ON": "major>0"}, "", func(in *Inputs) string {
			if in.FailOn != "major>0" {
				return in.FailOn
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			in, err := ReadInputs(func(k string) string { return env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "input "+tt.wantErr) {
					t.Fatalf("got %v, want an error naming input %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(in); msg != "" {
				t.Errorf("got %s", msg)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(dir string, cur, base *analysis.Results) {
		if err := WriteResults(filepath.Join(root, dir), cur, base); err != nil {
			t.Fatal(err)
		}
	}
	write("xpcs-perf-a", synth([]string{"a/1", "a/2"}, nil, 1), synth([]string{"a/1", "a/2"}, nil, 1))
	write("xpcs-perf-b", synth([]string{"b/1"}, nil, 1), nil)
	m, err := Merge(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Current.Benchmarks) != 3 || len(m.Baseline.Benchmarks) != 2 || strings.Join(m.NoBaseline, ",") != "xpcs-perf-b" {
		t.Errorf("got %d current, %d baseline, no baseline %v", len(m.Current.Benchmarks), len(m.Baseline.Benchmarks), m.NoBaseline)
	}
	write("xpcs-perf-c", synth([]string{"a/2"}, nil, 1), nil)
	if _, err := Merge(root); err == nil || !strings.Contains(err.Error(), `"a/2" is in both xpcs-perf-a and xpcs-perf-c`) {
		t.Errorf("duplicate: got %v", err)
	}
	if _, err := Merge(t.TempDir()); err == nil {
		t.Error("empty folder: got nil error")
	}
}

// slowRun is a fake runner honouring RunRequest.Slowdown like the real one
// (REGEX=FACTOR), on synthetic samples; ignore makes it a broken runner that
// drops the slowdown.
func slowRun(ignore bool) RunFunc {
	return func(ctx context.Context, req RunRequest, log io.Writer) (*analysis.Results, error) {
		if req.Slowdown == "" || ignore {
			return synth(ids, nil, 1), nil
		}
		i := strings.LastIndexByte(req.Slowdown, '=')
		var f float64
		fmt.Sscan(req.Slowdown[i+1:], &f)
		return synth(ids, regexp.MustCompile(req.Slowdown[:i]), f), nil
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	dir := t.TempDir()
	cmp, err := Demo(context.Background(), DemoOptions{Slowdown: "memory/g/c=5", Dir: dir}, Deps{Run: slowRun(false)}, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if cmp.Gate.Pass || !strings.Contains(out.String(), "the injected slowdown was caught: 1 regression(s) on memory/g/c") {
		t.Errorf("got gate %v, output:\n%s", cmp.Gate.Pass, out.String())
	}
	for _, f := range []string{"baseline/" + ResultsName, "report/" + MarkdownName, "report/" + HTMLName, "report/" + BaselineName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo output: %v", err)
		}
	}
	// A runner that silently drops the slowdown must make the demo fail.
	_, err = Demo(context.Background(), DemoOptions{Slowdown: "memory/g/c=5", Dir: t.TempDir()}, Deps{Run: slowRun(true)}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "NOT detected") {
		t.Errorf("slowdown dropped: got %v, want a NOT detected error", err)
	}
	if _, err := Demo(context.Background(), DemoOptions{Slowdown: "nofactor", Dir: t.TempDir()}, Deps{Run: slowRun(false)}, io.Discard, io.Discard); err == nil {
		t.Error("bad slowdown: got nil error")
	}
}

// TestRunChecksOutputDirFirst: an output-dir that cannot be written is
// refused before the benchmarks run (exit 2, naming the input).
func TestRunChecksOutputDirFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "push", map[string]any{"ref": "refs/heads/main", "after": "headsha"})
	os.WriteFile(filepath.Join(h.WS, "a-file"), []byte("x"), 0o644)
	h.Env["INPUT_OUTPUT-DIR"] = "a-file/report"
	called := false
	code := h.run(Deps{Run: func(context.Context, RunRequest, io.Writer) (*analysis.Results, error) {
		called = true
		return &analysis.Results{Schema: analysis.ResultsSchema, Benchmarks: []analysis.Benchmark{{ID: "memory/a/b", Name: "b", Unit: "s", Samples: []float64{1, 2, 3, 4}}}}, nil
	}})
	if got, want := code, ExitError; got != want {
		t.Errorf("exit code: got %d, want %d", got, want)
	}
	if called {
		t.Errorf("the benchmarks ran before the unwritable output-dir was noticed")
	}
	if !strings.Contains(h.stdout.String(), "output-dir") {
		t.Errorf("stdout: got\n%s\nwant an error naming the input output-dir", h.stdout.String())
	}
}
