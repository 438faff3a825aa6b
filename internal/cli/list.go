package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"github.com/xpcs-perf/xpcs-perf-action/runner/suite"
)

func cmdList(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var cats, sizes listFlag
	fs.Var(&cats, "category", "only these categories")
	fs.Var(&sizes, "sizes", "only these sizes (default all)")
	filter := fs.String("filter", "", "regexp on benchmark IDs")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	cfg := runner.DefaultConfig()
	cfg.Categories, cfg.Sizes, cfg.Filter, cfg.MemoryIntensive = cats, sizes, *filter, true
	sel, err := suite.Registry().Select(&cfg, 0)
	if err != nil {
		return &exitError{code: 2, msg: "list: " + err.Error()}
	}
	for _, b := range sel.Run {
		line := b.ID()
		if len(b.Markers) > 0 {
			line += "  [" + strings.Join(b.Markers, ",") + "]"
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stderr, "%d benchmarks\n", len(sel.Run))
	return nil
}
