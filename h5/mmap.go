package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"os"
	"syscall"
)

// Map maps the stack's frames read-only into memory where the file stores
// them: it returns the mapped bytes and the byte offset in them of every
// frame (each FrameBytes long, little-endian, at any alignment: libhdf5
// aligns nothing by default), valid until Close. It works when the frames
// are stored unfiltered and little-endian in this file (no external
// storage, the default sec2 driver), contiguous or in chunks of whole
// frames, as detector files written without compression are; otherwise it
// returns an ErrNotMappable error saying why (read such stacks with
// ReadFrames or Stream). libhdf5 itself gives the layout and where the
// data lie (H5Dget_offset, or the chunk index the direct path reads), as
// h5py's get_offset does for numpy.memmap: the pages come straight from
// the page cache, with no copy and no buffer to zero, and the OS reads a
// file not yet cached on first touch.
//
// The file must not be truncated while mapped: a read past its new end
// kills the process (SIGBUS), where a read through libhdf5 fails cleanly.
func (s *Stack) Map() ([]byte, []int64, error) {
	lockLib()
	defer lib.Unlock()
	if s.closed {
		return nil, nil, newErr("map stack", s.File.path, s.Name, ErrClosed, "stack is closed")
	}
	if s.mapped != nil {
		return s.mapped, s.mapOff, nil
	}
	fail := func(format string, a ...any) ([]byte, []int64, error) {
		return nil, nil, newErr("map stack", s.File.path, s.Name, ErrNotMappable, format, a...)
	}
	fb := int64(s.FrameBytes())
	size := int64(s.Frames) * fb
	if size == 0 {
		return fail("stack is empty")
	}
	// lo, hi: the file's bytes holding the frames; off: frame offsets in the file.
	var lo, hi int64
	off := make([]int64, s.Frames)
	if s.Chunk != nil {
		p := s.plan
		switch {
		case p == nil:
			return fail("chunked stack not readable directly: %s", s.whyNot)
		case len(p.filters) > 0:
			return fail("stack is compressed or filtered (%d filters)", len(p.filters))
		}
		lo, hi = p.addr[0], p.addr[0]+int64(p.chunkBytes)
		for _, a := range p.addr {
			lo, hi = min(lo, a), max(hi, a+int64(p.chunkBytes))
		}
		for t := range off {
			off[t] = p.addr[t/p.framesPer] + int64(t%p.framesPer)*fb
		}
	} else {
		dcpl := C.H5Dget_create_plist(s.id)
		layout := C.H5Pget_layout(dcpl)
		ext := C.H5Pget_external_count(dcpl)
		C.H5Pclose(dcpl)
		if layout != C.H5D_CONTIGUOUS || ext != 0 {
			return fail("stack is not stored in the file itself (layout %d, %d external files)", int(layout), int(ext))
		}
		ft := C.H5Dget_type(s.id)
		order := C.H5Tget_order(ft)
		C.H5Tclose(ft)
		if order != C.H5T_ORDER_LE {
			return fail("stack is stored big-endian")
		}
		fapl := C.H5Fget_access_plist(s.File.id)
		drv := C.H5Pget_driver(fapl)
		C.H5Pclose(fapl)
		if drv != C.H5FD_SEC2 {
			return fail("file driver is not sec2")
		}
		addr := C.H5Dget_offset(s.id)
		if addr == C.HADDR_UNDEF {
			C.H5Eclear2(C.H5E_DEFAULT)
			return fail("stack data are not allocated in the file")
		}
		// H5Dget_offset counts from the start of the file, user block
		// included (chunk addresses count from the superblock: the
		// direct plan adds the user block to them); TestMapH5py checks both.
		lo = int64(addr)
		hi = lo + size
		for t := range off {
			off[t] = lo + int64(t)*fb
		}
	}
	f, err := os.Open(s.File.path)
	if err != nil {
		return nil, nil, wrapErr("map stack", s.File.path, s.Name, err)
	}
	defer f.Close() // the mapping outlives the descriptor
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, wrapErr("map stack", s.File.path, s.Name, err)
	}
	if lo < 0 || hi < lo || hi > fi.Size() {
		return fail("frames at bytes %d-%d lie beyond the file's %d bytes: truncated file?", lo, hi, fi.Size())
	}
	start := lo &^ int64(os.Getpagesize()-1)
	if hi-start > int64(^uint(0)>>1) {
		return fail("%d bytes do not fit the address space", hi-start)
	}
	m, err := syscall.Mmap(int(f.Fd()), start, int(hi-start), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, wrapErr("map stack", s.File.path, s.Name, fmt.Errorf("mmap of %d bytes: %w", hi-start, err))
	}
	for t := range off {
		off[t] -= start
	}
	s.mapped, s.mapOff = m, off
	return m, off, nil
}

// unmapLocked releases the mapping of Map, if any (lib held).
func (s *Stack) unmapLocked() {
	if s.mapped != nil {
		_ = syscall.Munmap(s.mapped)
		s.mapped = nil
	}
}
