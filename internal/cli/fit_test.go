package cli

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// writeFitResult writes a small APS-layout result file whose g2 follows
// 1 + 0.2 exp(-2t/tau) with tau = 2e-7 q^-2 s plus noise, 20 µs frames.
func writeFitResult(t *testing.T, withFrameTime bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "result.hdf")
	f, err := h5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	delays := xpcs.Delays(100000)
	q := []float64{0.004, 0.006, 0.008, 0.01, 0.012}
	nt, nq := len(delays), len(q)
	g2 := make([]float32, nt*nq)
	ge := make([]float32, nt*nq)
	rng := rand.New(rand.NewPCG(5, 6))
	for i, d := range delays {
		for j, qq := range q {
			tau := 2e-7 / (qq * qq)
			e := 0.002
			ge[i*nq+j] = float32(e)
			g2[i*nq+j] = float32(1 + 0.2*math.Exp(-2*float64(d)*2e-5/tau) + e*rng.NormFloat64())
		}
	}
	for _, w := range []struct {
		path  string
		shape []int
		data  any
	}{
		{aps.FitDelayPath, []int{nt}, delays},
		{aps.FitG2Path, []int{nt, nq}, g2},
		{aps.FitErrPath, []int{nt, nq}, ge},
		{aps.FitQPath, []int{nq}, q},
	} {
		if err := f.Write(w.path, w.shape, w.data, nil); err != nil {
			t.Fatal(err)
		}
	}
	if withFrameTime {
		if err := f.Write(aps.FitFramePath, nil, []float64{2e-5}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestCmdFitStoresTable(t *testing.T) {
	path := writeFitResult(t, true)
	var out, errb bytes.Buffer
	if err := run(context.Background(), &out, &errb, []string{"fit", path}, func(string) string { return "" }); err != nil {
		t.Fatalf("fit: %v\n%s", err, errb.String())
	}
	text := out.String()
	if strings.Count(text, " ok") != 5 || !strings.Contains(text, "tau(q) = A q^alpha: alpha = -") {
		t.Errorf("output:\n%s", text)
	}
	f, err := h5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	params, shape, err := h5.ReadAs[float64](f, "/xpcs/fit/single/params")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := shape, []int{5, 4}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("params shape %v, want %v", got, want)
	}
	for j, q := range []float64{0.004, 0.006, 0.008, 0.01, 0.012} {
		if got, want := params[j*4+1], 2e-7/(q*q); math.Abs(got-want) > 0.05*want {
			t.Errorf("bin %d: stored tau %g, want %g", j, got, want)
		}
	}
	a, err := f.Attr("/xpcs/fit/single", "power_law_alpha")
	if err != nil {
		t.Fatal(err)
	}
	if alpha, ok := a.Value.(float64); !ok || math.Abs(alpha+2) > 0.05 {
		t.Errorf("power_law_alpha = %v, want -2", a.Value)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// A second run must not silently overwrite the stored fit.
	err = run(context.Background(), &out, &errb, []string{"fit", path}, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "already holds /xpcs/fit/single") {
		t.Errorf("second run: %v", err)
	}
	if err := run(context.Background(), &out, &errb, []string{"fit", "--group", "/xpcs/fit/lbfgs", "--method", "lbfgs", path}, func(string) string { return "" }); err != nil {
		t.Errorf("--group: %v", err)
	}
}

func TestCmdFitErrors(t *testing.T) {
	noFrame := writeFitResult(t, false)
	missing := filepath.Join(t.TempDir(), "missing.hdf")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fit", "--help"}, 0, ""},
		{[]string{"fit"}, 2, "exactly one result file"},
		{[]string{"fit", "--model", "triple", noFrame}, 2, "unknown model"},
		{[]string{"fit", "--method", "newton", noFrame}, 2, "unknown method"},
		{[]string{"fit", "--fix", "d", noFrame}, 2, "not name=value"},
		{[]string{"fit", "--no-store", noFrame}, 1, "pass --dt"},
		{[]string{"fit", missing}, 1, "missing.hdf"},
		{[]string{"fit", "--no-store", "--fix", "zz=1", "--dt", "2e-5", noFrame}, 1, "no q bin could be fitted"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		err := run(context.Background(), &out, &errb, c.args, func(string) string { return "" })
		code := exitCode(&errb, err)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), &out, &errb, []string{"fit", "--no-store", "--dt", "2e-5", noFrame}, func(string) string { return "" }); err != nil {
		t.Errorf("--dt: %v", err)
	}
}

// TestCmdFitRealFile fits the real APS file of the shared fixtures (a copy:
// fit writes into the file).
func TestCmdFitRealFile(t *testing.T) {
	src := testenv.Fixture(t, "xpcs/E0173.hdf")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "E0173.hdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), &out, &errb, []string{"fit", path}, func(string) string { return "" }); err != nil {
		t.Fatalf("fit: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "36 q bins x 61 lags, frame time 2e-05 s") {
		t.Errorf("output:\n%s", out.String())
	}
	f, err := h5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Read("/xpcs/fit/single/status")
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := st.Data.([]string); !ok || len(s) != 36 {
		t.Errorf("status: %#v", st.Data)
	}
}

// TestCmdFitReadsBackInH5py: the stored fit is plain HDF5 that h5py reads
// with the documented names, shapes and types.
func TestCmdFitReadsBackInH5py(t *testing.T) {
	testenv.NeedPython(t, "h5py")
	path := writeFitResult(t, true)
	var out, errb bytes.Buffer
	if err := run(context.Background(), &out, &errb, []string{"fit", "--model", "stretched", path}, func(string) string { return "" }); err != nil {
		t.Fatalf("fit: %v\n%s", err, errb.String())
	}
	script := `import sys, h5py
g = h5py.File(sys.argv[1], "r")["xpcs/fit/stretched"]
print(g["params"].shape, g["params"].dtype, g["errors"].shape, g["q"].shape, g["red_chi2"].dtype, g["status"][0].decode())
print(g.attrs["model"], g.attrs["param_names"], round(float(g.attrs["power_law_alpha"]), 1))`
	got, err := exec.Command(testenv.Python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py: %v\n%s", err, got)
	}
	want := "(5, 4) float64 (5, 4) (5,) float64 ok\nstretched a,b,c,d -2.0\n"
	if string(got) != want {
		t.Errorf("h5py read:\n%s\nwant:\n%s", got, want)
	}
}
