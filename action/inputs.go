package action

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
)

// Categories are the values of the `category` input.
var Categories = []string{"hdf5", "scientific", "memory", "scalability", "optimization", "plotting", "all"}

// Inputs are the action's inputs (action.yml), validated.
type Inputs struct {
	Category   string
	Sizes      []string
	Filter     string
	Rounds     int
	TimeBudget time.Duration
	Data       []string // absolute paths inside the workspace
	// Metric is what the rounds measure: "time" or "instructions"
	// (runner.MetricModeInstructions: counts under callgrind).
	Metric string

	// ResultsFile is "" (run the benchmarks) or the results files of this
	// run: absolute paths inside the workspace, comma-separated, globs
	// expanded (several files = several runs of the head, the units).
	ResultsFile   string
	ResultsFormat string // auto, xpcs, pytest-benchmark, gobench, google-benchmark

	BaselineArtifact string // artifact name ("" = derived)
	BaselineFile     string // like ResultsFile: the base's runs (A/B or several runs per side)
	HistoryArtifact  string // artifact name, "off" = no history

	Threshold float64
	Alpha     float64
	// DriftAllowance is the run-to-run drift allowed without history
	// (analysis.Config.DriftAllowance); 0 when base and head were measured
	// side by side. -1 = the default.
	DriftAllowance   float64
	FailOn           string // gate expression ("" = default)
	FailOnRegression bool
	Comment          ghapi.CommentMode
	Mode             string // run or aggregate
	Shard            string // "i/n" or ""
	Token            string
	OutputDir        string // absolute path inside the workspace
	// OutputRel is OutputDir relative to the workspace (the report-dir
	// output: the runner's host sees the workspace at another path).
	OutputRel string
	Workspace string
	// Deprecated are warnings about inputs that no longer have an effect.
	Deprecated []string
}

// input reads an input as go-githubactions does: INPUT_<NAME> with the name
// upper-cased and dashes kept, as the runner sets it (spaces become
// underscores), trimmed.
func input(getenv func(string) string, name string) string {
	return githubactions.New(githubactions.WithGetenv(getenv)).GetInput(name)
}

// ReadInputs reads and checks the inputs. Paths are resolved against
// GITHUB_WORKSPACE (default: the working directory) and must stay inside it.
// Errors name the input.
func ReadInputs(getenv func(string) string) (*Inputs, error) {
	in := &Inputs{Workspace: getenv("GITHUB_WORKSPACE")}
	if in.Workspace == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
		in.Workspace = wd
	}
	ws, err := filepath.Abs(in.Workspace)
	if err != nil {
		return nil, fmt.Errorf("workspace %q: %w", in.Workspace, err)
	}
	in.Workspace = ws
	get := func(name, def string) string {
		if v := input(getenv, name); v != "" {
			return v
		}
		return def
	}
	var errs []string
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("input %s: %s", name, fmt.Sprintf(format, args...)))
	}

	in.Mode = strings.ToLower(get("mode", "run"))
	if in.Mode != "run" && in.Mode != "aggregate" {
		bad("mode", "%q: want run or aggregate", in.Mode)
	}
	in.Category = strings.ToLower(get("category", "all"))
	if !contains(Categories, in.Category) {
		bad("category", "%q: want one of %s", in.Category, strings.Join(Categories, ", "))
	}
	in.Sizes = splitList(get("sizes", "tiny,small"))
	in.Filter = get("filter", "")
	if v := get("rounds", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("rounds", "%q: want a positive integer", v)
		}
		in.Rounds = n
	}
	if v := get("time-budget", ""); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			bad("time-budget", "%v", err)
		}
		in.TimeBudget = d
	}
	in.Metric = strings.ToLower(get("metric", "time"))
	if in.Metric != "time" && in.Metric != "instructions" {
		bad("metric", "%q: want time or instructions", in.Metric)
	}
	for _, d := range splitList(get("data", "")) {
		p, err := inWorkspace(in.Workspace, d)
		if err != nil {
			bad("data", "%v", err)
			continue
		}
		in.Data = append(in.Data, p)
	}
	if v := get("results-file", ""); v != "" {
		if in.ResultsFile, err = inWorkspaceRuns(in.Workspace, v); err != nil {
			bad("results-file", "%v", err)
		}
	}
	in.ResultsFormat = strings.ToLower(get("results-format", "auto"))
	if !contains([]string{"auto", "xpcs", "pytest-benchmark", "gobench", "google-benchmark"}, in.ResultsFormat) {
		bad("results-format", "%q: want auto, xpcs, pytest-benchmark, gobench or google-benchmark", in.ResultsFormat)
	}
	in.Shard = get("shard", "")
	if in.Shard != "" {
		if _, _, err := analysis.ParseShard(in.Shard); err != nil {
			bad("shard", "%v", err)
		}
	}
	in.BaselineArtifact = get("baseline-artifact", "")
	if in.BaselineArtifact == "" {
		in.BaselineArtifact = DefaultArtifact(in.Category, in.Shard)
	}
	if v := get("baseline-file", ""); v != "" {
		if in.BaselineFile, err = inWorkspaceRuns(in.Workspace, v); err != nil {
			bad("baseline-file", "%v", err)
		}
	}
	in.HistoryArtifact = get("history-artifact", "")
	if in.HistoryArtifact == "" {
		in.HistoryArtifact = "xpcs-perf-history-" + in.Category
	}
	in.Threshold = analysis.DefaultConfig().Threshold
	if v := get("regression-threshold", ""); v != "" {
		f, err := parseFraction(v)
		if err != nil || f <= 0 {
			bad("regression-threshold", "%q: want a fraction such as 0.2 or a percentage such as 20%%", v)
		}
		in.Threshold = f
	}
	in.Alpha = analysis.DefaultConfig().Alpha
	if v := get("alpha", ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f >= 1 {
			bad("alpha", "%q: want a number in (0, 1) such as 0.05", v)
		}
		in.Alpha = f
	}
	if v := get("max-cv", ""); v != "" {
		in.Deprecated = append(in.Deprecated, "input max-cv is ignored: spread (CV, MAD/median) is reported and never vetoes a verdict; the evidence (q and the confidence interval) decides")
	}
	in.DriftAllowance = -1
	if v := get("drift-allowance", ""); v != "" {
		f, err := parseFraction(v)
		if err != nil || f < 0 {
			bad("drift-allowance", "%q: want a fraction >= 0 such as 0.5 or a percentage such as 50%% (0 when base and head were measured side by side)", v)
		}
		in.DriftAllowance = f
	}
	in.FailOn = get("fail-on", "")
	if in.FailOn != "" {
		if _, err := analysis.ParseGate(in.FailOn); err != nil {
			bad("fail-on", "%v", err)
		}
	}
	in.FailOnRegression = true
	if v := get("fail-on-regression", ""); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("fail-on-regression", "%q: want true or false", v)
		}
		in.FailOnRegression = b
	}
	if in.Comment, err = ghapi.ParseCommentMode(get("comment", "update")); err != nil {
		bad("comment", "%v", err)
	}
	in.Token = get("github-token", getenv("GITHUB_TOKEN"))
	out := get("output-dir", "xpcs-perf-report")
	if in.OutputDir, err = inWorkspace(in.Workspace, out); err != nil {
		bad("output-dir", "%v", err)
	} else if err := usableDir(in.OutputDir); err != nil {
		bad("output-dir", "%v", err)
	} else if in.OutputRel, err = filepath.Rel(in.Workspace, in.OutputDir); err != nil {
		bad("output-dir", "%v", err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return in, nil
}

// DefaultArtifact is the baseline artifact name of a category and shard:
// "xpcs-perf-hdf5", "xpcs-perf-hdf5-shard-1-of-3".
func DefaultArtifact(category, shard string) string {
	name := "xpcs-perf-" + category
	if i, n, err := analysis.ParseShard(shard); err == nil && shard != "" {
		name += fmt.Sprintf("-shard-%d-of-%d", i, n)
	}
	return name
}

// inWorkspace resolves p against ws and refuses paths that leave it,
// including through symlinks of existing path prefixes.
// inWorkspaceRuns resolves a comma-separated list of paths and glob
// patterns against the workspace: every file must stay inside it, a pattern
// must match at least one file (matches sorted by name), and the result is
// the comma-joined absolute paths, in order (runs are paired by position).
func inWorkspaceRuns(ws, v string) (string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.ContainsAny(part, "*?[") {
			p, err := inWorkspace(ws, part)
			if err != nil {
				return "", err
			}
			out = append(out, p)
			continue
		}
		pat := part
		if !filepath.IsAbs(pat) {
			pat = filepath.Join(ws, pat)
		}
		m, err := filepath.Glob(pat)
		if err != nil {
			return "", fmt.Errorf("pattern %q: %w", part, err)
		}
		if len(m) == 0 {
			return "", fmt.Errorf("pattern %q matches no file in the workspace", part)
		}
		sort.Strings(m)
		for _, f := range m {
			p, err := inWorkspace(ws, f)
			if err != nil {
				return "", err
			}
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%q names no file", v)
	}
	return strings.Join(out, ","), nil
}

func inWorkspace(ws, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(ws, p)
	}
	p = filepath.Clean(p)
	if !within(ws, p) {
		return "", fmt.Errorf("path %q is outside the workspace %s", p, ws)
	}
	// Resolve symlinks of the longest existing prefix.
	probe := p
	for {
		if real, err := filepath.EvalSymlinks(probe); err == nil {
			wsReal, werr := filepath.EvalSymlinks(ws)
			if werr != nil {
				wsReal = ws
			}
			rest, _ := filepath.Rel(probe, p)
			if !within(wsReal, filepath.Join(real, rest)) {
				return "", fmt.Errorf("path %q leaves the workspace %s through a symlink", p, ws)
			}
			break
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe = parent
	}
	return p, nil
}

// usableDir checks that p is a directory or can be created as one: not a
// file, not a dangling symlink (os.MkdirAll would only say "file exists").
func usableDir(p string) error {
	li, err := os.Lstat(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(p)
	switch {
	case li.Mode()&os.ModeSymlink != 0 && os.IsNotExist(err):
		target, _ := os.Readlink(p)
		return fmt.Errorf("%s is a symlink to %q, which does not exist", p, target)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s exists and is not a directory", p)
	}
	return nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseDuration accepts Go durations ("5m", "90s") and bare seconds ("300").
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("%q: want a duration such as 5m or 300s", s)
}

// parseFraction accepts 0.2 and 20%.
func parseFraction(s string) (float64, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		return f / 100, err
	}
	return strconv.ParseFloat(s, 64)
}
