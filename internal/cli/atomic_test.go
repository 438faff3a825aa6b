package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
)

// TestHelperCLI is not a test: run as a subprocess by runLimited, it runs
// the CLI with the arguments after "--" and exits with its status.
func TestHelperCLI(t *testing.T) {
	if os.Getenv("XPCS_HELPER_CLI") != "1" {
		t.Skip("helper process for runLimited")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	var so bytes.Buffer
	err := run(context.Background(), &so, os.Stderr, args, os.Getenv)
	os.Exit(exitCode(os.Stderr, err))
}

// runLimited runs the CLI in a subprocess whose files may not grow beyond
// limitKB KiB (RLIMIT_FSIZE through bash's ulimit -f): writes past it fail
// as on a full disk (EFBIG; or SIGXFSZ ends the process, like a crash).
func runLimited(t *testing.T, limitKB int64, args ...string) (stderr string, err error) {
	t.Helper()
	bash, lerr := exec.LookPath("bash")
	if lerr != nil {
		t.Skipf("bash not found: %v", lerr)
	}
	script := fmt.Sprintf(`ulimit -f %d && exec "$0" -test.run='^TestHelperCLI$' -- "$@"`, limitKB)
	cmd := exec.Command(bash, append([]string{"-c", script, os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "XPCS_HELPER_CLI=1")
	var se bytes.Buffer
	cmd.Stderr = &se
	err = cmd.Run()
	return se.String(), err
}

func fileSizeKB(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return (st.Size() + 1023) / 1024
}

// checkOneLine fails unless a failure's stderr is one short message without
// libhdf5's error stack.
func checkOneLine(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "HDF5-DIAG") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
}

// failLeavesFile runs the CLI with args under a file size limit of res's
// size, which must make it fail, and checks that res is byte for byte what
// it was and still a readable result file, and that the error is one line.
// It returns the command's stderr.
func failLeavesFile(t *testing.T, res string, args ...string) string {
	t.Helper()
	before, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := runLimited(t, fileSizeKB(t, res), args...)
	if err == nil {
		t.Fatalf("%s under a file size limit succeeded; stderr:\n%s", args[0], stderr)
	}
	t.Logf("%s under the limit: %v: %s", args[0], err, strings.TrimSpace(stderr))
	if stderr != "" {
		checkOneLine(t, stderr)
	}
	after, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("%s: %s changed (%d -> %d bytes) although the command failed", args[0], res, len(before), len(after))
	}
	if _, err := h5.ReadResult(res); err != nil {
		t.Errorf("%s: %s unreadable after the failed command: %v", args[0], res, err)
	}
	return stderr
}

// TestFitFullDiskLeavesInput: when adding /xpcs/fit fails for lack of space,
// the input result file is unchanged and readable, and fit runs again
// afterwards (before issue 14 the file was damaged in place and fit then
// refused to re-run).
func TestFitFullDiskLeavesInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw, res := filepath.Join(dir, "stack.h5"), filepath.Join(dir, "result.hdf")
	var so, se bytes.Buffer
	if err := run(context.Background(), &so, &se, []string{"synth", "--size", "tiny", "--frames", "60", "--out", raw, "--seed", "2"}, nil); err != nil {
		t.Fatalf("synth: %v\n%s", err, se.String())
	}
	if err := run(context.Background(), &so, &se, []string{"correlate", "--raw", raw, "--out", res}, nil); err != nil {
		t.Fatalf("correlate: %v\n%s", err, se.String())
	}
	// Room for the copy of the input, not for the fit added to it.
	stderr := failLeavesFile(t, res, "fit", res, "--model", "stretched")
	if left, _ := filepath.Glob(filepath.Join(dir, ".result.hdf.tmp-*")); len(left) > 0 && stderr != "" {
		t.Errorf("temporary files left behind: %v", left)
	}
	so.Reset()
	se.Reset()
	if err := run(context.Background(), &so, &se, []string{"fit", res, "--model", "stretched"}, nil); err != nil {
		t.Fatalf("fit after the failure: %v\n%s", err, se.String())
	}
	f, err := h5.Open(res)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !f.Exists("/xpcs/fit/stretched/params") {
		t.Errorf("the fit was not stored by the second run")
	}
}

// TestCorrelateFullDiskKeepsPrevious: a correlate that cannot write its
// result leaves the previous result file in place and readable (before
// issue 14 it truncated it and left an unreadable file).
func TestCorrelateFullDiskKeepsPrevious(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw, res := filepath.Join(dir, "stack.h5"), filepath.Join(dir, "result.hdf")
	var so, se bytes.Buffer
	if err := run(context.Background(), &so, &se, []string{"synth", "--size", "tiny", "--frames", "60", "--out", raw, "--seed", "4"}, nil); err != nil {
		t.Fatalf("synth: %v\n%s", err, se.String())
	}
	if err := run(context.Background(), &so, &se, []string{"correlate", "--raw", raw, "--out", res}, nil); err != nil {
		t.Fatalf("correlate: %v\n%s", err, se.String())
	}
	// The two-time maps make the new result larger than the limit.
	failLeavesFile(t, res, "correlate", "--raw", raw, "--out", res, "--twotime")
}
