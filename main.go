// Command xpcs-perf runs XPCS benchmarks, compares them with a baseline and
// reports regressions; see package internal/cli for its subcommands. main is
// the only place that calls os.Exit.
package main

import (
	"context"
	"os"

	"github.com/xpcs-perf/xpcs-perf-action/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
