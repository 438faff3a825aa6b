package trend

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Schema is the tag of every history line.
const Schema = "xpcs-perf/history/v1"

// DefaultMax is the number of entries Append keeps when max <= 0.
const DefaultMax = 1000

// MaxLineBytes bounds one history line (a run of ~100,000 benchmarks).
const MaxLineBytes = 16 << 20

// Entry is one line of a history file: the summary of one nightly or main run.
type Entry struct {
	Schema     string             `json:"schema"`
	Time       time.Time          `json:"time"`
	Commit     string             `json:"commit,omitempty"`
	Branch     string             `json:"branch,omitempty"`
	RunID      string             `json:"run_id,omitempty"`
	Machine    Machine            `json:"machine"`
	Benchmarks map[string]Summary `json:"benchmarks"`
}

// Machine is the part of analysis.Machine a history keeps.
type Machine struct {
	CPUModel string `json:"cpu_model,omitempty"`
	Cores    int    `json:"cores,omitempty"`
}

// Summary is one benchmark of one run: the median of its samples (in Unit),
// the number of samples and their coefficient of variation (stddev/mean).
type Summary struct {
	Median float64 `json:"median"`
	N      int     `json:"n"`
	Unit   string  `json:"unit"`
	CV     float64 `json:"cv"`
	// CPUMedian is the median of the benchmark's process CPU time per
	// operation (analysis.MetricCPU), when it was recorded: the drift of
	// benchmarks judged on CPU time is estimated from it.
	CPUMedian float64 `json:"cpu_median,omitempty"`
}

// FromResults summarises res as a history entry. The time is
// res.Run.Finished, else res.Run.Started (zero when neither is set: the
// caller must then set it, or Write refuses the entry). Each benchmark
// contributes its sample median (analysis.Describe), or Stats.Median when
// only summary statistics were saved; errored benchmarks and benchmarks
// without a finite, non-negative median are left out (Read refuses a line
// holding one, so Write would refuse the whole entry).
func FromResults(res *analysis.Results) Entry {
	e := Entry{
		Schema:     Schema,
		Time:       res.Run.Finished,
		Commit:     res.Run.Commit,
		Branch:     res.Run.Branch,
		RunID:      res.Run.RunID,
		Machine:    Machine{CPUModel: res.Machine.CPUModel, Cores: res.Machine.Cores},
		Benchmarks: make(map[string]Summary, len(res.Benchmarks)),
	}
	if e.Time.IsZero() {
		e.Time = res.Run.Started
	}
	for _, b := range res.Benchmarks {
		if b.Error != "" || b.ID == "" {
			continue
		}
		var s analysis.Stats
		switch {
		case len(b.Samples) > 0:
			s = analysis.Describe(b.Samples, b.Unit)
		case b.Stats != nil:
			s = *b.Stats
		default:
			continue
		}
		if math.IsNaN(s.Median) || math.IsInf(s.Median, 0) || s.Median < 0 {
			continue
		}
		cv := s.CV
		if math.IsNaN(cv) || math.IsInf(cv, 0) {
			cv = 0
		}
		sum := Summary{Median: s.Median, N: s.N, Unit: b.Unit, CV: cv}
		if cpu := b.Metrics[analysis.MetricCPU].Samples; len(cpu) > 0 {
			if m := analysis.Describe(cpu, "").Median; m > 0 && !math.IsInf(m, 0) {
				sum.CPUMedian = m
			}
		}
		e.Benchmarks[b.ID] = sum
	}
	return e
}

// LineError is a history line that could not be used.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("history line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Read decodes a history stream strictly: the first bad line (not JSON, a
// schema other than Schema, a zero time, a non-finite or negative median,
// negative n, or longer than MaxLineBytes)
// ends the read with a *LineError naming its line number. Blank lines are
// skipped. Entries come back in file order. Use ReadLenient to skip bad
// lines instead.
func Read(r io.Reader) ([]Entry, error) {
	var out []Entry
	err := scan(r, func(e Entry) { out = append(out, e) }, func(le *LineError) error { return le })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReadLenient decodes a history stream, skipping bad lines and returning
// them as skipped (for a note in the report): a history carried forward for
// months must survive one truncated or hand-edited line. A line of a newer
// schema major version is skipped too. err is only set for read errors of r
// itself; a line longer than MaxLineBytes is skipped like any bad line
// (ErrLineTooLong), and the lines after it are kept.
func ReadLenient(r io.Reader) (entries []Entry, skipped []*LineError, err error) {
	err = scan(r, func(e Entry) { entries = append(entries, e) }, func(le *LineError) error {
		skipped = append(skipped, le)
		return nil
	})
	return entries, skipped, err
}

// ErrLineTooLong reports a history line longer than MaxLineBytes.
var ErrLineTooLong = errors.New("history line too long")

// scan reads r line by line. A line longer than MaxLineBytes is drained
// without being kept in memory and handed to bad like any other bad line,
// so the lines after it are still read.
func scan(r io.Reader, keep func(Entry), bad func(*LineError) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	line := 0
	for {
		buf = buf[:0]
		size, eof := 0, false
		for {
			frag, err := br.ReadSlice('\n')
			size += len(frag)
			if size <= MaxLineBytes+1 { // + the newline
				buf = append(buf, frag...)
			}
			if err == nil {
				break
			}
			if err == io.EOF {
				eof = true
				break
			}
			if err != bufio.ErrBufferFull {
				return fmt.Errorf("history after line %d: %w", line, err)
			}
		}
		if size == 0 && eof {
			return nil
		}
		line++
		if n := len(bytes.TrimRight(buf, "\r\n")); size > MaxLineBytes+1 || n > MaxLineBytes {
			err := fmt.Errorf("%w: %d bytes, longer than the %d-byte limit (damaged or not a history file?)", ErrLineTooLong, size, MaxLineBytes)
			if err := bad(&LineError{Line: line, Err: err}); err != nil {
				return err
			}
		} else if b := bytes.TrimSpace(buf); len(b) > 0 {
			e, err := decodeLine(b)
			if err != nil {
				if err := bad(&LineError{Line: line, Err: err}); err != nil {
					return err
				}
			} else {
				keep(e)
			}
		}
		if eof {
			return nil
		}
	}
}

// ErrSchema reports a history line of another schema.
var ErrSchema = errors.New("unsupported history schema")

func decodeLine(b []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return Entry{}, fmt.Errorf("decode: %w", err)
	}
	if err := e.validate(); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// newerMajor reports whether schema is this family with a major version
// above Schema's ("xpcs-perf/history/v2"). An older or malformed version
// ("v0", "v1.5", "vX") is not "newer": validate calls it unsupported.
func newerMajor(schema string) bool {
	const family = "xpcs-perf/history/v"
	v, ok := strings.CutPrefix(schema, family)
	if !ok {
		return false
	}
	n, err := strconv.Atoi(v)
	cur, _ := strconv.Atoi(strings.TrimPrefix(Schema, family))
	return err == nil && n > cur && v[0] != '+'
}

// validate checks what Analyze relies on.
func (e *Entry) validate() error {
	switch {
	case e.Schema == Schema:
	case e.Schema == "":
		return fmt.Errorf("%w: no \"schema\" field (want %q)", ErrSchema, Schema)
	case newerMajor(e.Schema):
		return fmt.Errorf("%w: %q was written by a newer xpcs-perf (reads %q)", ErrSchema, e.Schema, Schema)
	default:
		return fmt.Errorf("%w: %q (want %q)", ErrSchema, e.Schema, Schema)
	}
	if e.Time.IsZero() {
		return errors.New("no \"time\"")
	}
	for id, s := range e.Benchmarks {
		if math.IsNaN(s.Median) || math.IsInf(s.Median, 0) {
			return fmt.Errorf("benchmark %q: median %v is not finite", id, s.Median)
		}
		if s.Median < 0 {
			return fmt.Errorf("benchmark %q: median %v is negative (a time, rate or size per op cannot be)", id, s.Median)
		}
		if s.N < 0 {
			return fmt.Errorf("benchmark %q: n = %d is negative", id, s.N)
		}
		if math.IsNaN(s.CV) || math.IsInf(s.CV, 0) {
			return fmt.Errorf("benchmark %q: cv %v is not finite", id, s.CV)
		}
	}
	return nil
}

// Append returns entries with e added, sorted by time (stable: equal times
// keep file order), bounded to the newest max entries (DefaultMax when
// max <= 0). An existing entry with the same non-empty RunID is replaced: a
// re-run of the same workflow run does not count twice. entries is not
// modified.
func Append(entries []Entry, e Entry, max int) []Entry {
	if max <= 0 {
		max = DefaultMax
	}
	out := make([]Entry, 0, len(entries)+1)
	for _, old := range entries {
		if e.RunID != "" && old.RunID == e.RunID {
			continue
		}
		out = append(out, old)
	}
	out = append(out, e)
	slices.SortStableFunc(out, func(a, b Entry) int { return a.Time.Compare(b.Time) })
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}

// Write encodes entries as JSON Lines, one entry per line, setting the
// schema tag. An entry that Read would refuse (zero time, non-finite
// median) is an error naming its index, and nothing after it is written.
func Write(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	for i := range entries {
		e := entries[i]
		e.Schema = Schema
		if err := e.validate(); err != nil {
			return fmt.Errorf("history entry %d (commit %q): %w", i, e.Commit, err)
		}
		if e.Benchmarks == nil {
			e.Benchmarks = map[string]Summary{}
		}
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("history entry %d (commit %q): %w", i, e.Commit, err)
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// DriftRuns is how many of the latest history entries Drift reads: recent
// enough to describe today's runners, enough for a robust spread.
const DriftRuns = 30

// Drift estimates each benchmark's run-to-run spread from the last
// DriftRuns entries of a history (time order), with
// analysis.EstimateDrift on its run medians. Benchmarks with fewer than
// analysis.MinDriftRuns medians, or whose unit changed within those
// entries, are left out (the comparison then uses its default allowance).
func Drift(entries []Entry) map[string]analysis.Drift {
	idx := timeOrder(entries)
	if len(idx) > DriftRuns {
		idx = idx[len(idx)-DriftRuns:]
	}
	medians, cpu := map[string][]float64{}, map[string][]float64{}
	units := map[string]string{}
	mixed := map[string]bool{}
	for _, i := range idx {
		for id, s := range entries[i].Benchmarks {
			if u, ok := units[id]; ok && u != s.Unit {
				mixed[id] = true
			}
			units[id] = s.Unit
			medians[id] = append(medians[id], s.Median)
			if s.CPUMedian > 0 {
				cpu[id] = append(cpu[id], s.CPUMedian)
			}
		}
	}
	out := make(map[string]analysis.Drift, len(medians))
	for id, m := range medians {
		if mixed[id] {
			continue
		}
		d, ok := analysis.EstimateDrift(m)
		if dc, okc := analysis.EstimateDrift(cpu[id]); okc {
			d.CPU = &dc
			ok = true
		}
		if ok {
			out[id] = d
		}
	}
	return out
}

// ReadFileLenient opens path and reads it with ReadLenient.
func ReadFileLenient(path string) ([]Entry, []*LineError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	entries, skipped, err := ReadLenient(f)
	if err != nil {
		return nil, nil, fmt.Errorf("history %s: %w", path, err)
	}
	return entries, skipped, nil
}
