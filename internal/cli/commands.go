package cli

import (
	"context"
	"fmt"
	"io"
)

// commands is every subcommand, in the order of the pipeline
// (data → measurements → comparison → report → delivery) and of the usage.
var commands = []command{
	{name: "synth", summary: "write a synthetic XPCS speckle stack with a known g2 (and its q-map) to HDF5", run: cmdSynth},
	{name: "inspect", summary: "print the tree of an HDF5 file (shapes, dtypes, chunks, filters)", run: cmdInspect},
	{name: "correlate", summary: "multi-tau g2 (and two-time C2) of a raw stack into an APS 8-ID-I result file", run: cmdCorrelate},
	{name: "fit", summary: "fit g2 models to the multi-tau g2 of a result file, print and store the table", run: cmdFit},
	{name: "run", summary: "run benchmarks of one or more categories and write results.json", run: cmdRun},
	{name: "ab", summary: "measure base and head binaries side by side, rounds interleaved, into baseline.json and results.json", run: cmdAB},
	{name: "worker", summary: "serve the A/B protocol on stdin/stdout (started by ab)", run: cmdWorker},
	{name: "list", summary: "list the registered benchmarks with their params", run: cmdList},
	{name: "compare", summary: "compare a current run with a baseline and apply the CI gate", run: cmdCompare},
	{name: "trend", summary: "trends, anomalies and change points over a history file (or append a run to it)", run: cmdTrend},
	{name: "report", summary: "render a comparison as Markdown, JSON, JUnit XML and an HTML dashboard", run: cmdReport},
	{name: "demo", summary: "run the action's pipeline locally and show an injected regression being caught", run: cmdDemo},
	{name: "action", summary: "run as the GitHub Action (inputs from INPUT_*, event from GITHUB_EVENT_PATH)", run: cmdAction},
	{name: "aggregate", summary: "merge per-category/per-shard report folders into one comparison and gate", run: cmdAggregate},
	{name: "version", summary: "print the version", run: cmdVersion},
}

// version is set at build time with
// -ldflags "-X github.com/xpcs-perf/xpcs-perf-action/internal/cli.version=...".
var version = "dev"

func cmdVersion(_ context.Context, stdout, _ io.Writer, _ func(string) string, _ []string) error {
	fmt.Fprintln(stdout, "xpcs-perf", version)
	return nil
}
