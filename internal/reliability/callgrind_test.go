//go:build integration

package reliability

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// buildBinary builds xpcs-perf into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "xpcs-perf")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = testenv.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestInstructionsRun runs `xpcs-perf run --metric instructions` under real
// callgrind on a small scientific kernel beside an I/O and a parallel
// benchmark, and checks the results file: counts as primary samples with
// their source, the I/O and parallel benchmarks skipped with their reason.
func TestInstructionsRun(t *testing.T) {
	testenv.NeedCommand(t, "valgrind (apt-get install valgrind)", "valgrind", "--version")
	bin := buildBinary(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "results.json")
	cmd := exec.Command(bin, "run", "--metric", "instructions", "--category", "scientific", "--sizes", "tiny",
		"--filter", `saxs/radial|g2_extraction/read_result_file\[n_q=10\]|twotime/all_bins`,
		"--rounds", "5", "--warmup", "1", "--progress", "lines", "--out", out)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	res, err := analysis.ReadResultsFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benchmarks) != 1 || res.Config["metric"] != "instructions" {
		t.Fatalf("benchmarks %d, config %v: want 1 counted benchmark\n%s", len(res.Benchmarks), res.Config, b)
	}
	rb := res.Benchmarks[0]
	if rb.Unit != analysis.UnitInstructions || len(rb.Samples) != 5 || rb.Extra["instructions_source"] != "callgrind" {
		t.Errorf("%s: unit %q, %d samples, source %v", rb.ID, rb.Unit, len(rb.Samples), rb.Extra["instructions_source"])
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"read_result_file[n_q=10]: io:", "twotime/all_bins[size=tiny]: parallel:"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestInstructionsMissingValgrind: without valgrind on PATH the run stops
// before measuring, exit 2, naming the Debian package.
func TestInstructionsMissingValgrind(t *testing.T) {
	bin := buildBinary(t)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "run", "--metric", "instructions", "--category", "scientific", "--sizes", "tiny",
		"--out", filepath.Join(t.TempDir(), "r.json"))
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("exit %v, want 2", err)
	}
	if !strings.Contains(stderr.String(), "apt-get install valgrind") {
		t.Errorf("stderr does not name the package:\n%s", stderr.String())
	}
}

// TestInstructionsSIGTERM: SIGTERM to `run --metric instructions` reaches
// the runner under callgrind, which writes the benchmarks counted so far
// and exits 130, as a run measuring time does.
func TestInstructionsSIGTERM(t *testing.T) {
	testenv.NeedCommand(t, "valgrind (apt-get install valgrind)", "valgrind", "--version")
	bin := buildBinary(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "results.json")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "run", "--metric", "instructions", "--category", "scientific", "--sizes", "tiny",
		"--filter", "fit", "--rounds", "5", "--warmup", "1", "--time-budget", "0", "--progress", "lines", "--out", out)
	cmd.Dir, cmd.Stderr = dir, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var before int
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := analysis.ReadResultsFile(out); err == nil && len(res.Benchmarks) > 0 {
			before = len(res.Benchmarks)
			break
		}
	}
	if before == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no benchmark checkpointed within 3 minutes:\n%s", lastLines(stderr.String(), 20))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running 2 min after SIGTERM:\n%s", lastLines(stderr.String(), 20))
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\n%s", err, lastLines(stderr.String(), 10))
	}
	res, err := analysis.ReadResultsFile(out)
	if err != nil {
		t.Fatalf("results after SIGTERM: %v", err)
	}
	if len(res.Benchmarks) < before {
		t.Errorf("%d benchmarks after SIGTERM, %d before", len(res.Benchmarks), before)
	}
	for _, b := range res.Benchmarks[:before] {
		if b.Unit != analysis.UnitInstructions || len(b.Samples) == 0 {
			t.Errorf("%s: unit %q, %d samples", b.ID, b.Unit, len(b.Samples))
		}
	}
}
