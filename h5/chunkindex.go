package h5

import (
	"encoding/binary"
	"fmt"
)

// Object header and Data Layout message decoding for the chunk index reader
// (see chunkbtree.go for why it exists). Spec sections IV.A.1.a (version 1
// object header), IV.A.1.b (version 2), IV.A.2.i (Data Layout message) and
// IV.A.2.q (Object Header Continuation message).

// Header message types used here.
const (
	msgLayout       = 0x0008
	msgContinuation = 0x0010
)

// Limits of the object header walk.
const (
	maxHeaderBlock  = 1 << 24 // bytes of one header block (libhdf5 writes < 64 KiB)
	maxHeaderBlocks = 1024    // blocks of one header: the first and its continuations
)

// readChunkIndex finds the Data Layout message of the object header at
// address ohdr and, if the dataset is chunked with a version-1 B-tree index,
// walks it (walkChunkBTree). A layout this reader does not decode (layout
// message version 1, 2 or 4 with a fixed array, extensible array, version-2
// B-tree, single chunk or implicit index: what libver='latest' writes) gives
// an error wrapping errIndexUnsupported.
func readChunkIndex(f *fileReader, ohdr uint64, g chunkGeom, maxEntries int) ([]chunkEntry, btreeStats, error) {
	layout, err := findMessage(f, ohdr, msgLayout)
	if err != nil {
		return nil, btreeStats{}, err
	}
	root, err := chunkBTreeAddr(f, layout, g)
	if err != nil {
		return nil, btreeStats{}, err
	}
	return walkChunkBTree(f, root, g, maxEntries)
}

// headerBlock is one block of header messages: the first (after the
// prefix) or one a continuation message points to.
type headerBlock struct {
	addr, n uint64
}

// findMessage returns the data of the first message of type typ in the
// object header at address ohdr, following continuation messages.
//
// Version 1 prefix (16 bytes): version 1 (1 byte), reserved (1), number of
// messages (2), reference count (4), header size (4: bytes of messages in
// the first block), padding to 8 bytes. A version-1 message: type (2 bytes),
// size of its data (2), flags (1), reserved (3), data. Continuation blocks
// hold messages only.
//
// Version 2 prefix: "OHDR", version 2 (1 byte), flags (1), if flags&0x20
// four times of 4 bytes, if flags&0x10 two attribute phase limits of 2
// bytes, size of the first block (1<<(flags&3) bytes); then the messages
// and a 4-byte checksum (not verified: libhdf5 did when it opened the
// dataset). A version-2 message: type (1 byte), size (2), flags (1), if
// flags&0x04 a creation order (2), data. Continuation blocks are "OCHK",
// messages, checksum. A gap shorter than a message header may end a block.
func findMessage(f *fileReader, ohdr uint64, typ int) ([]byte, error) {
	pre, err := f.read(ohdr, 6)
	if err != nil {
		return nil, fmt.Errorf("object header: %w", err)
	}
	var (
		version int
		hflags  byte
		blocks  []headerBlock
	)
	switch {
	case pre[0] == 1:
		version = 1
		p, err := f.read(ohdr, 16)
		if err != nil {
			return nil, fmt.Errorf("object header: %w", err)
		}
		blocks = append(blocks, headerBlock{ohdr + 16, uint64(binary.LittleEndian.Uint32(p[8:12]))})
	case string(pre[:4]) == "OHDR":
		if pre[4] != 2 {
			return nil, fmt.Errorf("%w: object header version %d", errIndexUnsupported, pre[4])
		}
		version, hflags = 2, pre[5]
		n := 6
		if hflags&0x20 != 0 {
			n += 16
		}
		if hflags&0x10 != 0 {
			n += 4
		}
		w := 1 << (hflags & 3)
		p, err := f.read(ohdr, n+w)
		if err != nil {
			return nil, fmt.Errorf("object header: %w", err)
		}
		blocks = append(blocks, headerBlock{ohdr + uint64(n+w), leUintRaw(p[n : n+w])})
	default:
		return nil, fmt.Errorf("%w: object header starts with % x", errIndexUnsupported, pre[:4])
	}
	seen := map[uint64]bool{}
	for k := 0; k < len(blocks); k++ {
		if k >= maxHeaderBlocks {
			return nil, fmt.Errorf("object header has more than %d blocks", maxHeaderBlocks)
		}
		blk := blocks[k]
		if seen[blk.addr] {
			return nil, fmt.Errorf("object header block at address %d is continued to twice", blk.addr)
		}
		seen[blk.addr] = true
		if blk.n > maxHeaderBlock {
			return nil, fmt.Errorf("object header block of %d bytes (limit %d)", blk.n, maxHeaderBlock)
		}
		b, err := f.read(blk.addr, int(blk.n))
		if err != nil {
			return nil, fmt.Errorf("object header block: %w", err)
		}
		if version == 2 && k > 0 { // "OCHK" ... checksum
			if len(b) < 8 || string(b[:4]) != "OCHK" {
				return nil, fmt.Errorf("object header continuation at address %d lacks its \"OCHK\" signature", blk.addr)
			}
			b = b[4 : len(b)-4]
		}
		hsz := 8
		if version == 2 {
			hsz = 4
			if hflags&0x04 != 0 {
				hsz = 6
			}
		}
		for pos := 0; pos+hsz <= len(b); {
			var mtype, msize int
			if version == 1 {
				mtype, msize = int(binary.LittleEndian.Uint16(b[pos:])), int(binary.LittleEndian.Uint16(b[pos+2:]))
			} else {
				mtype, msize = int(b[pos]), int(binary.LittleEndian.Uint16(b[pos+1:]))
			}
			data := b[pos+hsz:]
			if msize > len(data) {
				return nil, fmt.Errorf("object header message of type %#x claims %d bytes, %d are left in its block", mtype, msize, len(data))
			}
			data = data[:msize]
			pos += hsz + msize
			switch mtype {
			case typ:
				return data, nil
			case msgContinuation:
				sa, ss := f.sizeofAddr, f.sizeofSize
				if len(data) < sa+ss {
					return nil, fmt.Errorf("continuation message of %d bytes", len(data))
				}
				blocks = append(blocks, headerBlock{leUint(data[:sa]), leUintRaw(data[sa : sa+ss])})
			}
		}
	}
	return nil, fmt.Errorf("object header has no message of type %#x", typ)
}

// leUintRaw decodes a little-endian length of len(b) bytes (no undefined value).
func leUintRaw(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// chunkBTreeAddr decodes a Data Layout message and returns the address of
// its version-1 chunk B-tree, checking the chunk shape against g.
//
// Version 3, class 2 (chunked): version (1 byte), class (1), dimensionality
// (1: rank+1), B-tree address (sizeofAddr), dimensionality chunk sizes of 4
// bytes (in elements; the last is the element size in bytes).
// Version 4, class 2: version, class, flags (1), dimensionality (1), size of
// a chunk size field (1 byte: 1..8), the chunk sizes, chunk indexing type
// (1 byte: 0 version-1 B-tree, 1 single chunk, 2 implicit, 3 fixed array,
// 4 extensible array, 5 version-2 B-tree), then per-type information and
// the index address. libhdf5 never writes type 0 in a version-4 message, so
// in practice every version-4 layout is unsupported here.
func chunkBTreeAddr(f *fileReader, m []byte, g chunkGeom) (uint64, error) {
	if len(m) < 2 {
		return 0, fmt.Errorf("data layout message of %d bytes", len(m))
	}
	if m[1] != 2 {
		return 0, fmt.Errorf("%w: layout class %d is not chunked", errIndexUnsupported, m[1])
	}
	sa := f.sizeofAddr
	var (
		ndims int
		root  uint64
		dims  []uint64
	)
	switch m[0] {
	case 3:
		if len(m) < 3+sa {
			return 0, fmt.Errorf("data layout message of %d bytes", len(m))
		}
		ndims = int(m[2])
		root = leUint(m[3 : 3+sa])
		p := m[3+sa:]
		if len(p) < 4*ndims {
			return 0, fmt.Errorf("data layout message: %d chunk sizes in %d bytes", ndims, len(p))
		}
		for d := 0; d < ndims; d++ {
			dims = append(dims, uint64(binary.LittleEndian.Uint32(p[4*d:])))
		}
	case 4:
		if len(m) < 5 {
			return 0, fmt.Errorf("data layout message of %d bytes", len(m))
		}
		ndims, enc := int(m[3]), int(m[4])
		if enc < 1 || enc > 8 || len(m) < 5+ndims*enc+1 {
			return 0, fmt.Errorf("data layout message: %d chunk sizes of %d bytes in %d bytes", ndims, enc, len(m))
		}
		for d := 0; d < ndims; d++ {
			dims = append(dims, leUintRaw(m[5+d*enc:5+(d+1)*enc]))
		}
		p := m[5+ndims*enc:]
		if p[0] != 0 {
			return 0, fmt.Errorf("%w: layout version 4 with chunk index type %d", errIndexUnsupported, p[0])
		}
		if len(p) < 1+sa {
			return 0, fmt.Errorf("data layout message of %d bytes", len(m))
		}
		root = leUint(p[1 : 1+sa])
	default:
		return 0, fmt.Errorf("%w: data layout message version %d", errIndexUnsupported, m[0])
	}
	if ndims != len(g.chunk)+1 {
		return 0, fmt.Errorf("data layout has %d chunk dimensions, want %d", ndims, len(g.chunk)+1)
	}
	for d, c := range g.chunk {
		if dims[d] != c {
			return 0, fmt.Errorf("data layout chunk %v, want %v", dims[:ndims-1], g.chunk)
		}
	}
	if dims[ndims-1] != g.elem {
		return 0, fmt.Errorf("data layout element size %d, want %d", dims[ndims-1], g.elem)
	}
	if root == undefAddr {
		return 0, fmt.Errorf("chunk B-tree address is undefined (no chunk written)")
	}
	return root, nil
}
