//go:build integration

package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// The README's A/B recipe for users who ingest results ("Noise, and the
// A/B mode"), for real: a small Python package benchmarked with Debian's
// pytest-benchmark in a base and a head checkout, 3 alternated pairs, then
// compare with globs per side (runs are the units, paired by position).

const pyPkg = `import math

def g2(frames, lags, slow=%d):
    """Multi-tau-like correlation of a list of intensities, in pure Python."""
    out = []
    for _ in range(slow):
        out = []
        n = len(frames)
        for lag in lags:
            s = 0.0
            for i in range(n - lag):
                s += frames[i] * frames[i + lag]
            out.append(s / (n - lag))
    return out

def mean(frames):
    return math.fsum(frames) / len(frames)
`

const pyBench = `import xpcsmini

FRAMES = [((i * 7919) %% 101) / 50.0 for i in range(4000)]
LAGS = [1, 2, 4, 8, 16, 32]

def test_g2(benchmark):
    benchmark(xpcsmini.g2, FRAMES, LAGS)

def test_mean(benchmark):
    benchmark(xpcsmini.mean, FRAMES)
`

// checkout writes one checkout of the package; slow > 1 makes g2 really
// do its work slow times.
func checkout(t *testing.T, dir string, slow int) {
	t.Helper()
	for name, body := range map[string]string{
		"xpcsmini/__init__.py":     fmt.Sprintf(pyPkg, slow),
		"benchmarks/test_bench.py": strings.ReplaceAll(pyBench, "%%", "%"),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestABRecipePytestBenchmark(t *testing.T) {
	testenv.NeedPython(t, "pytest_benchmark")
	bin := binary(t)
	tests := []struct {
		name string
		slow int
		want map[string]analysis.Verdict // by benchmark name; "" = anything but regression
	}{
		{"head with a real slowdown in g2", 2, map[string]analysis.Verdict{"test_g2": analysis.Regression, "test_mean": ""}},
		{"unchanged head", 1, map[string]analysis.Verdict{"test_g2": "", "test_mean": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// This machine is shared (load 5 on 2 cores): a burst during one
			// of the 3 pairs can widen the t interval over runs (df=2) past
			// significance, so a missed slowdown is measured again (at most
			// 3 attempts, each logged); a false alarm fails at once.
			for attempt := 1; attempt <= 3; attempt++ {
				rows, out := abPytestAttempt(t, bin, tt.slow)
				missed := false
				for name, want := range tt.want {
					r, ok := rows[name]
					switch {
					case !ok:
						t.Fatalf("no row for %s\n%s", name, out)
					case r.Method != analysis.MethodRunsPaired:
						t.Errorf("%s: method %q, want %q (3 runs per side, paired)", name, r.Method, analysis.MethodRunsPaired)
					case want == "" && r.Verdict == analysis.Regression:
						t.Fatalf("%s: got a regression (%s), want none\n%s", name, r.Reason, out)
					case want != "" && r.Verdict != want:
						missed = true
						t.Logf("attempt %d: %s: got %s (%s), want %s\n%s", attempt, name, r.Verdict, r.Reason, want, out)
					}
				}
				if !missed {
					return
				}
			}
			t.Errorf("the slowdown was not caught in 3 attempts")
		})
	}
}

// abPytestAttempt runs the recipe once: 3 alternated pairs, then compare.
func abPytestAttempt(t *testing.T, bin string, slow int) (map[string]analysis.Row, string) {
	t.Helper()
	dir := t.TempDir()
	checkout(t, filepath.Join(dir, "base"), 1)
	checkout(t, filepath.Join(dir, "pr"), slow)
	for i := 1; i <= 3; i++ { // base and head alternate: 3 pairs
		for _, side := range []string{"base", "pr"} {
			cmd := exec.Command(testenv.Python, "-m", "pytest", "benchmarks", "-q", "-p", "no:cacheprovider",
				"--benchmark-only", "--benchmark-save-data", "--benchmark-min-rounds=10", "--benchmark-max-time=0.3",
				fmt.Sprintf("--benchmark-json=../%s-%d.json", side, i))
			cmd.Dir = filepath.Join(dir, side)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("pytest %s pair %d: %v\n%s", side, i, err, out)
			}
		}
	}
	cmpFile := filepath.Join(dir, "cmp.json")
	cmd := exec.Command(bin, "compare", "--baseline", filepath.Join(dir, "base-*.json"), "--current", filepath.Join(dir, "pr-*.json"), "--out", cmpFile)
	out, _ := cmd.CombinedOutput() // exit 1 when the gate fails
	raw, err := os.ReadFile(cmpFile)
	if err != nil {
		t.Fatalf("compare wrote nothing: %v\n%s", err, out)
	}
	var c analysis.Comparison
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	rows := map[string]analysis.Row{}
	for _, r := range c.Rows {
		if r.Role == analysis.RolePrimary {
			rows[r.Name] = r
		}
	}
	return rows, string(out)
}
