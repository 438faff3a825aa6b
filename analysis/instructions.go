package analysis

import "slices"

// Instruction counts (xpcs-perf run --metric instructions): the runner
// executes itself under Valgrind's callgrind and records, per round, the
// guest instructions executed by every thread of the process while the
// round's operations ran, divided by the iterations. Such a benchmark's
// primary samples are these counts: Benchmark.Unit is UnitInstructions,
// Samples are instructions per operation (lower is better), the same samples
// are repeated under Metrics[MetricInstructions], and the wall time under
// Valgrind (meaningless as a time) is only shown (MetricValgrindWall).
const (
	// UnitInstructions is the unit of instruction counts per operation.
	UnitInstructions = "instr/op"
	// MetricInstructions is the metric key of the instruction counts.
	MetricInstructions = "instructions"
	// MetricValgrindWall is the metric key of the wall time per operation
	// measured under Valgrind (shown, never judged: Valgrind slows code
	// 5-100x, unevenly).
	MetricValgrindWall = "valgrind-wall-s/op"
)

// DefaultInstructionThreshold is Config.InstructionThreshold's default: the
// regression threshold of benchmarks whose primary samples are instruction
// counts. Counts of one build repeat to within 0.1-0.5% between runs (Go's
// runtime: GC timing, map seeds; docs/perf/instructions.md), so 2% stays
// four times above that spread and far below the 20% that time needs.
const DefaultInstructionThreshold = 0.02

// countsInstructions reports whether b's primary samples are instruction
// counts.
func countsInstructions(b *Benchmark) bool { return b.Unit == UnitInstructions }

// anyCountsInstructions reports whether any of the runs counts instructions.
func anyCountsInstructions(bs ...[]*Benchmark) bool {
	for _, side := range bs {
		if slices.ContainsFunc(side, countsInstructions) {
			return true
		}
	}
	return false
}

// thresholdFor is the regression threshold of row r: InstructionThreshold
// (when set) for a primary row in instructions, else Threshold.
func (c Config) thresholdFor(r *Row) float64 {
	if r.Unit == UnitInstructions && r.RoleOf() == RolePrimary && c.InstructionThreshold > 0 {
		return c.InstructionThreshold
	}
	return c.Threshold
}
