package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// exportRun measures two small benchmarks (one with params) and one that
// errors, for the export tests.
func exportRun(t *testing.T, slow float64) *analysis.Results {
	t.Helper()
	c := fastConfig()
	c.Counters = false
	if slow > 1 {
		c.Slowdown = "work=" + strconv.FormatFloat(slow, 'g', -1, 64)
	}
	b2 := bench("work", work)
	b2.Params = map[string]string{"size": "tiny", "method": "lm"}
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{
		bench("empty", func() error { return nil }), b2,
		bench("broken", func() error { return os.ErrNotExist }),
	})
	return res
}

func writeExport(t *testing.T, dir, name, format string, res *analysis.Results) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := Export(format, p, res); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGoBenchExportParses(t *testing.T) {
	res := exportRun(t, 1)
	var buf bytes.Buffer
	if err := WriteGoBench(&buf, res); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&buf, "export.txt")
	got := map[string][]float64{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			v, ok := rec.Value("sec/op")
			if !ok {
				t.Fatalf("%s: no sec/op", rec.Name)
			}
			got[string(rec.Name.Full())] = append(got[string(rec.Name.Full())], v)
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	want := res.Benchmarks[1]
	name := strings.TrimPrefix(GoBenchName(&want), "Benchmark")
	var key string
	for k := range got {
		if strings.HasPrefix(k, name) {
			key = k
		}
	}
	if key == "" {
		t.Fatalf("no %s in %v", name, got)
	}
	if len(got[key]) != len(want.Samples) {
		t.Fatalf("%s: %d values, want %d rounds", key, len(got[key]), len(want.Samples))
	}
	for i, v := range got[key] {
		if math.Abs(v/want.Samples[i]-1) > 1e-5 {
			t.Errorf("%s round %d: %g s, want %g", key, i, v, want.Samples[i])
		}
	}
	if len(got) != 2 {
		t.Errorf("got %d benchmarks, want 2 (errored one left out)", len(got))
	}
}

// TestBenchstatReadsExport builds benchstat from the module's golang.org/x/perf
// and compares a run with a 10x-slowed one: benchstat must see the slowdown.
func TestBenchstatReadsExport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchstat")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "benchstat")
	testenv.Need(t, "go toolchain and golang.org/x/perf in the module cache", func() error {
		cmd := exec.Command("go", "build", "-o", bin, "golang.org/x/perf/cmd/benchstat")
		cmd.Dir = testenv.Root()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &buildError{err, string(out)}
		}
		return nil
	})
	old := writeExport(t, dir, "old.txt", ExportGo, exportRun(t, 1))
	neu := writeExport(t, dir, "new.txt", ExportGo, exportRun(t, 10))
	out, err := exec.Command(bin, old, neu).CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat: %v\n%s", err, out)
	}
	s := string(out)
	t.Logf("benchstat:\n%s", s)
	if !strings.Contains(s, "g/work/method=lm/size=tiny") || !strings.Contains(s, "sec/op") {
		t.Errorf("benchstat output lacks the benchmark:\n%s", s)
	}
	// benchstat must have read every round of both files: n=5+5 on the line
	// of each benchmark. (Whether the 10x slowdown is significant depends on
	// the machine's load while both sides were measured, so it is logged, not
	// asserted: the comparison statistics are tested in analysis/.)
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "work/method=lm") {
			if !strings.Contains(line, "n=5") {
				t.Errorf("benchstat did not read 5 rounds per side of the exported benchmark: %s", line)
			}
			break
		}
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// TestPytestBenchmarkCompareReadsExport runs Debian's pytest-benchmark
// compare on two exports. (python3 -m pytest_benchmark, since the
// pytest_benchmark.cli module has no __main__ guard; relative file names,
// since its commonpath() rejects some absolute pairs.)
func TestPytestBenchmarkCompareReadsExport(t *testing.T) {
	testenv.NeedPython(t, "pytest_benchmark")
	dir := t.TempDir()
	writeExport(t, dir, "0001_base.json", ExportPytest, exportRun(t, 1))
	writeExport(t, dir, "0002_head.json", ExportPytest, exportRun(t, 1))
	cmd := exec.Command(testenv.Python, "-m", "pytest_benchmark", "compare", "0001_base.json", "0002_head.json")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pytest-benchmark compare: %v\n%s", err, out)
	}
	s := string(out)
	if strings.Contains(s, "Failed to load") || strings.Count(s, "work[lm-tiny]") != 2 || strings.Count(s, "empty") < 2 {
		t.Errorf("pytest-benchmark compare did not list both files' benchmarks:\n%s", s)
	}
	if strings.Contains(s, "broken") {
		t.Errorf("errored benchmark exported:\n%s", s)
	}
}

func TestPytestExportStats(t *testing.T) {
	res := exportRun(t, 1)
	var buf bytes.Buffer
	if err := WritePytestBenchmark(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Benchmarks []struct {
			Fullname string         `json:"fullname"`
			Name     string         `json:"name"`
			Stats    map[string]any `json:"stats"`
		} `json:"benchmarks"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := len(doc.Benchmarks), 2; got != want {
		t.Fatalf("got %d benchmarks, want %d", got, want)
	}
	b := doc.Benchmarks[1]
	src := res.Benchmarks[1]
	if b.Fullname != src.ID || b.Name != "work[lm-tiny]" {
		t.Errorf("got fullname %q name %q, want %q and work[lm-tiny]", b.Fullname, b.Name, src.ID)
	}
	for k, want := range map[string]float64{"median": src.Stats.Median, "q1": src.Stats.Q1, "q3": src.Stats.Q3, "stddev": src.Stats.Stddev, "rounds": float64(len(src.Samples))} {
		if got := b.Stats[k].(float64); got != want {
			t.Errorf("stats.%s = %g, want %g", k, got, want)
		}
	}
	if data := b.Stats["data"].([]any); len(data) != len(src.Samples) {
		t.Errorf("stats.data has %d values, want %d", len(data), len(src.Samples))
	}
}
