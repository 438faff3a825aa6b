package runner

import (
	"context"
	"fmt"
	"log"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"sync"
)

// Marker names with a meaning for the engine.
const (
	// MemoryIntensive benchmarks run only when asked (Config.MemoryIntensive)
	// and when the machine has Config.MemoryThresholdMB of memory available.
	MemoryIntensive = "memory_intensive"
	// Slow marks benchmarks that take seconds per round.
	Slow = "slow"
	// IO marks benchmarks whose operation waits on files (or other I/O):
	// they are not run when counting instructions (Config.Metric), since
	// an instruction count does not measure the waiting.
	IO = "io"
)

// Benchmark is one registered benchmark.
type Benchmark struct {
	Category string
	Group    string
	Name     string
	// Params identify the variant (size, threads, method...); they are part
	// of the ID. The "size" param selects by Config.Sizes.
	Params  map[string]string
	Markers []string
	// Extra is copied into the result's extra (pytest-benchmark's extra_info).
	Extra map[string]any
	// Setup prepares the benchmark (untimed) and returns the operation to
	// time. It may return an error (recorded, the run goes on).
	Setup func(env *Env) (*Op, error)
}

// Op is what a benchmark's Setup returns.
type Op struct {
	// Run is one operation; its time is the measured quantity.
	Run func() error
	// Before is the "before" variant of a paired before/after benchmark
	// (optional): it is calibrated on its own and timed in the same rounds as
	// Run, interleaved in alternating order. Its samples go into the metric
	// BeforeMetric and the improvement (before/after ratio of medians with a
	// bootstrap 95% CI) into extra.
	Before func() error
	// Pedantic fixes rounds and iterations (optional).
	Pedantic *Pedantic
	// Teardown releases what Setup acquired (optional; untimed).
	Teardown func() error
	// Bytes processed per operation (optional): when set, the result carries
	// an "MB/s" metric (higher is better) with one sample per round, as
	// testing.B.SetBytes does.
	Bytes int64
}

// Pedantic is pytest-benchmark's pedantic mode: fixed rounds and iterations,
// with an untimed Setup before every round.
type Pedantic struct {
	Rounds       int
	Iterations   int
	WarmupRounds int
	// Setup runs before every round, outside the timed region (optional).
	Setup func() error
}

// ID returns the stable ID "category/group/name[k=v,...]" (params sorted by
// key; no brackets without params).
func (b *Benchmark) ID() string { return FormatID(b.Category, b.Group, b.Name, b.Params) }

// FormatID builds a benchmark ID from its parts.
func FormatID(category, group, name string, params map[string]string) string {
	id := category + "/" + group + "/" + name
	if len(params) == 0 {
		return id
	}
	keys := slices.Sorted(maps.Keys(params))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + params[k]
	}
	return id + "[" + strings.Join(parts, ",") + "]"
}

// Size returns the benchmark's size param ("" when it has none).
func (b *Benchmark) Size() string { return b.Params["size"] }

// HasMarker reports whether b carries marker m.
func (b *Benchmark) HasMarker(m string) bool { return slices.Contains(b.Markers, m) }

// Env is what a benchmark's Setup sees.
type Env struct {
	// Ctx is cancelled when the run is interrupted or the benchmark times
	// out; long operations should check it.
	Ctx    context.Context
	Params map[string]string
	// Size is Sizes[Params["size"]] (zero when there is no size param).
	Size Size
	// TempDir is a fresh folder removed after the benchmark.
	TempDir string
	// Data are the user's --data files.
	Data []string
	// Logf logs when debugging is on.
	Logf func(format string, args ...any)

	mu    sync.Mutex
	extra map[string]any
}

// SetExtra records a key in the result's extra (safe from any goroutine).
func (e *Env) SetExtra(key string, v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.extra == nil {
		e.extra = map[string]any{}
	}
	e.extra[key] = v
}

// Extra returns the value SetExtra recorded for key (nil when none).
func (e *Env) Extra(key string) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.extra[key]
}

// Int returns the integer param key, or def when absent or malformed.
func (e *Env) Int(key string, def int) int {
	if v, ok := e.Params[key]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// Registry holds benchmarks by ID. The zero value is empty and ready.
type Registry struct {
	mu    sync.Mutex
	bench []*Benchmark
	ids   map[string]bool
}

// Register adds b. It panics on an empty category/name or a duplicate ID
// (a programming error at init time, like flag redefinition).
func (r *Registry) Register(b *Benchmark) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b.Category == "" || b.Name == "" || b.Setup == nil {
		panic(fmt.Sprintf("runner: benchmark %q needs a category, a name and a Setup", b.ID()))
	}
	if r.ids == nil {
		r.ids = map[string]bool{}
	}
	id := b.ID()
	if r.ids[id] {
		panic("runner: duplicate benchmark " + id)
	}
	r.ids[id] = true
	r.bench = append(r.bench, b)
}

// All returns every benchmark sorted by ID.
func (r *Registry) All() []*Benchmark {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.bench)
	sort.SliceStable(out, func(i, j int) bool { return lessBench(out[i], out[j]) })
	return out
}

// lessBench orders by category, group, size (tiny..xlarge), then ID.
func lessBench(a, b *Benchmark) bool {
	if a.Category != b.Category {
		return a.Category < b.Category
	}
	if a.Group != b.Group {
		return a.Group < b.Group
	}
	sa, sb := slices.Index(SizeNames, a.Size()), slices.Index(SizeNames, b.Size())
	if sa != sb {
		return sa < sb
	}
	return a.ID() < b.ID()
}

// Categories lists the registered categories.
func (r *Registry) Categories() []string {
	seen := map[string]bool{}
	for _, b := range r.All() {
		seen[b.Category] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// Selection is the outcome of Select: what runs and what was left out, with
// why.
type Selection struct {
	Run     []*Benchmark
	Skipped []Skip
}

// Skip is a benchmark left out with the reason.
type Skip struct {
	ID     string
	Reason string
}

// Select applies the category, size, regex, marker and shard filters of c.
// Benchmarks without a size param pass any size filter. availableMB is the
// machine's available memory (0 = unknown, treated as enough).
func (r *Registry) Select(c *Config, availableMB float64) (*Selection, error) {
	var re *regexp.Regexp
	if c.Filter != "" {
		var err error
		if re, err = regexp.Compile(c.Filter); err != nil {
			return nil, fmt.Errorf("filter %q: %w", c.Filter, err)
		}
	}
	cats := r.Categories()
	for _, cat := range c.Categories {
		if !slices.Contains(cats, cat) {
			return nil, fmt.Errorf("unknown category %q (known: %s)", cat, strings.Join(cats, ", "))
		}
	}
	shardI, shardN := 1, 1
	if c.Shard != "" {
		var err error
		if shardI, shardN, err = analysis.ParseShard(c.Shard); err != nil {
			return nil, err
		}
	}
	sel := &Selection{}
	for _, b := range r.All() {
		id := b.ID()
		switch {
		case len(c.Categories) > 0 && !slices.Contains(c.Categories, b.Category):
			continue
		case b.Size() != "" && len(c.Sizes) > 0 && !slices.Contains(c.Sizes, b.Size()):
			continue
		case re != nil && !re.MatchString(id):
			continue
		case shardN > 1 && analysis.ShardOf(id, shardN) != shardI:
			continue
		}
		if b.HasMarker(MemoryIntensive) {
			if !c.MemoryIntensive {
				sel.Skipped = append(sel.Skipped, Skip{id, "memory_intensive: not requested (--memory-intensive)"})
				continue
			}
			if availableMB > 0 && availableMB < c.MemoryThresholdMB {
				sel.Skipped = append(sel.Skipped, Skip{id, fmt.Sprintf("memory_intensive: %.0f MB available < %.0f MB threshold", availableMB, c.MemoryThresholdMB)})
				continue
			}
		}
		if why := notCountable(c, b); why != "" {
			sel.Skipped = append(sel.Skipped, Skip{id, why})
			continue
		}
		sel.Run = append(sel.Run, b)
	}
	return sel, nil
}

// notCountable says why b is left out of an instruction-counting run ("" when
// it is not): its operation waits on I/O or runs on several threads, and an
// instruction count measures neither the waiting nor the parallel speed-up
// (callgrind serialises the threads and counts all of them).
func notCountable(c *Config, b *Benchmark) string {
	if c.Metric != MetricModeInstructions {
		return ""
	}
	switch {
	case b.HasMarker(IO):
		return "io: an instruction count does not measure waiting on I/O (measure it with --metric time)"
	case analysis.DeclaresParallel(b.Markers, b.Params):
		return "parallel: callgrind serialises threads, so an instruction count does not measure waiting or parallel speed-up (measure it with --metric time)"
	}
	return ""
}

// debugLogger returns a Logf that writes when on.
func debugLogger(on bool, l *log.Logger) func(string, ...any) {
	if !on || l == nil {
		return func(string, ...any) {}
	}
	return l.Printf
}
