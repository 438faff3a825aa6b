package h5

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestChildDoesNotInheritFileLock: a process started while a file is open
// must not keep libhdf5's descriptor (and its flock lock) after the file is
// closed; before the fix the exclusive reopen below failed with "unable to
// lock the file ... errno = 11" until the child exited.
func TestChildDoesNotInheritFileLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.h5")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "5")
	if err := child.Start(); err != nil {
		t.Skipf("cannot start a child: %v", err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := OpenRW(path)
	if err != nil {
		t.Fatalf("reopen for writing while a child started during the first open lives: %v", err)
	}
	g.Close()
}
