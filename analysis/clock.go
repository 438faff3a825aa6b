package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// MetricCPU is the metric key (and unit) of a benchmark's process CPU time
// per operation, in seconds, recorded beside its wall time (Samples).
const MetricCPU = "cpu-s/op"

// MetricWall is Row.Metric of the wall-time row shown beside a benchmark
// judged on CPU time.
const MetricWall = "wall"

// Clocks (Config.Clock, Row.Clock).
const (
	ClockAuto = "auto"
	ClockWall = "wall"
	ClockCPU  = "cpu"
)

// MarkerParallel is the marker (Benchmark.Markers) of a benchmark whose
// operation runs on several threads: it is judged on wall time. Params
// "workers", "goroutines", "threads" or "procs" above 1 say the same.
const MarkerParallel = "parallel"

// declaredParallel reports whether b says it runs on several threads.
func declaredParallel(b *Benchmark) bool { return DeclaresParallel(b.Markers, b.Params) }

// DeclaresParallel reports whether a benchmark with these markers and
// params says it runs on several threads: MarkerParallel, or a "workers",
// "goroutines", "threads" or "procs" param above 1.
func DeclaresParallel(markers []string, params map[string]string) bool {
	if slices.Contains(markers, MarkerParallel) {
		return true
	}
	for _, k := range []string{"workers", "goroutines", "threads", "procs"} {
		if n, err := strconv.Atoi(params[k]); err == nil && n > 1 {
			return true
		}
	}
	return false
}

// MaxSingleThreadCPU is the largest median ratio CPU time / wall time of
// a round for which a benchmark counts as single-threaded (GC workers add a
// little CPU time beside the benchmark's own thread; a parallel benchmark
// on two idle cores shows up to 2).
const MaxSingleThreadCPU = 1.15

// chooseClock decides which clock judges a benchmark present in runs bs
// (baseline) and cs (current), and why. With ClockAuto it is CPU time when
// every run on both sides has one CPU sample per wall sample, all positive,
// and a median per-round CPU/wall ratio at most MaxSingleThreadCPU
// (single-threaded), unless a run declares itself parallel (MarkerParallel
// or a workers/goroutines/threads/procs param above 1: on busy cores the
// ratio alone cannot tell, and CPU time would hide a loss of parallelism)
// or its Extra["clock"] is "wall" (a benchmark whose time is waiting on
// purpose); wall time otherwise. Measured on this
// project's 2-vCPU runners: the CPU time of single-threaded benchmarks drifts
// several times less between runs than their wall time, while for parallel
// benchmarks (OpenBLAS, worker pools) CPU time drifts more
// (docs/STATISTICS.md).
func chooseClock(bs, cs []*Benchmark, cfg Config) (clock, why string) {
	if cfg.Clock == ClockWall || anyCountsInstructions(bs, cs) {
		return ClockWall, "" // instruction counts are the primary samples, not a clock
	}
	worst := 0.0
	for _, b := range append(slices.Clone(bs), cs...) {
		if c, _ := b.Extra["clock"].(string); (c == ClockWall || declaredParallel(b)) && cfg.Clock != ClockCPU {
			return ClockWall, ""
		}
		cpu := b.Metrics[MetricCPU].Samples
		if len(cpu) == 0 || len(cpu) != len(b.Samples) {
			return ClockWall, ""
		}
		ratios := make([]float64, len(cpu))
		for i, x := range cpu {
			w := b.Samples[i]
			if !(x > 0) || !(w > 0) || math.IsInf(x, 0) || math.IsInf(w, 0) {
				return ClockWall, ""
			}
			ratios[i] = x / w
		}
		slices.Sort(ratios)
		worst = max(worst, Quantile(ratios, 0.5))
	}
	if cfg.Clock == ClockCPU {
		return ClockCPU, "judged on process CPU time (forced)"
	}
	if worst > MaxSingleThreadCPU {
		return ClockWall, ""
	}
	return ClockCPU, fmt.Sprintf("judged on process CPU time: single-threaded (median CPU/wall per round at most %.2f on every run), and CPU time drifts less between runs on shared runners than wall time (shown)", worst)
}

// ExtraABPairs is the Extra key of an interleaved A/B result (xpcs-perf ab):
// the pair index of every sample. When the baseline and the current run of a
// benchmark carry the same pairs, CompareRuns uses a paired test (see
// MethodWilcoxonSignedRank).
const ExtraABPairs = "ab_pairs"
