package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Array is a whole dataset or attribute read into memory. Data is the Go
// slice matching DType ([]uint16 for Uint16, []string for String...), in C
// (row-major) order; Shape is empty for a scalar.
type Array struct {
	Shape []int
	DType DType
	Enum  bool // stored as an HDF5 enum (h5py bool), Data holds the base integers
	Data  any
}

// Len returns the number of elements (1 for a scalar).
func (a *Array) Len() int { return product(a.Shape) }

func product(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// spaceShape returns the dimensions of a dataspace (lib held).
func spaceShape(sp C.hid_t) ([]int, error) {
	nd := int(C.H5Sget_simple_extent_ndims(sp))
	if nd < 0 {
		return nil, fmt.Errorf("%s", lastError())
	}
	if nd == 0 {
		return []int{}, nil
	}
	dims := make([]C.hsize_t, nd)
	C.H5Sget_simple_extent_dims(sp, &dims[0], nil)
	out := make([]int, nd)
	for i, d := range dims {
		if uint64(d) > math.MaxInt64 { // would turn negative as an int (libhdf5 1.10 already refuses such dims at open)
			return nil, fmt.Errorf("%w: dimension %d of %d elements: damaged header?", ErrShape, i, uint64(d))
		}
		out[i] = int(d)
	}
	return out, nil
}

// readWhole reads a whole dataset (isAttr false) or attribute (true) with lib held.
func readWhole(id C.hid_t, isAttr bool) (*Array, error) {
	var ft, sp C.hid_t
	if isAttr {
		ft, sp = C.H5Aget_type(id), C.H5Aget_space(id)
	} else {
		ft, sp = C.H5Dget_type(id), C.H5Dget_space(id)
	}
	if ft >= 0 {
		defer C.H5Tclose(ft)
	}
	if sp >= 0 {
		defer C.H5Sclose(sp)
	}
	if ft < 0 || sp < 0 {
		return nil, fmt.Errorf("%s", lastError())
	}
	shape, err := spaceShape(sp)
	if err != nil {
		return nil, err
	}
	n := int(C.H5Sget_simple_extent_npoints(sp))
	ti := describeType(ft)
	if ram := totalRAM(); n < 0 || (ram > 0 && float64(n)*float64(max(ti.dtype.Size(), 8)) > float64(ram)) {
		return nil, fmt.Errorf("%w: %v elements exceed the machine's RAM: read a hyperslab", ErrShape, shape)
	}
	if !isAttr {
		if err := fitsFileLocked(id, float64(n)*float64(C.H5Tget_size(ft))); err != nil {
			return nil, err
		}
	}
	a := &Array{Shape: shape, DType: ti.dtype, Enum: ti.enum}
	switch {
	case ti.dtype == Invalid:
		return nil, fmt.Errorf("%w: unsupported HDF5 type %s", ErrDType, ti.desc)
	case ti.dtype == String && ti.vlen:
		ptrs := make([]*C.char, n+1)
		if C.xh_read_strings(id, boolInt(isAttr), C.size_t(n), &ptrs[0]) < 0 {
			return nil, fmt.Errorf("%s", lastError())
		}
		out := make([]string, n)
		for i := 0; i < n; i++ {
			if ptrs[i] != nil {
				out[i] = C.GoString(ptrs[i])
				C.free(unsafe.Pointer(ptrs[i]))
			}
		}
		a.Data = out
	case ti.dtype == String:
		buf := make([]byte, n*ti.strLen+1)
		if rawRead(id, isAttr, ft, unsafe.Pointer(&buf[0])) < 0 {
			return nil, fmt.Errorf("%s", lastError())
		}
		out := make([]string, n)
		for i := range out {
			out[i] = strings.TrimRight(string(buf[i*ti.strLen:(i+1)*ti.strLen]), "\x00 ")
		}
		a.Data = out
	default:
		mt := ti.dtype.native()
		if ti.enum {
			mt = C.H5Tget_native_type(ft, C.H5T_DIR_ASCEND)
			defer C.H5Tclose(mt)
		}
		a.Data = makeSlice(ti.dtype, n)
		_, _, p := sliceInfo(a.Data)
		if n > 0 && rawRead(id, isAttr, mt, p) < 0 {
			if isAttr {
				return nil, fmt.Errorf("%s", lastError())
			}
			return nil, readFailedLocked(id)
		}
	}
	return a, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func rawRead(id C.hid_t, isAttr bool, mt C.hid_t, p unsafe.Pointer) C.herr_t {
	if isAttr {
		return C.H5Aread(id, mt, p)
	}
	return C.H5Dread(id, mt, C.xh_space_all(), C.xh_space_all(), C.xh_p_default(), p)
}

// Read reads the whole dataset at path with its stored type.
func (f *File) Read(path string) (*Array, error) {
	lockLib()
	defer lib.Unlock()
	ds, err := f.openDatasetLocked("read", path)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	a, err := readWhole(dsID(ds), false)
	if err != nil {
		return nil, wrapErr("read", f.path, path, err)
	}
	return a, nil
}

// wrapErr turns a plain error into an *Error naming file and object,
// keeping a sentinel Kind when err wraps one.
func wrapErr(op, file, obj string, err error) error {
	if e, ok := err.(*Error); ok {
		return e
	}
	kind := error(nil)
	for _, k := range []error{ErrDType, ErrShape, ErrNotFound, ErrFilterUnavailable, ErrClosed} {
		if isErr(err, k) {
			kind = k
		}
	}
	msg := err.Error()
	if kind != nil {
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, kind.Error()), ": ")
	}
	return &Error{Op: op, File: file, Object: obj, Kind: kind, Msg: msg}
}

// ReadAs reads the whole numeric dataset at path into a []T. T must be the
// stored element type exactly (ErrDType otherwise: no silent conversion).
func ReadAs[T Number](f *File, path string) ([]T, []int, error) {
	a, err := f.Read(path)
	if err != nil {
		return nil, nil, err
	}
	v, ok := a.Data.([]T)
	if !ok {
		return nil, nil, &Error{Op: "read", File: f.path, Object: path, Kind: ErrDType,
			Msg: fmt.Sprintf("stored %s, asked for %s", a.DType, dtypeOf[T]())}
	}
	return v, a.Shape, nil
}

// ReadSlab reads the hyperslab start[i]..start[i]+count[i] of the numeric
// dataset at path into dst, a slice of the stored element type with exactly
// product(count) elements.
func (f *File) ReadSlab(path string, start, count []int, dst any) error {
	lockLib()
	defer lib.Unlock()
	ds, err := f.openDatasetLocked("read", path)
	if err != nil {
		return err
	}
	defer ds.Close()
	if err := readSlabLocked(dsID(ds), start, count, dst); err != nil {
		return wrapErr("read", f.path, path, err)
	}
	return nil
}

// readSlabLocked reads a hyperslab of dataset id into dst (lib held).
func readSlabLocked(id C.hid_t, start, count []int, dst any) error {
	ft := C.H5Dget_type(id)
	defer C.H5Tclose(ft)
	ti := describeType(ft)
	d, n, p := sliceInfo(dst)
	if d == Invalid {
		return fmt.Errorf("%w: destination %T is not a numeric slice", ErrDType, dst)
	}
	if d != ti.dtype {
		return fmt.Errorf("%w: stored %s, destination is []%s", ErrDType, ti.desc, d)
	}
	fs := C.H5Dget_space(id)
	defer C.H5Sclose(fs)
	shape, err := spaceShape(fs)
	if err != nil {
		return err
	}
	if len(start) != len(shape) || len(count) != len(shape) {
		return fmt.Errorf("%w: dataset has rank %d, selection has %d/%d", ErrShape, len(shape), len(start), len(count))
	}
	cs := make([]C.hsize_t, len(shape))
	cc := make([]C.hsize_t, len(shape))
	for i := range shape {
		if start[i] < 0 || count[i] < 0 || start[i]+count[i] > shape[i] {
			return fmt.Errorf("%w: selection start %v count %v outside shape %v", ErrShape, start, count, shape)
		}
		cs[i], cc[i] = C.hsize_t(start[i]), C.hsize_t(count[i])
	}
	if n != product(count) {
		return fmt.Errorf("%w: destination has %d elements, selection %v has %d", ErrShape, n, count, product(count))
	}
	if n == 0 {
		return nil
	}
	if len(shape) == 0 {
		if C.H5Dread(id, d.native(), C.xh_space_all(), C.xh_space_all(), C.xh_p_default(), p) < 0 {
			return fmt.Errorf("%s", lastError())
		}
		return nil
	}
	if C.H5Sselect_hyperslab(fs, C.H5S_SELECT_SET, &cs[0], nil, &cc[0], nil) < 0 {
		return fmt.Errorf("%s", lastError())
	}
	ms := C.H5Screate_simple(C.int(len(cc)), &cc[0], nil)
	defer C.H5Sclose(ms)
	mt := d.native()
	if ti.enum {
		mt = C.H5Tget_native_type(ft, C.H5T_DIR_ASCEND)
		defer C.H5Tclose(mt)
	}
	if C.H5Dread(id, mt, ms, fs, C.xh_p_default(), p) < 0 {
		return readFailedLocked(id)
	}
	return nil
}

// Compression selects the filter pipeline of a new chunked dataset.
type Compression int

// The compressions of raw XPCS stacks.
const (
	None          Compression = iota
	Deflate                   // gzip (filter 1), optionally after byte shuffle (filter 2)
	LZF                       // h5py's LZF (filter 32000), built in
	BitshuffleLZ4             // bitshuffle + LZ4 (filter 32008), through the installed plugin
)

var compressionNames = [...]string{"none", "deflate", "lzf", "bitshuffle-lz4"}

// String returns the name used on the command line.
func (c Compression) String() string {
	if c < 0 || int(c) >= len(compressionNames) {
		return fmt.Sprintf("Compression(%d)", int(c))
	}
	return compressionNames[c]
}

// ParseCompression parses "none", "deflate" (also "gzip"), "lzf" or
// "bitshuffle-lz4" (also "bslz4").
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return None, nil
	case "deflate", "gzip", "zlib":
		return Deflate, nil
	case "lzf":
		return LZF, nil
	case "bitshuffle-lz4", "bitshuffle", "bslz4":
		return BitshuffleLZ4, nil
	}
	return None, fmt.Errorf("h5: unknown compression %q (want none, deflate, lzf or bitshuffle-lz4)", s)
}

// DatasetOptions sets storage of a new dataset. The zero value writes a
// contiguous, uncompressed dataset.
type DatasetOptions struct {
	Chunk       []int       // chunk shape; required for compression
	Compression Compression // filter pipeline
	Level       int         // deflate level 1..9 (0 means 4, h5py's default)
	Shuffle     bool        // byte shuffle before deflate or LZF
	// Bool stores []int8 data as h5py's bool, enum int8 {FALSE=0, TRUE=1}
	// (the type of /xpcs/qmap/mask in APS files).
	Bool bool
}

// dcplLocked builds a dataset creation property list (lib held).
func (o *DatasetOptions) dcplLocked(rank int) (C.hid_t, error) {
	dcpl := C.H5Pcreate(C.xh_p_dataset_create())
	if dcpl < 0 {
		return -1, fmt.Errorf("%s", lastError())
	}
	fail := func(err error) (C.hid_t, error) { C.H5Pclose(dcpl); return -1, err }
	if o == nil {
		return dcpl, nil
	}
	if o.Compression != None && len(o.Chunk) == 0 {
		return fail(fmt.Errorf("%w: compression %s needs a chunk shape", ErrShape, o.Compression))
	}
	if len(o.Chunk) > 0 {
		if len(o.Chunk) != rank {
			return fail(fmt.Errorf("%w: chunk %v for rank %d", ErrShape, o.Chunk, rank))
		}
		cd := make([]C.hsize_t, rank)
		for i, v := range o.Chunk {
			cd[i] = C.hsize_t(v)
		}
		if C.H5Pset_chunk(dcpl, C.int(rank), &cd[0]) < 0 {
			return fail(fmt.Errorf("chunk %v: %s", o.Chunk, lastError()))
		}
	}
	if o.Shuffle && (o.Compression == Deflate || o.Compression == LZF) {
		if C.H5Pset_shuffle(dcpl) < 0 {
			return fail(fmt.Errorf("shuffle: %s", lastError()))
		}
	}
	switch o.Compression {
	case None:
	case Deflate:
		lvl := o.Level
		if lvl == 0 {
			lvl = 4
		}
		if C.H5Pset_deflate(dcpl, C.uint(lvl)) < 0 {
			return fail(fmt.Errorf("deflate: %s", lastError()))
		}
	case LZF:
		cd := []C.uint{4, 0x0105, 0}
		if C.H5Pset_filter(dcpl, C.XPCS_FILTER_LZF, C.H5Z_FLAG_OPTIONAL, 3, &cd[0]) < 0 {
			return fail(fmt.Errorf("lzf: %s", lastError()))
		}
	case BitshuffleLZ4:
		if C.H5Zfilter_avail(C.XPCS_FILTER_BSHUF) <= 0 {
			C.H5Eclear2(C.H5E_DEFAULT)
			return fail(fmt.Errorf("%w: bitshuffle (32008): plugin libh5bshuf.so not found in HDF5_PLUGIN_PATH (Debian: apt-get install hdf5-filter-plugin)", ErrFilterUnavailable))
		}
		// user cd_values as hdf5plugin.Bitshuffle(lz4=True): block size 0 (auto),
		// 2 = LZ4; the plugin's set_local prepends version and element size.
		cd := []C.uint{0, 2}
		if C.H5Pset_filter(dcpl, C.XPCS_FILTER_BSHUF, C.H5Z_FLAG_MANDATORY, 2, &cd[0]) < 0 {
			return fail(fmt.Errorf("bitshuffle: %s", lastError()))
		}
	default:
		return fail(fmt.Errorf("unknown compression %d", o.Compression))
	}
	return dcpl, nil
}

// Write creates the dataset path (and missing parent groups) with the given
// shape and writes data, a numeric slice ([]float32, []int64...) or []string
// (variable-length UTF-8, as h5py writes str) with product(shape) elements.
// An empty shape writes a scalar. An existing dataset is an error.
func (f *File) Write(path string, shape []int, data any, opt *DatasetOptions) error {
	lockLib()
	defer lib.Unlock()
	if err := f.writeLocked(path, shape, data, opt); err != nil {
		return wrapErr("write", f.path, path, err)
	}
	return nil
}

func (f *File) writeLocked(path string, shape []int, data any, opt *DatasetOptions) error {
	if f.closed {
		return ErrClosed
	}
	if !f.writable {
		return fmt.Errorf("file is open read-only")
	}
	var (
		mt  C.hid_t
		p   unsafe.Pointer
		n   int
		fre func()
	)
	if ss, ok := data.([]string); ok {
		n = len(ss)
		mt = C.xh_vlen_str()
		defer C.H5Tclose(mt)
		ptrs := (*[1 << 30]*C.char)(C.malloc(C.size_t(max(n, 1)) * C.size_t(unsafe.Sizeof(uintptr(0)))))[:max(n, 1):max(n, 1)]
		for i, s := range ss {
			ptrs[i] = C.CString(s)
		}
		fre = func() {
			for i := range ss {
				C.free(unsafe.Pointer(ptrs[i]))
			}
			C.free(unsafe.Pointer(&ptrs[0]))
		}
		defer fre()
		p = unsafe.Pointer(&ptrs[0])
	} else {
		var d DType
		d, n, p = sliceInfo(data)
		if d == Invalid {
			return fmt.Errorf("%w: cannot write %T", ErrDType, data)
		}
		mt = d.native()
		if opt != nil && opt.Bool {
			if d != Int8 {
				return fmt.Errorf("%w: bool dataset needs []int8, got %T", ErrDType, data)
			}
			mt = C.xh_bool_enum()
			defer C.H5Tclose(mt)
		}
	}
	if n != product(shape) {
		return fmt.Errorf("%w: %d elements for shape %v", ErrShape, n, shape)
	}
	if f.existsLocked(path) {
		return fmt.Errorf("object already exists")
	}
	if err := f.ensureGroupsLocked("write", path); err != nil {
		return err
	}
	var sp C.hid_t
	if len(shape) == 0 {
		sp = C.H5Screate(C.H5S_SCALAR)
	} else {
		dims := make([]C.hsize_t, len(shape))
		for i, v := range shape {
			dims[i] = C.hsize_t(v)
		}
		sp = C.H5Screate_simple(C.int(len(dims)), &dims[0], nil)
	}
	if sp < 0 {
		return fmt.Errorf("dataspace %v: %s", shape, lastError())
	}
	defer C.H5Sclose(sp)
	dcpl, err := opt.dcplLocked(len(shape))
	if err != nil {
		return err
	}
	defer C.H5Pclose(dcpl)
	cs, free := cstr(path)
	defer free()
	id := C.H5Dcreate2(f.id, cs, mt, sp, C.xh_p_default(), dcpl, C.xh_p_default())
	if id < 0 {
		return fmt.Errorf("create: %s", lastError())
	}
	defer C.H5Dclose(id)
	if n > 0 && C.H5Dwrite(id, mt, C.xh_space_all(), C.xh_space_all(), C.xh_p_default(), p) < 0 {
		return fmt.Errorf("%s", lastError())
	}
	return nil
}

// fitsFileLocked checks that a dataset whose header claims need bytes can
// hold them (lib held): unfiltered data stored in the file itself
// (contiguous or chunked, no external files) cannot be larger than the file.
// A header patched to claim more would otherwise have a buffer of that size
// allocated and filled with fill values. Filtered, compact, virtual and
// external datasets are not bounded here.
func fitsFileLocked(id C.hid_t, need float64) error {
	dcpl := C.H5Dget_create_plist(id)
	if dcpl < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil
	}
	defer C.H5Pclose(dcpl)
	layout := C.H5Pget_layout(dcpl)
	if (layout != C.H5D_CONTIGUOUS && layout != C.H5D_CHUNKED) || C.H5Pget_external_count(dcpl) != 0 || C.H5Pget_nfilters(dcpl) != 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil
	}
	fid := C.H5Iget_file_id(id)
	if fid < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil
	}
	defer C.H5Fclose(fid)
	var size C.hsize_t
	if C.H5Fget_filesize(fid, &size) < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil
	}
	if need > float64(size) {
		return fmt.Errorf("%w: the header claims %.0f bytes of uncompressed data, the file has %d: truncated file or damaged header", ErrShape, need, uint64(size))
	}
	return nil
}
