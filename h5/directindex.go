package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// chunkIndexAPIOnly makes planDirectLocked ask libhdf5 for every chunk (one
// H5Dget_chunk_info_by_coord each, O(n^2) in libhdf5 1.10) instead of
// reading the chunk B-tree; for benchmarks and tests.
var chunkIndexAPIOnly bool

// fileReaderLocked returns a fileReader of f without its reader and size:
// base (the user block size), sizes of offsets and lengths, and the bound
// 2K (K = istore_k) of chunk B-tree node entries (lib held). Sizes it cannot
// get are left 0, which the B-tree reader refuses.
func fileReaderLocked(f *File) (fr *fileReader, maxEntries int) {
	var ub C.hsize_t
	var sizeofAddr, sizeofSize C.size_t
	var istoreK C.uint
	fcpl := C.H5Fget_create_plist(f.id)
	C.H5Pget_userblock(fcpl, &ub)
	if C.H5Pget_sizes(fcpl, &sizeofAddr, &sizeofSize) < 0 || C.H5Pget_istore_k(fcpl, &istoreK) < 0 {
		sizeofAddr, sizeofSize, istoreK = 0, 0, 0
	}
	C.H5Pclose(fcpl)
	C.H5Eclear2(C.H5E_DEFAULT)
	return &fileReader{base: uint64(ub), sizeofAddr: int(sizeofAddr), sizeofSize: int(sizeofSize)}, 2 * int(istoreK)
}

// chunkInfoLocked asks libhdf5 for the chunk whose first frame is frame
// (lib held); why is non-empty on failure.
func chunkInfoLocked(s *Stack, frame int) (e chunkEntry, why string) {
	off := []C.hsize_t{C.hsize_t(frame), 0, 0}
	var mask C.uint
	var addr C.haddr_t
	var size C.hsize_t
	if C.H5Dget_chunk_info_by_coord(s.id, &off[0], &mask, &addr, &size) < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return e, "no chunk info"
	}
	a := uint64(addr)
	if addr == C.HADDR_UNDEF {
		a = undefAddr
	}
	return chunkEntry{addr: a, size: uint64(size), mask: uint32(mask)}, ""
}

// btreeChunksLocked returns every chunk of s, in frame order, read from its
// version-1 chunk B-tree in the file (O(n)), or nil when that is not
// possible; p.index says which and why (lib held). The result is checked
// against libhdf5 for the first, a middle and the last chunk. Files open
// for writing are not read: libhdf5 may hold newer index nodes in its cache.
func btreeChunksLocked(s *Stack, p *directPlan, fr *fileReader, maxEntries int) []chunkEntry {
	tree, st, err := stackBTreeLocked(s, fr, maxEntries)
	if err != nil {
		p.index = "libhdf5 per chunk: " + err.Error()
		return nil
	}
	n := len(tree)
	for _, i := range []int{0, n / 2, n - 1} {
		e, why := chunkInfoLocked(s, i*p.framesPer)
		if why != "" || e != tree[i] {
			p.index = fmt.Sprintf("libhdf5 per chunk: chunk %d of the B-tree, %+v, differs from libhdf5's %+v %s", i, tree[i], e, why)
			return nil
		}
	}
	p.index = fmt.Sprintf("v1 B-tree, depth %d, %d nodes", st.depth, st.nodes)
	return tree
}

// stackBTreeLocked reads the chunk B-tree of s (lib held).
func stackBTreeLocked(s *Stack, fr *fileReader, maxEntries int) ([]chunkEntry, btreeStats, error) {
	switch {
	case chunkIndexAPIOnly:
		return nil, btreeStats{}, errors.New("B-tree reader switched off")
	case s.File.writable:
		return nil, btreeStats{}, errors.New("file open for writing")
	}
	ohdr := objAddrLocked(s)
	if ohdr == undefAddr {
		return nil, btreeStats{}, errors.New("no object header address")
	}
	g := chunkGeom{
		dims:  []uint64{uint64(s.Frames), uint64(s.Rows), uint64(s.Cols)},
		chunk: []uint64{uint64(s.Chunk[0]), uint64(s.Chunk[1]), uint64(s.Chunk[2])},
		elem:  uint64(s.DType.Size()),
	}
	tree, st, err := readChunkIndex(fr, ohdr, g, maxEntries)
	if err != nil {
		return nil, st, fmt.Errorf("chunk index of %s: %w", s.Name, err)
	}
	return tree, st, nil
}

// objAddrLocked returns the address of the object header of s (relative to
// the base address), or undefAddr (lib held).
func objAddrLocked(s *Stack) uint64 {
	var a C.haddr_t
	if C.xh_obj_addr(s.id, &a) < 0 || a == C.HADDR_UNDEF {
		C.H5Eclear2(C.H5E_DEFAULT)
		return undefAddr
	}
	return uint64(a)
}
