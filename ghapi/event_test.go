package ghapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestParseEventFixtures(t *testing.T) {
	t.Parallel()
	dir := testenv.Fixture(t, "events/octokit-webhooks")
	tests := []struct {
		file, name string
		env        Env
		want       Event
	}{
		{"pull_request_synchronize.payload.json", "pull_request", Env{SHA: "merge-sha", Ref: "refs/pull/2/merge"},
			Event{Name: "pull_request", Owner: "Codertocat", Repo: "Hello-World", PR: 2,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", HeadBranch: "changes",
				BaseBranch: "master", BaseSHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", DefaultBranch: "master"}},
		{"push_payload.json", "push", Env{Ref: "refs/tags/simple-tag"},
			Event{Name: "push", Owner: "Codertocat", Repo: "Hello-World", DefaultBranch: "master",
				Skip: "push deleted refs/tags/simple-tag: nothing to measure"}},
		{"push_with-new-branch.payload.json", "push", Env{},
			Event{Name: "push", Owner: "Codertocat", Repo: "Hello-World", HeadSHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
				HeadBranch: "master", BaseBranch: "master", BaseSHA: "", DefaultBranch: "master"}},
		{"workflow_dispatch_payload.json", "workflow_dispatch", Env{SHA: "abc", Repository: "octo-org/octo-repo"},
			Event{Name: "workflow_dispatch", Owner: "octo-org", Repo: "octo-repo", HeadSHA: "abc", HeadBranch: "master", BaseBranch: "master", DefaultBranch: "master"}},
		{"workflow_run_completed.with-pull-requests.payload.json", "workflow_run", Env{},
			Event{Name: "workflow_run", Owner: "octo-org", Repo: "octo-repo", PR: 2, HeadSHA: "3484a3fb816e0859fd6e1cea078d76385ff50625",
				HeadBranch: "master", BaseBranch: "master", BaseSHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", DefaultBranch: "master"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			tt.env.EventName = tt.name
			tt.env.EventPath = filepath.Join(dir, tt.file)
			got, err := ReadEvent(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseEventSchedule(t *testing.T) {
	t.Parallel()
	env := Env{EventName: "schedule", Repository: "o/r", SHA: "s1", Ref: "refs/heads/main"}
	for _, payload := range []string{`{"schedule":"0 2 * * *"}`, ``, `{"schedule":"0 2 * * *","repository":{"name":"r","owner":{"login":"o"},"default_branch":"main"}}`} {
		got, err := ParseEvent(env, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if got.BaseBranch != "main" || got.HeadSHA != "s1" || got.PR != 0 || got.Owner != "o" || got.Repo != "r" || got.Skip != "" {
			t.Errorf("payload %q: got %+v", payload, *got)
		}
	}
}

func TestParseEventFork(t *testing.T) {
	t.Parallel()
	payload := `{"number":7,"pull_request":{"number":7,"head":{"sha":"h","ref":"feat","repo":{"full_name":"someone/fork"}},
		"base":{"sha":"b","ref":"main","repo":{"full_name":"o/r"}}}}`
	got, err := ParseEvent(Env{EventName: "pull_request", Repository: "o/r"}, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Fork || got.PR != 7 || got.BaseSHA != "b" || got.BaseBranch != "main" {
		t.Errorf("got %+v, want fork PR 7 against main@b", *got)
	}
}

func TestReadEventErrors(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(bad, []byte(`{"pull_request": [`), 0o644)
	if _, err := ReadEvent(Env{EventName: "pull_request", EventPath: bad}); err == nil {
		t.Error("truncated payload: got nil error")
	}
	if _, err := ReadEvent(Env{EventName: "push", EventPath: bad + ".missing"}); err == nil {
		t.Error("missing payload: got nil error")
	}
}

// TestParseEventNonPositivePR: a negative pull request number is no pull
// request (PR 0, so no comment) with a warning; a positive one of the
// nested pull_request object is used when the top-level one is bad.
func TestParseEventNonPositivePR(t *testing.T) {
	for _, tt := range []struct {
		name, event, payload string
		want                 int
		warn                 bool
	}{
		{"top-level -1", "pull_request", `{"number": -1}`, 0, true},
		{"nested wins", "pull_request", `{"number": -1, "pull_request": {"number": 5}}`, 5, false},
		{"both negative", "pull_request_target", `{"number": -2, "pull_request": {"number": -3}}`, 0, true},
		{"absent", "pull_request", `{}`, 0, false},
		{"workflow_run", "workflow_run", `{"workflow_run": {"pull_requests": [{"number": -4}]}}`, 0, true},
		{"positive", "pull_request", `{"number": 7}`, 7, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent(Env{EventName: tt.event, Repository: "o/r"}, []byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.PR; got != tt.want {
				t.Errorf("PR = %d, want %d", got, tt.want)
			}
			if got := ev.Warning != ""; got != tt.warn {
				t.Errorf("warning %q, want one: %v", ev.Warning, tt.warn)
			}
			if w := ev.Warning; w != "" && (!strings.Contains(w, tt.event) || !strings.Contains(w, "not positive")) {
				t.Errorf("warning %q does not name the event and the number", w)
			}
		})
	}
}
