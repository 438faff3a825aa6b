package runner

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// TestEngineLinksNoSuite: the engine depends on neither libhdf5 (h5,
// gonum/hdf5) nor the XPCS kernels, so that anyone can register Go
// benchmarks with it without linking them; the suite (runner/suite) does.
func TestEngineLinksNoSuite(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = testenv.Root() + "/runner"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	bad := regexp.MustCompile(`hdf5|/h5(/|$)|/xpcs(/|$)|/runner/suite$`)
	for _, p := range strings.Fields(string(out)) {
		if bad.MatchString(p) {
			t.Errorf("runner depends on %s", p)
		}
	}
}
