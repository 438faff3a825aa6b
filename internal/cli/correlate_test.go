package cli

import (
	"bytes"
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// TestSynthCorrelateRoundTrip runs `synth` then `correlate` on the tiny size
// and checks the result file against an in-process correlation of the same
// synthetic stack (float32 storage: 1e-6 relative), and that the q-map
// embedded by synth survives the trip.
func TestSynthCorrelateRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw, out := filepath.Join(dir, "stack.h5"), filepath.Join(dir, "result.hdf")
	var so, se bytes.Buffer
	if err := run(context.Background(), &so, &se, []string{"synth", "--size", "tiny", "--frames", "60", "--out", raw, "--compression", "deflate", "--seed", "3"}, nil); err != nil {
		t.Fatalf("synth: %v\n%s", err, se.String())
	}
	if err := run(context.Background(), &so, &se, []string{"correlate", "--raw", raw, "--out", out, "--twotime", "--segments", "2"}, nil); err != nil {
		t.Fatalf("correlate: %v\n%s", err, se.String())
	}
	cfg := xpcs.DefaultSynth(xpcs.Shape{Frames: 60, Rows: 64, Cols: 64}, 3)
	syn, err := xpcs.NewSynth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := xpcs.Correlate(syn, syn.QMap(), xpcs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := h5.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.ReadResult()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.DelayList) != len(want.G2.Delays) || got.G2.Rows != len(want.G2.Delays) || got.G2.Cols != want.G2.NQ {
		t.Fatalf("result g2 is %dx%d with %d delays, want %dx%d", got.G2.Rows, got.G2.Cols, len(got.DelayList), len(want.G2.Delays), want.G2.NQ)
	}
	for i, v := range want.G2.G2 {
		if g := float64(got.G2.Data[i]); math.Abs(g-v) > 1e-6*math.Abs(v) {
			t.Fatalf("normalized_g2[%d] = %g, want %g", i, g, v)
		}
	}
	for i, v := range want.SAXS1D {
		if g := float64(got.Scattering1D[i]); math.Abs(g-v) > 1e-6*math.Abs(v) {
			t.Fatalf("scattering_1d[%d] = %g, want %g", i, g, v)
		}
	}
	qm, err := aps.QMapFromAPS(got.QMap)
	if err != nil {
		t.Fatal(err)
	}
	for p := range qm.Static {
		if qm.Static[p] != syn.QMap().Static[p] || qm.Dynamic[p] != syn.QMap().Dynamic[p] {
			t.Fatalf("pixel %d: labels %d/%d after the round trip, want %d/%d", p, qm.Static[p], qm.Dynamic[p], syn.QMap().Static[p], syn.QMap().Dynamic[p])
		}
	}
	if len(got.TwoTime) != want.G2.NQ {
		t.Errorf("%d two-time maps, want %d", len(got.TwoTime), want.G2.NQ)
	}
	if !strings.Contains(so.String(), "segment 1:") {
		t.Errorf("correlate output lacks the segment lines:\n%s", so.String())
	}

	// A real client sees the APS paths, shapes and dtypes.
	testenv.NeedPython(t, "h5py")
	script := `
import sys, h5py
f = h5py.File(sys.argv[1], "r")
want = {
 "/xpcs/multitau/delay_list": ("int64", (18,)),
 "/xpcs/multitau/normalized_g2": ("float32", (18, 9)),
 "/xpcs/multitau/normalized_g2_err": ("float32", (18, 9)),
 "/xpcs/temporal_mean/scattering_2d": ("float32", (1, 64, 64)),
 "/xpcs/temporal_mean/scattering_1d": ("float32", (1, 36)),
 "/xpcs/spatial_mean/intensity_vs_time": ("float32", (2, 60)),
 "/xpcs/qmap/static_roi_map": ("uint16", (64, 64)),
 "/xpcs/qmap/dynamic_roi_map": ("uint8", (64, 64)),
 "/xpcs/qmap/mask": ("bool", (64, 64)),
 "/xpcs/twotime/correlation_map/c2_00001": ("float32", (60, 60)),
}
for k, (dt, sh) in want.items():
    d = f[k]
    assert str(d.dtype) == dt and d.shape == sh, (k, d.dtype, d.shape)
print("ok")
`
	cmd := exec.Command(testenv.Python, "-c", script, out)
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "ok") {
		t.Fatalf("h5py check of %s: %v\n%s", out, err, b)
	}

	// An independent implementation (vectorised numpy, reading the raw
	// stack and q-map with h5py) gives the same g2 and errors.
	testenv.NeedPython(t, "numpy")
	ref := filepath.Join(testenv.Root(), "scripts", "xpcs", "multitau_numpy.py")
	if b, err := exec.Command(testenv.Python, ref, "--raw", raw, "--result", out).CombinedOutput(); err != nil {
		t.Fatalf("numpy reference disagrees with %s: %v\n%s", out, err, b)
	} else {
		t.Logf("numpy reference: %s", strings.TrimSpace(string(b)))
	}
}

func TestSynthCorrelateErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"synth", "--help"}, 0, ""},
		{[]string{"correlate", "--help"}, 0, ""},
		{[]string{"synth", "--size", "huge", "--out", filepath.Join(dir, "x.h5")}, 2, "unknown --size"},
		{[]string{"synth", "--size", "tiny"}, 2, "--out is required"},
		{[]string{"correlate", "--raw", filepath.Join(dir, "missing.h5"), "--out", filepath.Join(dir, "r.hdf")}, 1, "missing.h5"},
		{[]string{"synth", "--size", "tiny", "--beta", "2", "--out", filepath.Join(dir, "b.h5")}, 1, "beta"},
	} {
		var so, se bytes.Buffer
		err := run(context.Background(), &so, &se, tc.args, func(string) string { return "" })
		code := exitCode(&se, err)
		if code != tc.code || !strings.Contains(se.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, se.String(), tc.code, tc.want)
		}
	}
}

// TestCorrelateMatchesNumpyAPS: speckle stacks written by h5py (static bins
// nested in dynamic bins, masked pixels, a separate q-map file) correlated by
// `correlate` agree to 1e-6 relative with the numpy reference of
// scripts/xpcs/aps_reference.py, written from the APS 8-ID-I definitions:
// normalized_g2, normalized_g2_err and every two-time map (sqmap smoothing,
// the naive float64 back end; the float32 BLAS back ends are held to 1e-4).
func TestCorrelateMatchesNumpyAPS(t *testing.T) {
	t.Parallel()
	testenv.NeedPython(t, "h5py")
	testenv.NeedPython(t, "numpy")
	script := filepath.Join(testenv.Root(), "scripts", "xpcs", "aps_reference.py")
	for _, tc := range []struct {
		seed    string
		backend string
		smooth  string
		tol     string
	}{
		{"1", "naive", "sqmap", "1e-6"},
		{"2", "naive", "none", "1e-6"},
		{"3", "auto", "sqmap", "1e-4"},
	} {
		t.Run(tc.seed+"-"+tc.backend+"-"+tc.smooth, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if b, err := exec.Command(testenv.Python, script, "write", dir, "--seed", tc.seed).CombinedOutput(); err != nil {
				t.Fatalf("writing the case: %v\n%s", err, b)
			}
			raw, qmap, out := filepath.Join(dir, "raw.h5"), filepath.Join(dir, "qmap.h5"), filepath.Join(dir, "result.hdf")
			var so, se bytes.Buffer
			args := []string{"correlate", "--raw", raw, "--qmap", qmap, "--out", out, "--twotime", "--backend", tc.backend, "--twotime-smooth", tc.smooth}
			if err := run(context.Background(), &so, &se, args, nil); err != nil {
				t.Fatalf("correlate: %v\n%s", err, se.String())
			}
			b, err := exec.Command(testenv.Python, script, "check", "--raw", raw, "--qmap", qmap, "--result", out, "--tol", tc.tol, "--smooth", tc.smooth).CombinedOutput()
			if err != nil {
				t.Fatalf("numpy reference disagrees beyond %s: %v\n%s", tc.tol, err, b)
			}
			t.Logf("numpy reference: %s", strings.TrimSpace(string(b)))
		})
	}
}

// TestCorrelateMappedMatchesStream correlates an uncompressed synthetic
// stack twice, memory-mapped and pixel-major (the default) and streamed
// through libhdf5 (--stream), and checks that the result files hold the
// same numbers bit for bit, and that the independent numpy reference
// agrees with the mapped one.
func TestCorrelateMappedMatchesStream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw := filepath.Join(dir, "stack.h5")
	var so, se bytes.Buffer
	if err := run(context.Background(), &so, &se, []string{"synth", "--size", "tiny", "--frames", "300", "--out", raw, "--seed", "5"}, nil); err != nil {
		t.Fatalf("synth: %v\n%s", err, se.String())
	}
	read := func(out string, extra ...string) *h5.Result {
		t.Helper()
		args := append([]string{"correlate", "--raw", raw, "--out", out}, extra...)
		if err := run(context.Background(), &so, &se, args, nil); err != nil {
			t.Fatalf("correlate %v: %v\n%s", extra, err, se.String())
		}
		f, err := h5.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := f.ReadResult()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	so.Reset()
	mapped := read(filepath.Join(dir, "mapped.hdf"))
	if !strings.Contains(so.String(), "memory-mapped") {
		t.Fatalf("correlate of an uncompressed stack did not map it:\n%s", so.String())
	}
	so.Reset()
	streamed := read(filepath.Join(dir, "streamed.hdf"), "--stream")
	if !strings.Contains(so.String(), "streamed") {
		t.Fatalf("correlate --stream did not stream:\n%s", so.String())
	}
	for _, c := range []struct {
		name      string
		got, want []float32
	}{
		{"normalized_g2", mapped.G2.Data, streamed.G2.Data},
		{"normalized_g2_err", mapped.G2Err.Data, streamed.G2Err.Data},
		{"scattering_2d", mapped.Scattering2D.Data, streamed.Scattering2D.Data},
		{"scattering_1d", mapped.Scattering1D, streamed.Scattering1D},
		{"intensity_vs_time", mapped.IntensityVsTime.Data, streamed.IntensityVsTime.Data},
	} {
		if len(c.got) == 0 || len(c.got) != len(c.want) {
			t.Fatalf("%s: %d values mapped, %d streamed", c.name, len(c.got), len(c.want))
		}
		for i := range c.got {
			if math.Float32bits(c.got[i]) != math.Float32bits(c.want[i]) {
				t.Fatalf("%s[%d]: mapped %g, streamed %g", c.name, i, c.got[i], c.want[i])
			}
		}
	}
	testenv.NeedPython(t, "numpy")
	ref := filepath.Join(testenv.Root(), "scripts", "xpcs", "multitau_numpy.py")
	if b, err := exec.Command(testenv.Python, ref, "--raw", raw, "--result", filepath.Join(dir, "mapped.hdf")).CombinedOutput(); err != nil {
		t.Fatalf("numpy reference disagrees with the mapped result: %v\n%s", err, b)
	}
}
