package main

// One action run: the binary as a subprocess, the way a GitHub runner runs
// the Docker action, against the fake.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

const reportDir = "xpcs-perf-report"

// job is one action run's folders and environment.
type job struct {
	dir, ws string
	env     map[string]string
	res     jobResult
}

type jobResult struct {
	exit           int
	wall           time.Duration
	outputs        map[string]string
	stdout, stderr string
	err            string // harness-level failure (timeout, start)
}

func (h *harness) newJob(name, event string, payload any) (*job, error) {
	dir := filepath.Join(h.c.work, name)
	j := &job{dir: dir, ws: filepath.Join(dir, "ws")}
	for _, d := range []string{j.ws, filepath.Join(dir, "tmp"), filepath.Join(dir, "files")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	ev := filepath.Join(dir, "files", "event.json")
	if err := os.WriteFile(ev, data, 0o644); err != nil {
		return nil, err
	}
	c := h.c
	j.env = map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": filepath.Join(dir, "tmp"),
		"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": j.ws,
		"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": ev,
		"GITHUB_REPOSITORY": "octo/xpcs", "GITHUB_RUN_ID": fmt.Sprint(5000 + len(h.runs)),
		"GITHUB_SERVER_URL": "https://github.example", "GITHUB_API_URL": h.fake.URL(),
		"GITHUB_OUTPUT": filepath.Join(dir, "files", "output"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "files", "summary"),
		"INPUT_GITHUB-TOKEN": token, "INPUT_CATEGORY": c.category, "INPUT_SIZES": c.sizes,
		"INPUT_TIME-BUDGET": c.timeBudget,
	}
	if c.filter != "" {
		j.env["INPUT_FILTER"] = c.filter
	}
	if c.rounds > 0 {
		j.env["INPUT_ROUNDS"] = fmt.Sprint(c.rounds)
	}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if err := os.WriteFile(j.env[f], nil, 0o644); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// exec runs the binary with no arguments in its own process group, killed
// on timeout or when ctx ends.
func (j *job) exec(ctx context.Context, bin string, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = j.ws
	for k, v := range j.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	j.res.wall = time.Since(start)
	j.res.stdout, j.res.stderr = so.String(), se.String()
	_ = os.WriteFile(filepath.Join(j.dir, "stdout.txt"), so.Bytes(), 0o644)
	_ = os.WriteFile(filepath.Join(j.dir, "stderr.txt"), se.Bytes(), 0o644)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		j.res.exit = -1
		j.res.err = fmt.Sprintf("killed after %s (%v)", j.res.wall.Round(time.Second), ctx.Err())
	case errors.As(err, &ee):
		j.res.exit = ee.ExitCode()
	case err != nil:
		j.res.exit = -1
		j.res.err = err.Error()
	}
	out, _ := os.ReadFile(j.env["GITHUB_OUTPUT"])
	j.res.outputs = ParseOutputs(string(out))
}

// ParseOutputs reads a GITHUB_OUTPUT file (name<<DELIM, value lines, DELIM;
// or name=value).
func ParseOutputs(text string) map[string]string {
	m := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			m[name] = strings.Join(val, "\n")
			continue
		}
		if name, val, ok := strings.Cut(lines[i], "="); ok {
			m[name] = val
		}
	}
	return m
}

func (j *job) report(name string) string { return filepath.Join(j.ws, reportDir, name) }

// record makes the run record and the medians of the run's own results.
func (h *harness) record(j *job, phase string) Run {
	r := Run{Index: len(h.runs) + 1, Phase: phase, Start: time.Now().Add(-j.res.wall).Format("15:04:05"),
		Wall: j.res.wall.Seconds(), Exit: j.res.exit, Outputs: j.res.outputs, Err: j.res.err}
	if res, err := analysis.ReadResultsFile(j.report("results.json")); err == nil {
		r.Medians = medians(res)
	}
	return r
}

// medians are a run's medians of wall time and cpu-s/op per benchmark.
func medians(res *analysis.Results) map[string]Medians {
	m := map[string]Medians{}
	for _, b := range res.Benchmarks {
		if b.Error != "" || len(b.Samples) == 0 {
			continue
		}
		md := Medians{Wall: median(b.Samples), Parallel: IsParallel(b.ID)}
		if cpu, ok := b.Metrics["cpu-s/op"]; ok && len(cpu.Samples) > 0 {
			md.CPU = median(cpu.Samples)
		}
		m[b.ID] = md
	}
	return m
}

func (h *harness) logRun(r Run, j *job) {
	fmt.Fprintf(os.Stderr, "e2e: run %2d %-4s %5.1fs exit %d verdict %-11s regressions %s inconclusive %s (past %s) judged %s/%s %s\n",
		r.Index, r.Phase, r.Wall, r.Exit, r.Outputs["verdict"], r.Outputs["regressions"], r.Outputs["inconclusive"],
		r.Outputs["inconclusive-past"], r.Outputs["judged"], r.Outputs["benchmarks"], r.Err)
	if r.Err != "" || r.Class == RunHarnessError {
		fmt.Fprintf(os.Stderr, "e2e:   stderr tail: %s\n", tailText(j.res.stderr+j.res.stdout, 800))
	}
}

func tailText(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// push is main's k-th push run; its report folder becomes the baseline
// artifact and its history.jsonl the history artifact.
func (h *harness) push(ctx context.Context, k int) (Run, *analysis.Results, error) {
	sha := fmt.Sprintf("main%02d%s", k, strings.Repeat("0", 34))
	before := "0000000000000000000000000000000000000001"
	if len(h.pushes) > 0 {
		before = h.pushes[len(h.pushes)-1]
	}
	payload := map[string]any{"ref": "refs/heads/main", "before": before, "after": sha,
		"repository": map[string]any{"name": "xpcs", "full_name": "octo/xpcs", "owner": map[string]any{"login": "octo"}, "default_branch": "main"}}
	j, err := h.newJob(fmt.Sprintf("run%02d-push", len(h.runs)+1), "push", payload)
	if err != nil {
		return Run{}, nil, err
	}
	j.env["GITHUB_SHA"], j.env["GITHUB_REF"] = sha, "refs/heads/main"
	j.exec(ctx, h.c.bin, h.c.timeout)
	if ctx.Err() != nil {
		return Run{}, nil, ctx.Err()
	}
	r := h.record(j, PhasePush)
	cmp, _ := analysis.ReadComparisonFile(j.report("cmp.json"))
	Judge(&r, cmp, nil, "")
	if cmp != nil && cmp.Baseline == nil && r.Class == RunHarnessError {
		r.Class = RunNoBaseline
	}
	h.runs = append(h.runs, r)
	h.logRun(r, j)
	res, err := analysis.ReadResultsFile(j.report("results.json"))
	if err != nil {
		return r, nil, fmt.Errorf("push run %d: no results (exit %d %s): %v (logs in %s)", k+1, r.Exit, r.Err, err, j.dir)
	}
	// Upload as perf.yml does: the whole report folder, and history.jsonl.
	files := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join(j.ws, reportDir))
	if err != nil {
		return r, nil, err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(j.ws, reportDir, e.Name()))
			if err != nil {
				return r, nil, err
			}
			files[e.Name()] = b
		}
	}
	hist, ok := files["history.jsonl"]
	if !ok {
		return r, nil, fmt.Errorf("push run %d wrote no history.jsonl (the history artifact would not be uploaded)", k+1)
	}
	now := time.Now()
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-" + h.c.category, Branch: "main", SHA: sha, Created: now, Zip: ghfake.Zip(files)})
	h.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-" + h.c.category, Branch: "main", SHA: sha, Created: now,
		Zip: ghfake.Zip(map[string][]byte{"history.jsonl": hist})})
	r.HistoryRuns = bytes.Count(hist, []byte("\n"))
	h.runs[len(h.runs)-1].HistoryRuns = r.HistoryRuns
	h.pushes = append(h.pushes, sha)
	h.clean = append(h.clean, r.Medians)
	return r, res, nil
}

// pullRequest is one PR run against the last push (slowed or not).
func (h *harness) pullRequest(ctx context.Context, slow bool, slowed []string) error {
	n := 100 + len(h.runs)
	base := h.pushes[len(h.pushes)-1]
	head := fmt.Sprintf("pr%04d%s", n, strings.Repeat("0", 34))
	payload := map[string]any{"action": "synchronize", "number": n, "pull_request": map[string]any{"number": n,
		"head": map[string]any{"sha": head, "ref": fmt.Sprintf("feature-%d", n), "repo": map[string]any{"full_name": "octo/xpcs"}},
		"base": map[string]any{"sha": base, "ref": "main", "repo": map[string]any{"full_name": "octo/xpcs"}}},
		"repository": map[string]any{"name": "xpcs", "full_name": "octo/xpcs", "owner": map[string]any{"login": "octo"}, "default_branch": "main"}}
	phase := PhaseAA
	if slow {
		phase = PhaseSlow
	}
	j, err := h.newJob(fmt.Sprintf("run%02d-%s", len(h.runs)+1, map[bool]string{false: "aa", true: "slow"}[slow]), "pull_request", payload)
	if err != nil {
		return err
	}
	j.env["GITHUB_SHA"], j.env["GITHUB_REF"] = head, fmt.Sprintf("refs/pull/%d/merge", n)
	j.env["GITHUB_HEAD_REF"], j.env["GITHUB_BASE_REF"] = fmt.Sprintf("feature-%d", n), "main"
	var ids []string
	if slow {
		j.env["XPCS_PERF_INJECT_SLOWDOWN"] = fmt.Sprintf("%s=%v", slowRegexp(slowed), h.c.factor)
		ids = slowed
	}
	j.exec(ctx, h.c.bin, h.c.timeout)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r := h.record(j, phase)
	cmp, _ := analysis.ReadComparisonFile(j.report("cmp.json"))
	body := ""
	marker := comment.Marker(h.c.category)
	for _, cm := range h.fake.Comments(n) {
		if strings.Contains(cm.Body, marker) {
			body = cm.Body
		}
	}
	_ = os.WriteFile(filepath.Join(j.dir, "comment.md"), []byte(body), 0o644)
	Judge(&r, cmp, ids, body)
	r.HistoryRuns = len(h.pushes)
	if !slow {
		h.clean = append(h.clean, r.Medians)
	} else if r.Medians != nil {
		// The benchmarks not slowed in a slowed run are clean too.
		m := map[string]Medians{}
		isSlow := map[string]bool{}
		for _, id := range slowed {
			isSlow[id] = true
		}
		for id, md := range r.Medians {
			if !isSlow[id] {
				m[id] = md
			}
		}
		h.clean = append(h.clean, m)
	}
	h.runs = append(h.runs, r)
	h.logRun(r, j)
	if v := h.fake.Violations(); len(v) > 0 {
		return fmt.Errorf("GitHub protocol violations: %q", v)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
