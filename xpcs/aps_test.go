package xpcs_test

import (
	"math"
	"slices"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// TestSAXS1DMatchesAPS recomputes SAXS 1D of a real APS 8-ID-I result file
// (Rigaku 3M, 1676x2100, 360 static bins) from its time-averaged image and
// static roi map, and compares with the file's own scattering_1d.
func TestSAXS1DMatchesAPS(t *testing.T) {
	t.Parallel()
	path := testenv.Fixture(t, "xpcs/E0173.hdf")
	f, err := h5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, ishape, err := h5.ReadAs[float32](f, "/xpcs/temporal_mean/scattering_2d")
	if err != nil {
		t.Fatal(err)
	}
	roi, rshape, err := h5.ReadAs[uint16](f, "/xpcs/qmap/static_roi_map")
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := h5.ReadAs[float32](f, "/xpcs/temporal_mean/scattering_1d")
	if err != nil {
		t.Fatal(err)
	}
	if len(img) != len(roi) || ishape[len(ishape)-1] != rshape[1] {
		t.Fatalf("scattering_2d %v and static_roi_map %v differ in shape", ishape, rshape)
	}
	got, err := xpcs.SAXS1D(img, xpcs.FromAPSLabels(roi), len(want))
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i := range want {
		w := float64(want[i])
		if math.IsNaN(w) && math.IsNaN(got[i]) {
			continue
		}
		rel := math.Abs(got[i]-w) / math.Abs(w)
		worst = max(worst, rel)
		if !(rel <= 1e-5) {
			t.Errorf("bin %d: got %.9g, want %.9g (rel %.2g)", i, got[i], w, rel)
		}
	}
	t.Logf("%d bins, worst relative difference %.3g", len(want), worst)
}

// TestDelaysMatchAPSViaH5 reads delay_list of the real APS file through the
// project's HDF5 layer (TestLagsMatchAPS does the same with h5dump).
func TestDelaysMatchAPSViaH5(t *testing.T) {
	t.Parallel()
	path := testenv.Fixture(t, "xpcs/E0173.hdf")
	f, err := h5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, _, err := h5.ReadAs[int64](f, "/xpcs/multitau/delay_list")
	if err != nil {
		t.Fatal(err)
	}
	got := xpcs.Delays(100000)
	if !slices.Equal(got, want) {
		t.Fatalf("Delays(100000) = %v\nwant %s delay_list %v", got, path, want)
	}
}
