package ingest

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// ExpandRuns turns a run list into file paths: comma-separated entries, each
// a path or a glob pattern (filepath.Match syntax, matches sorted by name).
// Each file is one run of the same code; the order is kept, because two
// sides with the same number of runs are paired by position (run i of the
// baseline with run i of the current side). A pattern that matches nothing
// and an empty list are errors.
func ExpandRuns(spec string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.ContainsAny(part, "*?[") {
			out = append(out, part)
			continue
		}
		m, err := filepath.Glob(part)
		if err != nil {
			return nil, fmt.Errorf("ingest: pattern %q: %w", part, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("ingest: pattern %q matches no file", part)
		}
		slices.Sort(m)
		out = append(out, m...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ingest: no file in %q", spec)
	}
	return out, nil
}

// ReadRuns reads every file of a run list (ExpandRuns) in any format ReadFile
// recognises. The files must share one format: mixing, say, pytest-benchmark
// and Go runs on one side is refused.
func ReadRuns(spec string) ([]*analysis.Results, Format, error) {
	paths, err := ExpandRuns(spec)
	if err != nil {
		return nil, FormatUnknown, err
	}
	var runs []*analysis.Results
	var format Format
	for i, p := range paths {
		r, f, err := ReadFile(p)
		if err != nil {
			return nil, FormatUnknown, err
		}
		if i == 0 {
			format = f
		} else if f != format {
			return nil, FormatUnknown, fmt.Errorf("ingest: %s is %s but %s is %s: one side's runs must share a format", p, f, paths[0], format)
		}
		runs = append(runs, r)
	}
	return runs, format, nil
}
