package cli

// End-to-end tests of the action: the real binary, run the way a GitHub
// runner runs a Docker action (INPUT_* with dashes, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, GITHUB_API_URL), against ghfake:
// a fake GitHub behind a non-empty base path with paginated artifacts, a 302
// to a separate blob host that rejects an Authorization header, and comments.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
	"github.com/xpcs-perf/xpcs-perf-action/internal/actiontest"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

const e2eToken = "ghs_E2EsecretTOKENvalue123"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds xpcs-perf once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xpcs-perf-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "xpcs-perf")
		out, err := exec.Command("go", "build", "-o", binPath, testenv.Root()).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// jobRun is one simulated job running the binary (actiontest.Job).
type jobRun struct {
	*actiontest.Job
	t    *testing.T
	fake *ghfake.Server
	tmp  string
	// after a run:
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
}

func newJob(t *testing.T, fake *ghfake.Server, event string, payload any) *jobRun {
	t.Helper()
	r := &jobRun{Job: actiontest.NewJob(t, fake.URL(), e2eToken, event, payload), t: t, fake: fake, tmp: t.TempDir()}
	maps.Copy(r.Env, map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": r.tmp, "CI": "true",
		"GITHUB_REPOSITORY": "octo/xpcs", "GITHUB_RUN_ID": "4242",
	})
	return r
}

// run executes the binary with no arguments, as the action's entrypoint.
func (r *jobRun) run() {
	r.t.Helper()
	r.Reset()
	cmd := exec.Command(binary(r.t))
	cmd.Dir = r.WS
	cmd.Env = r.Environ()
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r.code = 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	r.stdout, r.stderr = so.String(), se.String()
	sum, _ := os.ReadFile(r.Env["GITHUB_STEP_SUMMARY"])
	r.summary = string(sum)
	r.outputs = r.OutputsMap()
	r.checkNoToken()
}

// checkNoToken greps every output of the run for the token. The only line
// allowed to hold it is the ::add-mask:: command the runner consumes.
func (r *jobRun) checkNoToken() {
	r.t.Helper()
	stdout := strings.Replace(r.stdout, "::add-mask::"+e2eToken+"\n", "", 1)
	texts := map[string]string{"stdout": stdout, "stderr": r.stderr, "summary": r.summary}
	out, _ := os.ReadFile(r.Env["GITHUB_OUTPUT"])
	texts["GITHUB_OUTPUT"] = string(out)
	filepath.WalkDir(r.WS, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			texts[p] = string(b)
		}
		return nil
	})
	for name, text := range texts {
		if strings.Contains(text, e2eToken) {
			r.t.Errorf("the token appears in %s", name)
		}
	}
	if !strings.Contains(r.stdout, "::add-mask::"+e2eToken) {
		r.t.Errorf("the token was not masked (no ::add-mask::)")
	}
	if v := r.fake.Violations(); len(v) > 0 {
		r.t.Errorf("GitHub protocol violations: %q", v)
	}
}

func (r *jobRun) log() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr (tail)\n%s", r.code, r.stdout, tail(r.stderr, 1500))
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func (r *jobRun) want(kv ...string) {
	r.t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := r.outputs[kv[i]]; got != kv[i+1] {
			r.t.Errorf("output %s: got %q, want %q\n%s", kv[i], got, kv[i+1], r.log())
		}
	}
}

func (r *jobRun) report(name string) string {
	b, err := os.ReadFile(filepath.Join(r.WS, "xpcs-perf-report", name))
	if err != nil {
		r.t.Errorf("report file: %v", err)
	}
	return string(b)
}

func prEvent(number int, fork bool) map[string]any {
	head := "octo/xpcs"
	if fork {
		head = "stranger/xpcs"
	}
	return actiontest.PullRequest(number, "octo/xpcs", head, "feature")
}

// synthResults are deterministic results: 12 samples around 1 ms per id;
// ids matching slow are factor times slower.
func synthResults(ids []string, slow string, factor float64) *analysis.Results {
	res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf", Run: analysis.Run{Commit: "c0ffee", Branch: "main"}}
	re := regexp.MustCompile("^$")
	if slow != "" {
		re = regexp.MustCompile(slow)
	}
	for k, id := range ids {
		f := 1.0
		if re.MatchString(id) {
			f = factor
		}
		var s []float64
		for i := 0; i < 12; i++ {
			s = append(s, f*1e-3*(1+0.01*float64(k)+0.02*math.Sin(float64(3*i+k))))
		}
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: id, Name: id, Category: strings.Split(id, "/")[0],
			Group: "g", Unit: "s", Direction: analysis.LowerIsBetter, Samples: s})
	}
	return res
}

var memIDs = []string{"memory/g/alloc", "memory/g/copy", "memory/g/pool", "memory/g/sum"}

func writeWS(t *testing.T, r *jobRun, name string, data []byte) {
	t.Helper()
	p := filepath.Join(r.WS, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// addNoise fills the artifact listing so the right one is on a later page.
func addNoise(fake *ghfake.Server, name string, zip []byte) {
	now := time.Now()
	fake.AddArtifact(ghfake.Artifact{Name: name, Branch: "feature-x", SHA: "f1", Created: now.Add(-time.Minute), Zip: zip})
	fake.AddArtifact(ghfake.Artifact{Name: name, Branch: "main", SHA: "old1", Created: now.Add(-2 * time.Minute), Expired: true, Zip: zip})
	fake.AddArtifact(ghfake.Artifact{Name: name, Branch: "main", SHA: "evil", Created: now.Add(-3 * time.Minute), Fork: true, Zip: zip})
}

// TestActionPullRequestSlowdown: a real measurement with a real injected
// slowdown against a real measured baseline artifact → comment created,
// outputs set, exit 1; then the next push (fixed code) updates the comment.
func TestActionPullRequestSlowdown(t *testing.T) {
	fake := ghfake.New(e2eToken)
	defer fake.Close()
	bench := `memory/workers/frame_sums\[size=tiny,workers=1\]`
	fake.AddComment(7, "reviewer", "looks good")
	var r *jobRun
	var baseData []byte
	// A loaded machine makes rounds noisy (CV 50-170% seen here with 8
	// sessions on 2 cores) and moves whole runs 2-7x. This scenario tests
	// the pipeline, not the noise policy (analysis tests that), so it
	// injects a 6x slowdown (beyond the default ±50% drift allowance) and
	// measures baseline and PR again (at most three times) if not judged.
	for attempt := 1; attempt <= 3; attempt++ {
		// The baseline: the binary measures the benchmark (as main's nightly
		// would) and it becomes the newest artifact of the base commit.
		baseFile := filepath.Join(t.TempDir(), "base.json")
		cmd := exec.Command(binary(t), "run", "--category", "memory", "--sizes", "tiny", "--filter", bench,
			"--rounds", "10", "--min-time", "30ms", "--progress", "none", "--out", baseFile)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("baseline run: %v\n%s", err, out)
		}
		baseData, _ = os.ReadFile(baseFile)
		zip := ghfake.Zip(map[string][]byte{"results.json": baseData, "report.md": []byte("old report")})
		if attempt == 1 {
			addNoise(fake, "xpcs-perf-memory", zip)
		}
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Created: time.Now().Add(-10*time.Minute + time.Duration(attempt)*time.Second), Zip: zip})

		r = newJob(t, fake, "pull_request", prEvent(7, false))
		writeWS(t, r, ".xpcs-perf.json", []byte(`{"min_time": "30ms"}`))
		r.Env["INPUT_SIZES"] = "tiny"
		r.Env["INPUT_FILTER"] = bench
		r.Env["INPUT_ROUNDS"] = "10"
		r.Env["INPUT_TIME-BUDGET"] = "2m"
		r.Env["XPCS_PERF_INJECT_SLOWDOWN"] = bench + "=6"
		r.run()
		if r.code == 1 {
			break
		}
		t.Logf("attempt %d not caught (machine noise?):\n%s", attempt, r.log())
	}
	if r.code != 1 {
		t.Fatalf("the injected 6x slowdown was not caught in 3 attempts")
	}
	r.want("analysis_pass", "false", "verdict", "fail", "baseline-found", "true", "report-dir", "xpcs-perf-report",
		"results-file", "xpcs-perf-report/results.json")
	// The severity depends on the machine's load while measuring (a 6x
	// slowdown is critical on a quiet machine); a regression it must be.
	if r.outputs["regressions"] == "0" || r.outputs["regressions"] == "" {
		t.Errorf("outputs: want regressions, got %v", r.outputs)
	}
	if !strings.Contains(r.stdout, "::error title=performance regression::memory/workers/frame_sums[size=tiny,workers=1]") {
		t.Errorf("no ::error annotation for the slowed benchmark\n%s", r.log())
	}
	cs := ours(fake.Comments(7), "<!-- xpcs-perf:memory -->")
	if len(cs) != 1 || !strings.HasPrefix(r.outputs["comment-url"], "https://github.example/octo/xpcs/pull/7#issuecomment-") {
		t.Fatalf("want one sticky comment and its URL, got %d comments, url %q\n%s", len(cs), r.outputs["comment-url"], r.log())
	}
	first := cs[0]
	if !strings.Contains(first.Body, "frame") {
		t.Errorf("comment does not name the benchmark:\n%s", first.Body)
	}
	if !strings.Contains(r.summary, "frame") {
		t.Errorf("job summary does not show the report")
	}
	var junit, html string = r.report("junit.xml"), r.report("report.html")
	if !strings.Contains(junit, "<failure") || !strings.Contains(html, "<html") {
		t.Errorf("junit.xml without <failure> or report.html without <html>")
	}

	// The next push: the code is fixed. Its results are ingested equal to a
	// quiet re-measurement of the base (rounds within ±0.5% of the measured
	// median, on both sides): on this shared machine the real rounds vary so
	// much (CV 30-170%) that even identical files can leave the interval
	// wider than ±20%, which is inconclusive and, with one benchmark,
	// "could not judge" (analysis tests that policy; this tests the comment).
	quiet := quietCopy(t, baseData)
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Created: time.Now(),
		Zip: ghfake.Zip(map[string][]byte{"results.json": quiet})})
	r2 := newJob(t, fake, "pull_request", prEvent(7, false))
	writeWS(t, r2, "bench/results.json", quiet)
	r2.Env["INPUT_RESULTS-FILE"] = "bench/results.json"
	r2.run()
	if r2.code != 0 {
		t.Fatalf("fixed push: want exit 0\n%s", r2.log())
	}
	r2.want("analysis_pass", "true", "verdict", "pass", "regressions", "0", "comment-url", r.outputs["comment-url"])
	cs = ours(fake.Comments(7), "<!-- xpcs-perf:memory -->")
	if len(cs) != 1 || cs[0].ID != first.ID || cs[0].Body == first.Body {
		t.Fatalf("want comment %d updated in place, got %+v", first.ID, cs)
	}
	if !strings.Contains(r2.stdout, "comment updated") {
		t.Errorf("log does not say the comment was updated\n%s", r2.log())
	}
	if n := len(fake.Comments(7)); n != 2 {
		t.Errorf("PR has %d comments, want the reviewer's and ours", n)
	}
}

func ours(cs []ghfake.Comment, marker string) []ghfake.Comment {
	var out []ghfake.Comment
	for _, c := range cs {
		if strings.Contains(c.Body, marker) {
			out = append(out, c)
		}
	}
	return out
}

// TestActionScenarios are the deterministic scenarios (results ingested
// from files the test writes, so no machine noise can change a verdict).
func TestActionScenarios(t *testing.T) {
	binary(t)
	t.Run("pr-no-baseline", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		r := newJob(t, fake, "pull_request", prEvent(8, false))
		writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "", 1)))
		r.Env["INPUT_RESULTS-FILE"] = "cur.json"
		r.run()
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r.log())
		}
		r.want("analysis_pass", "true", "verdict", "no-baseline", "baseline-found", "false", "baseline-sha", "")
		cs := ours(fake.Comments(8), "<!-- xpcs-perf:memory -->")
		if len(cs) != 1 || !strings.Contains(cs[0].Body, "first run") {
			t.Fatalf("want one first-run comment, got %+v", cs)
		}
	})

	t.Run("nightly-main", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		base := synthResults(memIDs, "", 1)
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "yesterday",
			Zip: ghfake.Zip(map[string][]byte{"results.json": actiontest.ResultsJSON(t, base)})})
		var hist bytes.Buffer
		json.NewEncoder(&hist).Encode(map[string]any{"schema": "xpcs-perf/history/v1", "time": "2026-11-24T02:00:00Z",
			"commit": "yesterday", "run_id": "4000", "category": "memory", "benchmarks": map[string]any{"memory/g/alloc": map[string]any{"median": 1e-3, "unit": "s", "n": 12}}})
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-memory", Branch: "main", SHA: "yesterday",
			Zip: ghfake.Zip(map[string][]byte{"history.jsonl": hist.Bytes()})})
		r := newJob(t, fake, "schedule", map[string]any{"schedule": "0 2 * * *"})
		writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "", 1)))
		r.Env["INPUT_RESULTS-FILE"] = "cur.json"
		r.run()
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r.log())
		}
		r.want("analysis_pass", "true", "verdict", "pass", "baseline-found", "true", "baseline-sha", "c0ffee", "regressions", "0", "comment-url", "")
		for _, req := range fake.Requests() {
			if strings.Contains(req, "/comments") {
				t.Errorf("a nightly run touched comments: %s", req)
			}
		}
		lines := strings.Split(strings.TrimSpace(r.report("history.jsonl")), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], `"run_id":"4000"`) || !strings.Contains(lines[1], `"run_id":"4242"`) {
			t.Errorf("history.jsonl: want yesterday's entry then this run's, got %q", lines)
		}
	})

	t.Run("fork-pr-403", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		fake.ForbidComments = true
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha",
			Zip: ghfake.Zip(map[string][]byte{"results.json": actiontest.ResultsJSON(t, synthResults(memIDs, "", 1))})})
		r := newJob(t, fake, "pull_request", prEvent(9, true))
		// 4x: beyond the ±200% drift allowed without history.
		writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "pool", 4)))
		r.Env["INPUT_RESULTS-FILE"] = "cur.json"
		r.run()
		if r.code != 1 {
			t.Fatalf("want exit 1 by the gate (critical regression)\n%s", r.log())
		}
		r.want("analysis_pass", "false", "verdict", "fail", "critical", "1", "comment-url", "")
		if !strings.Contains(r.stdout, "::warning::the token may not comment") {
			t.Errorf("no warning about the refused comment\n%s", r.log())
		}
		if !strings.Contains(r.summary, "Not posted as a pull-request comment") || !strings.Contains(r.summary, "pool") {
			t.Errorf("job summary lacks the fallback:\n%s", r.summary)
		}
		if len(fake.Comments(9)) != 0 {
			t.Errorf("a comment was stored despite 403")
		}
	})

	t.Run("rate-limit-waits", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		fake.RateLimitNext, fake.ResetIn, fake.SecondaryNext = 1, time.Second, 1
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha",
			Zip: ghfake.Zip(map[string][]byte{"results.json": actiontest.ResultsJSON(t, synthResults(memIDs, "", 1))})})
		r := newJob(t, fake, "pull_request", prEvent(10, false))
		writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "", 1)))
		r.Env["INPUT_RESULTS-FILE"] = "cur.json"
		start := time.Now()
		r.run()
		if r.code != 0 {
			t.Fatalf("want exit 0 after waiting out the limits\n%s", r.log())
		}
		r.want("baseline-found", "true", "verdict", "pass")
		if d := time.Since(start); d < time.Second {
			t.Errorf("finished in %v: the rate limit was not waited for", d)
		}
		if !strings.Contains(r.stdout, "primary rate limit") || !strings.Contains(r.stdout, "secondary rate limit") {
			t.Errorf("log does not explain the waits\n%s", r.log())
		}
	})

	t.Run("rate-limit-far-reset", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		fake.RateLimitNext, fake.ResetIn = 100, time.Hour
		r := newJob(t, fake, "pull_request", prEvent(11, false))
		writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "", 1)))
		r.Env["INPUT_RESULTS-FILE"] = "cur.json"
		r.run()
		if r.code != 2 || !strings.Contains(r.stdout, "::error::xpcs-perf: baseline artifact") || !strings.Contains(r.stdout, "rate limit") {
			t.Fatalf("want exit 2 with a clear rate-limit error\n%s", r.log())
		}
		if !strings.Contains(r.report("results.json"), "memory/g/alloc") {
			t.Errorf("the measured results were not written before the API failed")
		}
	})

	badBaselines := []struct {
		name string
		art  ghfake.Artifact
		want string
	}{
		{"expired", ghfake.Artifact{Expired: true, Zip: ghfake.Zip(map[string][]byte{"results.json": []byte("{}")})}, "1 expired"},
		{"gone-at-download", ghfake.Artifact{Gone: true, Zip: ghfake.Zip(map[string][]byte{"results.json": []byte("{}")})}, "410"},
		{"corrupt-zip", ghfake.Artifact{Zip: []byte("PK\x03\x04garbage that is not a zip archive")}, "unsafe or corrupt zip: zip: not a valid zip file"},
		{"zip-slip", ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": []byte("{}"), "../../evil.txt": []byte("pwned")})}, "escapes the folder"},
	}
	for _, bb := range badBaselines {
		t.Run(bb.name, func(t *testing.T) {
			t.Parallel()
			fake := ghfake.New(e2eToken)
			defer fake.Close()
			bb.art.Name, bb.art.Branch, bb.art.SHA = "xpcs-perf-memory", "main", "basesha"
			fake.AddArtifact(bb.art)
			r := newJob(t, fake, "pull_request", prEvent(12, false))
			writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(memIDs, "", 1)))
			r.Env["INPUT_RESULTS-FILE"] = "cur.json"
			r.run()
			if r.code != 0 {
				t.Fatalf("want exit 0 (no usable baseline is a first run)\n%s", r.log())
			}
			r.want("verdict", "no-baseline", "baseline-found", "false")
			if !strings.Contains(r.stdout, bb.want) {
				t.Errorf("log does not say %q\n%s", bb.want, r.log())
			}
			// The comment says why there is no baseline.
			if cs := fake.Comments(12); len(cs) != 1 || !strings.Contains(cs[0].Body, comment.EscapeMarkdown(bb.want)) && !strings.Contains(cs[0].Body, bb.want) {
				t.Errorf("comment does not explain the missing baseline (%q):\n%v", bb.want, cs)
			}
			filepath.WalkDir(filepath.Dir(r.tmp), func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Name() == "evil.txt" {
					t.Errorf("zip entry escaped to %s", p)
				}
				return nil
			})
		})
	}

	t.Run("ingest-pytest-lagom", func(t *testing.T) {
		t.Parallel()
		dir := testenv.Fixture(t, "pytest-benchmark/lagom")
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		r := newJob(t, fake, "pull_request", prEvent(13, false))
		for name, fixture := range map[string]string{"base.json": "py38_at_9df7c79_baseline.json", "cur.json": "py38_at_8462f07_baseline.json"} {
			data, err := os.ReadFile(filepath.Join(dir, fixture))
			if err != nil {
				t.Fatal(err)
			}
			writeWS(t, r, ".benchmarks/"+name, data)
		}
		r.Env["INPUT_RESULTS-FILE"] = ".benchmarks/cur.json"
		r.Env["INPUT_RESULTS-FORMAT"] = "pytest-benchmark"
		r.Env["INPUT_BASELINE-FILE"] = ".benchmarks/base.json"
		r.Env["INPUT_CATEGORY"] = "all"
		r.run()
		// lagom's own gate (mean:50%) passes this +10..16% pair; so must ours at 20%.
		if r.code != 0 {
			t.Fatalf("want exit 0\n%s", r.log())
		}
		r.want("verdict", "pass", "baseline-found", "true", "regressions", "0")
		md, cmp := r.report("report.md"), r.report("cmp.json")
		for _, name := range []string{"test_magic", "test_plain", "test_optimised"} {
			if !strings.Contains(md, strings.ReplaceAll(name, "_", `\_`)) || !strings.Contains(cmp, "test_basic_benchmarks.py::"+name) {
				t.Errorf("report.md or cmp.json does not list %s", name)
			}
		}
		if cs := ours(fake.Comments(13), "<!-- xpcs-perf:all -->"); len(cs) != 1 {
			t.Errorf("want one comment, got %d", len(cs))
		}
		// A wrong declared format is a clear error.
		r.Env["INPUT_RESULTS-FORMAT"] = "gobench"
		r.run()
		if r.code != 2 || !strings.Contains(r.stdout, `detected format \"pytest-benchmark\"`) && !strings.Contains(r.stdout, `detected format "pytest-benchmark"`) {
			t.Errorf("wrong results-format: want exit 2 naming the detected format\n%s", r.log())
		}
	})

	t.Run("aggregate-four-categories", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		r := newJob(t, fake, "pull_request", prEvent(14, false))
		total := 0
		for _, cat := range []string{"hdf5", "scientific", "memory", "scalability"} {
			ids := []string{cat + "/g/a", cat + "/g/b", cat + "/g/c"}
			total += len(ids)
			slow := ""
			if cat == "scalability" {
				slow = "scalability/g/b"
			}
			writeWS(t, r, "xpcs-perf-artifacts/xpcs-perf-"+cat+"/results.json", actiontest.ResultsJSON(t, synthResults(ids, slow, 5)))
			writeWS(t, r, "xpcs-perf-artifacts/xpcs-perf-"+cat+"/baseline.json", actiontest.ResultsJSON(t, synthResults(ids, "", 1)))
		}
		writeWS(t, r, "xpcs-perf-artifacts/xpcs-perf-history-memory/history.jsonl", []byte("{}\n"))
		r.Env["INPUT_MODE"] = "aggregate"
		r.Env["INPUT_CATEGORY"] = "all"
		r.Env["INPUT_RESULTS-FILE"] = "xpcs-perf-artifacts"
		r.run()
		if r.code != 1 {
			t.Fatalf("want exit 1 (a critical regression in scalability)\n%s", r.log())
		}
		r.want("analysis_pass", "false", "critical", "1", "regressions", "1", "benchmarks", fmt.Sprint(total), "baseline-found", "true")
		if !strings.Contains(r.stdout, "merged 4 reports") {
			t.Errorf("log does not say 4 reports were merged\n%s", r.log())
		}
		if cs := fake.Comments(14); len(cs) != 1 || !strings.Contains(cs[0].Body, "<!-- xpcs-perf:all -->") || !strings.Contains(cs[0].Body, "scalability") {
			t.Errorf("want ONE comment for the whole matrix, got %d", len(cs))
		}
	})

	t.Run("shards", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		var ids []string
		for i := 0; i < 12; i++ {
			ids = append(ids, fmt.Sprintf("memory/g/b%02d", i))
		}
		seen := map[string]string{}
		for _, shard := range []string{"1/2", "2/2"} {
			r := newJob(t, fake, "pull_request", prEvent(16, false))
			writeWS(t, r, "cur.json", actiontest.ResultsJSON(t, synthResults(ids, "", 1)))
			r.Env["INPUT_RESULTS-FILE"] = "cur.json"
			r.Env["INPUT_SHARD"] = shard
			r.run()
			if r.code != 0 {
				t.Fatalf("shard %s: want exit 0\n%s", shard, r.log())
			}
			res, err := analysis.ReadResultsFile(filepath.Join(r.WS, "xpcs-perf-report", "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benchmarks) == 0 || len(res.Benchmarks) == len(ids) || res.Run.Shard != shard {
				t.Errorf("shard %s: %d of %d benchmarks, run.shard %q", shard, len(res.Benchmarks), len(ids), res.Run.Shard)
			}
			for _, b := range res.Benchmarks {
				if prev, dup := seen[b.ID]; dup {
					t.Errorf("%s in shards %s and %s", b.ID, prev, shard)
				}
				seen[b.ID] = shard
			}
			// Each shard has its own artifact name and sticky comment.
			marker := "<!-- xpcs-perf:memory-shard-" + strings.ReplaceAll(shard, "/", "-of-") + " -->"
			if cs := ours(fake.Comments(16), marker); len(cs) != 1 {
				t.Errorf("shard %s: want one comment with %s", shard, marker)
			}
			want := "xpcs-perf-memory-shard-" + strings.ReplaceAll(shard, "/", "-of-")
			found := false
			for _, req := range fake.Requests() {
				found = found || strings.Contains(req, "name="+want)
			}
			if !found {
				t.Errorf("shard %s: baseline not looked up as %s", shard, want)
			}
		}
		if len(seen) != len(ids) {
			t.Errorf("shards cover %d of %d benchmarks", len(seen), len(ids))
		}
	})

	t.Run("bad-input", func(t *testing.T) {
		t.Parallel()
		fake := ghfake.New(e2eToken)
		defer fake.Close()
		r := newJob(t, fake, "pull_request", prEvent(15, false))
		r.Env["INPUT_RESULTS-FILE"] = "../../etc/passwd"
		r.run()
		if r.code != 2 || !strings.Contains(r.stdout, "input results-file") || !strings.Contains(r.stdout, "outside the workspace") {
			t.Errorf("want exit 2 naming the input\n%s", r.log())
		}
	})
}

// TestActionYAMLMatchesCode checks that action.yml declares exactly the
// inputs the code reads and the outputs it sets, and that actionlint passes
// on the workflows (which it checks against action.yml).
func TestActionYAMLMatchesCode(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	section := func(name string) []string {
		var keys []string
		in := false
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
				in = line == name+":"
				continue
			}
			if in && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.HasSuffix(line, ":") {
				keys = append(keys, strings.TrimSuffix(strings.TrimSpace(line), ":"))
			}
		}
		return keys
	}
	wantInputs := []string{"category", "sizes", "filter", "rounds", "time-budget", "metric", "data", "results-file", "results-format",
		"baseline-artifact", "baseline-file", "history-artifact", "regression-threshold", "alpha", "max-cv", "drift-allowance", "fail-on",
		"fail-on-regression", "comment", "mode", "shard", "github-token", "output-dir"}
	if got := section("inputs"); strings.Join(got, ",") != strings.Join(wantInputs, ",") {
		t.Errorf("inputs:\n got %v\nwant %v", got, wantInputs)
	}
	src, _ := os.ReadFile(filepath.Join(testenv.Root(), "action", "inputs.go"))
	for _, in := range wantInputs {
		if !strings.Contains(string(src), `"`+in+`"`) {
			t.Errorf("input %s is declared but never read by action/inputs.go", in)
		}
	}
	wantOutputs := []string{"analysis_pass", "verdict", "regressions", "critical", "major", "minor", "improvements",
		"inconclusive", "inconclusive-past", "judged", "memory-regressions", "benchmarks", "baseline-found", "baseline-sha", "report-dir", "results-file", "comment-url"}
	if got := section("outputs"); strings.Join(got, ",") != strings.Join(wantOutputs, ",") {
		t.Errorf("outputs:\n got %v\nwant %v", got, wantOutputs)
	}
	psrc, _ := os.ReadFile(filepath.Join(testenv.Root(), "action", "pipeline.go"))
	for _, o := range wantOutputs {
		if !strings.Contains(string(psrc), `"`+o+`":`) {
			t.Errorf("output %s is declared but never set by action/pipeline.go", o)
		}
	}
	if !strings.Contains(string(data), `using: "docker"`) || !strings.Contains(string(data), `image: "Dockerfile"`) {
		t.Errorf("action.yml must run the Dockerfile")
	}
	lint := exec.Command("go", "tool", "actionlint", "-no-color", ".github/workflows/ci.yml", ".github/workflows/perf.yml")
	lint.Dir = testenv.Root()
	out, err := lint.CombinedOutput()
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// TestAggregateCommand is the local form of mode=aggregate.
func TestAggregateCommand(t *testing.T) {
	t.Parallel()
	dir, out := t.TempDir(), t.TempDir()
	for _, cat := range []string{"hdf5", "memory"} {
		ids := []string{cat + "/g/a", cat + "/g/b"}
		slow := ""
		if cat == "memory" {
			slow = "memory/g/a"
		}
		d := filepath.Join(dir, "xpcs-perf-"+cat)
		os.MkdirAll(d, 0o755)
		analysis.WriteResultsFile(filepath.Join(d, "results.json"), synthResults(ids, slow, 4)) // beyond the ±200% allowance
		analysis.WriteResultsFile(filepath.Join(d, "baseline.json"), synthResults(ids, "", 1))
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, []string{"aggregate", "--dir", dir, "--out", out}, func(string) string { return "" })
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("got %v, want exit 1 (critical regression)\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "merged 2 reports (4 benchmarks): 1 regressions") {
		t.Errorf("stdout: %s", stdout.String())
	}
	for _, f := range []string{"results.json", "baseline.json", "cmp.json", "report.md", "report.html", "junit.xml", "report.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if err := run(context.Background(), &stdout, &stderr, []string{"aggregate", "--dir", t.TempDir()}, func(string) string { return "" }); err == nil {
		t.Error("empty folder: got nil error")
	}
}

// quietCopy returns the results file data with every benchmark's rounds
// and metrics replaced by their median times 1 ± 0.5% (a deterministic
// spread).
func quietCopy(t *testing.T, data []byte) []byte {
	t.Helper()
	res, err := analysis.ReadResults(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		med := analysis.Describe(b.Samples, b.Unit).Median
		for j := range b.Samples {
			b.Samples[j] = med * (1 + 0.005*math.Sin(float64(j)))
		}
		st := analysis.Describe(b.Samples, b.Unit)
		b.Stats = &st
		// The CPU time too: a single-threaded benchmark is judged on it.
		for k, m := range b.Metrics {
			if len(m.Samples) == 0 {
				continue
			}
			mm := analysis.Describe(m.Samples, m.Unit).Median
			for j := range m.Samples {
				m.Samples[j] = mm * (1 + 0.005*math.Sin(float64(j)))
			}
			b.Metrics[k] = m
		}
	}
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
