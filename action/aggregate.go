package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Merged is the union of the report folders of a matrix of categories and
// shards.
type Merged struct {
	Current  *analysis.Results
	Baseline *analysis.Results // nil when no folder had a baseline
	Sources  []string          // the folders merged, relative to the root
	// NoBaseline lists folders without baseline.json: their benchmarks are
	// "new" in the merged comparison.
	NoBaseline []string
}

// Merge reads every results.json below root (one per downloaded artifact,
// e.g. root/xpcs-perf-hdf5/results.json) with the baseline.json beside it,
// and merges them: benchmarks are concatenated; an id present in two folders
// is an error naming both (two shards must never measure the same
// benchmark). Run and machine are the first folder's; differing machines
// become notes.
func Merge(root string) (*Merged, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == ResultsName {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", root, err)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("aggregate %s: no %s found (download the per-category artifacts there first)", root, ResultsName)
	}
	sort.Strings(dirs)
	m := &Merged{Current: &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf"}}
	curFrom := map[string]string{}
	baseFrom := map[string]string{}
	for _, d := range dirs {
		rel, _ := filepath.Rel(root, d)
		rel = filepath.ToSlash(rel)
		m.Sources = append(m.Sources, rel)
		cur, err := analysis.ReadResultsFile(filepath.Join(d, ResultsName))
		if err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
		if err := mergeInto(m.Current, cur, curFrom, rel); err != nil {
			return nil, err
		}
		bp := filepath.Join(d, BaselineName)
		if _, err := os.Stat(bp); err != nil {
			m.NoBaseline = append(m.NoBaseline, rel)
			continue
		}
		base, err := analysis.ReadResultsFile(bp)
		if err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
		if m.Baseline == nil {
			m.Baseline = &analysis.Results{Schema: analysis.ResultsSchema, Source: base.Source}
		}
		if err := mergeInto(m.Baseline, base, baseFrom, rel); err != nil {
			return nil, err
		}
	}
	if len(m.NoBaseline) > 0 && m.Baseline != nil {
		m.Current.Notes = append(m.Current.Notes, "no baseline in "+strings.Join(m.NoBaseline, ", ")+": their benchmarks are new")
	}
	return m, nil
}

func mergeInto(dst, src *analysis.Results, from map[string]string, rel string) error {
	if len(from) == 0 {
		dst.Run, dst.Machine, dst.Config = src.Run, src.Machine, src.Config
		dst.Run.Shard = ""
	} else if d := analysis.MachineDiff(dst.Machine, src.Machine); len(d) > 0 {
		dst.Notes = append(dst.Notes, fmt.Sprintf("%s ran on another machine: %s", rel, strings.Join(d, "; ")))
	}
	for _, b := range src.Benchmarks {
		if prev, dup := from[b.ID]; dup {
			return fmt.Errorf("aggregate: benchmark %q is in both %s and %s", b.ID, prev, rel)
		}
		from[b.ID] = rel
		dst.Benchmarks = append(dst.Benchmarks, b)
	}
	dst.Notes = append(dst.Notes, src.Notes...)
	if src.Run.Finished.After(dst.Run.Finished) {
		dst.Run.Finished = src.Run.Finished
	}
	return nil
}

// aggregate is mode=aggregate: merge the folder named by results-file
// (default xpcs-perf-artifacts) into one comparison, one comment, one gate.
func (s *state) aggregate(ctx context.Context) (int, error) {
	in := s.in
	root := in.ResultsFile
	if root == "" {
		var err error
		if root, err = inWorkspace(in.Workspace, "xpcs-perf-artifacts"); err != nil {
			return ExitError, err
		}
	}
	m, err := Merge(root)
	if err != nil {
		return ExitError, err
	}
	s.logf("aggregate: merged %d reports (%s), %d benchmarks", len(m.Sources), strings.Join(m.Sources, ", "), len(m.Current.Benchmarks))
	stampRun(&m.Current.Run, s.ev, s.env.Getenv, "")
	if err := WriteResults(in.OutputDir, m.Current, m.Baseline); err != nil {
		return ExitError, err
	}
	s.out.ResultsFile = filepath.ToSlash(filepath.Join(in.OutputRel, ResultsName))
	if m.Baseline != nil {
		s.out.BaselineFound, s.out.BaselineSHA = true, m.Baseline.Run.Commit
	}
	// History is per category (written by the matrix jobs).
	in.HistoryArtifact = "off"
	var base []*analysis.Results
	if m.Baseline != nil {
		base = []*analysis.Results{m.Baseline}
	}
	return s.finish(ctx, []*analysis.Results{m.Current}, base, nil)
}
