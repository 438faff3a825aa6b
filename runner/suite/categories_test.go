package suite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// TestCategoriesRunTiny runs every registered benchmark of the six
// categories at size tiny (and those without a size) with one short round:
// each must finish without error. Issue 4's timing figures on tiny+small are
// in docs/perf/runner.md (make bench-runner-categories).
func TestCategoriesRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every category (~20 s)")
	}
	defer CleanupData()
	want := []string{"hdf5", "memory", "optimization", "plotting", "scalability", "scientific"}
	if got := Registry().Categories(); len(got) != len(want) {
		t.Fatalf("categories %v, want %v", got, want)
	}
	c := runner.DefaultConfig()
	c.Sizes = []string{"tiny"}
	c.Rounds, c.MinRounds, c.WarmupRounds = 1, 1, 0
	c.MinTime = runner.Duration(time.Microsecond)
	c.TimeBudget = 0
	c.Filter = `^(memory|hdf5|optimization|plotting|scientific)/|^scalability/(read|multitau|saxs|fit)/`
	sel, err := Registry().Select(&c, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := newTestRunner(t, c)
	res := r.Run(context.Background(), sel.Run)
	perCat := map[string]int{}
	for _, b := range res.Benchmarks {
		perCat[b.Category]++
		if b.Error != "" {
			t.Errorf("%s: %s", b.ID, b.Error)
		}
	}
	for _, cat := range want {
		if perCat[cat] == 0 {
			t.Errorf("category %s ran no benchmark", cat)
		}
	}
	for _, e := range runner.ValidateResults(res) {
		t.Error(e)
	}
	t.Logf("%d benchmarks, notes %v", len(res.Benchmarks), res.Notes)
}

// TestUserDataStacks runs hdf5/user_data/read_stacks on a --data file and
// checks that without files it is skipped (named in the notes), not errored.
func TestUserDataStacks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "user.h5")
	if err := h5.WriteStack(path, make([]uint16, 10*16*16), 10, 16, 16, h5.StackOptions{FramesPerChunk: 1}); err != nil {
		t.Fatal(err)
	}
	var b *runner.Benchmark
	for _, x := range Registry().All() {
		if x.ID() == "hdf5/user_data/read_stacks" {
			b = x
		}
	}
	if b == nil {
		t.Fatal("hdf5/user_data/read_stacks not registered")
	}
	c := fastConfig()
	res := newTestRunner(t, c).Run(context.Background(), []*runner.Benchmark{b})
	if len(res.Benchmarks) != 0 || !strings.Contains(strings.Join(res.Notes, " "), "no --data files") {
		t.Errorf("without --data: got %d results, notes %q", len(res.Benchmarks), res.Notes)
	}
	c.Data = []string{path}
	res = newTestRunner(t, c).Run(context.Background(), []*runner.Benchmark{b})
	if len(res.Benchmarks) != 1 || res.Benchmarks[0].Error != "" || res.Benchmarks[0].Metrics["MB/s"].Samples == nil {
		t.Fatalf("with --data: %+v", res.Benchmarks)
	}
	c.Data = []string{filepath.Join(t.TempDir(), "missing.h5")}
	res = newTestRunner(t, c).Run(context.Background(), []*runner.Benchmark{b})
	if len(res.Benchmarks) != 1 || !strings.Contains(res.Benchmarks[0].Error, "missing.h5") {
		t.Errorf("missing --data file: got %+v", res.Benchmarks)
	}
}
