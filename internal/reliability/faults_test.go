package reliability

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/action"
)

// faultBound is the longest an end-to-end run may take under any fault
// (client timeouts are 300 ms per attempt here, 5 attempts, back-off
// shortened): a run that hangs fails the test instead of the CI job.
const faultBound = 20 * time.Second

// errorLine returns the ::error:: lines of stdout (what the user sees in
// the log and as an annotation).
func errorLines(stdout string) []string {
	var out []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "::error") || strings.HasPrefix(l, "::warning") {
			out = append(out, l)
		}
	}
	return out
}

// TestFaultsTransient fails the first two API (or blob) requests with each
// fault: the client retries what GitHub asks to retry, and the run either
// passes with the baseline found and the comment posted, or — for answers
// that are not retryable (a 200 with a cut JSON body) — stops with a clear
// error naming the baseline artifact and where the results are. Either way
// results.json holds every benchmark.
func TestFaultsTransient(t *testing.T) {
	t.Parallel()
	for _, side := range []string{"api", "blob"} {
		for _, f := range Faults {
			t.Run(side+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				sc := newScenario(t, "pull_request", prPayload(7, "feature"))
				sc.addBaseline(SynthResults(8, 10, 1, 0, 1))
				inj := sc.api
				if side == "blob" {
					inj = sc.blob
				}
				inj.Next(f, 2)
				code, err, took := sc.run(faultBound)
				sc.checkResultsKept()
				if took > faultBound {
					t.Errorf("run took %v, above %v", took, faultBound)
				}
				out := sc.OutputsMap()
				t.Logf("%s %s: exit %d in %v, verdict %s, injected %q, waited %v; err %v; lines %q",
					side, f, code, took.Round(time.Millisecond), out["verdict"], inj.Injected(), sc.waited, err, errorLines(sc.stdout.String()))
				if len(inj.Injected()) == 0 {
					t.Fatalf("no fault injected: the scenario does not reach the %s", side)
				}
				switch {
				case code == action.ExitPass && side == "blob" && f == Malformed:
					// A download that is not a zip is a corrupt artifact:
					// compared without a baseline, with a warning.
					if out["verdict"] != "no-baseline" || !strings.Contains(sc.stdout.String(), `::warning::baseline artifact "xpcs-perf-memory" refused`) {
						t.Errorf("corrupt download: verdict %q, want no-baseline with a warning", out["verdict"])
					}
				case code == action.ExitPass:
					if out["baseline-found"] != "true" || out["verdict"] != "pass" {
						t.Errorf("passed with outputs %v, want the baseline found and verdict pass", out)
					}
					if n := len(sc.fake.Comments(7)); n != 1 {
						t.Errorf("%d comments on the PR, want 1", n)
					}
				case code == action.ExitError:
					if err == nil || !strings.Contains(err.Error(), `baseline artifact "xpcs-perf-memory"`) ||
						!strings.Contains(err.Error(), "results measured are in xpcs-perf-report/results.json") {
						t.Errorf("error %v does not name the artifact and where the results are", err)
					}
					if out["verdict"] != "error" {
						t.Errorf("verdict %q, want error", out["verdict"])
					}
				default:
					t.Errorf("exit %d (%v), want %d or %d", code, err, action.ExitPass, action.ExitError)
				}
			})
		}
	}
}

// TestFaultsPersistent makes every API request fail with each fault: the
// run must end in bounded time with exit 2 and a message naming the
// baseline artifact and the HTTP failure, after writing every result.
func TestFaultsPersistent(t *testing.T) {
	t.Parallel()
	for _, f := range Faults {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			sc := newScenario(t, "pull_request", prPayload(7, "feature"))
			sc.addBaseline(SynthResults(8, 10, 1, 0, 1))
			sc.api.Always(f)
			code, err, took := sc.run(faultBound)
			sc.checkResultsKept()
			t.Logf("%s: exit %d in %v after %d injected faults, waited %v; lines %q", f, code, took.Round(time.Millisecond),
				len(sc.api.Injected()), sc.waited, errorLines(sc.stdout.String()))
			if code != action.ExitError || err == nil {
				t.Fatalf("exit %d, err %v; want %d and an error", code, err, action.ExitError)
			}
			if !strings.Contains(err.Error(), `baseline artifact "xpcs-perf-memory"`) {
				t.Errorf("error %q does not name the baseline artifact", err)
			}
			if !regexp.MustCompile(`HTTP [45]\d\d|EOF|connection|deadline|timeout|invalid character|unexpected end|rate limit`).MatchString(err.Error()) {
				t.Errorf("error %q does not say what failed", err)
			}
			if got := errorLines(sc.stdout.String()); len(got) == 0 {
				t.Errorf("no ::error line on stdout")
			}
			if took > faultBound {
				t.Errorf("run took %v, above %v", took, faultBound)
			}
		})
	}
}

// TestFaultsComment fails every comment write with each fault: the comment
// is not posted, the run says so in a warning, and the verdict, the exit
// status, the reports and results.json are exactly those of a healthy run.
func TestFaultsComment(t *testing.T) {
	t.Parallel()
	for _, f := range Faults {
		// Serial subtests: under parallel load the listing GET can time out
		// before any comment write is attempted, which is not what this
		// test is about.
		t.Run(string(f), func(t *testing.T) {
			sc := newScenario(t, "pull_request", prPayload(7, "feature"))
			sc.addBaseline(SynthResults(8, 10, 1, 0, 1))
			sc.api.Match = func(r *http.Request) bool {
				return strings.Contains(r.URL.Path, "/comments") && r.Method != http.MethodGet
			}
			sc.api.Always(f)
			code, err, took := sc.run(faultBound)
			sc.checkResultsKept()
			out := sc.OutputsMap()
			t.Logf("%s: exit %d in %v, verdict %s; lines %q", f, code, took.Round(time.Millisecond), out["verdict"], errorLines(sc.stdout.String()))
			if code != action.ExitPass || err != nil || out["verdict"] != "pass" {
				t.Errorf("exit %d, err %v, verdict %q; want 0, nil, pass", code, err, out["verdict"])
			}
			if !strings.Contains(sc.stdout.String(), "::warning::the comment could not be posted") {
				t.Errorf("no warning that the comment was not posted:\n%s", sc.stdout.String())
			}
			if len(sc.api.Injected()) == 0 {
				t.Errorf("no fault injected on a comment write")
			}
		})
	}
}
