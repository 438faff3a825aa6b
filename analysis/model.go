package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ResultsSchema is the schema tag written in every results.json. Readers accept
// any "xpcs-perf/results/v1" file and refuse newer major versions with a clear
// error instead of guessing.
const ResultsSchema = "xpcs-perf/results/v1"

// ComparisonSchema is the schema tag of a comparison (cmp.json) document.
const ComparisonSchema = "xpcs-perf/comparison/v1"

// Direction tells whether smaller or larger values of a metric are better.
type Direction string

const (
	LowerIsBetter  Direction = "lower"
	HigherIsBetter Direction = "higher"
)

// Results is the content of a results.json file: one run of a set of benchmarks.
type Results struct {
	Schema     string         `json:"schema"`
	Source     string         `json:"source,omitempty"` // "xpcs-perf", "pytest-benchmark", "gobench", "google-benchmark"
	Run        Run            `json:"run"`
	Machine    Machine        `json:"machine"`
	Config     map[string]any `json:"config,omitempty"`
	Benchmarks []Benchmark    `json:"benchmarks"`
	// Notes are human-readable remarks of the producer or the ingest adapter
	// (for example "samples not saved: summary statistics used").
	Notes []string `json:"notes,omitempty"`
}

// Run identifies the code and the event a results file was measured for.
type Run struct {
	Repository string    `json:"repository,omitempty"`
	Commit     string    `json:"commit,omitempty"`
	Branch     string    `json:"branch,omitempty"`
	Ref        string    `json:"ref,omitempty"`
	Event      string    `json:"event,omitempty"`
	RunID      string    `json:"run_id,omitempty"`
	RunURL     string    `json:"run_url,omitempty"`
	Shard      string    `json:"shard,omitempty"` // "i/n" when the category was split across jobs
	Started    time.Time `json:"started,omitzero"`
	Finished   time.Time `json:"finished,omitzero"`
}

// Machine describes where a run was measured. Baselines from a different
// machine are flagged by MachineDiff.
type Machine struct {
	CPUModel    string `json:"cpu_model,omitempty"`
	Cores       int    `json:"cores,omitempty"`
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`
	OS          string `json:"os,omitempty"`
	Kernel      string `json:"kernel,omitempty"`
	Arch        string `json:"arch,omitempty"`
	GoVersion   string `json:"go_version,omitempty"`
	HDF5Version string `json:"hdf5_version,omitempty"`
	Image       string `json:"image,omitempty"`       // container image or runner image name and version
	RunnerName  string `json:"runner_name,omitempty"` // RUNNER_NAME
	RunnerOS    string `json:"runner_os,omitempty"`
	Python      string `json:"python,omitempty"` // ingested pytest-benchmark files
}

// Benchmark is one measured benchmark. ID is stable across runs and is the key
// of every comparison: "category/group/name[k=v,...]" for xpcs-perf's own
// benchmarks, the fullname for pytest-benchmark, "pkg.BenchmarkName" for Go.
type Benchmark struct {
	ID       string            `json:"id"`
	Category string            `json:"category,omitempty"`
	Group    string            `json:"group,omitempty"`
	Name     string            `json:"name"`
	Params   map[string]string `json:"params,omitempty"`
	Markers  []string          `json:"markers,omitempty"`

	// Unit of Samples ("s" = seconds per operation for xpcs-perf's own
	// benchmarks) and whether lower or higher is better.
	Unit      string    `json:"unit"`
	Direction Direction `json:"direction"`
	// Samples are the raw per-round values (for time: seconds per operation,
	// that is the round's elapsed time divided by Iterations).
	Samples    []float64 `json:"samples"`
	Iterations int       `json:"iterations,omitempty"` // iterations per round
	Rounds     int       `json:"rounds,omitempty"`
	// SummaryOnly is set when the producer did not save raw samples and
	// Samples is empty; Stats then carries what is known and the comparison
	// adapts its method (and says so).
	SummaryOnly bool   `json:"summary_only,omitempty"`
	Stats       *Stats `json:"stats,omitempty"`

	Memory   *Memory   `json:"memory,omitempty"`
	Counters *Counters `json:"counters,omitempty"`
	// Metrics are secondary metrics compared on their own (B/op, allocs/op,
	// MB/s of Go benchmarks, peak RSS...), keyed by unit.
	Metrics map[string]Metric `json:"metrics,omitempty"`
	Extra   map[string]any    `json:"extra,omitempty"`

	// Error is non-empty when the benchmark panicked, failed or timed out.
	Error string `json:"error,omitempty"`
}

// Metric is a secondary metric of a benchmark with its own samples.
type Metric struct {
	Unit      string    `json:"unit"`
	Direction Direction `json:"direction"`
	Samples   []float64 `json:"samples"`
}

// Stats are the descriptive statistics of a sample, as pytest-benchmark
// reports them. Outliers is "a;b": a = values beyond 1 stddev of the mean,
// b = values beyond 1.5 IQR of the quartiles (pytest-benchmark's format).
type Stats struct {
	N        int     `json:"n"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Mean     float64 `json:"mean"`
	Stddev   float64 `json:"stddev"`
	Median   float64 `json:"median"`
	Q1       float64 `json:"q1"`
	Q3       float64 `json:"q3"`
	IQR      float64 `json:"iqr"`
	CV       float64 `json:"cv"` // stddev / mean
	Outliers string  `json:"outliers"`
	Ops      float64 `json:"ops,omitempty"` // 1/mean when the unit is seconds
}

// Memory is the memory profile of a benchmark.
type Memory struct {
	BytesPerOp   float64 `json:"bytes_per_op"`
	AllocsPerOp  float64 `json:"allocs_per_op"`
	PeakRSSBytes uint64  `json:"peak_rss_bytes,omitempty"`
	GCCycles     uint32  `json:"gc_cycles,omitempty"`
	// HeapGrowthBytes is the live-heap growth across rounds (leak detection).
	HeapGrowthBytes int64 `json:"heap_growth_bytes,omitempty"`
	GoroutineGrowth int   `json:"goroutine_growth,omitempty"`
}

// Counters are hardware counts per operation, when the kernel allows perf
// events. Available is false (with Reason) otherwise.
type Counters struct {
	Available       bool      `json:"available"`
	Reason          string    `json:"reason,omitempty"`
	InstructionsOp  float64   `json:"instructions_per_op,omitempty"`
	CyclesOp        float64   `json:"cycles_per_op,omitempty"`
	InstructionSamp []float64 `json:"instruction_samples,omitempty"`
}

// Verdict is the outcome of comparing one benchmark metric.
type Verdict string

const (
	Regression   Verdict = "regression"
	Improvement  Verdict = "improvement"
	Unchanged    Verdict = "unchanged"
	Inconclusive Verdict = "inconclusive"
	New          Verdict = "new"
	Missing      Verdict = "missing"
	Errored      Verdict = "errored"
	// Info marks a derived metric (MB/s, ops/s, cpu-s/op, custom units):
	// its statistics are shown beside the benchmark's primary metric, but it
	// is a function of it, so it is never tested or counted again.
	Info Verdict = "info"
)

// Roles of a row (Row.Role): what a comparison judges and counts.
const (
	// RolePrimary is the benchmark's primary metric (time per operation):
	// one per benchmark, judged and counted in the headline and the gate.
	RolePrimary = "primary"
	// RoleMemory rows (B/op, allocs/op, peak RSS) are judged on their own
	// and counted in their own gate variables (mem_regressed...).
	RoleMemory = "memory"
	// RoleDerived rows are shown only (Verdict Info).
	RoleDerived = "derived"
)

// Severity grades a regression by the size of the change (fraction worse):
// minor 20-50%, major 50-100%, critical above 100% with the default threshold.
type Severity string

const (
	NoSeverity Severity = ""
	Minor      Severity = "minor"
	Major      Severity = "major"
	Critical   Severity = "critical"
)

// Comparison is the outcome of comparing a current run with a baseline: the
// document behind every report (cmp.json).
type Comparison struct {
	Schema   string   `json:"schema"`
	Category string   `json:"category,omitempty"`
	Current  RunInfo  `json:"current"`
	Baseline *RunInfo `json:"baseline,omitempty"` // nil on a first run
	Config   Config   `json:"config"`
	Rows     []Row    `json:"rows"`
	Summary  Summary  `json:"summary"`
	Gate     Gate     `json:"gate"`
	// MachineDiffs lists differences between the baseline's and the current
	// machine ("cpu_model: AMD EPYC 7763 -> Intel Xeon 8370C").
	MachineDiffs []string      `json:"machine_diffs,omitempty"`
	Warnings     []string      `json:"warnings,omitempty"`
	Notes        []string      `json:"notes,omitempty"`
	Trends       []TrendInfo   `json:"trends,omitempty"`
	Scaling      []ScalingInfo `json:"scaling,omitempty"`
	// ReportURL points at the full report (artifact or run page) for renderers
	// that must truncate.
	ReportURL string `json:"report_url,omitempty"`
}

// RunInfo is what a report shows of one side of a comparison.
type RunInfo struct {
	Source  string  `json:"source,omitempty"`
	Run     Run     `json:"run"`
	Machine Machine `json:"machine"`
	// Artifact names the artifact the baseline came from, when it did.
	Artifact   string    `json:"artifact,omitempty"`
	ArtifactID int64     `json:"artifact_id,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	// Runs is the number of results files (runs) on this side when there
	// were several; Run and Machine are those of the first.
	Runs int `json:"runs,omitempty"`
}

// Config are the comparison settings in force.
type Config struct {
	Threshold float64 `json:"threshold"` // fraction, default 0.20
	// InstructionThreshold is the threshold (fraction) of benchmarks whose
	// primary samples are instruction counts (Unit UnitInstructions):
	// default DefaultInstructionThreshold (2%); 0 uses Threshold. Counts
	// get no run-to-run drift allowance: they do not drift with the machine.
	InstructionThreshold float64 `json:"instruction_threshold,omitempty"`
	Alpha                float64 `json:"alpha"`            // default 0.05
	MinSamples           int     `json:"min_samples"`      // default 4
	MemoryThreshold      float64 `json:"memory_threshold"` // bytes, default 100 MB
	Correction           string  `json:"correction"`       // "bh" (Benjamini-Hochberg) or "none"
	// DriftAllowance is the run-to-run drift (fraction, 0.5 = ±50%) allowed
	// for a benchmark without history when each side is one separate run:
	// a change inside it is not called a regression (docs/STATISTICS.md
	// says how the default was measured). 0 disables it: for base and head
	// measured side by side (interleaved A/B).
	DriftAllowance float64 `json:"drift_allowance"`
	// DriftWiden widens the band of the history's run medians about their
	// median: with a history, a change is inside the drift when the current
	// run's median lies inside it. 0 ignores the history's drift.
	DriftWiden float64 `json:"drift_widen"`
	// Clock chooses the primary time of benchmarks that carry both clocks
	// (Samples = wall time and a MetricCPU metric): ClockAuto (default)
	// judges single-threaded benchmarks on CPU time, which drifts far less
	// between runs on shared runners, and parallel ones on wall time;
	// ClockWall and ClockCPU force one.
	Clock  string   `json:"clock,omitempty"`
	FailOn string   `json:"fail_on,omitempty"` // gate expression
	Rules  []string `json:"rules,omitempty"`   // pytest-benchmark style rules
	// Calibration is the id of a calibration benchmark: when set and present
	// on both sides, every current time sample is multiplied by
	// baseline-calibration-median / current-calibration-median before the
	// comparison (machine-speed normalisation; off when empty).
	Calibration string `json:"calibration,omitempty"`
}

// Row is the comparison of one metric of one benchmark.
type Row struct {
	ID       string            `json:"id"`
	Category string            `json:"category,omitempty"`
	Group    string            `json:"group,omitempty"`
	Name     string            `json:"name"`
	Params   map[string]string `json:"params,omitempty"`
	// Metric is "time" for the primary samples, else the unit of a secondary
	// metric ("B/op", "allocs/op", "MB/s", "peak-rss").
	Metric    string    `json:"metric"`
	Unit      string    `json:"unit"`
	Direction Direction `json:"direction"`
	// Role is RolePrimary, RoleMemory or RoleDerived (empty in comparisons
	// written before roles existed: read as primary for "time").
	Role string `json:"role,omitempty"`
	// Clock is the clock of a primary time row: ClockCPU when the benchmark
	// was judged on its process CPU time, ClockWall (or empty) for wall time.
	Clock string `json:"clock,omitempty"`

	Verdict  Verdict  `json:"verdict"`
	Severity Severity `json:"severity,omitempty"`
	// Reason explains inconclusive, errored, new and missing verdicts and
	// failed pytest-benchmark rules.
	Reason string `json:"reason,omitempty"`
	Method string `json:"method,omitempty"` // "mann-whitney-exact", "mann-whitney-normal", "summary-only", ...

	Baseline *SampleSummary `json:"baseline,omitempty"`
	Current  *SampleSummary `json:"current,omitempty"`

	// Ratio = current median / baseline median (what benchstat reports).
	// Change is the signed fractional change in the "worse" direction:
	// +0.25 means 25% worse (slower for time, lower for MB/s), from
	// ShiftRatio when set, else Ratio.
	Ratio  float64 `json:"ratio,omitempty"`
	Change float64 `json:"change,omitempty"`
	// ShiftRatio is the Hodges-Lehmann estimate of the ratio current/baseline:
	// exp(median over all pairs (i, j) of log c_j - log b_i); with several
	// runs per side, exp of the mean per-run shift. Change and the severity
	// derive from it.
	ShiftRatio float64 `json:"shift_ratio,omitempty"`
	// CILow and CIHigh bound the 95% confidence interval of ShiftRatio:
	// Moses' distribution-free interval (order statistics of the pairwise
	// log differences) for one run per side, a t interval over runs for
	// several.
	CILow  float64 `json:"ci_low,omitempty"`
	CIHigh float64 `json:"ci_high,omitempty"`
	// Drift is the run-to-run drift allowed on this row (fraction: 0.6 =
	// ±60%) and DriftSource where it came from ("history of 12 runs",
	// "default"); 0 when none applied (A/B, several runs per side).
	Drift       float64 `json:"drift,omitempty"`
	DriftSource string  `json:"drift_source,omitempty"`
	// PastThreshold marks an inconclusive row whose estimated change is at
	// or past the regression threshold: reports name it with a warning.
	PastThreshold bool `json:"past_threshold,omitempty"`
	// drift is the band behind Drift, for decide (not serialised).
	drift driftBand
	// P is the raw two-sided Mann-Whitney p-value, Q the Benjamini-Hochberg
	// adjusted one used for the decision.
	P      float64 `json:"p"`
	Q      float64 `json:"q"`
	WelchT float64 `json:"welch_t,omitempty"`
	WelchP float64 `json:"welch_p,omitempty"`
	CohenD float64 `json:"cohen_d,omitempty"`
	// GateFailed is set on regressions that contribute to a failed gate.
	GateFailed bool `json:"gate_failed,omitempty"`
	// RuleFailures are the pytest-benchmark compare-fail messages of the
	// rules this row failed, worded as pytest-benchmark words them
	// ("Field 'mean' has failed PercentageRegressionCheck: 14.358 > 10.000").
	RuleFailures []string `json:"rule_failures,omitempty"`
}

// RoleOf is the row's Role, or for rows written before roles existed the
// role its metric implies ("time" primary, B/op, allocs/op and peak-rss
// memory, anything else derived).
func (r *Row) RoleOf() string {
	switch {
	case r.Role != "":
		return r.Role
	case r.Metric == "" || r.Metric == "time":
		return RolePrimary
	}
	return MetricRole(r.Metric)
}

// SampleSummary is one side of a row.
type SampleSummary struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Stddev float64 `json:"stddev"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	CV     float64 `json:"cv"`
	// MADRel is the robust spread 1.4826·MAD/median and IQRRel the
	// interquartile range over the median: reported, never a veto.
	MADRel  float64   `json:"mad_rel,omitempty"`
	IQRRel  float64   `json:"iqr_rel,omitempty"`
	Runs    int       `json:"runs,omitempty"` // runs pooled in Samples, when several
	Samples []float64 `json:"samples,omitempty"`
}

// Summary counts benchmarks (not rows) by the verdict of their primary
// metric: Benchmarks = Regressions + Improvements + Unchanged +
// Inconclusive + New + Missing + Errored, and Compared (judged) =
// Regressions + Improvements + Unchanged. Memory verdicts are counted
// apart (Memory*); derived metrics are not counted.
type Summary struct {
	Benchmarks   int `json:"benchmarks"` // benchmarks in total
	Compared     int `json:"compared"`   // benchmarks judged: regression, improvement or unchanged
	Regressions  int `json:"regressions"`
	Critical     int `json:"critical"`
	Major        int `json:"major"`
	Minor        int `json:"minor"`
	Improvements int `json:"improvements"`
	Unchanged    int `json:"unchanged"`
	Inconclusive int `json:"inconclusive"`
	New          int `json:"new"`
	Missing      int `json:"missing"`
	Errored      int `json:"errored"`
	// InconclusivePast counts inconclusive benchmarks whose estimated change
	// is at or past the threshold (named in the headline with a warning).
	InconclusivePast int `json:"inconclusive_past_threshold"`
	// MemoryRegressions counts benchmarks with at least one memory metric
	// (B/op, allocs/op, peak RSS) that regressed; MemoryImprovements those
	// with one that improved and none that regressed.
	MemoryRegressions  int `json:"memory_regressions"`
	MemoryImprovements int `json:"memory_improvements"`
	// RulesFailed counts benchmarks with at least one failed
	// pytest-benchmark rule.
	RulesFailed int `json:"rules_failed,omitempty"`
}

// Gate is the pass/fail decision of the CI gate with its reasons.
type Gate struct {
	Pass bool `json:"pass"`
	// Verdict is GatePass, GateFail (the expression or a rule failed) or
	// GateError (nothing could be judged: every benchmark errored,
	// inconclusive or missing, or there was none).
	Verdict string   `json:"verdict,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
	Rule    string   `json:"rule,omitempty"` // the gate expression evaluated
}

// Gate verdicts.
const (
	GatePass  = "pass"
	GateFail  = "fail"
	GateError = "error"
)

// TrendInfo is the trend of one benchmark over the history, ready to render.
type TrendInfo struct {
	ID           string        `json:"id"`
	Unit         string        `json:"unit"`
	Points       []TrendPoint  `json:"points"`
	SlopePerDay  float64       `json:"slope_per_day"` // unit per day
	SlopeCILow   float64       `json:"slope_ci_low"`
	SlopeCIHigh  float64       `json:"slope_ci_high"`
	RelSlopeDay  float64       `json:"rel_slope_per_day"`   // slope / median value
	Anomalies    []int         `json:"anomalies,omitempty"` // indices into Points
	ChangePoints []ChangePoint `json:"change_points,omitempty"`
}

// TrendPoint is one history entry of one benchmark.
type TrendPoint struct {
	Time   time.Time `json:"time"`
	Commit string    `json:"commit,omitempty"`
	Value  float64   `json:"value"` // median of that run
	Robust float64   `json:"robust_z,omitempty"`
}

// ChangePoint is a detected shift in a series.
type ChangePoint struct {
	Index  int     `json:"index"` // first point after the change
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	P      float64 `json:"p"`
}

// ScalingInfo is the complexity fit of one benchmark family over sizes.
type ScalingInfo struct {
	Family   string         `json:"family"` // benchmark id without the size param
	Unit     string         `json:"unit"`
	Points   []ScalingPoint `json:"points"`
	Best     string         `json:"best"` // "constant", "log", "linear", "nlogn", "quadratic", "power"
	Exponent float64        `json:"exponent"`
	ExpCILow float64        `json:"exponent_ci_low"`
	ExpCIHi  float64        `json:"exponent_ci_high"`
	Models   []ScalingModel `json:"models"`
}

// ScalingPoint is one (size, value) measurement.
type ScalingPoint struct {
	N     float64 `json:"n"`
	Value float64 `json:"value"`
}

// ScalingModel is one fitted model: value = Coef * f(n) (+ Intercept), or
// Coef * n^Exponent for the power law.
type ScalingModel struct {
	Name      string  `json:"name"`
	Coef      float64 `json:"coef"`
	Intercept float64 `json:"intercept"`
	Exponent  float64 `json:"exponent,omitempty"`
	AIC       float64 `json:"aic"`
	RSS       float64 `json:"rss"`
}

// Value evaluates the model at size n: Coef*f(n) + Intercept with f = 1,
// ln n, n, n ln n, n² for "constant", "log", "linear", "nlogn",
// "quadratic", and Coef*n^Exponent (+ Intercept) for "power". It returns
// NaN for an unknown model name. analysis/scaling fits with the same
// functions and the reports draw the models with it.
func (m ScalingModel) Value(n float64) float64 {
	var f float64
	switch m.Name {
	case "constant":
		f = 1
	case "log":
		f = math.Log(n)
	case "linear":
		f = n
	case "nlogn":
		f = n * math.Log(n)
	case "quadratic":
		f = n * n
	case "power":
		f = math.Pow(n, m.Exponent)
	default:
		return math.NaN()
	}
	return m.Coef*f + m.Intercept
}

// ErrSchema reports a document whose schema this version cannot read.
var ErrSchema = errors.New("unsupported schema")

// ReadResults decodes a results.json document and checks its schema.
func ReadResults(r io.Reader) (*Results, error) {
	dec := json.NewDecoder(r)
	var res Results
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("decode results: %w", err)
	}
	if err := checkSchema(res.Schema, ResultsSchema); err != nil {
		return nil, err
	}
	return &res, nil
}

// ReadResultsFile reads and checks a results.json file.
func ReadResultsFile(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	res, err := ReadResults(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// WriteResults encodes res as indented JSON, setting the schema tag.
func WriteResults(w io.Writer, res *Results) error {
	res.Schema = ResultsSchema
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	return nil
}

// WriteResultsFile writes res atomically (temporary file then rename), so a
// reader never sees half a file even when the writer is killed.
func WriteResultsFile(path string, res *Results) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return WriteResults(w, res) })
}

// ReadComparison decodes a comparison document and checks its schema.
func ReadComparison(r io.Reader) (*Comparison, error) {
	var c Comparison
	if err := json.NewDecoder(r).Decode(&c); err != nil {
		return nil, fmt.Errorf("decode comparison: %w", err)
	}
	if err := checkSchema(c.Schema, ComparisonSchema); err != nil {
		return nil, err
	}
	return &c, nil
}

// ReadComparisonFile reads and checks a comparison file.
func ReadComparisonFile(path string) (*Comparison, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open comparison: %w", err)
	}
	defer f.Close()
	c, err := ReadComparison(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// WriteComparison encodes c as indented JSON, setting the schema tag.
func WriteComparison(w io.Writer, c *Comparison) error {
	c.Schema = ComparisonSchema
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("encode comparison: %w", err)
	}
	return nil
}

// WriteComparisonFile writes c atomically.
func WriteComparisonFile(path string, c *Comparison) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return WriteComparison(w, c) })
}

// checkSchema accepts the same family and major version ("xpcs-perf/results/v1")
// and rejects others, naming both.
func checkSchema(got, want string) error {
	if got == "" {
		return fmt.Errorf("%w: no \"schema\" field (want %q)", ErrSchema, want)
	}
	if got == want {
		return nil
	}
	// Only a larger major version of the same family is "newer": v0 or a
	// malformed version is merely unsupported.
	i := strings.LastIndex(want, "/v")
	gv, gerr := strconv.Atoi(strings.TrimPrefix(got, want[:i+2]))
	wv, _ := strconv.Atoi(want[i+2:])
	if i > 0 && strings.HasPrefix(got, want[:i+2]) && gerr == nil && gv > wv && got[i+2] != '+' {
		return fmt.Errorf("%w: %q was written by a newer xpcs-perf than this one (reads %q); upgrade the action or re-create the baseline", ErrSchema, got, want)
	}
	return fmt.Errorf("%w: %q (want %q)", ErrSchema, got, want)
}

// WriteFileAtomic writes path through a temporary file in the same folder
// (created when missing) and renames it into place, so a reader never sees
// half a file even when the writer is killed. The file gets mode 0644.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
