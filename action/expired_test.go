package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// TestRunExpiredBaseline: when the base branch's only baseline artifact has
// expired, the run warns (::warning::) and the comment's headline says the
// baseline expired, not "first run" (issue 13 item 8).
func TestRunExpiredBaseline(t *testing.T) {
	t.Parallel()
	for _, gone := range []bool{false, true} {
		t.Run(map[bool]string{false: "listed expired", true: "410 on download"}[gone], func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "pull_request", prPayload(11))
			h.env["INPUT_HISTORY-ARTIFACT"] = "off"
			h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha",
				Zip: zipResults(t, synth(ids, nil, 1)), Expired: !gone, Gone: gone})
			if code := h.run(Deps{Run: fakeRun("", 1)}); code != ExitPass {
				t.Fatalf("exit: got %d, want %d\n%s", code, ExitPass, h.stdout.String())
			}
			log := h.stdout.String()
			if !strings.Contains(log, "::warning::") || !strings.Contains(log, "expired") {
				t.Errorf("no ::warning:: about the expired baseline:\n%s", log)
			}
			cs := h.fake.Comments(11)
			if len(cs) != 1 {
				t.Fatalf("comments: got %d, want 1", len(cs))
			}
			head, _, _ := strings.Cut(strings.TrimPrefix(cs[0].Body[strings.Index(cs[0].Body, "## "):], "## "), "\n")
			if !strings.Contains(head, "expired") || strings.Contains(head, "first run") {
				t.Errorf("headline: got %q, want it to say the baseline expired (not first run)", head)
			}
			if strings.Contains(cs[0].Body, "first run") {
				t.Errorf("the comment calls an expired baseline a first run:\n%s", cs[0].Body)
			}
			for _, f := range []string{HTMLName, JUnitName} {
				data, err := os.ReadFile(filepath.Join(h.ws, "xpcs-perf-report", f))
				if err != nil || !strings.Contains(string(data), "none (baseline expired)") || strings.Contains(string(data), "first run") {
					t.Errorf("%s does not say the baseline expired (or says first run); err %v", f, err)
				}
			}
			if got, want := h.outputsMap()["verdict"], "no-baseline"; got != want {
				t.Errorf("verdict: got %q, want %q", got, want)
			}
		})
	}
}
