package h5

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Matrix32 is a row-major float32 matrix.
type Matrix32 struct {
	Rows, Cols int
	Data       []float32 // len Rows*Cols
}

// At returns element (i, j).
func (m Matrix32) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// QMap is /xpcs/qmap of an APS 8-ID-I result file. ROI maps hold 1-based bin
// numbers per pixel (0: pixel in no bin); they are int32 in memory and stored
// with the real files' types (dynamic uint8, static uint16; writing fails
// when a value does not fit).
type QMap struct {
	Rows, Cols          int
	Mask                []int8    // (H, W), stored as h5py bool (enum int8)
	DynamicROIMap       []int32   // (H, W), stored uint8
	StaticROIMap        []int32   // (H, W), stored uint16
	DynamicVListDim0    []float64 // q centre of each dynamic bin, 1/Angstrom
	DynamicVListDim1    []float64 // phi centres of dynamic bins, degrees
	StaticVListDim0     []float64
	StaticVListDim1     []float64
	DynamicIndexMapping []int32 // stored uint8
	StaticIndexMapping  []int32 // stored uint16
	DynamicNumPts       []int64 // (2): number of q and phi bins
	StaticNumPts        []int64
	BeamCenterX         float64 // pixels
	BeamCenterY         float64 // pixels
	DetectorDistance    float64 // metres
	Energy              float64 // keV
	PixelSize           float64 // metres
	MapNames            []string
	MapUnits            []string
	// SourceFile is the q-map file the map was read from (APS source_file).
	SourceFile string
}

// Result is an APS 8-ID-I XPCS result file (the layout written by boost_corr
// and read by pyXPCSViewer). Every part is optional when reading: a missing
// group or dataset leaves the zero value.
type Result struct {
	// /xpcs/multitau
	DelayList []int64  // delay_list (n_tau), lags in frames
	G2        Matrix32 // normalized_g2 (n_tau, n_q)
	G2Err     Matrix32 // normalized_g2_err (n_tau, n_q)
	// /xpcs/temporal_mean
	Scattering2D Matrix32  // scattering_2d, stored (1, H, W): mean image over time
	Scattering1D []float32 // scattering_1d, stored (1, n_sq): per static bin
	// /xpcs/spatial_mean
	IntensityVsTime Matrix32 // intensity_vs_time (2, N): frame times and mean intensity
	QMap            QMap
	// /xpcs/twotime/correlation_map/c2_NNNNN (NNNNN: 1-based dynamic bin, 5 digits)
	TwoTime map[string]Matrix32
	// Single values below /entry (e.g. "instrument/detector_1/frame_time"),
	// float64, float32, int64 or string as stored; values stored with shape
	// (1,) or (1, 1) are read as scalars (and written back as scalars).
	// APS copies them from the raw data's metadata.
	Entry map[string]any
	// Config holds the single values below /xpcs/multitau/config (APS:
	// raw, qmap, avg_frame, stride_frame, smooth, ...), typed as Entry.
	Config map[string]any
	// RawDataPath is /xpcs/rawdata_path: the raw stack correlated.
	RawDataPath string
}

// C2Name returns the dataset name of the two-time map of dynamic bin q (1-based).
func C2Name(q int) string { return fmt.Sprintf("c2_%05d", q) }

// ReadResult reads an APS result file. Missing optional parts are left zero;
// any other failure (wrong type, damaged data, missing filter) is an error
// naming the file and the dataset.
func ReadResult(path string) (*Result, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadResult()
}

// ReadResult reads the result layout from an open file.
func (f *File) ReadResult() (*Result, error) {
	r := &Result{TwoTime: map[string]Matrix32{}, Entry: map[string]any{}}
	var err error
	opt := func(path string, into func(path string) error) {
		if err != nil || !f.Exists(path) {
			return
		}
		err = into(path)
	}
	f32 := func(dst *[]float32) func(string) error {
		return func(p string) error { v, _, e := ReadAs[float32](f, p); *dst = v; return e }
	}
	f64 := func(dst *[]float64) func(string) error {
		return func(p string) error { v, _, e := ReadAs[float64](f, p); *dst = v; return e }
	}
	i64 := func(dst *[]int64) func(string) error {
		return func(p string) error { v, _, e := ReadAs[int64](f, p); *dst = v; return e }
	}
	ints := func(dst *[]int32) func(string) error {
		return func(p string) error { v, e := f.readInts(p); *dst = v; return e }
	}
	mat := func(dst *Matrix32, rank int) func(string) error {
		return func(p string) error {
			v, shape, e := ReadAs[float32](f, p)
			if e != nil {
				return e
			}
			if len(shape) != rank {
				return &Error{Op: "read", File: f.path, Object: p, Kind: ErrShape, Msg: fmt.Sprintf("shape %v, want rank %d", shape, rank)}
			}
			*dst = Matrix32{Rows: shape[rank-2], Cols: shape[rank-1], Data: v}
			return nil
		}
	}
	scalar := func(dst *float64) func(string) error {
		return func(p string) error {
			v, _, e := ReadAs[float64](f, p)
			if e == nil && len(v) > 0 {
				*dst = v[0]
			}
			return e
		}
	}
	strs := func(dst *[]string) func(string) error {
		return func(p string) error {
			a, e := f.Read(p)
			if e == nil {
				s, ok := a.Data.([]string)
				if !ok {
					return &Error{Op: "read", File: f.path, Object: p, Kind: ErrDType, Msg: "want strings, stored " + a.DType.String()}
				}
				*dst = s
			}
			return e
		}
	}
	const mt, tm, sm, qm = "/xpcs/multitau/", "/xpcs/temporal_mean/", "/xpcs/spatial_mean/", "/xpcs/qmap/"
	opt(mt+"delay_list", i64(&r.DelayList))
	opt(mt+"normalized_g2", mat(&r.G2, 2))
	opt(mt+"normalized_g2_err", mat(&r.G2Err, 2))
	var s2d Matrix32
	opt(tm+"scattering_2d", mat(&s2d, 3))
	r.Scattering2D = s2d
	opt(tm+"scattering_1d", f32(&r.Scattering1D))
	opt(sm+"intensity_vs_time", mat(&r.IntensityVsTime, 2))
	q := &r.QMap
	opt(qm+"mask", func(p string) error {
		v, shape, e := ReadAs[int8](f, p)
		if e == nil && len(shape) == 2 {
			q.Rows, q.Cols = shape[0], shape[1]
		}
		q.Mask = v
		return e
	})
	// The detector shape comes from the mask, else from the roi maps (a
	// q-map file need not hold a mask).
	roi := func(dst *[]int32) func(string) error {
		return func(p string) error {
			v, shape, e := f.readIntsShape(p)
			if e == nil && q.Rows == 0 && len(shape) == 2 {
				q.Rows, q.Cols = shape[0], shape[1]
			}
			*dst = v
			return e
		}
	}
	opt(qm+"dynamic_roi_map", roi(&q.DynamicROIMap))
	opt(qm+"static_roi_map", roi(&q.StaticROIMap))
	opt(qm+"dynamic_v_list_dim0", f64(&q.DynamicVListDim0))
	opt(qm+"dynamic_v_list_dim1", f64(&q.DynamicVListDim1))
	opt(qm+"static_v_list_dim0", f64(&q.StaticVListDim0))
	opt(qm+"static_v_list_dim1", f64(&q.StaticVListDim1))
	opt(qm+"dynamic_index_mapping", ints(&q.DynamicIndexMapping))
	opt(qm+"static_index_mapping", ints(&q.StaticIndexMapping))
	opt(qm+"dynamic_num_pts", i64(&q.DynamicNumPts))
	opt(qm+"static_num_pts", i64(&q.StaticNumPts))
	opt(qm+"beam_center_x", scalar(&q.BeamCenterX))
	opt(qm+"beam_center_y", scalar(&q.BeamCenterY))
	opt(qm+"detector_distance", scalar(&q.DetectorDistance))
	opt(qm+"energy", scalar(&q.Energy))
	opt(qm+"pixel_size", scalar(&q.PixelSize))
	opt(qm+"map_names", strs(&q.MapNames))
	opt(qm+"map_units", strs(&q.MapUnits))
	str1 := func(dst *string) func(string) error {
		return func(p string) error {
			var v []string
			if e := strs(&v)(p); e != nil {
				return e
			}
			if len(v) > 0 {
				*dst = v[0]
			}
			return nil
		}
	}
	opt(qm+"source_file", str1(&q.SourceFile))
	opt("/xpcs/rawdata_path", str1(&r.RawDataPath))
	if err != nil {
		return nil, err
	}
	const c2 = "/xpcs/twotime/correlation_map"
	if f.Exists(c2) {
		root, e := f.Inspect(c2)
		if e != nil {
			return nil, e
		}
		for _, c := range root.Children {
			if c.Kind != "dataset" {
				continue
			}
			var m Matrix32
			if e := mat(&m, 2)(c.Path); e != nil {
				return nil, e
			}
			r.TwoTime[c.Path[len(c2)+1:]] = m
		}
	}
	if r.Entry, err = f.readScalars("/entry"); err != nil {
		return nil, err
	}
	if r.Config, err = f.readScalars(mtConfig); err != nil {
		return nil, err
	}
	return r, nil
}

// mtConfig is the group of the APS multi-tau configuration values.
const mtConfig = "/xpcs/multitau/config"

// readScalars reads every single-value dataset below group (keys relative
// to it); an absent group gives an empty map.
func (f *File) readScalars(group string) (map[string]any, error) {
	out := map[string]any{}
	if !f.Exists(group) {
		return out, nil
	}
	root, err := f.Inspect(group)
	if err != nil {
		return nil, err
	}
	root.Walk(func(n *Node) {
		if err != nil || n.Kind != "dataset" || product(n.Shape) != 1 {
			return
		}
		a, e := f.Read(n.Path)
		if e != nil {
			err = e
			return
		}
		// single values of any rank ((), (1,), (1, 1)) become scalars
		out[strings.TrimPrefix(n.Path, group+"/")] = (&Array{Data: a.Data}).value()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readInts reads an integer dataset of any integer type into []int32
// (ErrDType for a float or a value outside int32).
func (f *File) readInts(path string) ([]int32, error) {
	v, _, err := f.readIntsShape(path)
	return v, err
}

// readIntsShape is readInts that also returns the dataset's shape.
func (f *File) readIntsShape(path string) ([]int32, []int, error) {
	a, err := f.Read(path)
	if err != nil {
		return nil, nil, err
	}
	out := make([]int32, a.Len())
	bad := false
	conv := func(i int, v int64) {
		if v < math.MinInt32 || v > math.MaxInt32 {
			bad = true
		}
		out[i] = int32(v)
	}
	switch d := a.Data.(type) {
	case []int8:
		for i, v := range d {
			conv(i, int64(v))
		}
	case []uint8:
		for i, v := range d {
			conv(i, int64(v))
		}
	case []int16:
		for i, v := range d {
			conv(i, int64(v))
		}
	case []uint16:
		for i, v := range d {
			conv(i, int64(v))
		}
	case []int32:
		copy(out, d)
	case []uint32:
		for i, v := range d {
			conv(i, int64(v))
		}
	case []int64:
		for i, v := range d {
			conv(i, v)
		}
	default:
		return nil, nil, &Error{Op: "read", File: f.path, Object: path, Kind: ErrDType, Msg: "want integers, stored " + a.DType.String()}
	}
	if bad {
		return nil, nil, &Error{Op: "read", File: f.path, Object: path, Kind: ErrDType, Msg: "value outside int32"}
	}
	return out, a.Shape, nil
}

// narrow converts int32 values to []T, failing when one does not fit.
func narrow[T uint8 | uint16](v []int32, maxv int32) ([]T, error) {
	out := make([]T, len(v))
	for i, x := range v {
		if x < 0 || x > maxv {
			return nil, fmt.Errorf("%w: value %d at %d does not fit the stored type (max %d)", ErrDType, x, i, maxv)
		}
		out[i] = T(x)
	}
	return out, nil
}

// WriteResult creates path and writes r with the dtypes, shapes and storage
// of the real APS files: large 2-D maps and images chunked and LZF
// compressed, the rest contiguous. Empty parts are not written.
func WriteResult(path string, r *Result) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if err := f.WriteResult(r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteResult writes r into an open, writable file.
func (f *File) WriteResult(r *Result) error {
	var err error
	w := func(path string, shape []int, data any, opt *DatasetOptions) {
		if err == nil {
			err = f.Write(path, shape, data, opt)
		}
	}
	lzf := func(chunk ...int) *DatasetOptions { return &DatasetOptions{Chunk: chunk, Compression: LZF} }
	checkMat := func(name string, m Matrix32) bool {
		if err == nil && len(m.Data) != m.Rows*m.Cols {
			err = &Error{Op: "write", File: f.path, Object: name, Kind: ErrShape, Msg: fmt.Sprintf("%d values for %dx%d", len(m.Data), m.Rows, m.Cols)}
		}
		return len(m.Data) > 0 && err == nil
	}
	const mt, tm, sm, qm = "/xpcs/multitau/", "/xpcs/temporal_mean/", "/xpcs/spatial_mean/", "/xpcs/qmap/"
	if len(r.DelayList) > 0 {
		w(mt+"delay_list", []int{len(r.DelayList)}, r.DelayList, nil)
	}
	if checkMat(mt+"normalized_g2", r.G2) {
		w(mt+"normalized_g2", []int{r.G2.Rows, r.G2.Cols}, r.G2.Data, nil)
	}
	if checkMat(mt+"normalized_g2_err", r.G2Err) {
		w(mt+"normalized_g2_err", []int{r.G2Err.Rows, r.G2Err.Cols}, r.G2Err.Data, nil)
	}
	if checkMat(tm+"scattering_2d", r.Scattering2D) {
		s := r.Scattering2D
		w(tm+"scattering_2d", []int{1, s.Rows, s.Cols}, s.Data, lzf(1, s.Rows, s.Cols))
	}
	if len(r.Scattering1D) > 0 {
		w(tm+"scattering_1d", []int{1, len(r.Scattering1D)}, r.Scattering1D, nil)
	}
	if checkMat(sm+"intensity_vs_time", r.IntensityVsTime) {
		m := r.IntensityVsTime
		w(sm+"intensity_vs_time", []int{m.Rows, m.Cols}, m.Data, lzf(m.Rows, min(m.Cols, 100000)))
	}
	q := r.QMap
	hw := []int{q.Rows, q.Cols}
	mapChunk := func() *DatasetOptions { return lzf(max(1, min(q.Rows, 64)), max(1, min(q.Cols, 256))) }
	checkLen := func(name string, n int) bool {
		if n > 0 && n != q.Rows*q.Cols && err == nil {
			err = &Error{Op: "write", File: f.path, Object: qm + name, Kind: ErrShape, Msg: fmt.Sprintf("%d values for %dx%d", n, q.Rows, q.Cols)}
		}
		return n > 0 && err == nil
	}
	if checkLen("mask", len(q.Mask)) {
		o := mapChunk()
		o.Bool = true
		w(qm+"mask", hw, q.Mask, o)
	}
	if checkLen("dynamic_roi_map", len(q.DynamicROIMap)) {
		v, e := narrow[uint8](q.DynamicROIMap, math.MaxUint8)
		if e != nil && err == nil {
			err = wrapErr("write", f.path, qm+"dynamic_roi_map", e)
		}
		w(qm+"dynamic_roi_map", hw, v, mapChunk())
	}
	if checkLen("static_roi_map", len(q.StaticROIMap)) {
		v, e := narrow[uint16](q.StaticROIMap, math.MaxUint16)
		if e != nil && err == nil {
			err = wrapErr("write", f.path, qm+"static_roi_map", e)
		}
		w(qm+"static_roi_map", hw, v, mapChunk())
	}
	vec := func(name string, v []float64) {
		if len(v) > 0 {
			w(qm+name, []int{len(v)}, v, nil)
		}
	}
	vec("dynamic_v_list_dim0", q.DynamicVListDim0)
	vec("dynamic_v_list_dim1", q.DynamicVListDim1)
	vec("static_v_list_dim0", q.StaticVListDim0)
	vec("static_v_list_dim1", q.StaticVListDim1)
	if len(q.DynamicIndexMapping) > 0 {
		v, e := narrow[uint8](q.DynamicIndexMapping, math.MaxUint8)
		if e != nil && err == nil {
			err = wrapErr("write", f.path, qm+"dynamic_index_mapping", e)
		}
		w(qm+"dynamic_index_mapping", []int{len(v)}, v, nil)
	}
	if len(q.StaticIndexMapping) > 0 {
		v, e := narrow[uint16](q.StaticIndexMapping, math.MaxUint16)
		if e != nil && err == nil {
			err = wrapErr("write", f.path, qm+"static_index_mapping", e)
		}
		w(qm+"static_index_mapping", []int{len(v)}, v, nil)
	}
	if len(q.DynamicNumPts) > 0 {
		w(qm+"dynamic_num_pts", []int{len(q.DynamicNumPts)}, q.DynamicNumPts, nil)
	}
	if len(q.StaticNumPts) > 0 {
		w(qm+"static_num_pts", []int{len(q.StaticNumPts)}, q.StaticNumPts, nil)
	}
	if q.Rows > 0 {
		for name, v := range map[string]float64{"beam_center_x": q.BeamCenterX, "beam_center_y": q.BeamCenterY,
			"detector_distance": q.DetectorDistance, "energy": q.Energy, "pixel_size": q.PixelSize} {
			w(qm+name, nil, []float64{v}, nil)
		}
	}
	if len(q.MapNames) > 0 {
		w(qm+"map_names", []int{len(q.MapNames)}, q.MapNames, nil)
	}
	if len(q.MapUnits) > 0 {
		w(qm+"map_units", []int{len(q.MapUnits)}, q.MapUnits, nil)
	}
	names := make([]string, 0, len(r.TwoTime))
	for k := range r.TwoTime {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		m := r.TwoTime[k]
		p := "/xpcs/twotime/correlation_map/" + k
		if checkMat(p, m) {
			w(p, []int{m.Rows, m.Cols}, m.Data, nil)
		}
	}
	if q.SourceFile != "" {
		w(qm+"source_file", nil, []string{q.SourceFile}, nil)
	}
	if r.RawDataPath != "" {
		w("/xpcs/rawdata_path", nil, []string{r.RawDataPath}, nil)
	}
	if err == nil {
		err = f.writeScalars("/entry", r.Entry)
	}
	if err == nil {
		err = f.writeScalars(mtConfig, r.Config)
	}
	return err
}

// writeScalars writes each value of m as a scalar dataset group/key
// (string, float64, float32, int64, int or bool; bool is stored as h5py
// does, an int8 enum).
func (f *File) writeScalars(group string, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := group + "/" + k
		var err error
		switch v := m[k].(type) {
		case string:
			err = f.Write(p, nil, []string{v}, nil)
		case float64:
			err = f.Write(p, nil, []float64{v}, nil)
		case float32:
			err = f.Write(p, nil, []float32{v}, nil)
		case int64:
			err = f.Write(p, nil, []int64{v}, nil)
		case int:
			err = f.Write(p, nil, []int64{int64(v)}, nil)
		case bool:
			var b int8
			if v {
				b = 1
			}
			err = f.Write(p, nil, []int8{b}, &DatasetOptions{Bool: true})
		default:
			err = &Error{Op: "write", File: f.path, Object: p, Kind: ErrDType, Msg: fmt.Sprintf("scalar value of type %T", v)}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
