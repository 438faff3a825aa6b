package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
)

// runInspect implements `xpcs-perf inspect [--json] [--no-attrs] FILE...`.
func cmdInspect(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the tree as JSON")
	noAttrs := fs.Bool("no-attrs", false, "do not print attributes")
	path := fs.String("path", "/", "object to start from")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: xpcs-perf inspect [--json] [--no-attrs] [--path /group] FILE...")
		fmt.Fprintln(fs.Output(), "Prints groups and datasets with shape, dtype, chunking, filters (id and cd_values),")
		fmt.Fprintln(fs.Output(), "allocated bytes and attributes.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitError{code: 2, msg: "inspect: no file given"}
	}
	for _, file := range fs.Args() {
		f, err := h5.Open(file)
		if err != nil {
			return err
		}
		root, err := f.Inspect(*path)
		f.Close()
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(map[string]any{"file": file, "tree": root}); err != nil {
				return err
			}
			continue
		}
		if fs.NArg() > 1 {
			fmt.Fprintf(stdout, "== %s\n", file)
		}
		if err := root.Format(stdout, !*noAttrs); err != nil {
			return err
		}
	}
	return nil
}
