//go:build integration

package analysis_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// fastModule is a pytest-benchmark suite of one fast function (a few µs:
// pytest-benchmark then runs ~10^5 rounds per second of max time, and such
// functions always have outlier rounds, CV far above 100%).
const fastModule = `import os
N = int(os.environ.get("FAST_N", "60"))
def work():
    s = 0
    for i in range(N):
        s += i * i
    return s
def test_fast(benchmark):
    benchmark(work)
`

// runPytestBenchmark runs Debian's pytest-benchmark on fastModule with
// FAST_N = n and returns the JSON it wrote (raw rounds saved).
func runPytestBenchmark(t *testing.T, dir string, n, minRounds int, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command(testenv.Python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_fast.py",
		"--benchmark-save-data", "--benchmark-json="+out, "--benchmark-max-time=1",
		"--benchmark-min-rounds="+strconv.Itoa(minRounds))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAST_N="+strconv.Itoa(n))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pytest-benchmark: %v\n%s", err, b)
	}
	return out
}

// TestRealPytestBenchmarkVerdicts: files written by pytest-benchmark itself,
// for a function of a few µs whose rounds vary by far more than 30%
// (issue 12: a 4.0 -> 15.8 µs change was called "inconclusive, too noisy"):
// a ~5x slowdown is a critical regression, an unchanged function in a
// separate run is not a regression, and a file of >= 150,000 rounds per
// side compares (the Hodges-Lehmann interval no longer needs n x m memory).
func TestRealPytestBenchmarkVerdicts(t *testing.T) {
	testenv.NeedPython(t, "pytest_benchmark")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test_fast.py"), []byte(fastModule), 0o644); err != nil {
		t.Fatal(err)
	}
	base := runPytestBenchmark(t, dir, 60, 5, "base.json")
	slow := runPytestBenchmark(t, dir, 360, 5, "slow.json")
	same := runPytestBenchmark(t, dir, 60, 5, "same.json")
	read := func(p string) *analysis.Results {
		r, _, err := ingest.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	b := read(base)
	if n := len(b.Benchmarks[0].Samples); n < 1000 {
		t.Fatalf("pytest-benchmark saved %d rounds, want thousands", n)
	}
	c, err := analysis.Compare(b, read(slow), analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rows[0]
	t.Logf("5x: %s %s change %+.0f%% CV %.0f%%/%.0f%% n=%d+%d: %s", r.Verdict, r.Severity, 100*r.Change,
		100*r.Baseline.CV, 100*r.Current.CV, r.Baseline.N, r.Current.N, r.Reason)
	if r.Verdict != analysis.Regression || c.Gate.Pass {
		t.Errorf("a ~5x slowdown of a real pytest-benchmark function: %s (%s), gate pass %v; want a regression that fails the gate", r.Verdict, r.Reason, c.Gate.Pass)
	}
	c, err = analysis.Compare(b, read(same), analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Rows[0]; r.Verdict == analysis.Regression || !c.Gate.Pass && c.Gate.Verdict != analysis.GateError {
		t.Errorf("the same function in a separate run: %s (%s), gate %+v", r.Verdict, r.Reason, c.Gate)
	}
	// >= 150,000 rounds per side.
	big := runPytestBenchmark(t, dir, 20, 150000, "big.json")
	big2 := runPytestBenchmark(t, dir, 120, 150000, "big2.json")
	bb, bc := read(big), read(big2)
	if n := len(bb.Benchmarks[0].Samples); n < 150000 {
		t.Fatalf("%d rounds, want >= 150000", n)
	}
	c, err = analysis.Compare(bb, bc, analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Rows[0]; r.Verdict != analysis.Regression {
		t.Errorf("150,000 rounds, ~5x slower: %s (%s)", r.Verdict, r.Reason)
	}
}
