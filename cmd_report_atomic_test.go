package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// reportChildEnv makes the test binary a child that runs `report` with its
// file size limited (RLIMIT_FSIZE): every write past the limit fails with
// EFBIG, as on a full disk.
const reportChildEnv = "XPCS_TEST_REPORT_FSIZE_CHILD"

// TestReportFullDiskKeepsPreviousFiles: when a write fails mid-way, every
// report file keeps its previous content (written through a temporary file
// and a rename), no temporary file is left, and the error names the file.
func TestReportFullDiskKeepsPreviousFiles(t *testing.T) {
	cmp := filepath.Join("comment", "testdata", "mixed.cmp.json")
	if dir := os.Getenv(reportChildEnv); dir != "" {
		signal.Ignore(syscall.SIGXFSZ)
		lim := unix.Rlimit{Cur: 4096, Max: 4096}
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err != nil {
			os.Exit(3)
		}
		os.Exit(mainExit(os.Stdout, os.Stderr, []string{"report", "--comparison", cmp, "--out", dir}, func(string) string { return "" }))
	}
	dir := t.TempDir()
	if err := run(io.Discard, io.Discard, []string{"report", "--comparison", cmp, "--out", dir}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	big := false
	for _, name := range []string{"report.md", "report.json", "junit.xml", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		before[name] = b
		big = big || len(b) > 4096
	}
	if !big {
		t.Fatal("no report is larger than the 4096-byte limit: the test would prove nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReportFullDiskKeepsPreviousFiles$", "-test.count=1")
	cmd.Env = append(os.Environ(), reportChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 3 {
		t.Fatalf("report with a 4 KiB file size limit: got %v, want a failure exit\n%s", err, out)
	}
	if !strings.Contains(string(out), "file too large") || !strings.Contains(string(out), dir) {
		t.Errorf("error: got\n%s\nwant one naming the file and saying why (file too large)", out)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := before[e.Name()]; !ok {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	for name, want := range before {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: got %d bytes (%v), want the previous %d bytes intact", name, len(got), err, len(want))
		}
	}
}
