package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestReportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	cmp := filepath.Join(testenv.Root(), "comment", "testdata", "mixed.cmp.json")
	err := run(context.Background(), &stdout, &stderr, []string{"report", "--comparison", cmp, "--out", dir, "--category", "sci", "--max-chars", "3000"}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	for _, name := range []string{"report.md", "report.json", "junit.xml", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("stdout does not list %s: %q", name, stdout.String())
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if len(md) > 3000 || !strings.Contains(string(md), "<!-- xpcs-perf:sci -->") || !strings.Contains(string(md), "Shortened") {
		t.Errorf("report.md: %d bytes, want a shortened comment with the sci marker", len(md))
	}
}

func TestReportCommandStdoutAndErrors(t *testing.T) {
	t.Parallel()
	cmp := filepath.Join(testenv.Root(), "comment", "testdata", "firstrun.cmp.json")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr, []string{"report", "--comparison", cmp, "--format", "junit", "--out", "-"}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "<?xml") {
		t.Errorf("stdout = %.60q, want JUnit XML", stdout.String())
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report"}, 2, "--comparison is required"},
		{[]string{"report", "--comparison", cmp, "--format", "pdf"}, 2, `unknown format "pdf"`},
		{[]string{"report", "--comparison", cmp, "--out", "-"}, 2, "exactly one --format"},
		{[]string{"report", "--comparison", filepath.Join(t.TempDir(), "nope.json")}, 1, "nope.json"},
	} {
		err := run(context.Background(), &stdout, &stderr, tc.args, nil)
		var ee *exitError
		code := 1
		if errors.As(err, &ee) {
			code = ee.code
		}
		if err == nil || code != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: err %v (code %d), want code %d mentioning %q", tc.args, err, code, tc.code, tc.msg)
		}
	}
}
