package analysis

import (
	"fmt"
	"strings"
)

// Leak thresholds of LeakWarnings. The runner measures
// Memory.HeapGrowthBytes as the live heap after a final GC minus the live
// heap before the first round, so a benchmark that frees what it allocates
// shows a growth near 0 and a cache that legitimately keeps its last
// result a growth near one operation's allocation.
const (
	// LeakHeapFloor is the heap growth (bytes) below which no leak is
	// suspected whatever the bytes/op: the runtime's own noise. It equals the
	// memory category's runner.LeakThreshold (1 MiB).
	LeakHeapFloor = 1 << 20
	// LeakHeapPerOp is the multiple of Memory.BytesPerOp above which the
	// heap growth is suspected: more than this many operations' worth of
	// allocation still live after the benchmark.
	LeakHeapPerOp = 4
	// maxLeakWarnings bounds the warnings, one per benchmark, so a suite
	// that leaks everywhere does not crowd out the rest of the comment.
	maxLeakWarnings = 10
)

// LeakSuspected reports whether the current run of b looks like it leaks,
// and why: goroutines left running after its rounds (GoroutineGrowth > 0),
// or a live-heap growth above max(LeakHeapFloor, LeakHeapPerOp * BytesPerOp).
// Benchmarks that errored (a timed-out body leaves its goroutine behind) or
// have no memory profile are never suspected.
func LeakSuspected(b *Benchmark) (bool, string) {
	if b == nil || b.Memory == nil || b.Error != "" {
		return false, ""
	}
	m := b.Memory
	var why []string
	limit := max(float64(LeakHeapFloor), LeakHeapPerOp*m.BytesPerOp)
	if g := float64(m.HeapGrowthBytes); g > limit {
		why = append(why, fmt.Sprintf("live heap grew by %s across its rounds (threshold %s = max(1 MiB, %d × %.0f B/op))",
			mib(g), mib(limit), LeakHeapPerOp, m.BytesPerOp))
	}
	if m.GoroutineGrowth > 0 {
		why = append(why, fmt.Sprintf("%d goroutine(s) left running", m.GoroutineGrowth))
	}
	return len(why) > 0, strings.Join(why, "; ")
}

// LeakWarnings returns one Comparison warning per current benchmark whose
// LeakSuspected is true ("possible leak in <id>: ..."), at most
// maxLeakWarnings of them plus a count of the rest.
func LeakWarnings(current []Benchmark) []string {
	var out []string
	more := 0
	for i := range current {
		ok, why := LeakSuspected(&current[i])
		if !ok {
			continue
		}
		if len(out) == maxLeakWarnings {
			more++
			continue
		}
		out = append(out, fmt.Sprintf("possible leak in %s: %s", current[i].ID, why))
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("possible leak in %d more benchmark(s): see memory.heap_growth_bytes and memory.goroutine_growth in results.json", more))
	}
	return out
}

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
