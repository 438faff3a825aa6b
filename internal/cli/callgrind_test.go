package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// TestActionCountsInstructions: the action's runner with metric
// instructions re-executes `xpcs-perf run` under real callgrind (here the
// test binary acting as xpcs-perf) and returns its counts, the I/O
// benchmark of the selection skipped with the reason.
func TestActionCountsInstructions(t *testing.T) {
	testenv.NeedCommand(t, "valgrind (apt-get install valgrind)", "valgrind", "--version")
	t.Setenv(asMainEnv, "1")
	t.Chdir(t.TempDir())
	var log bytes.Buffer
	res, err := runBenchmarks(context.Background(), action.RunRequest{Category: "scientific", Sizes: []string{"tiny"},
		Filter: `saxs/radial|read_result_file\[n_q=10\]`, Rounds: 4, Metric: runner.MetricModeInstructions}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(res.Benchmarks) != 1 || res.Benchmarks[0].Unit != analysis.UnitInstructions || len(res.Benchmarks[0].Samples) != 4 {
		t.Fatalf("results %+v\n%s", res.Benchmarks, log.String())
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "read_result_file[n_q=10]: io:") {
		t.Errorf("notes lack the skipped I/O benchmark:\n%s", notes)
	}
}
