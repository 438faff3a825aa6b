package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/scaling"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
)

// Env is the process environment of the action: variables and writers.
type Env struct {
	Getenv func(string) string
	Stdout io.Writer // workflow commands (::error::, ::add-mask::) and logs
	Stderr io.Writer // benchmark progress
}

// Exit statuses of the action.
const (
	ExitPass  = 0 // gate passed, or report-only mode
	ExitGate  = 1 // the gate failed
	ExitError = 2 // the action could not do its job (bad input, no data)
)

// Outputs are the step outputs (action.yml).
type Outputs struct {
	AnalysisPass  bool
	Verdict       string // pass, fail, no-baseline, skipped, error
	Summary       analysis.Summary
	BaselineFound bool
	BaselineSHA   string
	ReportDir     string // relative to the workspace
	ResultsFile   string // relative to the workspace
	CommentURL    string
}

// Map returns the outputs by their action.yml names.
func (o Outputs) Map() map[string]string {
	s := o.Summary
	return map[string]string{
		"analysis_pass":      strconv.FormatBool(o.AnalysisPass),
		"verdict":            o.Verdict,
		"regressions":        strconv.Itoa(s.Regressions),
		"critical":           strconv.Itoa(s.Critical),
		"major":              strconv.Itoa(s.Major),
		"minor":              strconv.Itoa(s.Minor),
		"improvements":       strconv.Itoa(s.Improvements),
		"inconclusive":       strconv.Itoa(s.Inconclusive),
		"benchmarks":         strconv.Itoa(s.Benchmarks),
		"judged":             strconv.Itoa(s.Compared),
		"inconclusive-past":  strconv.Itoa(s.InconclusivePast),
		"memory-regressions": strconv.Itoa(s.MemoryRegressions),
		"baseline-found":     strconv.FormatBool(o.BaselineFound),
		"baseline-sha":       o.BaselineSHA,
		"report-dir":         o.ReportDir,
		"results-file":       o.ResultsFile,
		"comment-url":        o.CommentURL,
	}
}

// state is one run of the action.
type state struct {
	env  Env
	deps Deps
	gha  *githubactions.Action
	in   *Inputs
	ev   *ghapi.Event
	gh   GitHub // nil without a token or repository
	out  Outputs
	tmp  string
	// token is the github-token input (or GITHUB_TOKEN), read from the
	// environment before anything else so that every message, output and
	// report file can be redacted even when the inputs are refused.
	token    string
	redactor func(string) string // nil: no token to redact
	// baseFile is the baseline-file input, read before the report folder
	// is cleaned (it may lie there).
	baseFile []*analysis.Results
	// noBaseline says why there is no baseline when it is not a first run
	// (e.g. "baseline expired"): the comment's headline says it.
	noBaseline string
	// notes and warnings for the report (why there is no baseline...).
	notes, warnings []string
}

// Run is the action mode: the whole pipeline under a GitHub runner. It
// returns the exit status (ExitPass, ExitGate, ExitError) and, for
// ExitError, the error.
func Run(ctx context.Context, env Env, deps Deps) (int, error) {
	deps.defaults()
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	// The token first: mask it for the runner and redact it from
	// everything this run prints or writes (also when the inputs are bad).
	tok := token(env.Getenv)
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	s := &state{env: env, deps: deps, token: tok}
	if len(tok) >= minSecret {
		pat := secretPattern(tok)
		s.redactor = func(msg string) string { return pat.ReplaceAllLiteralString(msg, "***") }
	}
	if tok != "" {
		// The ::add-mask:: line must carry the token itself: it goes to the
		// raw writer; everything after it passes through the redacting one.
		// (unwrapped when main already redacts the process's stdout).
		githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(unredacted(env.Stdout))).AddMask(tok)
	}
	s.env.Stdout = &redactWriter{w: env.Stdout, redact: s.redact}
	s.env.Stderr = &redactWriter{w: env.Stderr, redact: s.redact}
	s.gha = githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(s.env.Stdout))
	code, err := s.run(ctx)
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	if s.in != nil {
		// The report folder is uploaded as an artifact, which GitHub's log
		// masking does not cover: a token quoted by a benchmark name, a
		// note, the baseline or an input must not land there.
		if rerr := RedactReports(s.in.OutputDir, s.redact); rerr != nil && err == nil {
			code, err = ExitError, rerr
		}
	}
	if err != nil {
		s.gha.Errorf("xpcs-perf: %s", s.safe(err.Error()))
		s.out.AnalysisPass, s.out.Verdict = false, "error"
		if s.env.Getenv("GITHUB_OUTPUT") != "" || s.in != nil {
			s.setOutputs()
		}
	}
	return code, err
}

func (s *state) logf(format string, args ...any) {
	s.gha.Infof("%s", s.safe(fmt.Sprintf(format, args...)))
}

func (s *state) warnf(format string, args ...any) {
	s.gha.Warningf("%s", s.safe(fmt.Sprintf(format, args...)))
}

// safe is what every log line and annotation passes through: the token
// redacted, then comment.SafeText (one line, no control or bidi characters,
// no workflow command hidden in a benchmark name).
func (s *state) safe(msg string) string { return comment.SafeText(s.redact(msg)) }

// redact removes the token from text meant for logs, outputs and reports
// (errors never carry it, but a message quoting an input could), in any
// letter case: an input echoed lower-cased escapes the runner's exact-match
// masking.
func (s *state) redact(msg string) string {
	if s.redactor == nil {
		return msg
	}
	return s.redactor(msg)
}

func (s *state) run(ctx context.Context) (int, error) {
	in, err := ReadInputs(s.env.Getenv)
	if err != nil {
		return ExitError, err
	}
	s.in = in
	s.out.ReportDir = filepath.ToSlash(in.OutputRel)
	ev, err := ghapi.ReadEvent(ghapi.EnvFrom(s.env.Getenv))
	if err != nil {
		return ExitError, err
	}
	s.ev = ev
	if ev.Warning != "" {
		s.warnf("%s", ev.Warning)
		s.warnings = append(s.warnings, ev.Warning)
	}
	if ev.Skip != "" {
		s.logf("%s", ev.Skip)
		s.out.AnalysisPass, s.out.Verdict = true, "skipped"
		s.setOutputs()
		return ExitPass, nil
	}
	if in.Token != "" && ev.Owner != "" {
		s.gh, err = s.deps.NewGitHub(ghapi.Options{Token: in.Token, APIURL: s.env.Getenv("GITHUB_API_URL"),
			Logf: func(f string, a ...any) { s.logf(f, a...) }})
		if err != nil {
			return ExitError, err
		}
	}
	if s.tmp, err = os.MkdirTemp("", "xpcs-perf-"); err != nil {
		return ExitError, fmt.Errorf("temporary folder: %w", err)
	}
	// Before anything is measured: a folder the results cannot be written
	// to must fail now, not after the benchmarks.
	if err := analysis.CheckWritable(in.OutputDir); err != nil {
		return ExitError, fmt.Errorf("input output-dir: %w", err)
	}
	if in.Mode == "aggregate" {
		if in.ResultsFile != "" && filepath.Clean(in.ResultsFile) == filepath.Clean(in.OutputDir) {
			// Cleaning would delete the inputs, and the reports written there
			// would be merged as a category by the next aggregate run.
			return ExitError, fmt.Errorf("input output-dir %q is also the aggregate folder (input results-file): "+
				"download the per-category artifacts into another folder (default xpcs-perf-artifacts) or set output-dir elsewhere", in.OutputRel)
		}
		if err := CleanReports(in.OutputDir); err != nil {
			return ExitError, err
		}
		return s.aggregate(ctx)
	}

	for _, d := range in.Deprecated {
		s.warnf("%s", d)
	}
	// 1. Measure or ingest, and write it down before any GitHub call. The
	// inputs (results-file, baseline-file) are read before the report files
	// of an earlier run are removed: they may be those very files (a
	// results-file written into the default output-dir by an earlier step).
	curRuns, err := s.current(ctx)
	if err == nil && in.BaselineFile != "" {
		s.baseFile, err = s.readBaselineFile()
	}
	if cerr := CleanReports(in.OutputDir); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return ExitError, err
	}
	cur := curRuns[0]
	if err := WriteResults(in.OutputDir, cur, nil); err != nil {
		return ExitError, err
	}
	s.out.ResultsFile = filepath.ToSlash(filepath.Join(in.OutputRel, ResultsName))
	s.logf("wrote %s (%d benchmarks)", s.out.ResultsFile, len(cur.Benchmarks))

	if len(curRuns) > 1 {
		s.notes = append(s.notes, fmt.Sprintf("%d current runs compared as units; %s holds the first", len(curRuns), ResultsName))
	}

	// 2. Baseline.
	baseRuns, info, err := s.baseline(ctx)
	if err != nil {
		return ExitError, err
	}
	if len(baseRuns) > 0 {
		if err := WriteResults(in.OutputDir, cur, baseRuns[0]); err != nil {
			return ExitError, err
		}
	}
	return s.finish(ctx, curRuns, baseRuns, info)
}

// finish compares, renders, reports and gates.
func (s *state) finish(ctx context.Context, curRuns, baseRuns []*analysis.Results, info *analysis.RunInfo) (int, error) {
	in := s.in
	cur := curRuns[0]
	cfg := analysis.DefaultConfig()
	cfg.Threshold, cfg.Alpha = in.Threshold, in.Alpha
	if in.DriftAllowance >= 0 {
		cfg.DriftAllowance = in.DriftAllowance
		if in.DriftAllowance == 0 {
			cfg.DriftWiden = 0 // side by side: no drift between the sides
		}
	}
	if in.FailOn != "" {
		cfg.FailOn = in.FailOn
	}
	// History: every run reads it, for the trend charts and for each
	// benchmark's run-to-run drift on the base branch; only main and
	// nightly runs (no pull request) append to it.
	var hist []trend.Entry
	var drift map[string]analysis.Drift
	if in.HistoryArtifact != "off" {
		hist = s.loadHistory(ctx)
		drift = trend.Drift(hist)
		if len(hist) > 0 {
			s.notes = append(s.notes, fmt.Sprintf("history: %d runs of the base branch; run-to-run drift estimated for %d benchmarks", len(hist), len(drift)))
		}
	}
	cmp, err := analysis.CompareRuns(baseRuns, curRuns, cfg, drift)
	if err != nil {
		return ExitError, fmt.Errorf("compare: %w", err)
	}
	cmp.Category = in.Category
	if s.noBaseline != "" {
		// Compare calls a comparison without a baseline a first run: it is not.
		for i, n := range cmp.Notes {
			if strings.HasPrefix(n, "no baseline: first run") {
				cmp.Notes[i] = "no baseline: " + s.noBaseline + ", every benchmark is listed as new"
			}
		}
	}
	if in.Shard != "" {
		cmp.Category += " (shard " + in.Shard + ")"
	}
	if info != nil && cmp.Baseline != nil {
		cmp.Baseline.Artifact, cmp.Baseline.ArtifactID, cmp.Baseline.CreatedAt = info.Artifact, info.ArtifactID, info.CreatedAt
	}
	cmp.ReportURL = runURL(s.env.Getenv)
	cmp.Notes = append(cmp.Notes, cur.Notes...)
	cmp.Notes = append(cmp.Notes, s.notes...)
	cmp.Warnings = append(cmp.Warnings, s.warnings...)
	// Complexity fits of the scaling families measured in this run (the
	// scalability category tags its benchmarks with a family and a size).
	scal, scalNotes := scaling.FitResults(cur)
	cmp.Scaling = scal
	if len(scal) > 0 {
		cmp.Notes = append(cmp.Notes, scalNotes...)
	}

	if in.HistoryArtifact != "off" {
		// This run is the last point of the charts (on a pull request: where
		// the PR lands relative to main's history).
		withCur := trend.Append(hist, historyEntry(cur, s.deps.Now()), trend.DefaultMax)
		if len(hist) > 0 {
			cmp.Trends = trend.AnalyzeAll(withCur, trend.Options{})
		}
		if s.ev.PR == 0 {
			s.writeHistory(withCur)
		}
	}

	opt := comment.Options{Category: markerCategory(in), Artifact: in.BaselineArtifact, Now: s.deps.Now(), NoBaseline: s.noBaseline}
	md, err := WriteReports(in.OutputDir, cmp, opt)
	if err != nil {
		return ExitError, err
	}
	s.out.Summary = cmp.Summary
	s.out.AnalysisPass = cmp.Gate.Pass
	switch {
	case cmp.Gate.Verdict == analysis.GateError:
		s.out.Verdict = "error"
	case cmp.Baseline == nil:
		s.out.Verdict = "no-baseline"
	case cmp.Gate.Pass:
		s.out.Verdict = "pass"
	default:
		s.out.Verdict = "fail"
	}
	s.setOutputs()
	if s.env.Getenv("GITHUB_STEP_SUMMARY") != "" {
		s.gha.AddStepSummary(s.redact(comment.JobSummary(cmp, opt)))
	}
	s.annotate(cmp)

	// Comment last: whatever happens here, the reports and outputs exist.
	if s.ev.PR > 0 && in.Comment != ghapi.CommentOff {
		s.comment(ctx, s.redact(md), cmp)
	}

	sum := cmp.Summary
	s.logf("verdict: %s (%d benchmarks: %d judged, %d regressions: %d critical, %d major, %d minor; %d improvements, %d unchanged, %d inconclusive (%d past the threshold), %d new, %d missing, %d errored; memory: %d regressed)",
		s.out.Verdict, sum.Benchmarks, sum.Compared, sum.Regressions, sum.Critical, sum.Major, sum.Minor, sum.Improvements,
		sum.Unchanged, sum.Inconclusive, sum.InconclusivePast, sum.New, sum.Missing, sum.Errored, sum.MemoryRegressions)
	if sum.InconclusivePast > 0 {
		s.warnf("%d benchmark(s) changed past the %.0f%% threshold but the evidence could not confirm it (inconclusive): see the report", sum.InconclusivePast, 100*cfg.Threshold)
	}
	if !cmp.Gate.Pass {
		what, code := "performance gate failed", ExitGate
		if cmp.Gate.Verdict == analysis.GateError {
			what, code = "could not judge", ExitError
		}
		if !in.FailOnRegression {
			s.warnf("%s (%s); fail-on-regression is false: reporting only", what, strings.Join(cmp.Gate.Reasons, "; "))
			return ExitPass, nil
		}
		s.gha.Errorf("%s: %s", what, s.safe(strings.Join(cmp.Gate.Reasons, "; ")))
		return code, nil
	}
	return ExitPass, nil
}

func markerCategory(in *Inputs) string {
	if in.Shard != "" {
		return in.Category + "-shard-" + strings.ReplaceAll(in.Shard, "/", "-of-")
	}
	return in.Category
}

// current measures or ingests the current results and stamps the run.
// With a results-file input of several files (runs), every run is returned,
// the first one stamped; the comparison takes runs as units.
func (s *state) current(ctx context.Context) ([]*analysis.Results, error) {
	in := s.in
	var res *analysis.Results
	var runs []*analysis.Results
	if in.ResultsFile != "" {
		rs, f, err := ingest.ReadRuns(in.ResultsFile)
		if err != nil {
			return nil, fmt.Errorf("input results-file: %w", err)
		}
		if err := checkFormat(in.ResultsFormat, f, in.ResultsFile); err != nil {
			return nil, err
		}
		for _, r := range rs {
			if in.Shard != "" {
				if err := s.shardFilter(r); err != nil {
					return nil, err
				}
			}
		}
		res, runs = rs[0], rs
	} else {
		if s.deps.Run == nil {
			return nil, errors.New("no benchmark runner in this build: set the results-file input")
		}
		r, err := s.deps.Run(ctx, RunRequest{Category: in.Category, Sizes: in.Sizes, Filter: in.Filter, Rounds: in.Rounds,
			TimeBudget: in.TimeBudget, Data: in.Data, Shard: in.Shard, Getenv: s.env.Getenv, Metric: in.Metric,
			ConfigFile: filepath.Join(in.Workspace, ".xpcs-perf.json")}, s.env.Stderr)
		if err != nil {
			return nil, fmt.Errorf("run %s benchmarks: %w", in.Category, err)
		}
		res, runs = r, []*analysis.Results{r}
	}
	if len(res.Benchmarks) == 0 {
		return nil, fmt.Errorf("no benchmarks measured for category %q (filter %q, shard %q)", in.Category, in.Filter, in.Shard)
	}
	for _, r := range runs {
		stampRun(&r.Run, s.ev, s.env.Getenv, in.Shard)
	}
	return runs, nil
}

func (s *state) shardFilter(res *analysis.Results) error {
	i, n, _ := analysis.ParseShard(s.in.Shard)
	kept := res.Benchmarks[:0]
	for _, b := range res.Benchmarks {
		if analysis.ShardOf(b.ID, n) == i {
			kept = append(kept, b)
		}
	}
	res.Benchmarks = kept
	return nil
}

// checkFormat compares the detected format with the results-format input.
func checkFormat(want string, got ingest.Format, path string) error {
	if want == "" || want == "auto" {
		return nil
	}
	if want == "xpcs" {
		want = string(ingest.FormatResults)
	}
	if string(got) != want {
		return fmt.Errorf("input results-file %s: detected format %q, but results-format says %q", path, got, want)
	}
	return nil
}

// stampRun fills what the producer left empty from the event and runner.
func stampRun(r *analysis.Run, ev *ghapi.Event, getenv func(string) string, shard string) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&r.Commit, ev.HeadSHA)
	set(&r.Branch, ev.HeadBranch)
	set(&r.Event, ev.Name)
	set(&r.Ref, getenv("GITHUB_REF"))
	set(&r.Repository, getenv("GITHUB_REPOSITORY"))
	set(&r.RunID, getenv("GITHUB_RUN_ID"))
	set(&r.RunURL, runURL(getenv))
	set(&r.Shard, shard)
}

func runURL(getenv func(string) string) string {
	server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/actions/runs/%s", strings.TrimRight(server, "/"), repo, id)
}

// baseline loads the baseline: the baseline-file input (A/B mode), else the
// artifact. A missing, expired, corrupt or hostile artifact means no
// baseline (with a warning that says why); a rate limit or an API failure
// is an error, since passing without comparing would be silent.
func (s *state) baseline(ctx context.Context) ([]*analysis.Results, *analysis.RunInfo, error) {
	in := s.in
	if in.BaselineFile != "" {
		runs := s.baseFile
		if runs == nil {
			var err error
			if runs, err = s.readBaselineFile(); err != nil {
				return nil, nil, err
			}
		}
		s.out.BaselineFound, s.out.BaselineSHA = true, runs[0].Run.Commit
		s.logf("baseline: %s (%d run(s), %d benchmarks)", in.BaselineFile, len(runs), len(runs[0].Benchmarks))
		return runs, nil, nil
	}
	if s.gh == nil {
		s.warnf("no baseline: no github-token or repository to look up the artifact %q (first run)", in.BaselineArtifact)
		return nil, nil, nil
	}
	dir := filepath.Join(s.tmp, "baseline")
	q := ghapi.ArtifactQuery{Owner: s.ev.Owner, Repo: s.ev.Repo, Name: in.BaselineArtifact, Branch: s.ev.BaseBranch, SHA: s.ev.BaseSHA}
	got, err := s.gh.FetchArtifact(ctx, q, dir, ghapi.Limits{})
	switch {
	case errors.Is(err, ghapi.ErrExpired):
		// Not a first run: say so where the user looks (README promise).
		s.warnf("baseline artifact %q of branch %q expired: %v; comparing without a baseline. "+
			"Run the workflow on %s (a nightly schedule keeps a fresh baseline) or raise retention-days of the upload step",
			in.BaselineArtifact, q.Branch, err, q.Branch)
		s.warnings = append(s.warnings, fmt.Sprintf("baseline artifact %q of branch %q expired: nothing to compare with", in.BaselineArtifact, q.Branch))
		s.noBaseline = "baseline expired"
		s.notes = append(s.notes, "baseline: "+err.Error())
		return nil, nil, nil
	case errors.Is(err, ghapi.ErrNoArtifact):
		s.logf("no baseline yet: %v", err)
		s.notes = append(s.notes, "baseline: "+err.Error())
		return nil, nil, nil
	case errors.Is(err, ghapi.ErrUnsafeZip):
		s.warnf("baseline artifact %q refused: %v; comparing without a baseline", in.BaselineArtifact, err)
		s.warnings = append(s.warnings, fmt.Sprintf("baseline artifact %q refused: %v", in.BaselineArtifact, err))
		return nil, nil, nil
	case ghapi.IsPermission(err):
		s.warnf("baseline artifact %q not readable (the token needs actions: read): %v; comparing without a baseline", in.BaselineArtifact, err)
		s.warnings = append(s.warnings, fmt.Sprintf("baseline artifact %q not readable: the token needs `actions: read`", in.BaselineArtifact))
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("baseline artifact %q: %w (the results measured are in %s)", in.BaselineArtifact, err, s.out.ResultsFile)
	}
	path := pickResults(got.Files)
	if path == "" {
		s.warnf("baseline artifact %q (id %d) has no %s (files: %s); comparing without a baseline",
			in.BaselineArtifact, got.Artifact.GetID(), ResultsName, strings.Join(got.Files, ", "))
		s.warnings = append(s.warnings, fmt.Sprintf("baseline artifact %q has no %s", in.BaselineArtifact, ResultsName))
		return nil, nil, nil
	}
	res, _, err := ingest.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		s.warnf("baseline artifact %q (id %d): %v; comparing without a baseline", in.BaselineArtifact, got.Artifact.GetID(), err)
		s.warnings = append(s.warnings, fmt.Sprintf("baseline artifact %q unreadable: %v", in.BaselineArtifact, err))
		return nil, nil, nil
	}
	if res.Run.Commit == "" {
		res.Run.Commit = got.Artifact.GetWorkflowRun().GetHeadSHA()
	}
	if res.Run.Branch == "" {
		res.Run.Branch = got.Artifact.GetWorkflowRun().GetHeadBranch()
	}
	s.out.BaselineFound, s.out.BaselineSHA = true, res.Run.Commit
	how := "the newest from " + q.Branch
	if got.ExactSHA {
		how = "the base commit's"
	}
	s.logf("baseline: artifact %q id %d (%s, %s, %d benchmarks)", in.BaselineArtifact, got.Artifact.GetID(), how,
		got.Artifact.GetCreatedAt().Format("2006-01-02 15:04 UTC"), len(res.Benchmarks))
	info := &analysis.RunInfo{Artifact: in.BaselineArtifact, ArtifactID: got.Artifact.GetID(), CreatedAt: got.Artifact.GetCreatedAt().Time}
	return []*analysis.Results{res}, info, nil
}

// readBaselineFile reads the baseline-file input: one or more runs.
func (s *state) readBaselineFile() ([]*analysis.Results, error) {
	runs, _, err := ingest.ReadRuns(s.in.BaselineFile)
	if err != nil {
		return nil, fmt.Errorf("input baseline-file: %w", err)
	}
	return runs, nil
}

// pickResults chooses results.json in an artifact: at the root, else the
// shallowest one.
func pickResults(files []string) string {
	var cands []string
	for _, f := range files {
		if f == ResultsName || strings.HasSuffix(f, "/"+ResultsName) {
			cands = append(cands, f)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		di, dj := strings.Count(cands[i], "/"), strings.Count(cands[j], "/")
		if di != dj {
			return di < dj
		}
		return cands[i] < cands[j]
	})
	if len(cands) == 0 {
		return ""
	}
	return cands[0]
}

// loadHistory downloads the history artifact and reads its history.jsonl.
// Failures only warn: the history is a convenience, the gate does not need it.
func (s *state) loadHistory(ctx context.Context) []trend.Entry {
	in := s.in
	if s.gh == nil {
		return nil
	}
	dir := filepath.Join(s.tmp, "history")
	q := ghapi.ArtifactQuery{Owner: s.ev.Owner, Repo: s.ev.Repo, Name: in.HistoryArtifact, Branch: s.ev.BaseBranch}
	got, err := s.gh.FetchArtifact(ctx, q, dir, ghapi.Limits{})
	switch {
	case errors.Is(err, ghapi.ErrNoArtifact):
		s.logf("history: none yet (%v)", err)
		return nil
	case err != nil:
		s.warnf("history artifact %q: %v; continuing without it", in.HistoryArtifact, err)
		return nil
	}
	for _, f := range got.Files {
		if filepath.Base(f) != HistoryName {
			continue
		}
		entries, skipped, err := readHistoryFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			s.warnf("history: %v", err)
		}
		for _, sk := range skipped {
			s.warnf("history %s: skipped %s", f, sk)
		}
		return entries
	}
	s.warnf("history artifact %q has no %s", in.HistoryArtifact, HistoryName)
	return nil
}

// writeHistory writes history.jsonl (this run appended, bounded to
// trend.DefaultMax entries) into the report folder for the workflow to
// upload as the next history artifact.
func (s *state) writeHistory(entries []trend.Entry) {
	in := s.in
	if err := writeHistoryFile(filepath.Join(in.OutputDir, HistoryName), entries); err != nil {
		s.warnf("%v", err)
		return
	}
	s.logf("history: %d entries in %s", len(entries), filepath.Join(in.OutputRel, HistoryName))
}

// annotate writes ::error for regressions that fail the gate and ::warning
// for the others (at most 10 each: GitHub shows no more per step).
func (s *state) annotate(cmp *analysis.Comparison) {
	nErr, nWarn := 0, 0
	for _, r := range cmp.Rows {
		if r.Verdict != analysis.Regression {
			continue
		}
		msg := fmt.Sprintf("%s [%s] regressed %+.1f%% (%s; median %s -> %s, q=%.3g)", r.ID, r.Metric, 100*r.Change,
			r.Severity, fmtSide(r.Baseline, r.Unit), fmtSide(r.Current, r.Unit), r.Q)
		if r.GateFailed && cmp.Gate.Pass == false {
			if nErr < 10 {
				s.gha.WithFieldsMap(map[string]string{"title": "performance regression"}).Errorf("%s", s.safe(msg))
			}
			nErr++
		} else {
			if nWarn < 10 {
				s.gha.WithFieldsMap(map[string]string{"title": "performance regression"}).Warningf("%s", s.safe(msg))
			}
			nWarn++
		}
	}
	if extra := nErr + nWarn - min(nErr, 10) - min(nWarn, 10); extra > 0 {
		s.logf("%d more regressions in %s", extra, filepath.Join(s.in.OutputRel, MarkdownName))
	}
}

func fmtSide(ss *analysis.SampleSummary, unit string) string {
	if ss == nil {
		return "?"
	}
	return comment.FormatValue(ss.Median, unit)
}

// comment upserts the sticky comment; refusals become a warning and a note
// in the job summary.
func (s *state) comment(ctx context.Context, md string, cmp *analysis.Comparison) {
	if s.gh == nil {
		s.warnf("no github-token: not commenting on #%d; the report is in the job summary", s.ev.PR)
		return
	}
	res, err := s.gh.UpsertComment(ctx, ghapi.CommentRequest{Owner: s.ev.Owner, Repo: s.ev.Repo, Number: s.ev.PR,
		Marker: comment.Marker(markerCategory(s.in)), Body: md, Mode: s.in.Comment, Regressed: cmp.Summary.Regressions > 0})
	if err != nil {
		why := "the comment could not be posted"
		if ghapi.IsPermission(err) {
			why = "the token may not comment (a pull request from a fork, or a read-only token)"
		}
		s.warnf("%s: %v. The report is in the job summary and in %s.", why, err, s.in.OutputRel)
		if s.env.Getenv("GITHUB_STEP_SUMMARY") != "" {
			s.gha.AddStepSummary(fmt.Sprintf("\n> [!NOTE]\n> Not posted as a pull-request comment: %s.\n", why))
		}
		return
	}
	s.out.CommentURL = res.URL
	s.logf("comment %s: %s", res.Action, res.URL)
	if s.env.Getenv("GITHUB_OUTPUT") != "" && res.URL != "" {
		s.gha.SetOutput("comment-url", s.redact(res.URL))
	}
}

// setOutputs writes every output (go-githubactions panics without
// GITHUB_OUTPUT: locally they are printed instead).
func (s *state) setOutputs() {
	m := s.out.Map()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if s.env.Getenv("GITHUB_OUTPUT") == "" {
		for _, k := range keys {
			fmt.Fprintf(s.env.Stderr, "output %s=%s\n", k, s.redact(m[k]))
		}
		return
	}
	for _, k := range keys {
		s.gha.SetOutput(k, s.redact(m[k]))
	}
}
