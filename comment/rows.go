package comment

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// severityRank orders severities, most severe first when sorted descending.
func severityRank(s analysis.Severity) int {
	switch s {
	case analysis.Critical:
		return 3
	case analysis.Major:
		return 2
	case analysis.Minor:
		return 1
	}
	return 0
}

// verdictRank orders verdicts by how much a reader needs to see them:
// regressions, errors, improvements, inconclusive, missing, new, unchanged.
func verdictRank(v analysis.Verdict) int {
	switch v {
	case analysis.Regression:
		return 0
	case analysis.Errored:
		return 1
	case analysis.Improvement:
		return 2
	case analysis.Inconclusive:
		return 3
	case analysis.Missing:
		return 4
	case analysis.New:
		return 5
	case analysis.Unchanged:
		return 6
	}
	return 7
}

// byImportance sorts rows: verdict rank, then severity (most severe first),
// then the size of the change (largest regression, largest improvement), then ID.
func byImportance(a, b *analysis.Row) int {
	if c := cmp.Compare(verdictRank(a.Verdict), verdictRank(b.Verdict)); c != 0 {
		return c
	}
	if c := cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)); c != 0 {
		return c
	}
	ca, cb := a.Change, b.Change
	if a.Verdict == analysis.Improvement {
		ca, cb = -ca, -cb
	}
	if c := cmp.Compare(cb, ca); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Metric, b.Metric)
}

// sortedRows returns pointers to c.Rows ordered by byImportance.
func sortedRows(c *analysis.Comparison) []*analysis.Row {
	rows := make([]*analysis.Row, len(c.Rows))
	for i := range c.Rows {
		rows[i] = &c.Rows[i]
	}
	slices.SortStableFunc(rows, byImportance)
	return rows
}

// rowsWith returns the rows (in importance order) whose verdict is one of vs.
func rowsWith(rows []*analysis.Row, vs ...analysis.Verdict) []*analysis.Row {
	var out []*analysis.Row
	for _, r := range rows {
		if slices.Contains(vs, r.Verdict) {
			out = append(out, r)
		}
	}
	return out
}

// displayName is the benchmark's name with its params ("g2[size=tiny]") and,
// for secondary metrics, the metric ("g2[size=tiny] (B/op)"). Unescaped.
func displayName(r *analysis.Row) string {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	if len(r.Params) > 0 && !strings.Contains(name, "[") {
		keys := slices.Sorted(maps.Keys(r.Params))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + r.Params[k]
		}
		name += "[" + strings.Join(parts, ",") + "]"
	}
	switch {
	case r.Metric != "" && r.Metric != "time":
		name += " (" + r.Metric + ")"
	case r.Clock == analysis.ClockCPU:
		name += " (CPU time)"
	}
	return name
}

// qualifiedName is "group/name[params]" (the ID without its category),
// or displayName when the row has no group. Unescaped.
func qualifiedName(r *analysis.Row) string {
	if r.Group == "" {
		return displayName(r)
	}
	return r.Group + "/" + displayName(r)
}

// groupName is the row's group, "(no group)" when empty.
func groupName(r *analysis.Row) string {
	if r.Group == "" {
		return "(no group)"
	}
	return r.Group
}

// categoryOf is the category a report is about: opt.Category, else the
// comparison's, else "default".
func categoryOf(c *analysis.Comparison, opt Options) string {
	switch {
	case opt.Category != "":
		return opt.Category
	case c.Category != "":
		return c.Category
	}
	return "default"
}

// summaryOf returns c.Summary, or counts c.Rows when the summary is empty
// (hand-written or older comparisons).
func summaryOf(c *analysis.Comparison) analysis.Summary {
	if c.Summary.Benchmarks > 0 || len(c.Rows) == 0 {
		return c.Summary
	}
	var s analysis.Summary
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.RoleOf() != analysis.RolePrimary {
			continue
		}
		s.Benchmarks++
		switch r.Verdict {
		case analysis.Regression:
			s.Regressions++
			s.Compared++
			switch r.Severity {
			case analysis.Critical:
				s.Critical++
			case analysis.Major:
				s.Major++
			case analysis.Minor:
				s.Minor++
			}
		case analysis.Improvement:
			s.Improvements++
			s.Compared++
		case analysis.Unchanged:
			s.Unchanged++
			s.Compared++
		case analysis.Inconclusive:
			s.Inconclusive++
			if r.PastThreshold {
				s.InconclusivePast++
			}
		case analysis.New:
			s.New++
		case analysis.Missing:
			s.Missing++
		case analysis.Errored:
			s.Errored++
		}
	}
	return s
}

// gateFailures reports, per row index, whether the row fails the gate: the
// rows marked GateFailed, or every regression when the gate failed but the
// comparison marked no row (so a failed gate is never shown without cause).
func gateFailures(c *analysis.Comparison) map[*analysis.Row]bool {
	out := map[*analysis.Row]bool{}
	for i := range c.Rows {
		if c.Rows[i].GateFailed {
			out[&c.Rows[i]] = true
		}
	}
	if len(out) == 0 && !c.Gate.Pass && c.Baseline != nil {
		for i := range c.Rows {
			if c.Rows[i].Verdict == analysis.Regression {
				out[&c.Rows[i]] = true
			}
		}
	}
	return out
}

// reportTime is the "now" of a report: opt.Now, else the end (or start) of
// the current run, else the wall clock.
func reportTime(c *analysis.Comparison, opt Options) time.Time {
	switch {
	case !opt.Now.IsZero():
		return opt.Now
	case !c.Current.Run.Finished.IsZero():
		return c.Current.Run.Finished
	case !c.Current.Run.Started.IsZero():
		return c.Current.Run.Started
	}
	return time.Now()
}

// baselineTime is when the baseline was measured (run end, start, or the
// artifact's creation time); zero when unknown.
func baselineTime(b *analysis.RunInfo) time.Time {
	switch {
	case !b.Run.Finished.IsZero():
		return b.Run.Finished
	case !b.Run.Started.IsZero():
		return b.Run.Started
	}
	return b.CreatedAt
}
