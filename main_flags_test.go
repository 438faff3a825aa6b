package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

// TestParseFlagsAnywhere: flags parse before, between and after positional
// arguments for every subcommand (they all go through parseFlags).
func TestParseFlagsAnywhere(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		noStore bool
		model   string
		pos     []string
	}{
		{"flags-first", []string{"--no-store", "--model", "double", "f.hdf"}, true, "double", []string{"f.hdf"}},
		{"flags-after", []string{"f.hdf", "--no-store"}, true, "single", []string{"f.hdf"}},
		{"value-after", []string{"f.hdf", "--model", "double"}, false, "double", []string{"f.hdf"}},
		{"equals-after", []string{"f.hdf", "-model=double", "--no-store"}, true, "double", []string{"f.hdf"}},
		{"between", []string{"a", "--no-store", "b"}, true, "single", []string{"a", "b"}},
		{"double-dash", []string{"--", "--no-store"}, false, "single", []string{"--no-store"}},
		{"bool-value", []string{"f.hdf", "--no-store=false"}, false, "single", []string{"f.hdf"}},
		{"lone-dash", []string{"-", "--no-store"}, true, "single", []string{"-"}},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		noStore := fs.Bool("no-store", false, "")
		model := fs.String("model", "single", "")
		if err := parseFlags(fs, io.Discard, tc.args); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got, want := *noStore, tc.noStore; got != want {
			t.Errorf("%s: no-store = %v, want %v", tc.name, got, want)
		}
		if got, want := *model, tc.model; got != want {
			t.Errorf("%s: model = %q, want %q", tc.name, got, want)
		}
		if got, want := fs.Args(), tc.pos; !slices.Equal(got, want) {
			t.Errorf("%s: positional %q, want %q", tc.name, got, want)
		}
	}
	// An unknown flag after a positional argument is still an error.
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if err := parseFlags(fs, io.Discard, []string{"f.hdf", "--bogus"}); err == nil {
		t.Errorf("unknown flag after a positional argument: no error")
	}
}
