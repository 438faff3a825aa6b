package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Config holds the engine settings. The defaults ([DefaultConfig]) are the
// seed's PERFORMANCE_CONFIG; a repository overrides them with a JSON file
// (conventionally .xpcs-perf.json, see [LoadConfigFile]) and the CLI with flags.
type Config struct {
	// Rounds is the number of timed rounds (seed: 10); never below MinRounds.
	Rounds int `json:"rounds"`
	// MinRounds is the floor when MaxTime shortens a benchmark (seed: 5).
	MinRounds int `json:"min_rounds"`
	// WarmupRounds are untimed rounds before measuring (seed: 3).
	WarmupRounds int `json:"warmup_rounds"`
	// MaxTime is the planned and hard time limit per benchmark (seed: 30 s).
	// Rounds are reduced (to MinRounds) to fit; a benchmark still running at
	// MaxTime + Grace is abandoned and recorded as errored.
	MaxTime Duration `json:"max_time"`
	// MinTime is the minimum duration of one round; calibration raises the
	// iterations per round until a round lasts max(MinTime, 10 × timer
	// precision). Default 10 ms (pytest-benchmark's 5 µs suits Python's
	// interpreter overhead, not Go's nanosecond loops).
	MinTime Duration `json:"min_time"`
	// Grace is added to MaxTime before a benchmark is abandoned (default 10 s).
	Grace Duration `json:"grace"`
	// TimeBudget bounds the whole run; benchmarks not started when it runs
	// out are skipped and named (default 5 min, 0 = unlimited).
	TimeBudget Duration `json:"time_budget"`

	// MemoryThresholdMB (seed: 1024) decides whether memory_intensive
	// benchmarks may run: the machine needs that much available memory.
	// (The seed's regression threshold and confidence belong to the
	// comparison: analysis.DefaultConfig.)
	MemoryThresholdMB float64 `json:"memory_threshold_mb"`

	// Selection.
	Categories      []string `json:"categories,omitempty"`
	Sizes           []string `json:"sizes,omitempty"`
	Filter          string   `json:"filter,omitempty"` // regexp on the benchmark ID
	MemoryIntensive bool     `json:"memory_intensive,omitempty"`
	Shard           string   `json:"shard,omitempty"` // "i/n", 1-based

	// Metric is what the rounds measure: MetricModeTime ("" or "time",
	// the default) or MetricModeInstructions ("instructions": instruction
	// counts under callgrind; the runner must run under it, see
	// CallgrindCommand).
	Metric string `json:"metric,omitempty"`
	// CacheSim adds callgrind's cache simulation to an instruction count
	// and the estimated cycles per operation (EstimatedCycles) as a shown
	// metric (about twice as slow).
	CacheSim bool `json:"cache_sim,omitempty"`
	// Counters enables perf_event_open hardware counters (default true).
	Counters bool `json:"counters"`
	// ProfileDir, when set, receives <id>.cpu.pprof and <id>.heap.pprof.
	ProfileDir string `json:"profile_dir,omitempty"`
	// Slowdown injects an artificial slowdown (testing aid), see [ParseSlowdown].
	Slowdown string `json:"inject_slowdown,omitempty"`
	// Data are extra HDF5 files for benchmarks that read user data.
	Data []string `json:"data,omitempty"`
	// Debug turns on detailed logging (XPCS_PERFORMANCE_DEBUG=1).
	Debug bool `json:"debug,omitempty"`
}

// DefaultConfig returns the seed's PERFORMANCE_CONFIG plus the engine's own
// defaults.
func DefaultConfig() Config {
	return Config{
		Rounds:            10,
		MinRounds:         5,
		WarmupRounds:      3,
		MaxTime:           Duration(30 * time.Second),
		MinTime:           Duration(10 * time.Millisecond),
		Grace:             Duration(10 * time.Second),
		TimeBudget:        Duration(5 * time.Minute),
		MemoryThresholdMB: 1024,
		Sizes:             []string{"tiny", "small"},
		Counters:          true,
	}
}

// ConfigFileName is the file LoadConfigFile's callers look for in the user's
// repository root.
const ConfigFileName = ".xpcs-perf.json"

// LoadConfigFile overlays the JSON object in path on c. Unknown keys are an
// error (a typo must not silently keep a default). Durations are Go duration
// strings ("30s") or seconds as numbers. A missing file is not an error when
// optional is true.
func LoadConfigFile(c *Config, path string, optional bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("config %s: %w", path, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// DebugEnv is the environment variable that turns on detailed logging
// (XPCS_PERFORMANCE_DEBUG=1), like Config.Debug.
const DebugEnv = "XPCS_PERFORMANCE_DEBUG"

// Overrides are the settings a run takes over the defaults and
// .xpcs-perf.json: the run command's flags, the action's inputs. A zero
// field keeps the setting, but for Warmup and TimeBudget, where 0 is a
// value and a negative one keeps it.
type Overrides struct {
	Categories, Sizes, Data []string
	Filter                  string
	Rounds                  int // also lowers MinRounds to Rounds
	Warmup                  int // < 0: keep
	MaxTime, MinTime        time.Duration
	TimeBudget              time.Duration // < 0: keep; 0: unlimited
	Shard                   string
	ProfileDir              string
	MemoryIntensive         bool // adds to the file's setting
	NoCounters              bool
	Debug                   bool   // adds to the file's setting and DebugEnv
	Slowdown                string // else SlowdownEnv, else the file's setting
	Metric                  string // "time" or "instructions" ("": keep)
	CacheSim                bool   // adds to the file's setting
}

// Apply overlays o on c, reading SlowdownEnv and DebugEnv through getenv:
// the one place where a run's configuration is put together (the run
// command and the action both call it after LoadConfigFile).
func (c *Config) Apply(o Overrides, getenv func(string) string) {
	if len(o.Categories) > 0 {
		c.Categories = o.Categories
	}
	if len(o.Sizes) > 0 {
		c.Sizes = o.Sizes
	}
	if len(o.Data) > 0 {
		c.Data = o.Data
	}
	if o.Filter != "" {
		c.Filter = o.Filter
	}
	if o.Rounds > 0 {
		c.Rounds = o.Rounds
		c.MinRounds = min(c.MinRounds, o.Rounds)
	}
	if o.Warmup >= 0 {
		c.WarmupRounds = o.Warmup
	}
	if o.MaxTime > 0 {
		c.MaxTime = Duration(o.MaxTime)
	}
	if o.MinTime > 0 {
		c.MinTime = Duration(o.MinTime)
	}
	if o.TimeBudget >= 0 {
		c.TimeBudget = Duration(o.TimeBudget)
	}
	if o.Shard != "" {
		c.Shard = o.Shard
	}
	if o.ProfileDir != "" {
		c.ProfileDir = o.ProfileDir
	}
	c.MemoryIntensive = c.MemoryIntensive || o.MemoryIntensive
	slowdown := o.Slowdown
	if slowdown == "" {
		slowdown = getenv(SlowdownEnv)
	}
	if slowdown != "" {
		c.Slowdown = slowdown
	}
	if o.Metric != "" {
		c.Metric = o.Metric
	}
	c.CacheSim = c.CacheSim || o.CacheSim
	c.Counters = c.Counters && !o.NoCounters
	c.Debug = c.Debug || o.Debug || getenv(DebugEnv) == "1"
}

// Validate checks the settings for values the engine cannot honour.
func (c *Config) Validate() error {
	switch {
	case c.Rounds < 1:
		return fmt.Errorf("rounds must be >= 1, got %d", c.Rounds)
	case c.MinRounds < 1:
		return fmt.Errorf("min_rounds must be >= 1, got %d", c.MinRounds)
	case c.WarmupRounds < 0:
		return fmt.Errorf("warmup_rounds must be >= 0, got %d", c.WarmupRounds)
	case c.MaxTime <= 0:
		return fmt.Errorf("max_time must be > 0, got %v", c.MaxTime)
	case c.MinTime < 0:
		return fmt.Errorf("min_time must be >= 0, got %v", c.MinTime)
	case c.Metric != "" && c.Metric != MetricModeTime && c.Metric != MetricModeInstructions:
		return fmt.Errorf("metric %q: want %s or %s", c.Metric, MetricModeTime, MetricModeInstructions)
	}
	for _, s := range c.Sizes {
		if _, ok := Sizes[s]; !ok {
			return fmt.Errorf("unknown size %q (want one of %s)", s, strings.Join(SizeNames, ","))
		}
	}
	if c.Shard != "" {
		if _, _, err := analysis.ParseShard(c.Shard); err != nil {
			return err
		}
	}
	if c.Slowdown != "" {
		if _, err := ParseSlowdown(c.Slowdown); err != nil {
			return err
		}
	}
	return nil
}

// Map returns the settings recorded in results.json's "config".
func (c *Config) Map() map[string]any {
	m := map[string]any{
		"rounds":              c.Rounds,
		"min_rounds":          c.MinRounds,
		"warmup_rounds":       c.WarmupRounds,
		"max_time_s":          time.Duration(c.MaxTime).Seconds(),
		"min_time_s":          time.Duration(c.MinTime).Seconds(),
		"time_budget_s":       time.Duration(c.TimeBudget).Seconds(),
		"memory_threshold_mb": c.MemoryThresholdMB,
		"sizes":               c.Sizes,
	}
	if len(c.Categories) > 0 {
		m["categories"] = c.Categories
	}
	if c.Filter != "" {
		m["filter"] = c.Filter
	}
	if c.Shard != "" {
		m["shard"] = c.Shard
	}
	if c.Slowdown != "" {
		m["inject_slowdown"] = c.Slowdown
	}
	if c.MemoryIntensive {
		m["memory_intensive"] = true
	}
	if c.Metric != "" {
		m["metric"] = c.Metric
	}
	if c.CacheSim {
		m["cache_sim"] = true
	}
	return m
}

// Duration is a time.Duration that reads from JSON as a Go duration string
// ("30s", "250ms") or as a number of seconds, and writes as a string.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string or seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("duration %s: want a string like \"30s\" or seconds", b)
	}
	*d = Duration(f * float64(time.Second))
	return nil
}

// Size is a synthetic data size: frames × rows × cols.
type Size struct {
	Name               string
	Frames, Rows, Cols int
}

// Pixels is Rows × Cols.
func (s Size) Pixels() int { return s.Rows * s.Cols }

// Elements is Frames × Rows × Cols.
func (s Size) Elements() int { return s.Frames * s.Rows * s.Cols }

// SizeNames lists the sizes from smallest to largest.
var SizeNames = []string{"tiny", "small", "medium", "large", "xlarge"}

// Sizes are DESIGN.md's sizes by name.
var Sizes = map[string]Size{
	"tiny":   {"tiny", 100, 64, 64},
	"small":  {"small", 500, 128, 128},
	"medium": {"medium", 1000, 256, 256},
	"large":  {"large", 2000, 512, 512},
	"xlarge": {"xlarge", 5000, 1024, 1024},
}
