package h5

import (
	"encoding/binary"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// bslz4Chunk encodes src (n elements of elem bytes) in the bitshuffle-LZ4
// chunk format with the given block size in elements.
func bslz4Chunk(src []byte, elem, block int) []byte {
	n := len(src) / elem
	out := binary.BigEndian.AppendUint64(nil, uint64(len(src)))
	out = binary.BigEndian.AppendUint32(out, uint32(block*elem))
	pos := 0
	for pos+8 <= n {
		m := min(block, (n-pos)/8*8)
		sh := make([]byte, m*elem)
		bitshuffle(src[pos*elem:(pos+m)*elem], sh, m, elem)
		c := make([]byte, lz4.CompressBlockBound(len(sh)))
		k, _ := lz4.CompressBlock(sh, c, nil)
		if k == 0 { // incompressible: bitshuffle stores an LZ4 literal run; emulate via HC
			k, _ = lz4.CompressBlockHC(sh, c, 0, nil, nil)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(k))
		out = append(out, c[:k]...)
		pos += m
	}
	return append(out, src[pos*elem:]...)
}

func TestBitshuffleLZ4Decode(t *testing.T) {
	for _, n := range []int{8, 35, 100, 1000} {
		src := make([]byte, 2*n)
		for i := range src {
			src[i] = byte(i * i / 7)
		}
		chunk := bslz4Chunk(src, 2, 32)
		got := make([]byte, len(src))
		if err := bitshuffleLZ4Decode(chunk, got, 2); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if string(got) != string(src) {
			t.Errorf("n=%d: decoded bytes differ", n)
		}
	}
}

// FuzzBitshuffleLZ4Decode: arbitrary bytes never panic the decoder.
func FuzzBitshuffleLZ4Decode(f *testing.F) {
	src := make([]byte, 200)
	for i := range src {
		src[i] = byte(i % 5)
	}
	f.Add(bslz4Chunk(src, 2, 32))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 64, 0, 0, 0, 3, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		dst := make([]byte, 200)
		_ = bitshuffleLZ4Decode(b, dst, 2)
	})
}
