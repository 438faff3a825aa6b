package h5

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// synth returns deterministic sparse-ish pixel data: mostly small Poisson-like
// counts with a few large values, so every compressor has work to do and
// high bytes are exercised.
func synth[T Pixel](n int, seed uint64) []T {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]T, n)
	for i := range out {
		switch v := r.IntN(100); {
		case v < 60:
			out[i] = 0
		case v < 95:
			out[i] = T(r.IntN(8))
		default:
			out[i] = T(r.Uint32())
		}
	}
	return out
}

// checkNoLeak fails t when the number of open HDF5 objects differs from
// before fn ran.
func checkNoLeak(t *testing.T, fn func()) {
	t.Helper()
	before := OpenObjects()
	fn()
	if after := OpenObjects(); after != before {
		t.Errorf("open HDF5 objects: got %d after, want %d (leak)", after, before)
	}
}

var allCompressions = []StackOptions{
	{Compression: None},
	{Compression: None, FramesPerChunk: -1},
	{Compression: None, FramesPerChunk: 3},
	{Compression: Deflate},
	{Compression: Deflate, Shuffle: true, Level: 6},
	{Compression: LZF},
	{Compression: LZF, Shuffle: true},
	{Compression: BitshuffleLZ4},
}

func optName(o StackOptions) string {
	s := o.Compression.String()
	if o.Shuffle {
		s += "+shuffle"
	}
	if o.FramesPerChunk != 0 {
		s += fmt.Sprintf("/fpc%d", o.FramesPerChunk)
	}
	return s
}

func TestStackRoundTrip(t *testing.T) {
	// shapes: small, odd (bitshuffle tail of len%8 elements), several
	// bitshuffle blocks per frame.
	for _, sh := range [][3]int{{7, 24, 40}, {7, 5, 7}, {7, 64, 100}} {
		name := fmt.Sprintf("%dx%dx%d", sh[0], sh[1], sh[2])
		t.Run(name+"/uint16", func(t *testing.T) { roundTrip[uint16](t, sh[0], sh[1], sh[2]) })
		t.Run(name+"/uint32", func(t *testing.T) { roundTrip[uint32](t, sh[0], sh[1], sh[2]) })
	}
}

func roundTrip[T Pixel](t *testing.T, frames, rows, cols int) {
	data := synth[T](frames*rows*cols, 1)
	for _, opt := range allCompressions {
		t.Run(optName(opt), func(t *testing.T) {
			if opt.Compression == BitshuffleLZ4 {
				needBitshuffle(t)
			}
			path := filepath.Join(t.TempDir(), "stack.h5")
			checkNoLeak(t, func() {
				if err := WriteStack(path, data, frames, rows, cols, opt); err != nil {
					t.Fatal(err)
				}
				s, err := OpenStack(path)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if got, want := []int{s.Frames, s.Rows, s.Cols}, []int{frames, rows, cols}; !slices.Equal(got, want) {
					t.Fatalf("shape: got %v, want %v", got, want)
				}
				direct, why := s.DirectCapable()
				if opt.FramesPerChunk != -1 && !direct {
					t.Errorf("direct path unavailable: %s", why)
				}
				for _, ro := range []ReadOptions{{Mode: Library}, {Mode: Auto, Workers: 1}, {Mode: Auto, Workers: 3}, {Mode: Direct, Workers: 1}, {Mode: Direct, Workers: 3}} {
					if ro.Mode == Direct && !direct {
						continue
					}
					if err := s.SetReadOptions(ro); err != nil {
						t.Fatal(err)
					}
					all, err := ReadAll[T](s)
					if err != nil {
						t.Fatalf("%+v: %v", ro, err)
					}
					if !slices.Equal(all, data) {
						t.Fatalf("%+v: full read differs from written data", ro)
					}
					// frame ranges equal the same slice of the full read
					px := rows * cols
					for _, r := range [][2]int{{0, 1}, {2, 3}, {4, 3}, {6, 1}, {1, 5}} {
						got, err := ReadFrames[T](s, r[0], r[1])
						if err != nil {
							t.Fatal(err)
						}
						if !slices.Equal(got, all[r[0]*px:(r[0]+r[1])*px]) {
							t.Errorf("%+v: frames %v differ from full read", ro, r)
						}
					}
					// streaming visits every frame once, in order
					next := 0
					err = Stream(s, func(i int, f []T) error {
						if i != next {
							return fmt.Errorf("frame %d, want %d", i, next)
						}
						next++
						if !slices.Equal(f, all[i*px:(i+1)*px]) {
							return fmt.Errorf("frame %d differs", i)
						}
						return nil
					})
					if err != nil || next != frames {
						t.Errorf("%+v: stream: %v after %d frames", ro, err, next)
					}
				}
				// pixel window
				win := make([]T, 3*5*7)
				if rows < 9 || cols < 16 {
					return
				}
				if err := s.ReadWindow(2, 3, 4, 9, 5, 7, win); err != nil {
					t.Fatal(err)
				}
				for f := 0; f < 3; f++ {
					for r := 0; r < 5; r++ {
						for c := 0; c < 7; c++ {
							if got, want := win[(f*5+r)*7+c], data[((2+f)*rows+4+r)*cols+9+c]; got != want {
								t.Fatalf("window (%d,%d,%d): got %d, want %d", f, r, c, got, want)
							}
						}
					}
				}
			})
		})
	}
}

func TestStreamStopsOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.h5")
	data := synth[uint16](20*8*8, 2)
	if err := WriteStack(path, data, 20, 8, 8, StackOptions{Compression: LZF}); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := errors.New("stop")
	for _, w := range []int{1, 2, 4} {
		s.SetReadOptions(ReadOptions{Workers: w})
		n := 0
		err := Stream(s, func(i int, _ []uint16) error {
			n++
			if i == 5 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 6 {
			t.Errorf("workers %d: got %v after %d frames, want stop after 6", w, err, n)
		}
	}
}

func TestBitshuffleTranspose(t *testing.T) {
	for _, c := range [][2]int{{1, 64}, {2, 64}, {2, 8}, {2, 72}, {2, 4096}, {4, 64}, {8, 64}} {
		elem, n := c[0], c[1]
		src := make([]byte, n*elem)
		for i := range src {
			src[i] = byte(i*131 + 7)
		}
		sh := make([]byte, len(src))
		bitshuffle(src, sh, n, elem)
		got := make([]byte, len(src))
		bitunshuffle(sh, got, n, elem)
		if !slices.Equal(got, src) {
			t.Errorf("elem %d: unshuffle(shuffle(x)) != x", elem)
		}
	}
}

func BenchmarkBitunshuffle(b *testing.B) {
	b.Run("generic-2", func(b *testing.B) {
		n := 4096
		src, dst := make([]byte, 2*n), make([]byte, 2*n)
		b.SetBytes(int64(2 * n))
		for b.Loop() {
			bitunshuffleGeneric(src, dst, n/8, 2)
		}
	})
	for _, elem := range []int{2, 4} {
		b.Run(fmt.Sprint(elem), func(b *testing.B) {
			n := 4096
			src := make([]byte, n*elem)
			for i := range src {
				src[i] = byte(i * 31)
			}
			dst := make([]byte, n*elem)
			b.SetBytes(int64(n * elem))
			for b.Loop() {
				bitunshuffle(src, dst, n, elem)
			}
		})
	}
}

// TestReadChunk: H5Dread_chunk returns the stored bytes, which decode to the
// frame; they equal what the direct path preads at the recorded offset.
func TestReadChunk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.h5")
	data := synth[uint16](3*16*16, 6)
	if err := WriteStack(path, data, 3, 16, 16, StackOptions{Compression: Deflate, Shuffle: true}); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, mask, err := s.ReadChunk(2)
	if err != nil || mask != 0 {
		t.Fatalf("ReadChunk: %v, mask %b", err, mask)
	}
	if got, want := len(raw), s.plan.size[2]; got != want {
		t.Errorf("chunk size: got %d, want %d", got, want)
	}
	inflated := make([]byte, 16*16*2)
	frame := make([]byte, 16*16*2)
	if err := undoFilter(Filter{ID: filterDeflate}, raw, inflated, 2); err != nil {
		t.Fatal(err)
	}
	unshuffle(inflated, frame, 2)
	for i := 0; i < 256; i++ {
		if got, want := uint16(frame[2*i])|uint16(frame[2*i+1])<<8, data[2*256+i]; got != want {
			t.Fatalf("pixel %d: got %d, want %d", i, got, want)
		}
	}
	if _, _, err := s.ReadChunk(3); err == nil {
		t.Error("ReadChunk(3) of a 3-frame stack succeeded")
	}
}
