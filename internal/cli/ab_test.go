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
)

// TestABEndToEnd runs the real binary as orchestrator and both workers:
// a slowdown injected into the head only is a regression of that benchmark
// alone, judged by the paired test.
func TestABEndToEnd(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	out := t.TempDir()
	// Both workers pinned to one CPU, as bench-ab and perf.yml run them:
	// unpinned, the two sides of an A/A pair landed on differently loaded
	// cores of this shared machine often enough to fail the unchanged row
	// (docs/perf/ab.md: 1.1% of A/A benchmarks unpinned, 0 of 360 pinned).
	cmd := exec.Command(bin, "ab", "--base", bin, "--head", bin, "--category", "memory", "--sizes", "tiny",
		"--filter", `memory/sync/(mutex|channel_send_recv)$`, "--rounds", "10", "--warmup", "1", "--min-time", "5ms", "--seed", "5",
		"--cpus", "0", "--head-env", "XPCS_PERF_INJECT_SLOWDOWN=mutex=3", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ab: %v\n%s", err, b)
	}
	var head analysis.Results
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		t.Fatal(err)
	}
	if got := head.Config["mode"]; got != "ab" {
		t.Errorf("config mode: got %v, want ab", got)
	}
	cmp := exec.Command(bin, "compare", "--baseline", filepath.Join(out, "baseline.json"), "--current", filepath.Join(out, "results.json"),
		"--out", filepath.Join(out, "cmp.json"))
	cmpOut, _ := cmp.CombinedOutput() // exit 1 when the gate fails
	var c analysis.Comparison
	raw, err = os.ReadFile(filepath.Join(out, "cmp.json"))
	if err != nil {
		t.Fatalf("compare wrote no cmp.json: %v\n%s", err, cmpOut)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"memory/sync/mutex": true, "memory/sync/channel_send_recv": false}
	seen := 0
	for _, r := range c.Rows {
		reg, ok := want[r.ID]
		if !ok || r.Role != analysis.RolePrimary {
			continue
		}
		seen++
		if !strings.HasPrefix(r.Method, analysis.MethodWilcoxonSignedRank) {
			t.Errorf("%s: method %q, want the paired test", r.ID, r.Method)
		}
		if got := r.Verdict == analysis.Regression; got != reg {
			t.Errorf("%s: got %s (%s), want regression=%v", r.ID, r.Verdict, r.Reason, reg)
		}
	}
	if seen != len(want) {
		t.Errorf("got %d primary rows of %d", seen, len(want))
	}
}

func TestABBadInput(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		base     string
		want     []string
		wantFile bool // the results files are written (nothing measured)
	}{
		{"base missing", filepath.Join(t.TempDir(), "nope"), []string{"base binary"}, false},
		{"base not executable", plain, []string{"base binary", "permission denied"}, false},
		{"base is not a worker", "/bin/true", []string{"base worker", "hello", "exited with status 0"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			cmd := exec.Command(bin, "ab", "--base", tt.base, "--head", bin, "--category", "memory", "--sizes", "tiny",
				"--filter", "memory/sync/mutex$", "--rounds", "4", "--out", out)
			b, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 {
				t.Fatalf("got %v, want exit status 2\n%s", err, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("output %q: want %q", b, w)
				}
			}
			_, err = os.Stat(filepath.Join(out, "baseline.json"))
			if got := err == nil; got != tt.wantFile {
				t.Errorf("baseline.json written: got %v, want %v", got, tt.wantFile)
			}
		})
	}
}

func TestParseCPUs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "[]", false},
		{"1", "[1]", false},
		{"0-1", "[0 1]", false},
		{"0,2-3", "[0 2 3]", false},
		{"x", "", true},
		{"3-1", "", true},
		{"-1", "", true},
	}
	for _, tt := range tests {
		got, err := parseCPUs(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && fmt.Sprint(got) != tt.want && !(tt.want == "[]" && len(got) == 0)) {
			t.Errorf("parseCPUs(%q): got %v, %v; want %s, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
