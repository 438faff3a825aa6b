package fit

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// TestAgreesWithScipy fits testdata/curves.json with scipy's curve_fit
// (scripts/fit/curvefit_scipy.py) and with every method here: the parameters
// must agree to 1e-4 relative (LM; 1e-3 for the gonum methods) and the LM standard errors to 1% (the same
// chi2 minimum and the same covariance formula).
func TestAgreesWithScipy(t *testing.T) {
	testenv.NeedPython(t, "scipy")
	script := filepath.Join(testenv.Root(), "scripts", "fit", "curvefit_scipy.py")
	out, err := exec.Command(testenv.Python, script, curvesFile, "--rounds", "1", "--json").Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	var ref struct {
		Params [][]float64 `json:"params"`
		Errors [][]float64 `json:"errors"`
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("%s output: %v", script, err)
	}
	cs := loadCurveSet(t)
	if len(ref.Params) != len(cs.G2) {
		t.Fatalf("scipy fitted %d bins, want %d", len(ref.Params), len(cs.G2))
	}
	methods := Methods
	if raceEnabled {
		methods = []Method{LM, LBFGS}
	}
	for _, m := range methods {
		for i := range cs.G2 {
			res, err := Fit(cs.T, cs.G2[i], cs.Err[i], Options{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			// scipy's parameters are (a, b, d); ours (a, b, c, d) with c = 1.
			got := []float64{res.Params[0], res.Params[1], res.Params[3]}
			gotErr := []float64{res.Errors[0], res.Errors[1], res.Errors[3]}
			for j, name := range []string{"a", "b", "d"} {
				tol := 1e-4
				if m != LM {
					tol = 1e-3 // gonum's convergence tests stop a little earlier
				}
				if !near(got[j], ref.Params[i][j], tol) {
					t.Errorf("%v bin %d: %s = %.8g, scipy %.8g", m, i, name, got[j], ref.Params[i][j])
				}
				if m == LM && math.Abs(gotErr[j]-ref.Errors[i][j]) > 0.01*ref.Errors[i][j] {
					t.Errorf("%v bin %d: error of %s = %.6g, scipy %.6g", m, i, name, gotErr[j], ref.Errors[i][j])
				}
			}
		}
	}
}
