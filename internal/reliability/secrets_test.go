package reliability

import (
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// TestSecretNeverShown puts the token where messages quote user text — a
// refused input, the baseline artifact name, a benchmark name and a note
// of the results, a branch name — and greps every output of the run
// (stdout except the ::add-mask:: line, stderr, GITHUB_OUTPUT, the job
// summary, every file of the workspace, the PR comments) for it. The
// fault tests run the same grep after every fault.
func TestSecretNeverShown(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		bug  string // known bug (known_test.go) this case shows, if any
		set  func(sc *scenario)
	}{
		{"refused input quotes it", "secret-before-inputs", func(sc *scenario) { sc.Env["INPUT_CATEGORY"] = secret }},
		{"refused gate quotes it", "secret-before-inputs", func(sc *scenario) { sc.Env["INPUT_FAIL-ON"] = "critical > " + secret }},
		{"artifact name", "secret-in-reports", func(sc *scenario) { sc.Env["INPUT_BASELINE-ARTIFACT"] = "perf-" + secret }},
		{"benchmark name and note", "secret-in-reports", func(sc *scenario) {
			sc.cur.Benchmarks[0].ID = "memory/g/" + secret
			sc.cur.Notes = append(sc.cur.Notes, "token "+secret)
		}},
		{"baseline with the token", "secret-in-reports", func(sc *scenario) {
			b := SynthResults(8, 10, 1, 0, 1)
			b.Run.Branch, b.Machine.RunnerName = secret, secret
			b.Benchmarks = append(b.Benchmarks, analysis.Benchmark{ID: "memory/x/" + secret, Name: secret, Unit: "s",
				Direction: analysis.LowerIsBetter, Samples: []float64{1, 1, 1, 1, 1}})
			sc.addBaseline(b)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc := newScenario(t, "pull_request", prPayload(7, "feature"))
			c.set(sc)
			sc.leakBug = c.bug
			code, err, _ := sc.run(faultBound) // run greps every output
			t.Logf("exit %d, err %v", code, err)
		})
	}
}
