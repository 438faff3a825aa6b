package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// pytestBench is one entry of pytest-benchmark's "benchmarks" array. Optional
// fields are pointers or raw JSON so that old (2.5: no params, group null) and
// new (3.x-5.x) files decode alike.
type pytestBench struct {
	Group     *string                    `json:"group"`
	Name      string                     `json:"name"`
	Fullname  string                     `json:"fullname"`
	Params    map[string]json.RawMessage `json:"params"`
	Param     json.RawMessage            `json:"param"`
	ExtraInfo map[string]any             `json:"extra_info"`
	Stats     *pytestStats               `json:"stats"`
}

type pytestStats struct {
	Min        *float64   `json:"min"`
	Max        *float64   `json:"max"`
	Mean       *float64   `json:"mean"`
	Stddev     *float64   `json:"stddev"`
	Median     *float64   `json:"median"`
	IQR        *float64   `json:"iqr"`
	Q1         *float64   `json:"q1"`
	Q3         *float64   `json:"q3"`
	Rounds     int        `json:"rounds"`
	Iterations int        `json:"iterations"`
	Outliers   string     `json:"outliers"`
	Ops        *float64   `json:"ops"`
	Data       pytestData `json:"data"`
}

type pytestMachine struct {
	Node                 string `json:"node"`
	Processor            string `json:"processor"`
	Machine              string `json:"machine"`
	System               string `json:"system"`
	Release              string `json:"release"`
	PythonImplementation string `json:"python_implementation"`
	PythonVersion        string `json:"python_version"`
	CPU                  *struct {
		BrandRaw string `json:"brand_raw"`
		Brand    string `json:"brand"` // py-cpuinfo < 7
		Count    int    `json:"count"`
		Arch     string `json:"arch"`
	} `json:"cpu"`
}

type pytestCommit struct {
	ID      string `json:"id"`
	Time    string `json:"time"`
	Dirty   *bool  `json:"dirty"`
	Project string `json:"project"`
	Branch  string `json:"branch"`
}

// pytestData is stats.data: the raw rounds in seconds. Non-numeric entries
// (hand-truncated files write "... omitted") are counted in bad.
type pytestData struct {
	vals []float64
	bad  int
}

func (d *pytestData) UnmarshalJSON(b []byte) error {
	// Fast path: a plain array of numbers (or null).
	if err := json.Unmarshal(b, &d.vals); err == nil {
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("stats.data: %w", err)
	}
	d.vals, d.bad = make([]float64, 0, len(raw)), 0
	for _, r := range raw {
		var x float64
		if json.Unmarshal(r, &x) != nil {
			d.bad++
			continue
		}
		d.vals = append(d.vals, x)
	}
	return nil
}

// readPytest streams a pytest-benchmark JSON file.
func readPytest(r io.Reader, name string, lt *lineTracker) (*analysis.Results, error) {
	dec := json.NewDecoder(r)
	res := &analysis.Results{Config: map[string]any{}}
	seen := map[string]int{}
	var summaryOnly, inconsistent []string
	wrap := func(err error) error { return jsonError(name, FormatPytest, lt, dec, err) }
	err := walkObject(dec, func(key string) error {
		switch key {
		case "machine_info":
			var m pytestMachine
			if err := decodeValue(dec, lt, &m); err != nil {
				return err
			}
			res.Machine.OS = m.System
			res.Machine.Kernel = m.Release
			res.Machine.Arch = m.Machine
			res.Machine.Python = strings.TrimSpace(m.PythonImplementation + " " + m.PythonVersion)
			if m.CPU != nil {
				res.Machine.CPUModel = firstNonEmpty(m.CPU.BrandRaw, m.CPU.Brand)
				res.Machine.Cores = m.CPU.Count
			}
			if res.Machine.CPUModel == "" {
				res.Machine.CPUModel = m.Processor
			}
			return nil
		case "commit_info":
			var c pytestCommit
			if err := decodeValue(dec, lt, &c); err != nil {
				return err
			}
			res.Run.Commit, res.Run.Branch, res.Run.Repository = c.ID, c.Branch, c.Project
			if c.Dirty != nil {
				res.Config["commit_dirty"] = *c.Dirty
			}
			return nil
		case "datetime":
			var s string
			if err := decodeValue(dec, lt, &s); err != nil {
				return err
			}
			if t, ok := parseTime(s); ok {
				res.Run.Started = t
			}
			return nil
		case "version":
			var v string
			if err := decodeValue(dec, lt, &v); err != nil {
				return err
			}
			res.Config["pytest_benchmark_version"] = v
			return nil
		case "benchmarks":
			return walkArray(dec, func(i int) error {
				start := valueStart(dec, lt)
				var pb pytestBench
				if err := decodeValue(dec, lt, &pb); err != nil {
					return err
				}
				b, note, err := pytestBenchmark(&pb, i)
				if err != nil {
					return wrap(atValue(start, err))
				}
				if note != "" {
					res.Notes = append(res.Notes, note)
				}
				if j, dup := seen[b.ID]; dup {
					return wrap(atValue(start, fmt.Errorf("benchmarks[%d]: duplicate fullname %q (also benchmarks[%d])", i, b.ID, j)))
				}
				seen[b.ID] = i
				if b.SummaryOnly {
					summaryOnly = append(summaryOnly, b.ID)
				} else if pb.Stats.Mean != nil && !near(*pb.Stats.Mean, mean(b.Samples)) {
					inconsistent = append(inconsistent, b.ID)
				}
				res.Benchmarks = append(res.Benchmarks, b)
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
	if res.Benchmarks == nil && len(seen) == 0 {
		res.Notes = append(res.Notes, "pytest-benchmark file holds no benchmarks")
	}
	if n := len(summaryOnly); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("pytest-benchmark: %d of %d benchmarks have no raw samples (stats.data is saved only with --benchmark-save-data): their summary statistics (min/max/mean/stddev/median/q1/q3/iqr/rounds) are used and the comparison adapts its method", n, len(res.Benchmarks)))
	}
	for _, id := range inconsistent {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: stats.mean disagrees with the mean of stats.data (edited file?): statistics recomputed from stats.data", id))
	}
	if len(res.Config) == 0 {
		res.Config = nil
	}
	return res, nil
}

func pytestBenchmark(pb *pytestBench, i int) (b analysis.Benchmark, note string, err error) {
	id := pb.Fullname
	if id == "" {
		id = pb.Name
	}
	if id == "" {
		return b, "", fmt.Errorf("benchmarks[%d]: no \"fullname\" nor \"name\"", i)
	}
	if pb.Stats == nil {
		return b, "", fmt.Errorf("benchmarks[%d] %q: no \"stats\"", i, id)
	}
	b = analysis.Benchmark{
		ID:         id,
		Name:       pb.Name,
		Unit:       "s",
		Direction:  analysis.LowerIsBetter,
		Iterations: pb.Stats.Iterations,
		Rounds:     pb.Stats.Rounds,
	}
	if pb.Group != nil {
		b.Group = *pb.Group
	}
	if len(pb.Params) > 0 {
		b.Params = make(map[string]string, len(pb.Params))
		for k, v := range pb.Params {
			b.Params[k] = stringify(v)
		}
	}
	if len(pb.ExtraInfo) > 0 || (len(pb.Param) > 0 && string(pb.Param) != "null") {
		b.Extra = make(map[string]any, len(pb.ExtraInfo)+1)
		for k, v := range pb.ExtraInfo {
			b.Extra[k] = v
		}
		if len(pb.Param) > 0 && string(pb.Param) != "null" {
			b.Extra["param"] = stringify(pb.Param)
		}
	}
	st := pb.Stats
	if len(st.Data.vals) > 0 || st.Data.bad > 0 {
		if st.Data.bad == 0 {
			b.Samples = st.Data.vals
			return b, "", nil
		}
		// A placeholder such as "... omitted" means the samples were cut:
		// a partial sample would be biased, so use the summary.
		note = fmt.Sprintf("%s: stats.data holds %d non-numeric entr(ies) (truncated by hand?): summary statistics used", id, st.Data.bad)
	}
	if st.Mean == nil || st.Min == nil || st.Max == nil {
		return b, note, fmt.Errorf("benchmarks[%d] %q: stats without data nor min/max/mean", i, id)
	}
	b.SummaryOnly = true
	s := &analysis.Stats{
		N:        st.Rounds,
		Min:      *st.Min,
		Max:      *st.Max,
		Mean:     *st.Mean,
		Stddev:   val(st.Stddev),
		Median:   val(st.Median),
		Q1:       val(st.Q1),
		Q3:       val(st.Q3),
		IQR:      val(st.IQR),
		Outliers: st.Outliers,
	}
	if st.IQR == nil {
		s.IQR = s.Q3 - s.Q1
	}
	if s.Mean != 0 {
		s.CV = s.Stddev / math.Abs(s.Mean)
	}
	switch {
	case st.Ops != nil:
		s.Ops = *st.Ops
	case s.Mean > 0:
		s.Ops = 1 / s.Mean // pytest-benchmark < 3 did not write ops
	}
	b.Stats = s
	return b, note, nil
}

func val(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// near reports a relative agreement to 1e-6 (pytest writes full doubles).
func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

// parseTime accepts the timestamp layouts pytest-benchmark and Google
// Benchmark write.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
