package ghapi

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-github/v60/github"
)

// zeroSHA is what GitHub puts in `before` when a branch is created and in
// `after` when a ref is deleted.
const zeroSHA = "0000000000000000000000000000000000000000"

// Event is what the action needs from the event that started the run.
type Event struct {
	Name        string // GITHUB_EVENT_NAME: pull_request, push, schedule, ...
	Owner, Repo string
	// HeadSHA is the commit measured; HeadBranch its branch (empty on tags).
	HeadSHA, HeadBranch string
	// BaseBranch and BaseSHA select the baseline artifact: the PR's base, or
	// for push/schedule the same branch (BaseSHA = the commit before the
	// push, empty when unknown).
	BaseBranch, BaseSHA string
	// PR is the pull request number to comment on (0: none).
	PR int
	// Fork is true for a pull request from another repository: its token is
	// read-only, so comments will be refused.
	Fork bool
	// Skip, when non-empty, says why there is nothing to measure (a deleted
	// branch or tag).
	Skip string
	// DefaultBranch of the repository, when the payload has it.
	DefaultBranch string
	// Warning, when non-empty, is a payload oddity the event was read past
	// (a non-positive pull request number), for the action to log. A
	// string, not a slice, so that Event stays comparable.
	Warning string
}

// Env is the subset of the runner's environment ParseEvent reads.
type Env struct {
	EventName  string // GITHUB_EVENT_NAME
	EventPath  string // GITHUB_EVENT_PATH
	Repository string // GITHUB_REPOSITORY "owner/name"
	SHA        string // GITHUB_SHA
	Ref        string // GITHUB_REF
	HeadRef    string // GITHUB_HEAD_REF (pull requests)
	BaseRef    string // GITHUB_BASE_REF (pull requests)
}

// EnvFrom reads Env through getenv.
func EnvFrom(getenv func(string) string) Env {
	return Env{
		EventName:  getenv("GITHUB_EVENT_NAME"),
		EventPath:  getenv("GITHUB_EVENT_PATH"),
		Repository: getenv("GITHUB_REPOSITORY"),
		SHA:        getenv("GITHUB_SHA"),
		Ref:        getenv("GITHUB_REF"),
		HeadRef:    getenv("GITHUB_HEAD_REF"),
		BaseRef:    getenv("GITHUB_BASE_REF"),
	}
}

// ReadEvent reads and parses env.EventPath (an empty path: the environment
// alone, as for a local run).
func ReadEvent(env Env) (*Event, error) {
	var data []byte
	if env.EventPath != "" {
		var err error
		data, err = os.ReadFile(env.EventPath)
		if err != nil {
			return nil, fmt.Errorf("read event payload: %w", err)
		}
	}
	ev, err := ParseEvent(env, data)
	if err != nil && env.EventPath != "" {
		return nil, fmt.Errorf("%s: %w", env.EventPath, err)
	}
	return ev, err
}

// ParseEvent decodes the payload of env.EventName with go-github's typed
// events and derives the base and head. Unknown events fall back to the
// environment (GITHUB_SHA, GITHUB_REF).
func ParseEvent(env Env, payload []byte) (*Event, error) {
	ev := &Event{Name: env.EventName, HeadSHA: env.SHA, HeadBranch: branchOf(env.Ref)}
	if o, r, ok := strings.Cut(env.Repository, "/"); ok {
		ev.Owner, ev.Repo = o, r
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	}
	decode := func(v any) error {
		if err := json.Unmarshal(payload, v); err != nil {
			return fmt.Errorf("decode %s event: %w", env.EventName, err)
		}
		return nil
	}
	setRepo := func(r *github.Repository) {
		if r == nil {
			return
		}
		if ev.Owner == "" {
			ev.Owner, ev.Repo = r.GetOwner().GetLogin(), r.GetName()
		}
		ev.DefaultBranch = r.GetDefaultBranch()
	}
	switch env.EventName {
	case "pull_request", "pull_request_target":
		var p github.PullRequestEvent
		if err := decode(&p); err != nil {
			return nil, err
		}
		setRepo(p.Repo)
		pr := p.GetPullRequest()
		ev.PR = ev.prNumber(env.EventName, p.GetNumber(), pr.GetNumber())
		ev.HeadSHA = or(pr.GetHead().GetSHA(), env.SHA)
		ev.HeadBranch = or(pr.GetHead().GetRef(), env.HeadRef)
		ev.BaseBranch = or(pr.GetBase().GetRef(), env.BaseRef)
		ev.BaseSHA = pr.GetBase().GetSHA()
		head, base := pr.GetHead().GetRepo().GetFullName(), pr.GetBase().GetRepo().GetFullName()
		ev.Fork = head != "" && base != "" && head != base
	case "push":
		var p github.PushEvent
		if err := decode(&p); err != nil {
			return nil, err
		}
		if p.Repo != nil {
			if ev.Owner == "" {
				ev.Owner, ev.Repo = p.Repo.GetOwner().GetLogin(), p.Repo.GetName()
				if ev.Owner == "" {
					ev.Owner = p.Repo.GetOwner().GetName()
				}
			}
			ev.DefaultBranch = p.Repo.GetDefaultBranch()
		}
		ref := or(p.GetRef(), env.Ref)
		if p.GetDeleted() || p.GetAfter() == zeroSHA {
			ev.Skip = fmt.Sprintf("push deleted %s: nothing to measure", ref)
			return ev, nil
		}
		ev.HeadSHA = or(p.GetAfter(), env.SHA)
		if strings.HasPrefix(ref, "refs/tags/") {
			// A release tag is compared with the default branch.
			ev.HeadBranch = ""
			ev.BaseBranch = ev.DefaultBranch
			return ev, nil
		}
		ev.HeadBranch = branchOf(ref)
		ev.BaseBranch = ev.HeadBranch
		if !p.GetCreated() && p.GetBefore() != zeroSHA {
			ev.BaseSHA = p.GetBefore()
		}
	case "workflow_run":
		var p github.WorkflowRunEvent
		if err := decode(&p); err != nil {
			return nil, err
		}
		setRepo(p.Repo)
		run := p.GetWorkflowRun()
		ev.HeadSHA = or(run.GetHeadSHA(), env.SHA)
		ev.HeadBranch = run.GetHeadBranch()
		ev.BaseBranch = ev.HeadBranch
		// run is nil when the payload lacks "workflow_run": the getters are
		// nil-safe, the field access below is not.
		if run != nil && len(run.PullRequests) > 0 {
			prs := run.PullRequests
			ev.PR = ev.prNumber(env.EventName, prs[0].GetNumber())
			ev.BaseBranch = prs[0].GetBase().GetRef()
			ev.BaseSHA = prs[0].GetBase().GetSHA()
		}
		ev.Fork = run.GetHeadRepository().GetFullName() != "" && run.GetRepository().GetFullName() != "" &&
			run.GetHeadRepository().GetFullName() != run.GetRepository().GetFullName()
	case "workflow_dispatch":
		var p github.WorkflowDispatchEvent
		if err := decode(&p); err != nil {
			return nil, err
		}
		setRepo(p.Repo)
		ev.HeadBranch = or(branchOf(p.GetRef()), ev.HeadBranch)
		ev.BaseBranch = ev.HeadBranch
	default: // schedule (payload is {"schedule": "<cron>"} at most), merge_group, ...
		var p struct {
			Repository *github.Repository `json:"repository"`
		}
		if err := decode(&p); err != nil {
			return nil, err
		}
		setRepo(p.Repository)
		ev.BaseBranch = ev.HeadBranch
	}
	if ev.BaseBranch == "" {
		ev.BaseBranch = ev.DefaultBranch
	}
	return ev, nil
}

// prNumber is the first positive number of nums (the payload's candidates,
// most trusted first), or 0 — no pull request, so no comment — with a
// warning when a candidate was negative (GitHub never sends one).
func (ev *Event) prNumber(event string, nums ...int) int {
	for _, n := range nums {
		if n > 0 {
			return n
		}
	}
	for _, n := range nums {
		if n < 0 {
			ev.Warning = fmt.Sprintf("%s event: pull request number %d is not positive; treated as no pull request (no comment)", event, n)
			break
		}
	}
	return 0
}

// branchOf is the branch of a ref: "refs/heads/main" → "main"; tags and
// pull-request refs have none; a bare name is taken as a branch.
func branchOf(ref string) string {
	if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return b
	}
	if strings.HasPrefix(ref, "refs/") {
		return ""
	}
	return ref
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
