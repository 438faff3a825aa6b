package h5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Reading the chunk index of a dataset straight from the file.
//
// libhdf5 1.10 has no chunk iterator (H5Dchunk_iter is 1.14), and its
// H5Dget_chunk_info_by_coord walks the whole chunk B-tree on every call, so
// asking it for every chunk costs O(n^2). This file and chunkindex.go read
// the version-1 B-tree chunk index (the default of every libhdf5 that does
// not write "latest" file formats) from the bytes of the file in O(n). No Go
// or C library exposes this, so the format is decoded here by hand, after
// the HDF5 File Format Specification version 3.0 (sections III.A.1 "B-trees"
// and IV.A "Data Object Headers"). Everything read is bounded and checked;
// any surprise is an error, on which the caller falls back to the library.

// errIndexUnsupported marks a file whose chunk index this reader does not
// decode (not an error in the file); the caller uses the library instead.
var errIndexUnsupported = errors.New("chunk index not supported by the B-tree reader")

// Limits of the B-tree walk.
const (
	maxBTreeDepth = 64 // node levels; libhdf5 trees of 2^64 chunks have fewer
	undefAddr     = ^uint64(0)
)

// fileReader reads the addressed bytes of one HDF5 file. Addresses in the
// file format are relative to the base address (the superblock's offset in
// the file, i.e. the user block size); fileReader adds base and refuses any
// range outside [0, size).
type fileReader struct {
	r          io.ReaderAt
	size       int64  // file size in bytes
	base       uint64 // base address: file offset of address 0
	sizeofAddr int    // "size of offsets" of the superblock: 2, 4 or 8 bytes
	sizeofSize int    // "size of lengths" of the superblock: 2, 4 or 8 bytes
}

// read returns n bytes at relative address addr.
func (f *fileReader) read(addr uint64, n int) ([]byte, error) {
	if addr == undefAddr {
		return nil, fmt.Errorf("undefined address")
	}
	off := addr + f.base
	if n < 0 || off < addr || off >= uint64(f.size) || uint64(n) > uint64(f.size)-off {
		return nil, fmt.Errorf("%d bytes at address %d lie beyond the file's %d bytes", n, addr, f.size)
	}
	b := make([]byte, n)
	if _, err := f.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("%d bytes at address %d: %w", n, addr, err)
	}
	return b, nil
}

// leUint decodes a little-endian unsigned integer of len(b) bytes (1..8);
// an all-ones address (the "undefined address") decodes to undefAddr.
func leUint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	if len(b) < 8 && v == 1<<(8*uint(len(b)))-1 {
		return undefAddr
	}
	return v
}

// chunkGeom is the dataset geometry that every chunk of the index must fit.
type chunkGeom struct {
	dims  []uint64 // dataset shape, in elements
	chunk []uint64 // chunk shape, in elements (same rank)
	elem  uint64   // element size in bytes
}

// nchunks is the number of chunks of the chunk grid, or -1 on overflow.
func (g chunkGeom) nchunks() int {
	n := 1
	for d := range g.dims {
		c := int((g.dims[d] + g.chunk[d] - 1) / g.chunk[d])
		if c != 0 && n > (1<<40)/c {
			return -1
		}
		n *= c
	}
	return n
}

// chunkEntry is one chunk of the index: its address (relative to the base,
// as libhdf5's H5Dget_chunk_info reports it), stored size in bytes and filter
// mask (bit i set: filter i of the pipeline was skipped).
type chunkEntry struct {
	addr uint64
	size uint64
	mask uint32
}

// btreeStats says what a walk saw.
type btreeStats struct {
	depth int // levels of nodes (1: the root is a leaf)
	nodes int // nodes read
}

// walkChunkBTree reads the version-1 B-tree of raw data chunks rooted at
// root and returns the chunks in row-major order of the chunk grid.
//
// A node (spec III.A.1) is:
//
//	"TREE"                 4 bytes signature
//	node type              1 byte, 1 = raw data chunks
//	node level             1 byte, 0 = leaf (children are chunks)
//	entries used           2 bytes
//	left, right sibling    sizeofAddr bytes each
//	key 0, child 0, key 1, child 1, ... key N   (N = entries used)
//
// A key of a raw data chunk B-tree is: chunk size (4 bytes, stored bytes),
// filter mask (4 bytes), then ndims = rank+1 chunk offsets of 8 bytes each,
// in elements (the last, the offset within the element, is 0). Child i lies
// between keys i and i+1; key i describes the chunk at child i of a leaf.
// A child is an address of sizeofAddr bytes: a node at level > 0, a chunk at
// level 0.
//
// maxEntries bounds the entries of a node (2K, K = the file's istore_k;
// 0: no bound but the 16-bit field). Every node must have the type, the
// level its parent implies and a fresh address; the walk visits at most
// nchunks+depth nodes and returns an error unless it finds every chunk of
// g exactly once at a chunk-aligned coordinate.
func walkChunkBTree(f *fileReader, root uint64, g chunkGeom, maxEntries int) ([]chunkEntry, btreeStats, error) {
	var st btreeStats
	rank := len(g.dims)
	if rank == 0 || rank != len(g.chunk) {
		return nil, st, fmt.Errorf("rank %d with a chunk of rank %d", rank, len(g.chunk))
	}
	for d := range g.dims {
		if g.chunk[d] == 0 {
			return nil, st, fmt.Errorf("chunk shape %v has a zero dimension", g.chunk)
		}
	}
	n := g.nchunks()
	if n < 0 {
		return nil, st, fmt.Errorf("chunk grid of %v by %v overflows", g.dims, g.chunk)
	}
	switch f.sizeofAddr {
	case 2, 4, 8:
	default:
		return nil, st, fmt.Errorf("%w: %d-byte addresses", errIndexUnsupported, f.sizeofAddr)
	}
	w := &btreeWalk{
		f: f, g: g, maxEntries: maxEntries,
		out:     make([]chunkEntry, n),
		seen:    make([]bool, n),
		visited: make(map[uint64]bool),
		keySize: 8 + 8*(rank+1),
		// a tree of n chunks has at most n leaves (nodes with no entries are
		// refused) and, each inner node having a child, at most as many
		// inner nodes as leaves plus a chain to the root.
		maxNodes: 2*n + maxBTreeDepth,
	}
	if n == 0 {
		return w.out, st, nil
	}
	if err := w.node(root, -1, 0); err != nil {
		return nil, w.st, err
	}
	if w.found != n {
		return nil, w.st, fmt.Errorf("chunk B-tree holds %d chunks, the shape needs %d", w.found, n)
	}
	return w.out, w.st, nil
}

type btreeWalk struct {
	f          *fileReader
	g          chunkGeom
	maxEntries int
	keySize    int
	out        []chunkEntry
	seen       []bool
	found      int
	visited    map[uint64]bool
	maxNodes   int
	st         btreeStats
}

// node reads the node at addr; level is the level its parent implies (-1
// for the root), depth its distance from the root.
func (w *btreeWalk) node(addr uint64, level, depth int) error {
	if depth >= maxBTreeDepth {
		return fmt.Errorf("chunk B-tree deeper than %d levels", maxBTreeDepth)
	}
	if w.visited[addr] {
		return fmt.Errorf("chunk B-tree node at address %d is reached twice", addr)
	}
	w.visited[addr] = true
	if w.st.nodes++; w.st.nodes > w.maxNodes {
		return fmt.Errorf("chunk B-tree has more than %d nodes for %d chunks", w.maxNodes, len(w.out))
	}
	sa := w.f.sizeofAddr
	hdr, err := w.f.read(addr, 8+2*sa)
	if err != nil {
		return fmt.Errorf("chunk B-tree node: %w", err)
	}
	if string(hdr[:4]) != "TREE" {
		return fmt.Errorf("chunk B-tree node at address %d: signature %q, want \"TREE\"", addr, hdr[:4])
	}
	if hdr[4] != 1 {
		return fmt.Errorf("chunk B-tree node at address %d: node type %d, want 1 (raw data chunks)", addr, hdr[4])
	}
	lvl := int(hdr[5])
	if level >= 0 && lvl != level {
		return fmt.Errorf("chunk B-tree node at address %d: level %d under a node of level %d", addr, lvl, level+1)
	}
	if depth+lvl >= maxBTreeDepth {
		return fmt.Errorf("chunk B-tree node at address %d: level %d is implausible", addr, lvl)
	}
	if depth == 0 {
		w.st.depth = lvl + 1
	}
	entries := int(binary.LittleEndian.Uint16(hdr[6:8]))
	if entries == 0 {
		return fmt.Errorf("chunk B-tree node at address %d has no entries", addr)
	}
	if w.maxEntries > 0 && entries > w.maxEntries {
		return fmt.Errorf("chunk B-tree node at address %d: %d entries, at most %d fit", addr, entries, w.maxEntries)
	}
	if lvl == 0 && entries > len(w.out)-w.found {
		return fmt.Errorf("chunk B-tree node at address %d: %d chunks, only %d of %d missing", addr, entries, len(w.out)-w.found, len(w.out))
	}
	body, err := w.f.read(addr+uint64(len(hdr)), (entries+1)*w.keySize+entries*sa)
	if err != nil {
		return fmt.Errorf("chunk B-tree node at address %d with %d entries: %w", addr, entries, err)
	}
	step := w.keySize + sa
	for i := 0; i < entries; i++ {
		key := body[i*step : i*step+w.keySize]
		child := leUint(body[i*step+w.keySize : (i+1)*step])
		if lvl > 0 {
			if err := w.node(child, lvl-1, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := w.leaf(key, child); err != nil {
			return fmt.Errorf("chunk B-tree node at address %d, entry %d: %w", addr, i, err)
		}
	}
	return nil
}

// leaf records the chunk of key at address child.
func (w *btreeWalk) leaf(key []byte, child uint64) error {
	size := uint64(binary.LittleEndian.Uint32(key[0:4]))
	mask := binary.LittleEndian.Uint32(key[4:8])
	rank := len(w.g.dims)
	idx := 0
	for d := 0; d < rank; d++ {
		off := binary.LittleEndian.Uint64(key[8+8*d:])
		if off%w.g.chunk[d] != 0 || off >= w.g.dims[d] {
			return fmt.Errorf("chunk offset %d in dimension %d is not a chunk of %d inside %d", off, d, w.g.chunk[d], w.g.dims[d])
		}
		grid := int((w.g.dims[d] + w.g.chunk[d] - 1) / w.g.chunk[d])
		idx = idx*grid + int(off/w.g.chunk[d])
	}
	if e := binary.LittleEndian.Uint64(key[8+8*rank:]); e != 0 {
		return fmt.Errorf("element offset %d, want 0", e)
	}
	if child == undefAddr || size == 0 {
		return fmt.Errorf("chunk %d is not allocated", idx)
	}
	if child+w.f.base < child || child+w.f.base >= uint64(w.f.size) || size > uint64(w.f.size)-(child+w.f.base) {
		return fmt.Errorf("chunk %d: %d bytes at address %d lie beyond the file's %d bytes", idx, size, child, w.f.size)
	}
	if w.seen[idx] {
		return fmt.Errorf("chunk %d is indexed twice", idx)
	}
	w.seen[idx] = true
	w.found++
	w.out[idx] = chunkEntry{addr: child, size: size, mask: mask}
	return nil
}
