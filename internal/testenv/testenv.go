package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Required reports whether missing tools must fail tests (XPCS_REQUIRE_TOOLS=1).
func Required() bool { return os.Getenv("XPCS_REQUIRE_TOOLS") == "1" }

// Need skips (or, when Required, fails) t unless probe succeeds. what names the
// tool and how to install it, e.g. "python3-h5py (apt-get install python3-h5py)".
func Need(t testing.TB, what string, probe func() error) {
	t.Helper()
	if err := probe(); err != nil {
		if Required() {
			t.Fatalf("%s is required (XPCS_REQUIRE_TOOLS=1) but unavailable: %v", what, err)
		}
		t.Skipf("%s unavailable: %v", what, err)
	}
}

// NeedCommand is Need for a command that must run successfully with args.
func NeedCommand(t testing.TB, what string, name string, args ...string) {
	t.Helper()
	Need(t, what, func() error { return exec.Command(name, args...).Run() })
}

// NeedPython is Need for a python3 module importable by python3.
func NeedPython(t testing.TB, module string) {
	t.Helper()
	NeedCommand(t, "python3 module "+module+" (Debian package)", Python, "-c", "import "+module)
}

// Root returns the module root (the folder holding go.mod).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Fixtures returns the path of ../shared/fixtures beside the module root,
// or XPCS_FIXTURES when set. The test is skipped (failed when Required) when
// the folder is absent.
func Fixtures(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("XPCS_FIXTURES")
	if dir == "" {
		dir = filepath.Join(Root(), "..", "shared", "fixtures")
	}
	if _, err := os.Stat(dir); err != nil {
		// XPCS_FIXTURES_OPTIONAL=1: a CI without the shared fixtures (they
		// may not be redistributed) skips these tests even when tools are
		// required.
		if Required() && os.Getenv("XPCS_FIXTURES_OPTIONAL") != "1" {
			t.Fatalf("shared fixtures not found at %s", dir)
		}
		t.Skipf("shared fixtures not found at %s", dir)
	}
	return dir
}

// Fixture returns the path of one file below Fixtures.
func Fixture(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Fixtures(t), filepath.FromSlash(rel))
}

// Python is Debian's interpreter, which sees the apt-installed modules
// (python3-h5py, python3-pytest-benchmark, python3-junitparser); a python3
// earlier on PATH (pyenv) may not.
const Python = "/usr/bin/python3"
