package action

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// TestRunInputsInsideReportFolder: results-file and baseline-file may live
// in the report folder (the default output-dir, as a user writes them in an
// earlier step): they are read before the report files of an earlier run
// are removed (issue 13 item 1: the input was deleted, then "does not
// exist").
func TestRunInputsInsideReportFolder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, resultsFile, baselineFile string
	}{
		{"results-file", "xpcs-perf-report/results.json", ""},
		{"baseline-file", "", "xpcs-perf-report/baseline.json"},
		{"both", "xpcs-perf-report/results.json", "xpcs-perf-report/baseline.json"},
		{"other report names", "xpcs-perf-report/cmp.json", "xpcs-perf-report/report.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "push", map[string]any{"ref": "refs/heads/main", "before": "basesha", "after": "headsha"})
			h.Env["INPUT_HISTORY-ARTIFACT"] = "off"
			write := func(rel string, res *analysis.Results) {
				p := filepath.Join(h.WS, rel)
				os.MkdirAll(filepath.Dir(p), 0o755)
				var buf bytes.Buffer
				if err := analysis.WriteResults(&buf, res); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			deps := Deps{Run: fakeRun("", 1)}
			if tt.resultsFile != "" {
				write(tt.resultsFile, synth(ids, nil, 1))
				h.Env["INPUT_RESULTS-FILE"] = tt.resultsFile
				deps = Deps{}
			}
			if tt.baselineFile != "" {
				write(tt.baselineFile, synth(ids, nil, 1))
				h.Env["INPUT_BASELINE-FILE"] = tt.baselineFile
			}
			code := h.run(deps)
			if code != ExitPass {
				t.Fatalf("exit: got %d, want %d\n%s", code, ExitPass, h.stdout.String())
			}
			out := h.OutputsMap()
			if got, want := out["benchmarks"], strconv.Itoa(len(ids)); got != want {
				t.Errorf("benchmarks: got %q, want %q", got, want)
			}
			if got, want := out["baseline-found"], strconv.FormatBool(tt.baselineFile != ""); got != want {
				t.Errorf("baseline-found: got %q, want %q\n%s", got, want, h.stdout.String())
			}
			if _, err := os.Stat(filepath.Join(h.WS, "xpcs-perf-report", ResultsName)); err != nil {
				t.Errorf("results: %v", err)
			}
		})
	}
}

// TestRunRateLimitIsNotPermission: a 403 "API rate limit exceeded" whose
// X-RateLimit-Remaining comes twice (4999, then 0) is a rate limit: the
// action stops with exit 2 and says so, instead of calling it a missing
// `actions: read` and passing without a baseline (issue 13 item 7).
func TestRunRateLimitIsNotPermission(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "pull_request", prPayload(9))
	h.Env["INPUT_HISTORY-ARTIFACT"] = "off"
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Zip: zipResults(t, synth(ids, nil, 1))})
	far := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	for i := 0; i < 20; i++ {
		h.fake.Canned = append(h.fake.Canned, ghfake.Response{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999", "0"}, "X-RateLimit-Reset": {far}},
			Body:   `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`})
	}
	code := h.run(Deps{Run: fakeRun("", 1)})
	log := h.stdout.String()
	if code != ExitError {
		t.Errorf("exit: got %d, want %d (a rate limit must not pass silently)\n%s", code, ExitError, log)
	}
	if strings.Contains(log, "actions: read") {
		t.Errorf("a rate limit was reported as a permission problem:\n%s", log)
	}
	if !strings.Contains(log, "rate limit") {
		t.Errorf("the log does not say rate limit:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(h.WS, "xpcs-perf-report", ResultsName)); err != nil {
		t.Errorf("measured results not kept: %v", err)
	}
}

// TestRunAggregateRefusesOutputOverlap: in mode aggregate, an output-dir
// that is the folder of the downloaded artifacts is refused, naming both
// inputs, before anything there is removed.
func TestRunAggregateRefusesOutputOverlap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "push", map[string]any{"ref": "refs/heads/main", "before": "basesha", "after": "headsha"})
	h.Env["INPUT_MODE"] = "aggregate"
	h.Env["INPUT_RESULTS-FILE"] = "arts"
	h.Env["INPUT_OUTPUT-DIR"] = "arts"
	p := filepath.Join(h.WS, "arts", ResultsName)
	os.MkdirAll(filepath.Dir(p), 0o755)
	var buf bytes.Buffer
	analysis.WriteResults(&buf, synth(ids, nil, 1))
	os.WriteFile(p, buf.Bytes(), 0o644)
	code := h.run(Deps{})
	if code != ExitError {
		t.Errorf("exit: got %d, want %d", code, ExitError)
	}
	if !strings.Contains(h.stdout.String(), "also the aggregate folder") {
		t.Errorf("no clear refusal:\n%s", h.stdout.String())
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("the input was removed: %v", err)
	}
}

// TestRunAnnotationsInert: benchmark names with ESC sequences, RTL
// overrides and workflow commands reach the log and the ::error
// annotations neutralised (issue 13 item 5).
func TestRunAnnotationsInert(t *testing.T) {
	t.Parallel()
	hostile := []string{"memory/g/\x1b]8;;https://evil\x07a", "memory/g/b\u202Etxt.exe", "::add-mask::memory/g/c", "memory/g/d"}
	h := newHarness(t, "pull_request", prPayload(12))
	h.Env["INPUT_HISTORY-ARTIFACT"] = "off"
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Zip: zipResults(t, synth(hostile, nil, 1))})
	code := h.run(Deps{Run: func(ctx context.Context, req RunRequest, log io.Writer) (*analysis.Results, error) {
		return synth(hostile, regexp.MustCompile("."), 5), nil
	}})
	if code != ExitGate {
		t.Fatalf("exit: got %d, want %d\n%s", code, ExitGate, h.stdout.String())
	}
	out := h.stdout.String()
	if !strings.Contains(out, "::error title=performance regression::") {
		t.Fatalf("no annotation:\n%s", out)
	}
	for i, line := range strings.Split(out, "\n") {
		if strings.ContainsAny(line, "\x1b\x07\u202E") {
			t.Errorf("stdout line %d keeps an escape or bidi control: %q", i+1, line)
		}
		if strings.HasPrefix(strings.TrimSpace(line), "::add-mask::memory") {
			t.Errorf("stdout line %d is a forged command: %q", i+1, line)
		}
	}
	cs := h.fake.Comments(12)
	if len(cs) != 1 || strings.ContainsAny(cs[0].Body, "\x1b\x07\u202E") {
		t.Errorf("the comment keeps an escape or bidi control (or is missing): %d comments", len(cs))
	}
}
