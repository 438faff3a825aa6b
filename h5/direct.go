package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"
)

// directPlan is what the raw-chunk read path needs: where every chunk lives
// in the file, how big it is stored, and how to undo the filter pipeline.
// It is built once, with the lock, when a stack is opened; reads then use
// pread(2) on their own *os.File and decode without touching libhdf5.
type directPlan struct {
	raw        *os.File
	framesPer  int      // frames per chunk
	chunkBytes int      // decoded chunk size (framesPer*rows*cols*elem)
	elem       int      // element size in bytes
	addr       []int64  // file offset of chunk i
	size       []int    // stored size of chunk i
	mask       []uint32 // filter mask of chunk i
	filters    []Filter // pipeline in write order
	maxStored  int
	// index says how the chunk addresses were found: by reading the
	// version-1 B-tree from the file (and its depth) or, and why, by asking
	// libhdf5 for each chunk.
	index string
	// preferLibrary: the pipeline has bitshuffle and its plugin is loadable.
	// The plugin's SIMD bit transpose beats the Go one unless several cores
	// decode in parallel (docs/perf/h5.md), so Auto uses H5Dread then.
	preferLibrary bool
}

// autoDirectMinWorkers is the number of workers from which Auto decodes
// bitshuffle in Go although the plugin is available.
const autoDirectMinWorkers = 4

// supported filter ids
const (
	filterDeflate = 1
	filterShuffle = 2
	filterLZF     = 32000
	filterBshuf   = 32008
)

// planDirectLocked decides whether s can be read by the direct path; if not,
// it says why (lib held).
func planDirectLocked(s *Stack) (*directPlan, string) {
	if s.Chunk == nil {
		return nil, "dataset is not chunked"
	}
	if s.Chunk[1] != s.Rows || s.Chunk[2] != s.Cols {
		return nil, fmt.Sprintf("chunk %v does not hold whole frames of %dx%d", s.Chunk, s.Rows, s.Cols)
	}
	for _, f := range s.Filters {
		switch f.ID {
		case filterDeflate, filterShuffle, filterLZF:
		case filterBshuf:
			if len(f.CDValues) < 5 || f.CDValues[4] != 2 {
				return nil, fmt.Sprintf("bitshuffle cd_values %v: only LZ4 (2) is decoded in Go", f.CDValues)
			}
			if int(f.CDValues[2]) != s.DType.Size() {
				return nil, fmt.Sprintf("bitshuffle element size %d differs from %s", f.CDValues[2], s.DType)
			}
		default:
			return nil, fmt.Sprintf("filter %d (%s) is not decoded in Go", f.ID, f.Name)
		}
	}
	ft := C.H5Dget_type(s.id)
	order := C.H5Tget_order(ft)
	C.H5Tclose(ft)
	if order != C.H5T_ORDER_LE {
		return nil, "stored byte order is not little-endian"
	}
	// chunk addresses are relative to the superblock base; a user block shifts it.
	fr, maxEntries := fileReaderLocked(s.File)
	ub := fr.base
	fapl := C.H5Fget_access_plist(s.File.id)
	drv := C.H5Pget_driver(fapl)
	C.H5Pclose(fapl)
	if drv != C.H5FD_SEC2 {
		return nil, "file driver is not sec2"
	}
	p := &directPlan{framesPer: s.Chunk[0], elem: s.DType.Size(), filters: s.Filters}
	for _, f := range s.Filters {
		if f.ID == filterBshuf && C.H5Zfilter_avail(filterBshuf) > 0 {
			p.preferLibrary = true
		}
	}
	C.H5Eclear2(C.H5E_DEFAULT)
	p.chunkBytes = p.framesPer * s.Rows * s.Cols * p.elem
	nchunks := (s.Frames + p.framesPer - 1) / p.framesPer
	var stored C.hsize_t
	fsp := C.H5Dget_space(s.id)
	r := C.H5Dget_num_chunks(s.id, fsp, &stored)
	C.H5Sclose(fsp)
	if r < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil, "cannot count stored chunks"
	}
	if int(stored) != nchunks { // checked before sizing tables from a header
		return nil, fmt.Sprintf("%d chunks stored, the shape needs %d (unallocated chunks or damaged header)", stored, nchunks)
	}
	var fileSize C.hsize_t
	if C.H5Fget_filesize(s.File.id, &fileSize) < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil, "cannot get the file size"
	}
	raw, err := os.Open(s.File.path)
	if err != nil {
		return nil, err.Error()
	}
	ok := false
	defer func() {
		if !ok {
			raw.Close()
		}
	}()
	// O(n): the chunk B-tree read from the file; nil if not possible.
	fr.r, fr.size = raw, int64(fileSize)
	tree := btreeChunksLocked(s, p, fr, maxEntries)
	p.addr = make([]int64, nchunks)
	p.size = make([]int, nchunks)
	p.mask = make([]uint32, nchunks)
	for i := 0; i < nchunks; i++ {
		var e chunkEntry
		if tree != nil {
			e = tree[i]
		} else {
			var why string
			if e, why = chunkInfoLocked(s, i*p.framesPer); why != "" {
				return nil, fmt.Sprintf("chunk %d: %s", i, why)
			}
		}
		addr, size := e.addr, e.size
		if addr == undefAddr || size == 0 {
			return nil, fmt.Sprintf("chunk %d is not allocated (fill value)", i)
		}
		// a damaged chunk index must not size buffers beyond the file
		if end := addr + ub; end < addr || end >= uint64(fileSize) || size > uint64(fileSize)-end {
			return nil, fmt.Sprintf("chunk %d: %d bytes at offset %d lie beyond the file's %d bytes", i, size, addr, fileSize)
		}
		p.addr[i], p.size[i], p.mask[i] = int64(addr)+int64(ub), int(size), e.mask
		p.maxStored = max(p.maxStored, int(size))
		if len(s.Filters) == 0 && int(size) != p.chunkBytes {
			return nil, fmt.Sprintf("chunk %d stores %d bytes, want %d", i, size, p.chunkBytes)
		}
	}
	p.raw = raw
	ok = true
	return p, ""
}

// worker holds per-goroutine scratch buffers.
type worker struct {
	stored  []byte
	scratch []byte
	chunk   []byte
}

func (p *directPlan) newWorker() *worker {
	return &worker{stored: make([]byte, p.maxStored)}
}

// decodeChunk reads chunk c from the file and decodes it into dst (exactly
// chunkBytes long).
func (p *directPlan) decodeChunk(c int, dst []byte, w *worker) error {
	stored := w.stored[:p.size[c]]
	if len(p.filters) == 0 {
		stored = dst
	}
	if _, err := p.raw.ReadAt(stored, p.addr[c]); err != nil {
		return fmt.Errorf("chunk %d at offset %d: %w", c, p.addr[c], err)
	}
	// active stages, undone in reverse order; alternate buffers so the last
	// stage writes into dst.
	var active []Filter
	for i := len(p.filters) - 1; i >= 0; i-- {
		if p.mask[c]&(1<<uint(i)) == 0 {
			active = append(active, p.filters[i])
		}
	}
	if len(active) == 0 {
		if len(p.filters) != 0 {
			if len(stored) != len(dst) {
				return fmt.Errorf("chunk %d: unfiltered chunk has %d bytes, want %d", c, len(stored), len(dst))
			}
			copy(dst, stored)
		}
		return nil
	}
	if len(active) > 1 && w.scratch == nil {
		w.scratch = make([]byte, p.chunkBytes)
	}
	in := stored
	for k, f := range active {
		out := dst
		if (len(active)-1-k)%2 == 1 {
			out = w.scratch
		}
		if err := undoFilter(f, in, out, p.elem); err != nil {
			return fmt.Errorf("chunk %d: %s: %w", c, f.Name, err)
		}
		in = out
	}
	return nil
}

var errCorrupt = errors.New("corrupt or truncated chunk")

// undoFilter reverses one filter from src into dst (len(dst) = decoded size).
func undoFilter(f Filter, src, dst []byte, elem int) error {
	switch f.ID {
	case filterDeflate:
		var n C.size_t
		r := C.xh_inflate(unsafe.Pointer(unsafe.SliceData(src)), C.size_t(len(src)), unsafe.Pointer(unsafe.SliceData(dst)), C.size_t(len(dst)), &n)
		if r != 0 || int(n) != len(dst) {
			return fmt.Errorf("%w: zlib status %d, %d of %d bytes", errCorrupt, r, n, len(dst))
		}
	case filterLZF:
		var n C.size_t
		r := C.xh_lzf_decompress(unsafe.Pointer(unsafe.SliceData(src)), C.size_t(len(src)), unsafe.Pointer(unsafe.SliceData(dst)), C.size_t(len(dst)), &n)
		if r != 0 || int(n) != len(dst) {
			return fmt.Errorf("%w: lzf status %d, %d of %d bytes", errCorrupt, r, n, len(dst))
		}
	case filterShuffle:
		if len(src) != len(dst) {
			return fmt.Errorf("%w: shuffle of %d bytes into %d", errCorrupt, len(src), len(dst))
		}
		unshuffle(src, dst, elem)
	case filterBshuf:
		return bitshuffleLZ4Decode(src, dst, elem)
	default:
		return fmt.Errorf("filter %d not supported", f.ID)
	}
	return nil
}

// unshuffle undoes HDF5's byte shuffle: src holds byte j of every element in
// plane j; dst[i*elem+j] = src[j*n+i]. Trailing bytes (len % elem) are copied.
func unshuffle(src, dst []byte, elem int) {
	n := len(src) / elem
	switch elem {
	case 1:
		copy(dst, src)
		return
	case 2:
		lo, hi := src[:n], src[n:2*n]
		d := dst[:2*n]
		for i := range lo {
			d[2*i] = lo[i]
			d[2*i+1] = hi[i]
		}
	case 4:
		b0, b1, b2, b3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		d := dst[:4*n]
		for i := range b0 {
			d[4*i] = b0[i]
			d[4*i+1] = b1[i]
			d[4*i+2] = b2[i]
			d[4*i+3] = b3[i]
		}
	default:
		for j := 0; j < elem; j++ {
			plane := src[j*n : (j+1)*n]
			for i, b := range plane {
				dst[i*elem+j] = b
			}
		}
	}
	copy(dst[n*elem:], src[n*elem:])
}

// readFrames decodes frames start..start+n-1 into buf with `workers`
// goroutines. Chunks wholly inside the request decode straight into buf;
// partial chunks go through a per-worker chunk buffer.
func (p *directPlan) readFrames(s *Stack, start, n int, buf []byte, workers int) error {
	frameBytes := s.FrameBytes()
	c0 := start / p.framesPer
	c1 := (start + n - 1) / p.framesPer
	nchunks := c1 - c0 + 1
	workers = max(1, min(workers, nchunks))
	var next atomic.Int64
	next.Store(int64(c0))
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			w := p.newWorker()
			for {
				c := int(next.Add(1) - 1)
				if c > c1 || errs[g] != nil {
					return
				}
				f0 := c * p.framesPer               // first frame of the chunk
				f1 := min(f0+p.framesPer, s.Frames) // one past the last real frame
				lo, hi := max(f0, start), min(f1, start+n)
				if lo == f0 && hi == f0+p.framesPer {
					dst := buf[(f0-start)*frameBytes : (f0-start)*frameBytes+p.chunkBytes]
					errs[g] = p.decodeChunk(c, dst, w)
					continue
				}
				if w.chunk == nil {
					w.chunk = make([]byte, p.chunkBytes)
				}
				if errs[g] = p.decodeChunk(c, w.chunk, w); errs[g] == nil {
					copy(buf[(lo-start)*frameBytes:(hi-start)*frameBytes], w.chunk[(lo-f0)*frameBytes:(hi-f0)*frameBytes])
				}
			}
		}(g)
	}
	wg.Wait()
	return errors.Join(errs...)
}
