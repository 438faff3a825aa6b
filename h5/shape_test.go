package h5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeaderClaimsBeyondFile: a header patched to claim more frames than the
// file stores (10x, small enough to pass the "a byte per chunk" bound) is
// refused by OpenStack with ErrShape naming the file, instead of reading the
// missing frames as fill values.
func TestHeaderClaimsBeyondFile(t *testing.T) {
	for _, tt := range []struct {
		frames uint64
		opt    StackOptions
		want   string
	}{
		{50, StackOptions{Compression: None}, "need 50 chunks, the file stores 5"},
		{50, StackOptions{Compression: Deflate}, "need 50 chunks, the file stores 5"},
		{50, StackOptions{Compression: None, FramesPerChunk: 5}, "need 10 chunks, the file stores 1"},
		{5000, StackOptions{Compression: None, FramesPerChunk: -1}, "need 630000 bytes, the file has"},
	} {
		t.Run(optName(tt.opt), func(t *testing.T) {
			path := patchDims(t, t.TempDir(), [3]uint64{tt.frames, 7, 9}, tt.opt)
			s, err := OpenStack(path)
			if err == nil {
				s.Close()
				t.Fatalf("OpenStack(%s) of a %d-frame claim over 5 stored frames: no error", path, tt.frames)
			}
			var he *Error
			if !errors.As(err, &he) || !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v (%T), want an *Error with ErrShape naming %s and %q", err, err, path, tt.want)
			}
		})
	}
	// An untouched stack still opens and reads.
	path := patchDims(t, t.TempDir(), [3]uint64{5, 7, 9}, StackOptions{})
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	px, err := ReadAll[uint16](s)
	if got, want := len(px), 5*7*9; err != nil || got != want {
		t.Errorf("ReadAll: got %d pixels, %v; want %d", got, err, want)
	}
}

// TestReadClaimBeyondFile: File.Read of a contiguous float64 dataset whose
// header is patched from 1000 to 10^8 elements (800 MB, less than RAM, more
// than the file) is refused with ErrShape naming the file and dataset, before
// an 800 MB buffer is allocated and filled with fill values.
func TestReadClaimBeyondFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claim.h5")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write("/x/values", []int{1000}, make([]float64, 1000), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var old, repl [8]byte
	binary.LittleEndian.PutUint64(old[:], 1000)
	binary.LittleEndian.PutUint64(repl[:], 1e8)
	if bytes.Count(b, old[:]) == 0 {
		t.Fatalf("dimension 1000 not found in %s", path)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, old[:], repl[:]), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := f.Read("/x/values")
	if err == nil {
		t.Fatalf("Read of a 10^8-element claim in a %d-byte file: got %d elements, no error", len(b), a.Len())
	}
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "/x/values") {
		t.Errorf("got %v, want ErrShape naming %s and /x/values", err, path)
	}
}

// BenchmarkOpenStack measures OpenStack (with its header checks and the
// direct-read plan) of a 2000-frame stack, one chunk per frame.
func BenchmarkOpenStack(b *testing.B) {
	path := filepath.Join(b.TempDir(), "open.h5")
	if err := WriteStack(path, make([]uint16, 2000*16*16), 2000, 16, 16, StackOptions{Compression: Deflate}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := OpenStack(path)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
