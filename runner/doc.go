// Package runner is xpcs-perf's benchmark engine: a [Registry] of
// benchmarks, a [Runner] that measures them, results in the analysis model
// and exports. It links neither libhdf5 nor the XPCS kernels; the six XPCS
// categories are package runner/suite, and anyone can register their own Go
// benchmarks (examples/custombench).
//
// # Measurement
//
// A [Benchmark] is registered with a category, group, name and params and
// measured by a [Runner] the way pytest-benchmark measures a function:
//
//  1. Setup (untimed) returns the operation to time.
//  2. Calibration, after one untimed first call: the iterations per round
//     are extrapolated (ceil(1.2 × min_time × n / duration), at most 100×
//     per step) until one round lasts at least
//     max(Config.MinTime, 10 × timer precision), as pytest-benchmark's
//     calibration does (its calibration_precision is 10).
//  3. Warm-up: Config.WarmupRounds untimed rounds.
//  4. Rounds: Config.Rounds timed rounds (never fewer than Config.MinRounds);
//     the number of rounds is reduced (down to MinRounds) when the calibrated
//     estimate would exceed Config.MaxTime. Each round's elapsed time divided
//     by its iterations is one raw sample in seconds per operation.
//
// Pedantic mode ([Pedantic]) fixes rounds and iterations and runs an untimed
// setup before every round, like pytest-benchmark's benchmark.pedantic.
//
// Alongside time, every benchmark records bytes and allocations per
// operation (runtime.MemStats deltas per round, as testing.B does), GC
// cycles, the live-heap growth across rounds (runtime.GC before and after the
// rounds; leak detection), goroutine growth, the peak resident set size
// (VmHWM, reset per benchmark through /proc/self/clear_refs where the kernel
// allows it) and, when perf events are permitted, hardware instructions and
// cycles per operation (see [Counters]).
//
// # Isolation
//
// Go cannot kill a goroutine. Each benchmark therefore runs in its own
// goroutine (locked to an OS thread so that perf counters follow it) and the
// runner waits for it with a deadline of Config.MaxTime plus a grace period.
// A panic is recovered and recorded; an error returned by the operation is
// recorded; on timeout the goroutine is abandoned (it keeps running in the
// background, which the results' notes say, because it may disturb later
// benchmarks) and the benchmark is marked errored. SIGINT/SIGTERM cancel the
// run's context; the results measured so far are returned and written
// atomically by the caller (analysis.WriteResultsFile).
//
// A panic in a goroutine that the benchmark itself starts cannot be
// recovered by anyone but that goroutine (Go then ends the process); the CLI
// therefore writes results.json after every benchmark (Runner.Checkpoint), so
// what was measured before survives such a crash.
//
// A benchmark abandoned while holding a lock the next ones need (package h5
// serialises libhdf5 calls) would block the benchmarks after it; they
// then time out in turn and are recorded as errored rather than hanging the
// run. A subprocess per benchmark would isolate completely but costs a
// process start and the shared synthetic data per benchmark; it is not done.
//
// # Steadier figures on shared machines
//
// Time is wall-clock. Each round also records the process CPU time per
// operation (metric [CPUMetric]), which does not grow while the benchmark
// waits for a CPU on a loaded machine, and, where the kernel exposes a PMU,
// instructions per operation. docs/perf/runner.md shows their run-to-run
// spread.
//
// # Configuration
//
// [DefaultConfig] equals the seed's PERFORMANCE_CONFIG. A JSON file in the
// user's repository (.xpcs-perf.json, [LoadConfigFile]) overrides it with the
// keys of [Config] ("rounds", "warmup_rounds", "max_time": "30s", "min_time",
// "time_budget", "sizes", "filter", "memory_intensive", ...); unknown keys
// are errors. CLI flags override the file. XPCS_PERFORMANCE_DEBUG=1 logs
// calibration and planning decisions; XPCS_PERF_INJECT_SLOWDOWN (see
// [ParseSlowdown]) is a testing aid that really slows matching benchmarks.
//
// # Sizes
//
// The size param follows DESIGN.md (frames × rows × cols): tiny 100×64×64,
// small 500×128×128, medium 1000×256×256, large 2000×512×512,
// xlarge 5000×1024×1024.
package runner
