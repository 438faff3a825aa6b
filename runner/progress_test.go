package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGitHubProgress(t *testing.T) {
	var buf bytes.Buffer
	r := newTestRunner(t, fastConfig())
	r.Progress = NewGitHubProgress(&buf)
	b2 := bench("b", work)
	b2.Group = "h"
	r.Run(context.Background(), []*Benchmark{bench("a", work), b2, bench("c", func() error { panic("boom") })})
	got := buf.String()
	for _, want := range []string{"::group::test/g\n", "::endgroup::\n::group::test/h\n", "[1/3] test/g/a  ", "[3/3] test/g/c  ERROR panic: boom", "3 benchmarks in"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "::group::") != 3 || strings.Count(got, "::endgroup::") != 3 {
		t.Errorf("unbalanced groups:\n%s", got)
	}
}

func TestTerminalProgressETA(t *testing.T) {
	var buf bytes.Buffer
	r := newTestRunner(t, fastConfig())
	r.Progress = NewTerminalProgress(&buf)
	r.Run(context.Background(), []*Benchmark{bench("a", work), bench("b", work)})
	if got := buf.String(); !strings.Contains(got, "\r\033[K[1/2] test/g/a") || !strings.Contains(got, "eta") {
		t.Errorf("no live line with i/n and eta:\n%q", got)
	}
}

func TestProfiles(t *testing.T) {
	c := fastConfig()
	c.ProfileDir = t.TempDir()
	b := bench("prof", work)
	b.Params = map[string]string{"size": "tiny"}
	newTestRunner(t, c).Run(context.Background(), []*Benchmark{b})
	for _, kind := range []string{"cpu", "heap"} {
		p := filepath.Join(c.ProfileDir, "test_g_prof_size=tiny."+kind+".pprof")
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			entries, _ := os.ReadDir(c.ProfileDir)
			t.Errorf("%s profile %s missing (%v); folder has %v", kind, p, err, entries)
		}
	}
}

func TestDebugLogging(t *testing.T) {
	var buf bytes.Buffer
	c := fastConfig()
	c.Debug = true
	r, err := NewRunner(c, &buf)
	if err != nil {
		t.Fatal(err)
	}
	r.Run(context.Background(), []*Benchmark{bench("dbg", work)})
	if got := buf.String(); !strings.Contains(got, "test/g/dbg: calibrated") {
		t.Errorf("debug log lacks calibration:\n%s", got)
	}
	buf.Reset()
	c.Debug = false
	r, _ = NewRunner(c, &buf)
	r.Run(context.Background(), []*Benchmark{bench("dbg", work)})
	if buf.Len() != 0 {
		t.Errorf("logging without debug: %s", buf.String())
	}
}
