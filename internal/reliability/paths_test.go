package reliability

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// TestPathsStayInWorkspace gives the path inputs (data, results-file,
// baseline-file, output-dir) values that leave the workspace — "..",
// absolute paths, a symlink to outside, a dangling symlink whose target
// could be created — and checks the action refuses each with exit 2 and an
// error naming the input, and that nothing was written outside the
// workspace.
func TestPathsStayInWorkspace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		input, value string
	}{
		{"results-file", "../outside.json"},
		{"results-file", "/etc/passwd"},
		{"results-file", "ok/../../outside.json"},
		{"results-file", "link/results.json"},
		{"baseline-file", "link/results.json"},
		{"baseline-file", "../../../../../../etc/passwd"},
		{"data", "a.h5,../b.h5"},
		{"data", "link/stack.h5"},
		{"output-dir", "/tmp/xpcs-perf-escape"},
		{"output-dir", "../report"},
		{"output-dir", "link/report"},
		{"output-dir", "dangling"},
	}
	for _, c := range cases {
		t.Run(c.input+"="+c.value, func(t *testing.T) {
			t.Parallel()
			outside := t.TempDir()
			sc := newScenario(t, "push", map[string]any{"ref": "refs/heads/main", "after": "headsha"})
			if err := os.Symlink(outside, filepath.Join(sc.WS, "link")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, "made-by-action"), filepath.Join(sc.WS, "dangling")); err != nil {
				t.Fatal(err)
			}
			// A real results file outside, so that reading it would succeed.
			var buf bytes.Buffer
			analysis.WriteResults(&buf, SynthResults(3, 5, 1, 0, 1))
			os.WriteFile(filepath.Join(outside, "results.json"), buf.Bytes(), 0o644)
			before := listTree(t, outside)
			sc.Env["INPUT_"+strings.ToUpper(c.input)] = c.value
			code, err, _ := sc.run(faultBound)
			if c.input == "output-dir" && c.value == "dangling" {
				// Accepted by the path check (the link's target does not
				// exist yet), but the folder is never created through it.
				t.Logf("exit %d, err %v", code, err)
			} else {
				if code != action.ExitError || err == nil || !strings.Contains(err.Error(), "input "+c.input) {
					t.Fatalf("exit %d, err %v; want %d and an error naming input %s", code, err, action.ExitError, c.input)
				}
				t.Logf("user sees: %v", err)
			}
			if after := listTree(t, outside); after != before {
				t.Errorf("the action wrote outside the workspace:\nbefore %s\nafter  %s", before, after)
			}
			if _, err := os.Lstat("/tmp/xpcs-perf-escape"); err == nil && c.value == "/tmp/xpcs-perf-escape" {
				t.Errorf("the action created /tmp/xpcs-perf-escape")
			}
		})
	}
}

// listTree lists the files under dir with their sizes.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel)
		if fi != nil && fi.Mode().IsRegular() {
			b.WriteString(":" + strconv.FormatInt(fi.Size(), 10))
		}
		b.WriteString(" ")
		return nil
	})
	return b.String()
}
