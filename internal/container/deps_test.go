package container

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// TestDepsCurrent: scripts/docker/deps.txt, the packages the Dockerfile
// compiles ahead of the sources, names exactly the third-party packages the
// binary imports. A stale list only slows the image build down, but a test
// keeps it honest: run `make docker-deps` after changing imports.
func TestDepsCurrent(t *testing.T) {
	root := testenv.Root()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const self = "github.com/xpcs-perf/xpcs-perf-action"
	want := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		if p != self && !strings.HasPrefix(p, self+"/") {
			want[p] = true
		}
	}
	b, err := os.ReadFile(filepath.Join(root, "scripts", "docker", "deps.txt"))
	if err != nil {
		t.Fatalf("scripts/docker/deps.txt: %v", err)
	}
	got := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			got[line] = true
		}
	}
	for p := range want {
		if !got[p] {
			t.Errorf("scripts/docker/deps.txt lacks %s (run make docker-deps)", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("scripts/docker/deps.txt names %s, which the binary no longer imports (run make docker-deps)", p)
		}
	}
}
