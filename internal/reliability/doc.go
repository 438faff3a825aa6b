// Package reliability holds the end-to-end hostile-input, fault and load
// tests of xpcs-perf that cross packages, and the small tools they need: a
// fault-injecting HTTP handler to put in front of the fake GitHub API
// (Injector), a list of hostile strings for injection tests (Hostile), and
// generators of large synthetic suites and histories (SynthResults,
// SynthHistory) for the load test.
//
// The tests drive the real pipeline (action.Run, analysis.Compare, the
// comment renderers, ghapi.Unzip, h5) with bad inputs and faults and check
// three things each time: no panic, a clear message that names the thing at
// fault, and nothing measured lost (results.json written with every
// benchmark). docs/RELIABILITY.md lists every case with the message a user
// sees; `make reliability` reproduces all of it (fuzzing for FUZZTIME per
// target, the hostile and fault tests, the load figures).
//
// The load test at full size (10,000 benchmarks, a 1,000-run history) runs
// with `go test -run TestLoad -reliability.load ./reliability/`; without the
// flag it runs at a tenth of the size so `go test ./reliability/` stays fast.
package reliability
