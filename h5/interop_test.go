package h5

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

var interopScript = filepath.Join(testenv.Root(), "scripts", "h5", "h5py_interop.py")

// pattern is h5py_interop.py's pattern(n).
func pattern[T Pixel](n int) []T {
	out := make([]T, n)
	for i := range out {
		v := (uint64(i) * 2654435761 >> 13) % 1000
		if i%97 == 0 {
			v += 60000
		}
		out[i] = T(v)
	}
	return out
}

func py(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(testenv.Python, append([]string{interopScript}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("%v: %v\n%s", args, err, msg)
	}
	return out
}

// TestH5pyWritesWeRead: files h5py writes read back here with the same values.
func TestH5pyWritesWeRead(t *testing.T) {
	testenv.NeedPython(t, "h5py")
	testenv.NeedPython(t, "hdf5plugin")
	const frames, rows, cols = 5, 33, 47
	dir := t.TempDir()
	py(t, "write-all", dir, fmt.Sprint(frames), fmt.Sprint(rows), fmt.Sprint(cols))
	for _, kind := range []string{"contiguous", "chunked", "gzip-shuffle", "lzf", "odd-chunks", "bitshuffle-lz4"} {
		for _, dt := range []string{"uint16", "uint32"} {
			t.Run(kind+"/"+dt, func(t *testing.T) {
				path := filepath.Join(dir, kind+"-"+dt+".h5")
				checkNoLeak(t, func() {
					if dt == "uint16" {
						checkPyStack(t, path, pattern[uint16](frames*rows*cols), kind)
					} else {
						checkPyStack(t, path, pattern[uint32](frames*rows*cols), kind)
					}
				})
			})
		}
	}
}

func checkPyStack[T Pixel](t *testing.T, path string, want []T, kind string) {
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	direct, why := s.DirectCapable()
	if wantDirect := kind != "contiguous" && kind != "odd-chunks"; direct != wantDirect {
		t.Errorf("direct path: got %v (%s), want %v", direct, why, wantDirect)
	}
	for _, mode := range []ReadMode{Library, Auto, Direct} {
		if mode == Direct && !direct {
			continue
		}
		s.SetReadOptions(ReadOptions{Mode: mode, Workers: 2})
		got, err := ReadAll[T](s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("mode %d: values differ from h5py's", mode)
		}
		part, err := ReadFrames[T](s, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(part, want[2*s.Rows*s.Cols:4*s.Rows*s.Cols]) {
			t.Errorf("mode %d: frames 2..3 differ", mode)
		}
	}
	a, err := s.File.Attr(StackPath, "kind")
	if err != nil || a.Value != kind {
		t.Errorf("attribute kind: got %v, %v; want %q", a.Value, err, kind)
	}
	ft, err := s.File.Attr("/entry", "frame_time")
	if err != nil || ft.Value != 2e-5 {
		t.Errorf("attribute frame_time: got %v, %v", ft.Value, err)
	}
}

type pyInfo struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	Chunks      []int  `json:"chunks"`
	Compression any    `json:"compression"`
	SHA256      string `json:"sha256"`
}

func digest[T Number](v []T) string {
	var z T
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(z)))
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestWeWriteH5pyReads: files written here open in h5py with the same values.
func TestWeWriteH5pyReads(t *testing.T) {
	testenv.NeedPython(t, "h5py")
	testenv.NeedPython(t, "hdf5plugin")
	const frames, rows, cols = 4, 21, 30
	d16 := pattern[uint16](frames * rows * cols)
	d32 := pattern[uint32](frames * rows * cols)
	dir := t.TempDir()
	type file struct{ path, dt, sum string }
	var files []file
	var paths []string
	for i, opt := range allCompressions {
		if opt.Compression == BitshuffleLZ4 && !bitshuffleAvailable(t) {
			continue
		}
		for _, c := range []struct {
			dt   string
			sum  string
			writ func(string) error
		}{
			{"uint16", digest(d16), func(p string) error { return WriteStack(p, d16, frames, rows, cols, opt) }},
			{"uint32", digest(d32), func(p string) error { return WriteStack(p, d32, frames, rows, cols, opt) }},
		} {
			path := filepath.Join(dir, fmt.Sprintf("%d-%s-%s.h5", i, opt.Compression, c.dt))
			if err := c.writ(path); err != nil {
				t.Fatalf("%s: %v", optName(opt), err)
			}
			files = append(files, file{path, c.dt, c.sum})
			paths = append(paths, path)
		}
	}
	var got map[string]map[string]pyInfo
	if err := json.Unmarshal(py(t, append([]string{"read"}, paths...)...), &got); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		info := got[f.path][StackPath]
		if info.DType != f.dt || !slices.Equal(info.Shape, []int{frames, rows, cols}) || info.SHA256 != f.sum {
			t.Errorf("%s: h5py sees %+v, want %s (%d,%d,%d) sha %s", filepath.Base(f.path), info, f.dt, frames, rows, cols, f.sum)
		}
	}
}

// TestResultOpensInH5py: a result file written here has the real files'
// dtypes and shapes as h5py sees them.
func TestResultOpensInH5py(t *testing.T) {
	testenv.NeedPython(t, "h5py")
	path := filepath.Join(t.TempDir(), "result.hdf")
	r := sampleResult()
	if err := WriteResult(path, r); err != nil {
		t.Fatal(err)
	}
	var all map[string]map[string]pyInfo
	if err := json.Unmarshal(py(t, "read", path), &all); err != nil {
		t.Fatal(err)
	}
	got := all[path]
	for p, want := range map[string]pyInfo{
		"/xpcs/multitau/delay_list":              {DType: "int64", Shape: []int{10}, SHA256: digest(r.DelayList)},
		"/xpcs/multitau/normalized_g2":           {DType: "float32", Shape: []int{10, 3}, SHA256: digest(r.G2.Data)},
		"/xpcs/temporal_mean/scattering_2d":      {DType: "float32", Shape: []int{1, 20, 30}, SHA256: digest(r.Scattering2D.Data)},
		"/xpcs/temporal_mean/scattering_1d":      {DType: "float32", Shape: []int{1, 4}, SHA256: digest(r.Scattering1D)},
		"/xpcs/spatial_mean/intensity_vs_time":   {DType: "float32", Shape: []int{2, 50}, SHA256: digest(r.IntensityVsTime.Data)},
		"/xpcs/qmap/mask":                        {DType: "bool", Shape: []int{20, 30}},
		"/xpcs/qmap/dynamic_roi_map":             {DType: "uint8", Shape: []int{20, 30}},
		"/xpcs/qmap/static_roi_map":              {DType: "uint16", Shape: []int{20, 30}},
		"/xpcs/qmap/static_v_list_dim0":          {DType: "float64", Shape: []int{4}, SHA256: digest(r.QMap.StaticVListDim0)},
		"/xpcs/twotime/correlation_map/c2_00001": {DType: "float32", Shape: []int{4, 4}},
	} {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s: missing in h5py's view", p)
			continue
		}
		if g.DType != want.DType || !slices.Equal(g.Shape, want.Shape) || (want.SHA256 != "" && g.SHA256 != want.SHA256) {
			t.Errorf("%s: h5py sees %+v, want %+v", p, g, want)
		}
	}
}

// needBitshuffle skips the test without the bitshuffle HDF5 plugin, or fails
// it when tools are required (CI installs the bitshuffle package).
func needBitshuffle(t *testing.T) {
	t.Helper()
	testenv.Need(t, "the bitshuffle HDF5 plugin (apt-get install bitshuffle)", func() error {
		if !FilterAvailable(filterBshuf) {
			return errors.New("filter 32008 not available")
		}
		return nil
	})
}

// bitshuffleAvailable reports whether the plugin is there; when tools are
// required its absence fails t.
func bitshuffleAvailable(t *testing.T) bool {
	t.Helper()
	if FilterAvailable(filterBshuf) {
		return true
	}
	if testenv.Required() {
		t.Errorf("the bitshuffle HDF5 plugin is required (XPCS_REQUIRE_TOOLS=1) but not available")
	}
	return false
}
