package h5

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// readEverything reads every dataset and attribute of the file at path.
func readEverything(t *testing.T, path string) int {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, err := f.Inspect("/")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	root.Walk(func(nd *Node) {
		if nd.Kind != "dataset" {
			return
		}
		a, err := f.Read(nd.Path)
		if err != nil {
			t.Errorf("read %s: %v", nd.Path, err)
			return
		}
		if a.Len() != product(nd.Shape) {
			t.Errorf("%s: %d values for shape %v", nd.Path, a.Len(), nd.Shape)
		}
		n++
	})
	return n
}

func TestReadRealResultFiles(t *testing.T) {
	type want struct {
		nTau, nQ, h, w, nSQ, nT int
	}
	for name, w := range map[string]want{
		"xpcs/E0173.hdf":     {61, 36, 1676, 2100, 360, 100000},
		"xpcs/avg_D0138.hdf": {61, 27, 512, 1024, 1476, 100000},
	} {
		t.Run(name, func(t *testing.T) {
			path := testenv.Fixture(t, name)
			checkNoLeak(t, func() {
				if n := readEverything(t, path); n < 50 {
					t.Errorf("read %d datasets, want many more", n)
				}
				r, err := ReadResult(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(r.DelayList); got != w.nTau {
					t.Errorf("delay_list: got %d lags, want %d", got, w.nTau)
				}
				if r.G2.Rows != w.nTau || r.G2.Cols != w.nQ || r.G2Err.Rows != w.nTau {
					t.Errorf("g2: got %dx%d, want %dx%d", r.G2.Rows, r.G2.Cols, w.nTau, w.nQ)
				}
				if r.Scattering2D.Rows != w.h || r.Scattering2D.Cols != w.w || len(r.Scattering2D.Data) != w.h*w.w {
					t.Errorf("scattering_2d: got %dx%d", r.Scattering2D.Rows, r.Scattering2D.Cols)
				}
				if got := len(r.Scattering1D); got != w.nSQ {
					t.Errorf("scattering_1d: got %d, want %d", got, w.nSQ)
				}
				if r.IntensityVsTime.Rows != 2 || r.IntensityVsTime.Cols != w.nT {
					t.Errorf("intensity_vs_time: got %dx%d", r.IntensityVsTime.Rows, r.IntensityVsTime.Cols)
				}
				q := r.QMap
				if q.Rows != w.h || q.Cols != w.w || len(q.Mask) != w.h*w.w || len(q.StaticROIMap) != w.h*w.w || len(q.DynamicROIMap) != w.h*w.w {
					t.Errorf("qmap: got %dx%d with %d/%d/%d values", q.Rows, q.Cols, len(q.Mask), len(q.StaticROIMap), len(q.DynamicROIMap))
				}
				if len(q.DynamicVListDim0) != w.nQ {
					t.Errorf("dynamic_v_list_dim0: got %d, want %d", len(q.DynamicVListDim0), w.nQ)
				}
				if q.Energy <= 0 || q.DetectorDistance <= 0 || len(q.MapNames) != 2 {
					t.Errorf("qmap scalars: energy %v distance %v names %v", q.Energy, q.DetectorDistance, q.MapNames)
				}
				switch r.Entry["instrument/detector_1/frame_time"].(type) {
				case float64, float32:
				default:
					t.Errorf("entry: frame_time missing: %v", r.Entry["instrument/detector_1/frame_time"])
				}
				for i := 1; i < len(r.DelayList); i++ {
					if r.DelayList[i] <= r.DelayList[i-1] {
						t.Fatalf("delay_list not increasing at %d: %v", i, r.DelayList)
					}
				}
			})
		})
	}
}

// TestE0173SAXS1D recomputes scattering_1d as the per-static-bin mean of the
// LZF-compressed scattering_2d over the LZF-compressed static_roi_map: it only
// matches when the LZF data decode correctly.
func TestE0173SAXS1D(t *testing.T) {
	r, err := ReadResult(testenv.Fixture(t, "xpcs/E0173.hdf"))
	if err != nil {
		t.Fatal(err)
	}
	n := len(r.Scattering1D)
	sum := make([]float64, n)
	cnt := make([]float64, n)
	for i, b := range r.QMap.StaticROIMap {
		if b <= 0 || int(b) > n {
			continue
		}
		sum[b-1] += float64(r.Scattering2D.Data[i])
		cnt[b-1]++
	}
	worst, used := 0.0, 0
	for i := range sum {
		if cnt[i] == 0 {
			continue
		}
		got, want := sum[i]/cnt[i], float64(r.Scattering1D[i])
		if want != 0 {
			worst = math.Max(worst, math.Abs(got-want)/math.Abs(want))
			used++
		}
	}
	if used < n/2 || worst > 1e-4 {
		t.Errorf("SAXS 1D: worst relative difference %.3g over %d bins, want <= 1e-4", worst, used)
	}
	t.Logf("SAXS 1D: worst relative difference %.3g over %d bins", worst, used)
}

func sampleResult() *Result {
	const h, w = 20, 30
	r := &Result{
		DelayList:       []int64{1, 2, 3, 4, 5, 6, 7, 8, 10, 12},
		G2:              Matrix32{Rows: 10, Cols: 3, Data: make([]float32, 30)},
		G2Err:           Matrix32{Rows: 10, Cols: 3, Data: make([]float32, 30)},
		Scattering2D:    Matrix32{Rows: h, Cols: w, Data: make([]float32, h*w)},
		Scattering1D:    []float32{1, 2, 3, 4},
		IntensityVsTime: Matrix32{Rows: 2, Cols: 50, Data: make([]float32, 100)},
		TwoTime:         map[string]Matrix32{C2Name(1): {Rows: 4, Cols: 4, Data: make([]float32, 16)}},
		Entry: map[string]any{
			"instrument/detector_1/frame_time":    2e-5,
			"instrument/detector_1/detector_name": "synthetic",
			"scan_number":                         int64(7),
		},
		Config: map[string]any{
			"avg_frame": int64(1), "stride_frame": int64(2), "smooth": "sqmap", "raw": "/data/raw.h5",
		},
		RawDataPath: "/data/raw.h5",
	}
	for i := range r.G2.Data {
		r.G2.Data[i] = 1 + float32(i)/100
		r.G2Err.Data[i] = float32(i) / 1000
	}
	for i := range r.Scattering2D.Data {
		r.Scattering2D.Data[i] = float32(i%17) * 0.5
	}
	for i := range r.IntensityVsTime.Data {
		r.IntensityVsTime.Data[i] = float32(i)
	}
	q := &r.QMap
	q.Rows, q.Cols = h, w
	q.Mask = make([]int8, h*w)
	q.DynamicROIMap = make([]int32, h*w)
	q.StaticROIMap = make([]int32, h*w)
	for i := range q.Mask {
		q.Mask[i] = int8(i % 2)
		q.DynamicROIMap[i] = int32(i % 4)
		q.StaticROIMap[i] = int32(i % 300)
	}
	q.DynamicVListDim0 = []float64{0.001, 0.002, 0.003}
	q.StaticVListDim0 = []float64{0.001, 0.0015, 0.002, 0.0025}
	q.DynamicNumPts = []int64{3, 1}
	q.StaticNumPts = []int64{4, 1}
	q.BeamCenterX, q.BeamCenterY, q.DetectorDistance, q.Energy, q.PixelSize = 10.5, 9.5, 5, 10.9, 75e-6
	q.MapNames = []string{"q", "phi"}
	q.MapUnits = []string{"1/A", "deg"}
	q.SourceFile = "/data/qmap.h5"
	return r
}

func TestResultRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "result.hdf")
	want := sampleResult()
	checkNoLeak(t, func() {
		if err := WriteResult(path, want); err != nil {
			t.Fatal(err)
		}
		got, err := ReadResult(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip differs:\ngot  %+v\nwant %+v", got.QMap, want.QMap)
		}
		// the stored types are the real files' types
		root, err := Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		for p, dt := range map[string]string{
			"/xpcs/multitau/delay_list":         "int64",
			"/xpcs/multitau/normalized_g2":      "float32",
			"/xpcs/qmap/mask":                   "enum int8",
			"/xpcs/qmap/dynamic_roi_map":        "uint8",
			"/xpcs/qmap/static_roi_map":         "uint16",
			"/xpcs/temporal_mean/scattering_2d": "float32",
		} {
			n := root.Find(p)
			if n == nil || n.DType != dt {
				t.Errorf("%s: got %+v, want dtype %s", p, n, dt)
			}
		}
		if n := root.Find("/xpcs/temporal_mean/scattering_2d"); n == nil || !reflect.DeepEqual(n.Shape, []int{1, 20, 30}) || len(n.Filters) != 1 || n.Filters[0].ID != 32000 {
			t.Errorf("scattering_2d stored as %+v, want (1,20,30) LZF", n)
		}
	})
	// a value that does not fit the real type is an error, not silent wrap-around
	bad := sampleResult()
	bad.QMap.DynamicROIMap[3] = 300
	if err := WriteResult(filepath.Join(t.TempDir(), "bad.hdf"), bad); err == nil {
		t.Error("dynamic_roi_map value 300 written as uint8 without error")
	}
}
