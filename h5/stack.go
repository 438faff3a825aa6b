package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"syscall"
	"unsafe"

	"gonum.org/v1/hdf5"
)

// StackPath is where raw XPCS frame stacks live: (frames, rows, cols).
const StackPath = "/entry/data/data"

// StackOptions sets the storage of a new raw stack. The zero value is
// uncompressed, one chunk per frame.
type StackOptions struct {
	Compression Compression
	Level       int  // deflate level (0 means 4)
	Shuffle     bool // byte shuffle before deflate/LZF (h5py's shuffle=True)
	// FramesPerChunk is the chunk depth; 0 means 1 (one chunk per frame, chunk
	// shape (1, rows, cols)). -1 writes a contiguous dataset (Compression must be None).
	FramesPerChunk int
}

// StackWriter writes a raw stack frame block by frame block, so that stacks
// larger than memory can be generated. Not safe for concurrent use.
type StackWriter struct {
	f                  *File
	ownFile            bool
	id                 C.hid_t
	name               string
	dtype              DType
	frames, rows, cols int
	closed             bool
}

// CreateStack creates the file path (truncating it) with an empty stack at
// StackPath of the given element type (Uint16 or Uint32) and shape. Close the
// writer to close the file.
func CreateStack(path string, dtype DType, frames, rows, cols int, opt StackOptions) (*StackWriter, error) {
	f, err := Create(path)
	if err != nil {
		return nil, err
	}
	w, err := f.CreateStack(StackPath, dtype, frames, rows, cols, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.ownFile = true
	return w, nil
}

// CreateStack creates an empty stack dataset at name (and missing groups).
func (f *File) CreateStack(name string, dtype DType, frames, rows, cols int, opt StackOptions) (*StackWriter, error) {
	if dtype != Uint16 && dtype != Uint32 {
		return nil, &Error{Op: "create stack", File: f.path, Object: name, Kind: ErrDType, Msg: fmt.Sprintf("%s (want uint16 or uint32)", dtype)}
	}
	if frames <= 0 || rows <= 0 || cols <= 0 {
		return nil, &Error{Op: "create stack", File: f.path, Object: name, Kind: ErrShape, Msg: fmt.Sprintf("(%d, %d, %d)", frames, rows, cols)}
	}
	dopt := &DatasetOptions{Compression: opt.Compression, Level: opt.Level, Shuffle: opt.Shuffle}
	switch fpc := opt.FramesPerChunk; {
	case fpc == -1:
		if opt.Compression != None {
			return nil, &Error{Op: "create stack", File: f.path, Object: name, Kind: ErrShape, Msg: "a contiguous stack cannot be compressed"}
		}
	case fpc == 0:
		dopt.Chunk = []int{1, rows, cols}
	default:
		dopt.Chunk = []int{min(fpc, frames), rows, cols}
	}
	lockLib()
	defer lib.Unlock()
	fail := func(err error) (*StackWriter, error) { return nil, wrapErr("create stack", f.path, name, err) }
	if f.closed {
		return fail(ErrClosed)
	}
	if !f.writable {
		return fail(fmt.Errorf("file is open read-only"))
	}
	if err := f.ensureGroupsLocked("create stack", name); err != nil {
		return nil, err
	}
	dims := []C.hsize_t{C.hsize_t(frames), C.hsize_t(rows), C.hsize_t(cols)}
	sp := C.H5Screate_simple(3, &dims[0], nil)
	defer C.H5Sclose(sp)
	dcpl, err := dopt.dcplLocked(3)
	if err != nil {
		return fail(err)
	}
	defer C.H5Pclose(dcpl)
	cs, free := cstr(name)
	defer free()
	id := C.H5Dcreate2(f.id, cs, dtype.native(), sp, C.xh_p_default(), dcpl, C.xh_p_default())
	if id < 0 {
		return fail(fmt.Errorf("%s", lastError()))
	}
	return &StackWriter{f: f, id: id, name: name, dtype: dtype, frames: frames, rows: rows, cols: cols}, nil
}

// File returns the file the stack is written to (for attributes and other
// datasets).
func (w *StackWriter) File() *File { return w.f }

// WriteFrames writes frames start..start+k-1 from data, a []uint16 or
// []uint32 (matching the stack) of k*rows*cols pixels, frame-major.
func (w *StackWriter) WriteFrames(start int, data any) error {
	d, n, p := sliceInfo(data)
	fail := func(kind error, format string, a ...any) error {
		return newErr("write frames", w.f.path, w.name, kind, format, a...)
	}
	if d != w.dtype {
		return fail(ErrDType, "data is %T, stack is %s", data, w.dtype)
	}
	px := w.rows * w.cols
	if n%px != 0 || n == 0 {
		return fail(ErrShape, "%d pixels is not a whole number of %dx%d frames", n, w.rows, w.cols)
	}
	k := n / px
	if start < 0 || start+k > w.frames {
		return fail(ErrShape, "frames %d..%d outside 0..%d", start, start+k-1, w.frames-1)
	}
	lockLib()
	defer lib.Unlock()
	if w.closed {
		return fail(ErrClosed, "")
	}
	fs := C.H5Dget_space(w.id)
	defer C.H5Sclose(fs)
	off := []C.hsize_t{C.hsize_t(start), 0, 0}
	cnt := []C.hsize_t{C.hsize_t(k), C.hsize_t(w.rows), C.hsize_t(w.cols)}
	C.H5Sselect_hyperslab(fs, C.H5S_SELECT_SET, &off[0], nil, &cnt[0], nil)
	ms := C.H5Screate_simple(3, &cnt[0], nil)
	defer C.H5Sclose(ms)
	if C.H5Dwrite(w.id, d.native(), ms, fs, C.xh_p_default(), p) < 0 {
		return fail(nil, "%s", lastError())
	}
	return nil
}

// Close closes the dataset, and the file when CreateStack (the function)
// opened it. Idempotent.
func (w *StackWriter) Close() error {
	lockLib()
	if w.closed {
		lib.Unlock()
		return nil
	}
	w.closed = true
	r := C.H5Dclose(w.id)
	var err error
	if r < 0 {
		err = &Error{Op: "close", File: w.f.path, Object: w.name, Msg: lastError()}
	}
	lib.Unlock()
	if w.ownFile {
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// WriteStack writes data (frames*rows*cols pixels) as a new file holding one
// stack at StackPath.
func WriteStack[T Pixel](path string, data []T, frames, rows, cols int, opt StackOptions) error {
	w, err := CreateStack(path, dtypeOf[T](), frames, rows, cols, opt)
	if err != nil {
		return err
	}
	if err := w.WriteFrames(0, data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// ReadMode selects how Stack reads frames.
type ReadMode int

const (
	// Auto reads raw chunks and decodes them in Go when the layout and filter
	// pipeline allow it (see doc.go), and falls back to Library otherwise.
	// Bitshuffle-LZ4 with its plugin installed goes through Library unless
	// Workers >= 4: the plugin's SIMD transpose is faster than one Go core.
	Auto ReadMode = iota
	// Library always reads through H5Dread (libhdf5's filter pipeline, serial).
	Library
	// Direct requires the raw-chunk path; opening a stack it cannot serve fails.
	Direct
)

// ReadOptions tunes Stack reads.
type ReadOptions struct {
	Mode ReadMode
	// Workers is the number of goroutines decoding chunks in Direct reads;
	// 0 means runtime.GOMAXPROCS(0), 1 decodes serially.
	Workers int
}

// Filter is one stage of a dataset's filter pipeline (H5Pget_filter2).
type Filter struct {
	ID       int      `json:"id"`
	Name     string   `json:"name"`
	Optional bool     `json:"optional"`
	CDValues []uint32 `json:"cd_values"`
}

// Stack is an open raw stack (frames, rows, cols) of uint16 or uint32.
// Reads are safe for concurrent use (HDF5 calls are serialised; direct
// reads decode in parallel without the lock).
type Stack struct {
	File    *File
	Name    string
	Frames  int
	Rows    int
	Cols    int
	DType   DType
	Chunk   []int    // chunk shape, nil when contiguous
	Filters []Filter // filter pipeline, in application (write) order

	ds      *hdf5.Dataset // opened through gonum/hdf5
	id      C.hid_t       // ds's hid_t, for h5c
	ownFile bool
	opt     ReadOptions
	plan    *directPlan // nil when the direct path is not possible
	whyNot  string      // reason the direct path is not possible
	mapped  []byte      // Map's mapping (page aligned), nil if none
	mapOff  []int64     // byte offset of each frame in mapped
	closed  bool
}

// OpenStack opens path read-only and its stack at StackPath. Close the stack
// to close the file.
func OpenStack(path string) (*Stack, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	s, err := f.OpenStack(StackPath)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.ownFile = true
	return s, nil
}

// OpenStack opens the stack dataset at name: rank 3, uint16 or uint32
// (ErrDType otherwise).
func (f *File) OpenStack(name string) (*Stack, error) {
	lockLib()
	defer lib.Unlock()
	ds, err := f.openDatasetLocked("open stack", name)
	if err != nil {
		return nil, err
	}
	s := &Stack{File: f, Name: name, ds: ds, id: dsID(ds)}
	if err := s.describeLocked(); err != nil {
		ds.Close()
		return nil, wrapErr("open stack", f.path, name, err)
	}
	s.plan, s.whyNot = planDirectLocked(s)
	return s, nil
}

func (s *Stack) describeLocked() error {
	ft := C.H5Dget_type(s.id)
	defer C.H5Tclose(ft)
	ti := describeType(ft)
	if (ti.dtype != Uint16 && ti.dtype != Uint32) || ti.enum {
		return fmt.Errorf("%w: stack stored as %s, want uint16 or uint32", ErrDType, ti.desc)
	}
	s.DType = ti.dtype
	sp := C.H5Dget_space(s.id)
	defer C.H5Sclose(sp)
	shape, err := spaceShape(sp)
	if err != nil {
		return err
	}
	if len(shape) != 3 {
		return fmt.Errorf("%w: stack has shape %v, want (frames, rows, cols)", ErrShape, shape)
	}
	s.Frames, s.Rows, s.Cols = shape[0], shape[1], shape[2]
	// Hostile or damaged headers: refuse shapes no detector writes before
	// any size computation can overflow or any buffer is sized from them.
	if s.Rows > maxSide || s.Cols > maxSide || s.Rows*s.Cols*ti.dtype.Size() > maxFrameBytes {
		return fmt.Errorf("%w: frames of %dx%d pixels are implausible (limit %dx%d, %d MiB per frame): damaged header?", ErrShape, s.Rows, s.Cols, maxSide, maxSide, maxFrameBytes>>20)
	}
	if fb := s.Rows * s.Cols * ti.dtype.Size(); fb > 0 && s.Frames > math.MaxInt64/fb {
		return fmt.Errorf("%w: %d frames of %d bytes overflow: damaged header?", ErrShape, s.Frames, fb)
	}
	dcpl := C.H5Dget_create_plist(s.id)
	defer C.H5Pclose(dcpl)
	s.Chunk, s.Filters = layoutLocked(dcpl)
	return s.checkStorageLocked(dcpl)
}

// checkStorageLocked checks the header's claims against what the file can
// hold, before anything is sized from them (lib held):
//   - the chunk shape is rank 3, positive, and a chunk of at most
//     maxChunkBytes (libhdf5's own limit is 4 GiB);
//   - unfiltered data stored in this file (contiguous or chunked, no
//     external files) needs Frames*FrameBytes bytes, which must fit in the
//     file (a header patched to claim 2^40 frames would otherwise be
//     streamed as terabytes of fill values);
//   - a chunked stack must have every chunk its shape needs stored: a
//     missing chunk reads as fill values, which for a raw stack only a
//     damaged header or an incompletely written file produces. This also
//     bounds compressed stacks, whose chunks each take file space.
func (s *Stack) checkStorageLocked(dcpl C.hid_t) error {
	fb := s.FrameBytes()
	if s.Chunk != nil {
		if len(s.Chunk) != 3 {
			return fmt.Errorf("%w: chunk shape %v for a rank-3 stack: damaged header?", ErrShape, s.Chunk)
		}
		cb := s.DType.Size()
		for _, d := range s.Chunk {
			if d <= 0 || d > maxChunkBytes || cb > maxChunkBytes/d {
				return fmt.Errorf("%w: chunk shape %v is implausible (limit %d MiB per chunk): damaged header?", ErrShape, s.Chunk, maxChunkBytes>>20)
			}
			cb *= d
		}
	}
	var fileSize C.hsize_t
	if C.H5Fget_filesize(s.File.id, &fileSize) < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil // cannot tell; reads still fail cleanly in libhdf5
	}
	layout := C.H5Pget_layout(dcpl)
	inFile := (layout == C.H5D_CONTIGUOUS || layout == C.H5D_CHUNKED) && C.H5Pget_external_count(dcpl) == 0
	if inFile && len(s.Filters) == 0 && fb > 0 {
		// Frames*fb cannot overflow: describeLocked checked Frames <= MaxInt64/fb.
		if need := s.Frames * fb; uint64(need) > uint64(fileSize) {
			return fmt.Errorf("%w: %d uncompressed frames of %dx%d %s need %d bytes, the file has %d: truncated file or damaged header", ErrShape, s.Frames, s.Rows, s.Cols, s.DType, need, uint64(fileSize))
		}
	}
	if layout == C.H5D_CHUNKED && s.Chunk != nil && s.Frames > 0 && fb > 0 {
		needed := uint64(s.Frames-1)/uint64(s.Chunk[0]) + 1
		if needed > uint64(fileSize) { // every stored chunk takes at least a byte
			return fmt.Errorf("%w: %d frames in chunks of %d need %d chunks, more than the file's %d bytes can store: damaged header?", ErrShape, s.Frames, s.Chunk[0], needed, uint64(fileSize))
		}
		var stored C.hsize_t
		fsp := C.H5Dget_space(s.id)
		r := C.H5Dget_num_chunks(s.id, fsp, &stored)
		C.H5Sclose(fsp)
		if r < 0 {
			C.H5Eclear2(C.H5E_DEFAULT)
			return nil
		}
		if uint64(stored) < needed {
			return fmt.Errorf("%w: %d frames in chunks of %d need %d chunks, the file stores %d: damaged header or incompletely written stack", ErrShape, s.Frames, s.Chunk[0], needed, uint64(stored))
		}
	}
	return nil
}

// layoutLocked returns the chunk shape (nil if not chunked) and filters.
func layoutLocked(dcpl C.hid_t) ([]int, []Filter) {
	var chunk []int
	if C.H5Pget_layout(dcpl) == C.H5D_CHUNKED {
		var dims [32]C.hsize_t
		nd := int(C.H5Pget_chunk(dcpl, 32, &dims[0]))
		for i := 0; i < nd; i++ {
			chunk = append(chunk, int(dims[i]))
		}
	}
	var filters []Filter
	nf := int(C.H5Pget_nfilters(dcpl))
	for i := 0; i < nf; i++ {
		var flags, cfg C.uint
		nelem := C.size_t(16)
		var cd [16]C.uint
		var name [256]C.char
		fid := C.H5Pget_filter2(dcpl, C.uint(i), &flags, &nelem, &cd[0], C.size_t(len(name)), &name[0], &cfg)
		f := Filter{ID: int(fid), Name: C.GoString(&name[0]), Optional: flags&C.H5Z_FLAG_OPTIONAL != 0}
		for j := 0; j < int(nelem) && j < len(cd); j++ {
			f.CDValues = append(f.CDValues, uint32(cd[j]))
		}
		filters = append(filters, f)
	}
	C.H5Eclear2(C.H5E_DEFAULT)
	return chunk, filters
}

// SetReadOptions changes how later reads run. With Mode Direct on a stack
// the direct path cannot serve it returns an error saying why.
func (s *Stack) SetReadOptions(o ReadOptions) error {
	if o.Mode == Direct && s.plan == nil {
		return &Error{Op: "direct read", File: s.File.path, Object: s.Name, Msg: "not possible: " + s.whyNot}
	}
	s.opt = o
	return nil
}

// DirectCapable reports whether reads can bypass H5Dread, and why not.
func (s *Stack) DirectCapable() (bool, string) { return s.plan != nil, s.whyNot }

// FrameBytes is the size of one frame in memory.
func (s *Stack) FrameBytes() int { return s.Rows * s.Cols * s.DType.Size() }

func (s *Stack) workers() int {
	if s.opt.Workers > 0 {
		return s.opt.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (s *Stack) useDirect() bool {
	switch {
	case s.plan == nil || s.opt.Mode == Library:
		return false
	case s.opt.Mode == Auto && s.plan.preferLibrary && s.workers() < autoDirectMinWorkers:
		return false
	}
	return true
}

// UsesDirect reports whether reads with the current options bypass H5Dread.
func (s *Stack) UsesDirect() bool { return s.useDirect() }

// ReadFrames reads frames start..start+n-1 into dst, a []uint16 or []uint32
// matching DType with exactly n*Rows*Cols elements.
func (s *Stack) ReadFrames(start, n int, dst any) error {
	d, cnt, p := sliceInfo(dst)
	if d != s.DType {
		return newErr("read frames", s.File.path, s.Name, ErrDType, "stack is %s, destination is %T", s.DType, dst)
	}
	if start < 0 || n < 0 || start+n > s.Frames {
		return newErr("read frames", s.File.path, s.Name, ErrShape, "frames %d..%d outside 0..%d", start, start+n-1, s.Frames-1)
	}
	if cnt != n*s.Rows*s.Cols {
		return newErr("read frames", s.File.path, s.Name, ErrShape, "destination has %d elements, %d frames need %d", cnt, n, n*s.Rows*s.Cols)
	}
	if n == 0 {
		return nil
	}
	if s.useDirect() {
		lockLib()
		closed := s.closed
		lib.Unlock()
		if closed {
			return newErr("read frames", s.File.path, s.Name, ErrClosed, "")
		}
		buf := unsafe.Slice((*byte)(p), cnt*d.Size())
		if err := s.plan.readFrames(s, start, n, buf, s.workers()); err != nil {
			return wrapErr("read frames", s.File.path, s.Name, err)
		}
		return nil
	}
	return s.readSlab(start, n, 0, 0, s.Rows, s.Cols, dst)
}

func (s *Stack) readSlab(start, n, row, col, h, w int, dst any) error {
	lockLib()
	defer lib.Unlock()
	if s.closed {
		return newErr("read frames", s.File.path, s.Name, ErrClosed, "")
	}
	if err := readSlabLocked(s.id, []int{start, row, col}, []int{n, h, w}, dst); err != nil {
		return wrapErr("read", s.File.path, s.Name, err)
	}
	return nil
}

// ReadWindow reads the pixel window rows row..row+h-1, cols col..col+w-1 of
// frames start..start+n-1 (a hyperslab) into dst (n*h*w elements).
func (s *Stack) ReadWindow(start, n, row, col, h, w int, dst any) error {
	return s.readSlab(start, n, row, col, h, w, dst)
}

// ReadFrames reads frames start..start+n-1 into a new []T; T must match the
// stack's DType.
func ReadFrames[T Pixel](s *Stack, start, n int) ([]T, error) {
	if start < 0 || n < 0 || start+n > s.Frames {
		return nil, newErr("read frames", s.File.path, s.Name, ErrShape, "frames %d..%d outside 0..%d", start, start+n-1, s.Frames-1)
	}
	if dtypeOf[T]() != s.DType {
		return nil, newErr("read frames", s.File.path, s.Name, ErrDType, "stack is %s, asked for %s", s.DType, dtypeOf[T]())
	}
	if err := s.checkAlloc("read frames", n); err != nil {
		return nil, err
	}
	out := make([]T, n*s.Rows*s.Cols)
	if err := s.ReadFrames(start, n, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadAll reads the whole stack into a new []T.
func ReadAll[T Pixel](s *Stack) ([]T, error) { return ReadFrames[T](s, 0, s.Frames) }

// ReadChunk returns the stored (still compressed) bytes of the chunk that
// holds frame, and its filter mask (bit i set: filter i was skipped), through
// H5Dread_chunk.
func (s *Stack) ReadChunk(frame int) ([]byte, uint32, error) {
	lockLib()
	defer lib.Unlock()
	fail := func(kind error, format string, a ...any) ([]byte, uint32, error) {
		return nil, 0, newErr("read chunk", s.File.path, s.Name, kind, format, a...)
	}
	if s.closed {
		return fail(ErrClosed, "")
	}
	if s.Chunk == nil {
		return fail(ErrShape, "dataset is not chunked")
	}
	if frame < 0 || frame >= s.Frames {
		return fail(ErrShape, "frame %d outside 0..%d", frame, s.Frames-1)
	}
	off := []C.hsize_t{C.hsize_t(frame / s.Chunk[0] * s.Chunk[0]), 0, 0}
	var size C.hsize_t
	if C.H5Dget_chunk_storage_size(s.id, &off[0], &size) < 0 {
		return fail(nil, "%s", lastError())
	}
	var fileSize C.hsize_t
	if C.H5Fget_filesize(s.File.id, &fileSize) >= 0 && size > fileSize {
		return fail(ErrShape, "chunk of frame %d claims %d bytes, the file has %d: damaged chunk index", frame, uint64(size), uint64(fileSize))
	}
	C.H5Eclear2(C.H5E_DEFAULT)
	buf := make([]byte, int(size))
	var mask C.uint32_t
	if size > 0 && C.H5Dread_chunk(s.id, C.xh_p_default(), &off[0], &mask, unsafe.Pointer(&buf[0])) < 0 {
		return fail(nil, "%s", lastError())
	}
	return buf, uint32(mask), nil
}

// Limits of a plausible stack: a side of at most 65536 pixels, a frame and a
// chunk of at most 1 GiB each (the largest detectors: 4k x 4k x 4 bytes =
// 64 MiB a frame).
const (
	maxSide       = 1 << 16
	maxFrameBytes = 1 << 30
	maxChunkBytes = 1 << 30
)

// checkAlloc refuses to allocate more bytes than the machine's RAM.
func (s *Stack) checkAlloc(op string, n int) error {
	need := float64(n) * float64(s.FrameBytes())
	if ram := totalRAM(); ram > 0 && need > float64(ram) {
		return newErr(op, s.File.path, s.Name, ErrShape, "%d frames need %.3g bytes, more than the %.3g bytes of RAM: read a range or use Stream", n, need, float64(ram))
	}
	return nil
}

// TotalRAM returns the machine's RAM in bytes (0 if unknown).
func TotalRAM() uint64 { return totalRAM() }

func totalRAM() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// Close closes the dataset, and the file when OpenStack (the function)
// opened it. Idempotent.
func (s *Stack) Close() error {
	lockLib()
	if s.closed {
		lib.Unlock()
		return nil
	}
	s.closed = true
	s.unmapLocked()
	s.ds.Close()
	if s.plan != nil && s.plan.raw != nil {
		s.plan.raw.Close()
	}
	lib.Unlock()
	if s.ownFile {
		return s.File.Close()
	}
	return nil
}
