package suite

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// TestSetDataDirShared: with a shared data folder (the A/B orchestrator's),
// a stack file already there is reused as is, a missing one is written
// there, and CleanupData leaves the folder to its owner. Not parallel: the
// data folder is package state.
func TestSetDataDirShared(t *testing.T) {
	dir := t.TempDir()
	SetDataDir(dir)
	defer func() { SetDataDir(""); CleanupData() }()
	tiny := runner.Sizes["tiny"]
	pre := filepath.Join(dir, fmt.Sprintf("stack-%s-%s.h5", tiny.Name, h5.Deflate))
	if err := os.WriteFile(pre, []byte("the other side's file"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		c         h5.Compression
		wantPath  string
		wantReuse bool
	}{
		{"present: reused", h5.Deflate, pre, true},
		{"missing: written there", h5.None, filepath.Join(dir, fmt.Sprintf("stack-%s-%s.h5", tiny.Name, h5.None)), false},
	}
	for _, tt := range tests {
		got, err := stackFile(tiny, tt.c)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.wantPath {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.wantPath)
		}
		b, err := os.ReadFile(got)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if reused := string(b) == "the other side's file"; reused != tt.wantReuse {
			t.Errorf("%s: reused %v, want %v", tt.name, reused, tt.wantReuse)
		}
	}
	CleanupData()
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 2 {
		t.Errorf("after CleanupData: %d entries (%v), want the 2 files kept", len(ents), err)
	}
}
