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

// TestSIGTERMWritesPartialResults builds the real binary, starts
// `xpcs-perf run` on a category, waits until the first benchmark has been
// checkpointed into the results file, sends SIGTERM (what GitHub sends on
// cancel or timeout), and checks the process ends promptly with exit 130,
// says where the partial results are, and leaves a valid results.json
// holding every benchmark finished before the signal, each with samples.
func TestSIGTERMWritesPartialResults(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "xpcs-perf")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = testenv.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "results.json")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "run", "--category", "memory", "--sizes", "tiny", "--rounds", "5", "--warmup", "1",
		"--time-budget", "0", "--progress", "lines", "--out", out)
	cmd.Dir, cmd.Stderr = dir, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the first checkpoint (written after every benchmark).
	var before int
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := analysis.ReadResultsFile(out); err == nil && len(res.Benchmarks) > 0 {
			before = len(res.Benchmarks)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if before == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no benchmark checkpointed within 3 minutes:\n%s", lastLines(stderr.String(), 20))
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running 60 s after SIGTERM:\n%s", lastLines(stderr.String(), 20))
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130", err)
	}
	msg := stderr.String()
	if !strings.Contains(msg, "partial results written to "+out) {
		t.Errorf("stderr does not say where the partial results are:\n%s", lastLines(msg, 10))
	}
	res, rerr := analysis.ReadResultsFile(out)
	if rerr != nil {
		t.Fatalf("results file after SIGTERM: %v", rerr)
	}
	if len(res.Benchmarks) < before {
		t.Errorf("results file has %d benchmarks after SIGTERM, had %d before: finished work lost", len(res.Benchmarks), before)
	}
	for _, b := range res.Benchmarks[:before] {
		if b.Error == "" && len(b.Samples) == 0 {
			t.Errorf("%s: finished before SIGTERM but has no samples", b.ID)
		}
	}
	t.Logf("SIGTERM after %d checkpointed benchmarks: exit in %v, %d benchmarks in the file; last lines:\n%s",
		before, took.Round(time.Millisecond), len(res.Benchmarks), lastLines(msg, 3))
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// TestHostileDataFiles runs the built binary's user-data benchmark
// (`run --category hdf5 --filter user_data --data FILE`) on a text file
// named .h5 and on a truncated HDF5 file: the benchmark is recorded as
// errored with a message naming the file, the run ends normally and the
// results file is written.
func TestHostileDataFiles(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "xpcs-perf")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = testenv.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	text := filepath.Join(dir, "notes.h5")
	if err := os.WriteFile(text, []byte("this is not an HDF5 file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A truncated HDF5 file: the first 2 KiB of a real one (the HDF5
	// signature, then nothing).
	trunc := filepath.Join(dir, "truncated.h5")
	if err := os.WriteFile(trunc, append([]byte("\x89HDF\r\n\x1a\n"), make([]byte, 2040)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{text, trunc} {
		out := filepath.Join(dir, filepath.Base(data)+".json")
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "run", "--category", "hdf5", "--filter", "user_data", "--data", data,
			"--rounds", "5", "--progress", "none", "--out", out)
		cmd.Stderr = &stderr
		err := cmd.Run()
		res, rerr := analysis.ReadResultsFile(out)
		if rerr != nil {
			t.Fatalf("--data %s: no results file (%v); run: %v\n%s", data, rerr, err, lastLines(stderr.String(), 10))
		}
		if len(res.Benchmarks) != 1 {
			t.Fatalf("--data %s: %d benchmarks, want 1", data, len(res.Benchmarks))
		}
		b := res.Benchmarks[0]
		if b.Error == "" || !strings.Contains(b.Error, data) {
			t.Errorf("--data %s: benchmark error %q, want one naming the file", data, b.Error)
		}
		t.Logf("--data %s: exit %v; benchmark error: %s", filepath.Base(data), err, b.Error)
	}
}
