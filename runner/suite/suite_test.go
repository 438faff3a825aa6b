package suite

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

func fastConfig() runner.Config {
	c := runner.DefaultConfig()
	c.Rounds, c.MinRounds, c.WarmupRounds = 5, 3, 1
	c.MinTime = runner.Duration(2 * time.Millisecond)
	c.MaxTime = runner.Duration(2 * time.Second)
	c.Grace = runner.Duration(300 * time.Millisecond)
	c.TimeBudget = 0
	return c
}

// newTestRunner is a runner set up for the suite, blind to the environment.
func newTestRunner(t *testing.T, c runner.Config) *runner.Runner {
	t.Helper()
	r, err := runner.NewRunner(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Getenv = func(string) string { return "" }
	Setup(r)
	return r
}

// TestRegistryIsTheList: the registry holds exactly the categories of the
// list, each registering at least one benchmark, and two registries are
// built alike (no state shared through init).
func TestRegistryIsTheList(t *testing.T) {
	var names []string
	for _, c := range Categories {
		names = append(names, c.Name)
		r := &runner.Registry{}
		c.Register(r)
		if got := r.Categories(); !slices.Equal(got, []string{c.Name}) {
			t.Errorf("%s registers categories %v", c.Name, got)
		}
	}
	if got := Registry().Categories(); !slices.Equal(got, names) {
		t.Errorf("registry categories %v, want %v", got, names)
	}
	if a, b := len(Registry().All()), len(Registry().All()); a != b || a == 0 {
		t.Errorf("two registries: %d and %d benchmarks", a, b)
	}
}

// TestSetupNamesHDF5: a runner set up for the suite names libhdf5's version
// in the machine block.
func TestSetupNamesHDF5(t *testing.T) {
	r := newTestRunner(t, fastConfig())
	if got := r.Run(context.Background(), nil).Machine.HDF5Version; got == "" {
		t.Errorf("hdf5 version missing from the machine block")
	}
}

// TestInstructionsSelection: counting instructions leaves out every
// benchmark that waits on files or runs on several threads, with the
// reason, and keeps the single-threaded kernels.
func TestInstructionsSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		category      string
		minRun        int
		allSkipped    bool
		skippedPrefix string
	}{
		{category: "hdf5", allSkipped: true, skippedPrefix: "io:"},
		{category: "scientific", minRun: 5},
		{category: "optimization", minRun: 2},
		{category: "scalability", minRun: 3},
	}
	for _, tt := range tests {
		c := runner.DefaultConfig()
		c.Categories, c.Sizes, c.Metric = []string{tt.category}, []string{"tiny"}, runner.MetricModeInstructions
		sel, err := Registry().Select(&c, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tt.allSkipped && len(sel.Run) > 0 || len(sel.Run) < tt.minRun {
			t.Errorf("%s: %d run, want all skipped=%v or at least %d", tt.category, len(sel.Run), tt.allSkipped, tt.minRun)
		}
		for _, b := range sel.Run {
			if b.HasMarker(IO) || b.HasMarker(Parallel) {
				t.Errorf("%s runs with markers %v", b.ID(), b.Markers)
			}
		}
		for _, s := range sel.Skipped {
			if !strings.HasPrefix(s.Reason, "io:") && !strings.HasPrefix(s.Reason, "parallel:") {
				t.Errorf("%s skipped for %q, want io: or parallel:", s.ID, s.Reason)
			}
			if tt.skippedPrefix != "" && !strings.HasPrefix(s.Reason, tt.skippedPrefix) {
				t.Errorf("%s skipped for %q, want %s", s.ID, s.Reason, tt.skippedPrefix)
			}
		}
	}
}
