package h5

import (
	"encoding/binary"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// bitshuffle-LZ4 (HDF5 filter 32008, github.com/kiyo-masui/bitshuffle), decoded
// in Go. Hand-written because no Go package implements the bitshuffle
// transform; LZ4 blocks are decoded by github.com/pierrec/lz4/v4.
//
// Chunk framing (bshuf_h5filter.c): 8 bytes big-endian decoded size, 4 bytes
// big-endian block size in bytes, then for each block a 4-byte big-endian
// compressed size and one LZ4 block holding the bit-shuffled block. Blocks
// hold blockSize elements; the last block holds the remaining elements
// rounded down to a multiple of 8, and the final len%8 elements are stored
// verbatim.
//
// Bit shuffle of a block of n elements of s bytes (n%8 == 0) transposes the
// n x 8s bit matrix: bit k of byte j of element i goes to row r = 8j+k, byte
// r*n/8 + i/8, bit i%8.

const bshufMult = 8

func bitshuffleLZ4Decode(src, dst []byte, elem int) error {
	if len(src) < 12 {
		return fmt.Errorf("%w: bitshuffle header is %d bytes", errCorrupt, len(src))
	}
	total := binary.BigEndian.Uint64(src)
	blockBytes := int(binary.BigEndian.Uint32(src[8:]))
	if total != uint64(len(dst)) {
		return fmt.Errorf("%w: bitshuffle chunk holds %d bytes, want %d", errCorrupt, total, len(dst))
	}
	if blockBytes <= 0 || blockBytes%elem != 0 || (blockBytes/elem)%bshufMult != 0 {
		return fmt.Errorf("%w: bitshuffle block size %d bytes", errCorrupt, blockBytes)
	}
	in := src[12:]
	nelem := len(dst) / elem
	blockElems := blockBytes / elem
	// a block never exceeds the chunk: cap the scratch size so that a damaged
	// header cannot make us allocate gigabytes.
	tmp := make([]byte, min(blockBytes, len(dst)))
	pos := 0 // element position
	for pos+bshufMult <= nelem {
		m := min(blockElems, (nelem-pos)/bshufMult*bshufMult)
		if len(in) < 4 {
			return fmt.Errorf("%w: bitshuffle block at element %d: missing size", errCorrupt, pos)
		}
		csize := int(binary.BigEndian.Uint32(in))
		in = in[4:]
		if csize > len(in) {
			return fmt.Errorf("%w: bitshuffle block at element %d: %d bytes, %d left", errCorrupt, pos, csize, len(in))
		}
		nb := m * elem
		if nb > len(tmp) {
			return fmt.Errorf("%w: bitshuffle block of %d bytes exceeds the chunk", errCorrupt, nb)
		}
		got, err := lz4.UncompressBlock(in[:csize], tmp[:nb])
		if err != nil || got != nb {
			return fmt.Errorf("%w: bitshuffle block at element %d: lz4: %v (%d of %d bytes)", errCorrupt, pos, err, got, nb)
		}
		in = in[csize:]
		bitunshuffle(tmp[:nb], dst[pos*elem:(pos+m)*elem], m, elem)
		pos += m
	}
	rest := (nelem - pos) * elem
	if len(in) < rest {
		return fmt.Errorf("%w: bitshuffle tail of %d bytes, %d left", errCorrupt, rest, len(in))
	}
	copy(dst[pos*elem:], in[:rest])
	return nil
}

// bitunshuffle undoes the bit transpose of one block of n elements (n%8 == 0)
// of elem bytes from src into dst.
func bitunshuffle(src, dst []byte, n, elem int) {
	rowBytes := n / 8
	if elem == 2 {
		bitunshuffle2(src, dst, rowBytes)
		return
	}
	bitunshuffleGeneric(src, dst, rowBytes, elem)
}

// bitunshuffleGeneric is bitunshuffle for any element size.
func bitunshuffleGeneric(src, dst []byte, rowBytes, elem int) {
	for j := 0; j < elem; j++ {
		x8 := src[8*j*rowBytes : 8*(j+1)*rowBytes]
		for g := 0; g < rowBytes; g++ {
			x := transpose8(gather8(x8, rowBytes, g))
			// byte e of x is byte j of element 8g+e
			base := 8*g*elem + j
			for e := 0; e < 8; e++ {
				dst[base+e*elem] = byte(x >> (8 * e))
			}
		}
	}
}

// gather8 packs byte g of the 8 consecutive rows of rowBytes in x8 into a
// uint64, row k in byte k.
func gather8(x8 []byte, rowBytes, g int) uint64 {
	return uint64(x8[g]) |
		uint64(x8[rowBytes+g])<<8 |
		uint64(x8[2*rowBytes+g])<<16 |
		uint64(x8[3*rowBytes+g])<<24 |
		uint64(x8[4*rowBytes+g])<<32 |
		uint64(x8[5*rowBytes+g])<<40 |
		uint64(x8[6*rowBytes+g])<<48 |
		uint64(x8[7*rowBytes+g])<<56
}

// bitunshuffle2 is bitunshuffle for 2-byte elements (uint16 stacks, the
// common case). Eight groups of 8 elements at a time: one 8-byte load per
// row, an 8x8 byte transpose, then the 8x8 bit transposes; both byte planes
// are interleaved into 8-byte stores.
func bitunshuffle2(src, dst []byte, rowBytes int) {
	lo := src[:8*rowBytes]
	hi := src[8*rowBytes : 16*rowBytes]
	dst = dst[:16*rowBytes]
	g := 0
	for ; g+8 <= rowBytes; g += 8 {
		var a, b [8]uint64
		for k := 0; k < 8; k++ {
			a[k] = binary.LittleEndian.Uint64(lo[k*rowBytes+g:])
			b[k] = binary.LittleEndian.Uint64(hi[k*rowBytes+g:])
		}
		transposeBytes(&a)
		transposeBytes(&b)
		out := dst[16*g : 16*g+128]
		for i := 0; i < 8; i++ {
			y0, y1 := transpose8(a[i]), transpose8(b[i])
			binary.LittleEndian.PutUint64(out[16*i:], spread(uint32(y0))|spread(uint32(y1))<<8)
			binary.LittleEndian.PutUint64(out[16*i+8:], spread(uint32(y0>>32))|spread(uint32(y1>>32))<<8)
		}
	}
	for ; g < rowBytes; g++ {
		y0 := transpose8(gather8(lo, rowBytes, g))
		y1 := transpose8(gather8(hi, rowBytes, g))
		binary.LittleEndian.PutUint64(dst[16*g:], spread(uint32(y0))|spread(uint32(y1))<<8)
		binary.LittleEndian.PutUint64(dst[16*g+8:], spread(uint32(y0>>32))|spread(uint32(y1>>32))<<8)
	}
}

// transposeBytes transposes the 8x8 byte matrix whose row k is w[k] (byte
// b of w[k] is element (k, b)).
func transposeBytes(w *[8]uint64) {
	for k := 0; k < 8; k += 2 {
		t := ((w[k] >> 8) ^ w[k+1]) & 0x00FF00FF00FF00FF
		w[k+1] ^= t
		w[k] ^= t << 8
	}
	for _, k := range [4]int{0, 1, 4, 5} {
		t := ((w[k] >> 16) ^ w[k+2]) & 0x0000FFFF0000FFFF
		w[k+2] ^= t
		w[k] ^= t << 16
	}
	for k := 0; k < 4; k++ {
		t := ((w[k] >> 32) ^ w[k+4]) & 0x00000000FFFFFFFF
		w[k+4] ^= t
		w[k] ^= t << 32
	}
}

// spread moves byte i of v to byte 2i of the result.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	return x
}

// transpose8 transposes the 8x8 bit matrix whose row r is byte r of x
// (bit c of row r is bit 8r+c), Hacker's Delight 7-3.
func transpose8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x = x ^ t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x = x ^ t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	x = x ^ t ^ (t << 28)
	return x
}

// bitshuffle is the forward transform, used by tests to check bitunshuffle.
func bitshuffle(src, dst []byte, n, elem int) {
	rowBytes := n / 8
	for i := range dst[:n*elem] {
		dst[i] = 0
	}
	for i := 0; i < n; i++ {
		for j := 0; j < elem; j++ {
			b := src[i*elem+j]
			for k := 0; k < 8; k++ {
				if b>>k&1 == 1 {
					r := 8*j + k
					dst[r*rowBytes+i/8] |= 1 << (i % 8)
				}
			}
		}
	}
}
