package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// googleRow is one entry of Google Benchmark's "benchmarks" array. Fields not
// listed here that hold numbers are user counters.
type googleRow struct {
	Name          string   `json:"name"`
	RunName       string   `json:"run_name"`
	RunType       string   `json:"run_type"`
	AggregateName string   `json:"aggregate_name"`
	AggregateUnit string   `json:"aggregate_unit"`
	Repetitions   int      `json:"repetitions"`
	Threads       int      `json:"threads"`
	Iterations    *float64 `json:"iterations"`
	RealTime      *float64 `json:"real_time"`
	CPUTime       *float64 `json:"cpu_time"`
	TimeUnit      string   `json:"time_unit"`
	Label         string   `json:"label"`
	ErrorOccurred bool     `json:"error_occurred"`
	ErrorMessage  string   `json:"error_message"`
	counters      map[string]float64
}

// googleKnown are the row keys that are not user counters.
var googleKnown = map[string]bool{
	"name": true, "run_name": true, "run_type": true, "aggregate_name": true, "aggregate_unit": true,
	"repetitions": true, "repetition_index": true, "threads": true, "iterations": true,
	"real_time": true, "cpu_time": true, "time_unit": true, "label": true, "error_occurred": true,
	"error_message": true, "family_index": true, "per_family_instance_index": true,
	"big_o": true, "cpu_coefficient": true, "real_coefficient": true, "rms": true,
}

func (g *googleRow) UnmarshalJSON(data []byte) error {
	type plain googleRow
	if err := json.Unmarshal(data, (*plain)(g)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for k, raw := range all {
		if googleKnown[k] {
			continue
		}
		var x float64
		if json.Unmarshal(raw, &x) == nil {
			if g.counters == nil {
				g.counters = map[string]float64{}
			}
			g.counters[k] = x
		}
	}
	return nil
}

type googleContext struct {
	Date              string  `json:"date"`
	HostName          string  `json:"host_name"`
	Executable        string  `json:"executable"`
	NumCPUs           int     `json:"num_cpus"`
	MHzPerCPU         float64 `json:"mhz_per_cpu"`
	CPUScalingEnabled *bool   `json:"cpu_scaling_enabled"`
	LibraryBuildType  string  `json:"library_build_type"`
	LibraryVersion    string  `json:"library_version"`
}

// googleSeries gathers the rows of one benchmark run name.
type googleSeries struct {
	b    analysis.Benchmark
	aggs map[string]float64 // aggregate_name -> real_time in seconds
	reps int
}

// timeDivisor converts a Google Benchmark time_unit to seconds: seconds =
// value / divisor (a division keeps 1718 ns exactly 1.718e-06 s).
func timeDivisor(unit string) (float64, error) {
	switch unit {
	case "ns", "":
		return 1e9, nil // Google Benchmark's default unit
	case "us":
		return 1e6, nil
	case "ms":
		return 1e3, nil
	case "s":
		return 1, nil
	}
	return 0, fmt.Errorf("unknown time_unit %q", unit)
}

// readGoogle streams a Google Benchmark JSON file. real_time (wall clock per
// iteration) is the primary sample, in seconds; cpu_time is the metric
// "cpu_time" (seconds); bytes_per_second and items_per_second are metrics
// "B/s" and "items/s" (higher is better); other numeric fields are user
// counters.
func readGoogle(r io.Reader, name string, lt *lineTracker) (*analysis.Results, error) {
	dec := json.NewDecoder(r)
	res := &analysis.Results{}
	series := map[string]*googleSeries{}
	var order []*googleSeries
	skipped := 0
	wrap := func(err error) error { return jsonError(name, FormatGoogle, lt, dec, err) }
	err := walkObject(dec, func(key string) error {
		switch key {
		case "context":
			var c googleContext
			if err := decodeValue(dec, lt, &c); err != nil {
				return err
			}
			res.Machine.Cores = c.NumCPUs
			res.Config = map[string]any{}
			if t, ok := parseTime(c.Date); ok {
				res.Run.Started = t
			}
			for k, v := range map[string]string{"executable": c.Executable, "host_name": c.HostName,
				"library_build_type": c.LibraryBuildType, "library_version": c.LibraryVersion} {
				if v != "" {
					res.Config[k] = v
				}
			}
			if c.MHzPerCPU > 0 {
				res.Config["mhz_per_cpu"] = c.MHzPerCPU
			}
			if c.CPUScalingEnabled != nil && *c.CPUScalingEnabled {
				res.Notes = append(res.Notes, "Google Benchmark: CPU frequency scaling was enabled; real time measurements may be noisy")
			}
			if c.LibraryBuildType == "debug" {
				res.Notes = append(res.Notes, "Google Benchmark: library built as debug; timings may be unrepresentative")
			}
			return nil
		case "benchmarks":
			return walkArray(dec, func(i int) error {
				start := valueStart(dec, lt)
				var row googleRow
				if err := decodeValue(dec, lt, &row); err != nil {
					return err
				}
				ok, err := googleAdd(series, &order, &row, i)
				if err != nil {
					return wrap(atValue(start, err))
				}
				if !ok {
					skipped++
				}
				return nil
			})
		default:
			return skipValue(dec, lt)
		}
	})
	if err == nil {
		err = expectEOF(dec)
	}
	if err != nil {
		return nil, wrap(err)
	}
	if skipped > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("Google Benchmark: %d BigO/RMS or untimed aggregate row(s) skipped", skipped))
	}
	var summary []string
	for _, s := range order {
		if len(s.b.Samples) == 0 && len(s.aggs) > 0 && s.b.Error == "" {
			googleSummary(s)
			summary = append(summary, s.b.ID)
		}
		res.Benchmarks = append(res.Benchmarks, s.b)
	}
	if len(summary) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("Google Benchmark: %d benchmark(s) have only aggregate rows (%s): SummaryOnly statistics from _mean/_median/_stddev/_cv (min/max, unless reported, set to the median)", len(summary), strings.Join(summary, ", ")))
	}
	res.Notes = append(res.Notes, "Google Benchmark: real_time (wall clock per iteration) is the primary sample, converted to seconds; cpu_time is the metric \"cpu_time\"")
	return res, nil
}

// googleAdd files one row. It reports false for rows that carry no sample
// (BigO and RMS aggregates, rows without real_time).
func googleAdd(series map[string]*googleSeries, order *[]*googleSeries, row *googleRow, i int) (bool, error) {
	if row.Name == "" && row.RunName == "" {
		return false, fmt.Errorf("benchmarks[%d]: no \"name\"", i)
	}
	agg := row.RunType == "aggregate"
	switch row.AggregateName {
	case "BigO", "RMS":
		return false, nil
	}
	id := row.RunName
	if id == "" {
		id = row.Name
		if agg && row.AggregateName != "" {
			id = strings.TrimSuffix(id, "_"+row.AggregateName)
		}
	}
	if agg && row.AggregateName == "" {
		// Old files mark repetitions as aggregates without naming one
		// (tools/gbench test3): treat the row as a sample.
		agg = false
	}
	if row.RealTime == nil && !row.ErrorOccurred {
		return false, nil
	}
	s := series[id]
	if s == nil {
		group, _, _ := strings.Cut(id, "/")
		s = &googleSeries{b: analysis.Benchmark{ID: id, Name: id, Group: group, Unit: "s", Direction: analysis.LowerIsBetter}}
		if _, args, ok := strings.Cut(id, "/"); ok {
			s.b.Params = map[string]string{"args": args}
		}
		series[id] = s
		*order = append(*order, s)
	}
	if row.ErrorOccurred {
		s.b.Error = firstNonEmpty(row.ErrorMessage, "error_occurred")
		return true, nil
	}
	div, err := timeDivisor(row.TimeUnit)
	if err != nil {
		return false, fmt.Errorf("benchmarks[%d] %q: %w", i, row.Name, err)
	}
	if row.Label != "" {
		if s.b.Extra == nil {
			s.b.Extra = map[string]any{}
		}
		s.b.Extra["label"] = row.Label
	}
	if row.Repetitions > s.reps {
		s.reps = row.Repetitions
	}
	if row.Threads > 1 {
		if s.b.Params == nil {
			s.b.Params = map[string]string{}
		}
		s.b.Params["threads"] = fmt.Sprint(row.Threads)
	}
	if agg {
		if s.aggs == nil {
			s.aggs = map[string]float64{}
		}
		v := *row.RealTime
		if row.AggregateUnit != "percentage" { // cv is a fraction, not a time
			v /= div
		}
		s.aggs[row.AggregateName] = v
		return true, nil
	}
	s.b.Samples = append(s.b.Samples, *row.RealTime/div)
	if row.Iterations != nil && *row.Iterations == math.Trunc(*row.Iterations) {
		s.b.Iterations = int(*row.Iterations)
	}
	addMetric := func(key, unit string, dir analysis.Direction, v float64) {
		if s.b.Metrics == nil {
			s.b.Metrics = map[string]analysis.Metric{}
		}
		m := s.b.Metrics[key]
		m.Unit, m.Direction = unit, dir
		m.Samples = append(m.Samples, v)
		s.b.Metrics[key] = m
	}
	if row.CPUTime != nil {
		addMetric("cpu_time", "s", analysis.LowerIsBetter, *row.CPUTime/div)
	}
	for k, v := range row.counters {
		switch {
		case k == "bytes_per_second":
			addMetric("B/s", "B/s", analysis.HigherIsBetter, v)
		case k == "items_per_second":
			addMetric("items/s", "items/s", analysis.HigherIsBetter, v)
		case strings.HasSuffix(k, "_per_second"):
			addMetric(k, k, analysis.HigherIsBetter, v)
		default:
			addMetric(k, k, analysis.LowerIsBetter, v)
		}
	}
	return true, nil
}

// googleSummary fills Stats of a benchmark that has only aggregates.
func googleSummary(s *googleSeries) {
	a := s.aggs
	s.b.SummaryOnly = true
	st := &analysis.Stats{N: s.reps, Mean: a["mean"], Median: a["median"], Stddev: a["stddev"]}
	if st.Median == 0 {
		st.Median = st.Mean
	}
	if st.Mean == 0 {
		st.Mean = st.Median
	}
	st.Min, st.Max = a["min"], a["max"]
	if st.Min == 0 {
		st.Min = st.Median
	}
	if st.Max == 0 {
		st.Max = st.Median
	}
	if cv, ok := a["cv"]; ok {
		st.CV = cv
	} else if st.Mean != 0 {
		st.CV = st.Stddev / math.Abs(st.Mean)
	}
	if st.Mean > 0 {
		st.Ops = 1 / st.Mean
	}
	s.b.Stats = st
	s.b.Rounds = s.reps
}
