// Package ingest reads benchmark results written by other tools into the
// shared model (analysis.Results), so that one comparison engine serves every
// source. Four formats are recognised from the first bytes of the input
// (Detect) and read by Read or ReadFile:
//
//   - FormatResults: xpcs-perf's own results.json ("xpcs-perf/results/v1"); a
//     newer schema is refused with analysis.ErrSchema.
//   - FormatPytest: pytest-benchmark JSON (--benchmark-json or
//     --benchmark-save), old (2.5) and new (3.x-5.x) schemas. The benchmark ID
//     is "fullname". Samples come from stats.data when the run saved them
//     (--benchmark-save-data); otherwise (or when stats.data was cut by hand
//     and holds a non-number) the benchmark is SummaryOnly and Stats carries
//     the file's min/max/mean/stddev/median/q1/q3/iqr/rounds, with a Note.
//     params values are stringified (strings bare, others as JSON);
//     extra_info goes to Extra; machine_info/commit_info to Machine/Run. A
//     stats.mean that disagrees with the mean of stats.data is noted.
//   - FormatGoBench: `go test -bench` text, parsed by golang.org/x/perf/benchfmt.
//     Repeated lines of one benchmark are its samples. The ID is
//     "pkg.BenchmarkName/sub=keys" (no "pkg." without a pkg: line, so the
//     same name in two packages stays two benchmarks) with the -GOMAXPROCS
//     suffix moved into Params["gomaxprocs"]. Sub-benchmark key=value parts
//     and file configuration other than goos/goarch/cpu/pkg (note:, ...)
//     become Params too. Only when one file holds several series of one
//     pkg.Name does the ID keep what tells them apart: "-N" for several
//     GOMAXPROCS values (-cpu 1,2), "[note=before]" for differing config.
//     goos/goarch/cpu go to Machine; the package is Extra["pkg"]. A line
//     without a time unit makes its first unit the primary one.
//   - FormatGoogle: Google Benchmark JSON (--benchmark_format=json or
//     --benchmark_out). Iteration rows are samples; aggregate rows (_mean,
//     _median, _stddev, _cv) are used only for benchmarks without iteration
//     rows, as SummaryOnly statistics; BigO/RMS rows and rows without
//     real_time are skipped (counted in a Note). The ID is run_name (name
//     for old files). error_occurred sets Benchmark.Error; label goes to
//     Extra["label"].
//
// # Units
//
// Time is always converted to seconds per operation (Unit "s", lower is
// better), whatever the source wrote (Go ns/op, Google time_unit ns/us/ms/s,
// pytest seconds), so that benchmarks from every source compare alike.
// Secondary metrics keep their source unit: Go B/op and allocs/op (lower is
// better), MB/s (higher is better), custom units (benchfmt "Unit u better=..."
// metadata, lower is better by default); Google cpu_time (seconds), B/s and
// items/s (higher is better) and user counters (lower is better unless named
// *_per_second).
//
// # Bad input
//
// Errors are *Error values that name the file, the format and, for syntax
// errors, the line and column (JSON byte offsets are converted to line:col).
// Policies, chosen so that nothing is silently dropped:
//
//   - empty input, unknown format, or a Go text without any benchmark line: error.
//   - a malformed Go benchmark line: a Note naming the line (benchfmt reports it
//     as a SyntaxError record); an error only when no line parses.
//   - NaN or ±Inf values (Go text "NaN ns/op"): dropped with a Note naming the
//     benchmark; a benchmark left without samples gets Error set ("no finite
//     samples"). Bare NaN/Infinity tokens, which Python's json module writes
//     but JSON forbids, are a syntax error at their line:col.
//   - results.json: unknown keys are ignored (newer v1 writers); a newer
//     schema version is refused (before any benchmark is decoded when, as
//     analysis.WriteResults writes it, "schema" comes first).
//   - negative or zero times: kept, with a Note naming the benchmark (the
//     comparison decides what to do with them).
//   - duplicate IDs: in Go text and Google iteration rows repetition is how
//     samples are written, so the rows are merged; in pytest-benchmark and
//     results.json files a duplicate ID is an error naming the ID.
//
// # Memory
//
// JSON readers stream: the top-level object is walked token by token and each
// benchmark is decoded on its own, so the peak heap is the decoded Results plus
// one benchmark's text, not the whole file (see docs/perf/ingest.md).
package ingest
