// Package analysis holds the result model of xpcs-perf (results.json and the
// comparison report) and the pure functions that decide regressions: ratio of
// medians, the two-sided Mann-Whitney U test with Benjamini-Hochberg control
// across the suite, Hodges-Lehmann changes with distribution-free confidence
// intervals, the run-to-run drift allowance, severities and the CI gate.
//
// The package knows nothing of GitHub, the network or files it did not open:
// every function takes values and returns values. Ingest adapters live in
// analysis/ingest, history trends in analysis/trend and complexity fits in
// analysis/scaling; they all produce the types declared here.
//
// Entry points: Compare(baseline, current, DefaultConfig()) builds the
// Comparison (rows, summary, gate); ParseGate/EvalGate evaluate gate
// expressions such as DefaultGate; ParseRules/Rule.Check reproduce
// pytest-benchmark's --benchmark-compare-fail; MachineDiff lists machine
// differences. The methods and the detection study are in docs/STATISTICS.md.
//
// Units: a benchmark's primary samples are in its Unit (seconds per operation,
// "s", for everything xpcs-perf measures itself). Ratios are current/baseline of
// the medians, so a ratio of 1.25 for a lower-is-better metric is a 25%
// slowdown.
package analysis
