// Package actiontest is the one harness of the action's tests: a job step as
// the GitHub runner prepares it for a Docker action (a workspace, the event
// payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, the INPUT_* and
// GITHUB_* variables), the GITHUB_OUTPUT parser, pull-request payloads and
// results files. The action's unit tests (package action), the end-to-end
// tests of the binary (internal/cli) and the reliability tests
// (internal/reliability) use it, each with the GitHub fake (ghapi/ghfake).
//
// It imports neither action nor the CLI, so package action's own tests can
// use it.
package actiontest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// Job is one step running the action, as a GitHub runner sets it up.
type Job struct {
	// WS is the workspace (GITHUB_WORKSPACE, the working directory).
	WS string
	// Env is the environment of the step; tests change it before running.
	Env map[string]string
	// Outputs and Summary are the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
	// files, Event the GITHUB_EVENT_PATH file.
	Outputs, Summary, Event string
}

// NewJob returns a job of event with payload (marshalled to JSON) against
// the GitHub API at apiURL, the token as the github-token input and the
// memory category: repository o/r at headsha on main, run 77.
func NewJob(t testing.TB, apiURL, token, event string, payload any) *Job {
	t.Helper()
	dir := t.TempDir()
	j := &Job{WS: t.TempDir(), Outputs: filepath.Join(dir, "output"), Summary: filepath.Join(dir, "summary"),
		Event: filepath.Join(dir, "event.json")}
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(j.Event, data, 0o644); err != nil {
		t.Fatal(err)
	}
	j.Env = map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": j.WS, "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": j.Event,
		"GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "headsha", "GITHUB_REF": "refs/heads/main", "GITHUB_RUN_ID": "77",
		"GITHUB_SERVER_URL": "https://github.example", "GITHUB_API_URL": apiURL,
		"GITHUB_OUTPUT": j.Outputs, "GITHUB_STEP_SUMMARY": j.Summary,
		"INPUT_GITHUB-TOKEN": token, "INPUT_CATEGORY": "memory",
	}
	return j
}

// Getenv reads the job's environment.
func (j *Job) Getenv(key string) string { return j.Env[key] }

// Environ is the job's environment as a process gets it (KEY=value).
func (j *Job) Environ() []string {
	var env []string
	for k, v := range j.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// Reset empties GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (files of the job
// named by Env), as a new step finds them.
func (j *Job) Reset() {
	os.WriteFile(j.Env["GITHUB_OUTPUT"], nil, 0o644)
	os.WriteFile(j.Env["GITHUB_STEP_SUMMARY"], nil, 0o644)
}

// OutputsMap parses the job's GITHUB_OUTPUT file.
func (j *Job) OutputsMap() map[string]string { return ReadOutputs(j.Env["GITHUB_OUTPUT"]) }

// ReadOutputs parses a GITHUB_OUTPUT file (name<<DELIM, value lines,
// DELIM); later values win. A missing file has no outputs.
func ReadOutputs(path string) map[string]string {
	b, _ := os.ReadFile(path)
	m := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		m[name] = strings.Join(val, "\n")
	}
	return m
}

// PullRequest is a pull_request event payload of PR number in repo
// (owner/name) from branch headRef of headRepo (a fork when it differs).
func PullRequest(number int, repo, headRepo, headRef string) map[string]any {
	owner, name, _ := strings.Cut(repo, "/")
	return map[string]any{"action": "synchronize", "number": number, "pull_request": map[string]any{"number": number,
		"head": map[string]any{"sha": "headsha", "ref": headRef, "repo": map[string]any{"full_name": headRepo}},
		"base": map[string]any{"sha": "basesha", "ref": "main", "repo": map[string]any{"full_name": repo}}},
		"repository": map[string]any{"name": name, "full_name": repo, "owner": map[string]any{"login": owner}, "default_branch": "main"}}
}

// ResultsJSON is res as a results.json file holds it.
func ResultsJSON(t testing.TB, res *analysis.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ResultsZip is an artifact holding res as results.json, plus files.
func ResultsZip(t testing.TB, res *analysis.Results, files map[string][]byte) []byte {
	t.Helper()
	m := map[string][]byte{"results.json": ResultsJSON(t, res)}
	for k, v := range files {
		m[k] = v
	}
	return ghfake.Zip(m)
}
