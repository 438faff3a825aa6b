package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// idPattern is the documented ID grammar: category/group/name with an
// optional [k=v,...] suffix.
var idPattern = regexp.MustCompile(`^[^/\s]+/[^/\s]+/[^\[\]\s]+(\[[^=\[\],]+=[^\[\],]*(,[^=\[\],]+=[^\[\],]*)*\])?$`)

// ValidateResultsJSON checks a results.json document against
// docs/RESULTS_SCHEMA.md: only documented fields (unknown ones are errors),
// then [ValidateResults]. It returns every problem found.
func ValidateResultsJSON(data []byte) []error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var res analysis.Results
	if err := dec.Decode(&res); err != nil {
		return []error{fmt.Errorf("results.json: %w", err)}
	}
	return ValidateResults(&res)
}

// ValidateResults checks the invariants docs/RESULTS_SCHEMA.md states for
// xpcs-perf's own results: schema tag, unique well-formed IDs matching their
// category/group/name/params, unit "s" and direction "lower", one sample per
// round, finite positive samples, stats equal to analysis.Describe of the
// samples, non-negative memory figures, counters with a reason when
// unavailable, metrics with a unit and direction, and errored benchmarks
// carrying their message.
func ValidateResults(res *analysis.Results) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if res.Schema != analysis.ResultsSchema {
		bad("schema %q, want %q", res.Schema, analysis.ResultsSchema)
	}
	if res.Benchmarks == nil {
		bad("benchmarks missing (must be an array, possibly empty)")
	}
	if !res.Run.Started.IsZero() && !res.Run.Finished.IsZero() && res.Run.Finished.Before(res.Run.Started) {
		bad("run.finished %v before run.started %v", res.Run.Finished, res.Run.Started)
	}
	seen := map[string]bool{}
	for i, b := range res.Benchmarks {
		where := fmt.Sprintf("benchmarks[%d] %s", i, b.ID)
		if seen[b.ID] {
			bad("%s: duplicate id", where)
		}
		seen[b.ID] = true
		if !idPattern.MatchString(b.ID) {
			bad("%s: id does not match category/group/name[k=v,...]", where)
		}
		if want := FormatID(b.Category, b.Group, b.Name, b.Params); b.ID != want {
			bad("%s: id differs from its parts %q", where, want)
		}
		if b.Unit != "s" {
			bad("%s: unit %q, want \"s\"", where, b.Unit)
		}
		if b.Direction != analysis.LowerIsBetter {
			bad("%s: direction %q, want \"lower\"", where, b.Direction)
		}
		if b.Samples == nil {
			bad("%s: samples missing (must be an array)", where)
		}
		if b.Error != "" {
			continue
		}
		if len(b.Samples) == 0 {
			bad("%s: no samples and no error", where)
			continue
		}
		if b.Rounds != len(b.Samples) {
			bad("%s: rounds %d but %d samples", where, b.Rounds, len(b.Samples))
		}
		if b.Iterations < 1 {
			bad("%s: iterations %d, want >= 1", where, b.Iterations)
		}
		for _, s := range b.Samples {
			if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
				bad("%s: sample %g is not a finite non-negative time", where, s)
				break
			}
		}
		if b.Stats == nil {
			bad("%s: stats missing", where)
		} else if want := analysis.Describe(b.Samples, b.Unit); !statsClose(*b.Stats, want) {
			bad("%s: stats %+v differ from Describe(samples) %+v", where, *b.Stats, want)
		}
		if m := b.Memory; m == nil {
			bad("%s: memory missing", where)
		} else if m.BytesPerOp < 0 || m.AllocsPerOp < 0 {
			bad("%s: negative bytes or allocs per op", where)
		}
		if c := b.Counters; c == nil {
			bad("%s: counters missing", where)
		} else if !c.Available && c.Reason == "" {
			bad("%s: counters unavailable without a reason", where)
		}
		for k, m := range b.Metrics {
			if m.Unit == "" || (m.Direction != analysis.LowerIsBetter && m.Direction != analysis.HigherIsBetter) {
				bad("%s: metric %q needs a unit and a direction", where, k)
			}
		}
	}
	return errs
}

func statsClose(a, b analysis.Stats) bool {
	eq := func(x, y float64) bool { return x == y || math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y)) }
	return a.N == b.N && eq(a.Min, b.Min) && eq(a.Max, b.Max) && eq(a.Mean, b.Mean) && eq(a.Stddev, b.Stddev) &&
		eq(a.Median, b.Median) && eq(a.Q1, b.Q1) && eq(a.Q3, b.Q3) && eq(a.IQR, b.IQR) && eq(a.CV, b.CV) &&
		a.Outliers == b.Outliers && eq(a.Ops, b.Ops)
}
