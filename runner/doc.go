// Package runner is xpcs-perf's benchmark engine: a [Registry] of
// benchmarks, a [Runner] that measures them, results in the analysis model
// and exports. It links neither libhdf5 nor the XPCS kernels; the six XPCS
// categories are package runner/suite, and anyone can register their own Go
// benchmarks (examples/custombench).
//
// A [Runner] measures each benchmark as pytest-benchmark measures a
// function: untimed setup, one untimed first call, calibration of the
// iterations per round to Config.MinTime, warm-up, then Config.Rounds timed
// rounds within Config.MaxTime. Per round it records the time, the CPU time,
// bytes and allocations and, where perf events are allowed, instructions per
// operation. Each benchmark runs on a goroutine of its own, so a panic, an
// error or a timeout is recorded, not fatal. The configuration is
// [DefaultConfig], overlaid by .xpcs-perf.json ([LoadConfigFile]) and by the
// command line or the action's inputs ([Config.Apply]). docs/ARCHITECTURE.md
// ("The engine") describes measurement, isolation and configuration in full.
package runner
