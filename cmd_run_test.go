package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results.json")
	gob := filepath.Join(dir, "bench.txt")
	pyb := filepath.Join(dir, "pb.json")
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		if k == runner.SlowdownEnv {
			return "sync/mutex=2"
		}
		return ""
	}
	err := runWithEnv(&stdout, &stderr, []string{"--category", "memory", "--filter", "sync/(mutex|atomic)",
		"--rounds", "3", "--min-time", "1ms", "--warmup", "0", "--out", out, "--progress", "lines",
		"--export", "gobench", gob, "--export=pytest-benchmark=" + pyb, "--config", filepath.Join(dir, "none.json")}, env, context.Background())
	var ee *exitError
	if errors.As(err, &ee) && strings.Contains(ee.msg, "none.json") {
		// an explicit --config must exist: expected; rerun without it
	} else {
		t.Fatalf("explicit missing --config: got %v, want an error naming the file", err)
	}
	stderr.Reset()
	err = runWithEnv(&stdout, &stderr, []string{"--category", "memory", "--filter", "sync/(mutex|atomic)",
		"--rounds", "3", "--min-time", "1ms", "--warmup", "0", "--out", out, "--progress", "lines",
		"--export", "gobench", gob, "--export=pytest-benchmark=" + pyb}, env, context.Background())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	res, err := analysis.ReadResultsFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Benchmarks), 2; got != want {
		t.Fatalf("got %d benchmarks, want %d\n%s", got, want, stderr.String())
	}
	for _, b := range res.Benchmarks {
		if b.Rounds != 3 {
			t.Errorf("%s: %d rounds, want 3", b.ID, b.Rounds)
		}
		if strings.Contains(b.ID, "mutex") != (b.Extra["injected_slowdown"] == 2.0) {
			t.Errorf("%s: injected_slowdown %v", b.ID, b.Extra["injected_slowdown"])
		}
	}
	for _, p := range []string{gob, pyb} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("export %s missing or empty: %v", p, err)
		}
	}
	if !strings.Contains(stderr.String(), "[2/2]") {
		t.Errorf("no progress lines:\n%s", stderr.String())
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--category", "nope"},
		{"--filter", "("},
		{"--shard", "3/2"},
		{"--sizes", "huge"},
		{"--export", "csv=x"},
		{"--filter", "matches-nothing-at-all"},
	} {
		var stdout, stderr bytes.Buffer
		err := runWithEnv(&stdout, &stderr, append(args, "--out", filepath.Join(t.TempDir(), "r.json")), func(string) string { return "" }, context.Background())
		if code := exitCode(&stderr, err); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%v)", args, code, err)
		}
	}
}

func TestListCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := cmdList(&stdout, &stderr, []string{"--category", "hdf5", "--sizes", "tiny"}); err != nil {
		t.Fatal(err)
	}
	s := stdout.String()
	for _, want := range []string{"hdf5/read/full[size=tiny]", "hdf5/compression/read_full[compression=lzf,size=tiny]"} {
		if !strings.Contains(s, want) {
			t.Errorf("list lacks %s", want)
		}
	}
	if strings.Contains(s, "size=small") || strings.Contains(s, "memory/") {
		t.Errorf("list ignores its filters:\n%s", s)
	}
}

func TestJoinExportArgs(t *testing.T) {
	got := strings.Join(joinExportArgs([]string{"--export", "gobench", "a.txt", "--export=pytest-benchmark=b.json", "--out", "r.json"}), " ")
	want := "--export=gobench=a.txt --export=pytest-benchmark=b.json --out r.json"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRunChecksOutputFirst: an output folder that cannot be written is
// refused before anything is measured (exit 2, naming the folder), for
// --out and for every --export file.
func TestRunChecksOutputFirst(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "a-file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(blocker, "sub", "r.json") // a folder below a regular file: never writable, even as root
	for _, c := range []struct {
		name string
		args []string
	}{
		{"out", []string{"--out", bad}},
		{"export", []string{"--out", filepath.Join(dir, "r.json"), "--export", "gobench", bad}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--category", "memory", "--filter", "sync/(mutex|atomic)", "--rounds", "3",
				"--min-time", "1ms", "--warmup", "0", "--progress", "lines"}, c.args...)
			err := runWithEnv(&stdout, &stderr, args, func(string) string { return "" }, context.Background())
			if got, want := exitCode(io.Discard, err), 2; got != want {
				t.Errorf("exit code: got %d (%v), want %d", got, err, want)
			}
			if err == nil || !strings.Contains(err.Error(), filepath.Join(blocker, "sub")) {
				t.Errorf("error: got %v, want one naming %s", err, filepath.Join(blocker, "sub"))
			}
			if strings.Contains(stderr.String(), "sync/") {
				t.Errorf("benchmarks ran before the output folder was checked:\n%s", stderr.String())
			}
		})
	}
}
