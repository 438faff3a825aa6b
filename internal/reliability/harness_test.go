package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
	"github.com/xpcs-perf/xpcs-perf-action/internal/actiontest"
)

// secret is the token of every end-to-end scenario: each output is grepped
// for it.
const secret = "ghs_RELIABILITYsecretTOKEN0123456789"

// scenario is a workspace, a fake GitHub behind fault injectors and the
// environment the GitHub runner gives a Docker action.
type scenario struct {
	*actiontest.Job
	t         *testing.T
	fake      *ghfake.Server
	api, blob *Injector
	apiSrv    *httptest.Server
	blobSrv   *httptest.Server
	stdout    syncBuffer
	stderr    syncBuffer
	// waited sums the back-off the client asked for (Sleep is shortened to
	// at most 2 ms so the tests stay fast).
	mu     sync.Mutex
	waited time.Duration
	// cur is what the fake runner "measures".
	cur *analysis.Results
	// leakBug, when set, is the known bug (known_test.go) under which a
	// token found in an output is reported.
	leakBug string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newScenario(t *testing.T, event string, payload any) *scenario {
	t.Helper()
	sc := &scenario{t: t, fake: ghfake.New(secret)}
	t.Cleanup(sc.fake.Close)
	sc.api = NewInjector(sc.fake.API.Config.Handler)
	sc.blob = NewInjector(sc.fake.Blob.Config.Handler)
	sc.apiSrv = httptest.NewServer(sc.api)
	sc.blobSrv = httptest.NewServer(sc.blob)
	t.Cleanup(func() {
		sc.api.Close()
		sc.blob.Close()
		sc.apiSrv.Close()
		sc.blobSrv.Close()
	})
	sc.Job = actiontest.NewJob(t, sc.apiSrv.URL+ghfake.BasePath, secret, event, payload)
	sc.cur = SynthResults(8, 10, 2, 0, 1)
	return sc
}

// prPayload is a pull_request event of PR number from branch head.
func prPayload(number int, head string) map[string]any {
	return actiontest.PullRequest(number, "o/r", "o/r", head)
}

// addBaseline stores res as the baseline artifact of main.
func (sc *scenario) addBaseline(res *analysis.Results) {
	sc.t.Helper()
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		sc.t.Fatal(err)
	}
	sc.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha",
		Zip: ghfake.Zip(map[string][]byte{"results.json": buf.Bytes()})})
}

// blobRewrite sends requests for the fake's blob host to the blob injector.
type blobRewrite struct {
	from, to string
	base     http.RoundTripper
}

func (b *blobRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == b.from {
		r = r.Clone(r.Context())
		r.URL.Host = b.to
		r.Host = b.to
	}
	return b.base.RoundTrip(r)
}

// run runs the action with a fake runner (returning sc.cur) and the real
// ghapi client with short timeouts, and checks the invariants every
// scenario must keep: no token anywhere, no GitHub protocol violation.
func (sc *scenario) run(timeout time.Duration) (int, error, time.Duration) {
	sc.t.Helper()
	from, _ := url.Parse(sc.fake.Blob.URL)
	to, _ := url.Parse(sc.blobSrv.URL)
	deps := action.Deps{
		Run: func(ctx context.Context, req action.RunRequest, log io.Writer) (*analysis.Results, error) {
			fmt.Fprintf(log, "measuring %d benchmarks\n", len(sc.cur.Benchmarks))
			return sc.cur, nil
		},
		NewGitHub: func(opt ghapi.Options) (action.GitHub, error) {
			opt.Timeout, opt.DownloadTimeout = 300*time.Millisecond, 300*time.Millisecond
			opt.BaseBackoff = 50 * time.Millisecond
			opt.Transport = &blobRewrite{from: from.Host, to: to.Host, base: http.DefaultTransport}
			opt.Sleep = func(ctx context.Context, d time.Duration) error {
				sc.mu.Lock()
				sc.waited += d
				sc.mu.Unlock()
				t := time.NewTimer(min(d, 2*time.Millisecond))
				defer t.Stop()
				select {
				case <-t.C:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return ghapi.New(opt)
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	code, err := action.Run(ctx, action.Env{Getenv: sc.Getenv, Stdout: &sc.stdout, Stderr: &sc.stderr}, deps)
	took := time.Since(start)
	sc.checkNoSecret()
	if v := sc.fake.Violations(); len(v) > 0 {
		sc.t.Errorf("GitHub protocol violations: %q", v)
	}
	return code, err, took
}

// checkNoSecret greps every output of the run for the token: stdout (but
// the ::add-mask:: line), stderr, GITHUB_OUTPUT, the job summary, every
// file of the workspace and every comment on the fake.
func (sc *scenario) checkNoSecret() {
	sc.t.Helper()
	// The token as written, and lower-cased (an input echoed after
	// strings.ToLower escapes the runner's exact-match masking).
	has := func(b string) bool {
		return strings.Contains(b, secret) || strings.Contains(b, strings.ToLower(secret))
	}
	report := func(format string, args ...any) {
		sc.t.Helper()
		if sc.leakBug != "" {
			flaw(sc.t, sc.leakBug, format, args...)
			return
		}
		sc.t.Errorf(format, args...)
	}
	out := strings.Replace(sc.stdout.String(), "::add-mask::"+secret+"\n", "", 1)
	if has(out) {
		report("stdout leaks the token: %q", grepLine(out, secret))
	}
	if has(sc.stderr.String()) {
		report("stderr leaks the token")
	}
	for _, f := range []string{sc.Outputs, sc.Summary} {
		b, _ := os.ReadFile(f)
		if has(string(b)) {
			report("%s leaks the token", f)
		}
	}
	filepath.WalkDir(sc.WS, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if has(string(b)) {
			report("%s leaks the token", filepath.Base(p))
		}
		return nil
	})
	for _, c := range sc.fake.Comments(7) {
		if has(c.Body) {
			report("comment %d leaks the token", c.ID)
		}
	}
}

// checkResultsKept reads the report folder's results.json and checks it
// holds every benchmark the fake runner measured, with all samples.
func (sc *scenario) checkResultsKept() {
	sc.t.Helper()
	p := filepath.Join(sc.WS, "xpcs-perf-report", "results.json")
	got, err := analysis.ReadResultsFile(p)
	if err != nil {
		sc.t.Errorf("results lost: %v", err)
		return
	}
	if len(got.Benchmarks) != len(sc.cur.Benchmarks) {
		sc.t.Errorf("results.json has %d benchmarks, want %d", len(got.Benchmarks), len(sc.cur.Benchmarks))
		return
	}
	for i, b := range got.Benchmarks {
		if b.ID != sc.cur.Benchmarks[i].ID || len(b.Samples) != len(sc.cur.Benchmarks[i].Samples) {
			sc.t.Errorf("results.json benchmark %d: got %s with %d samples, want %s with %d", i, b.ID, len(b.Samples),
				sc.cur.Benchmarks[i].ID, len(sc.cur.Benchmarks[i].Samples))
		}
	}
}

// commandLine matches the workflow commands the action may legitimately
// print: a known command, optional properties, "::", data.
var commandLine = regexp.MustCompile(`^::(add-mask|error|warning|notice|debug|group|endgroup)( [a-z]+=[^:]*)?::`)

// checkWorkflowCommands fails when a stdout line starting with "::" is not
// one of the action's own commands (an injected ::set-output, ::stop-commands
// or a command hidden after a line break) or when a marker of Hostile starts
// a line.
func checkWorkflowCommands(t *testing.T, stdout string) {
	t.Helper()
	for _, line := range strings.Split(strings.ReplaceAll(stdout, "\r", "\n"), "\n") {
		trim := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trim, "::") && !commandLine.MatchString(trim) {
			t.Errorf("stdout line is an injected workflow command: %q", line)
		}
		if strings.HasPrefix(trim, "::") && strings.Contains(trim, "INJECTED") && !strings.HasPrefix(trim, "::add-mask::") {
			cmd, data, _ := strings.Cut(trim[2:], "::")
			if strings.Contains(cmd, "INJECTED") || strings.HasPrefix(data, "INJECTED") {
				t.Errorf("hostile text became a workflow command: %q", line)
			}
		}
	}
}

// grepLine returns the first line of s containing sub (case-insensitive).
func grepLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(strings.ToLower(l), strings.ToLower(sub)) {
			return l
		}
	}
	return ""
}
