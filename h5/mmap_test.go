package h5

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// mappedFrames decodes the frames Map returns.
func mappedFrames(t *testing.T, s *Stack) []uint16 {
	t.Helper()
	b, off, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	if len(off) != s.Frames {
		t.Fatalf("Map: %d frame offsets for %d frames", len(off), s.Frames)
	}
	np := s.Rows * s.Cols
	out := make([]uint16, 0, s.Frames*np)
	for _, o := range off {
		for p := range np {
			out = append(out, binary.LittleEndian.Uint16(b[o+int64(2*p):]))
		}
	}
	return out
}

// TestMapMatchesRead writes uncompressed stacks (contiguous, one frame per
// chunk, several frames per chunk with a partial last chunk) and checks
// that the mapped frames equal what libhdf5 reads; filtered stacks must
// say they cannot be mapped and stay readable.
func TestMapMatchesRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const frames, rows, cols = 23, 9, 11
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]uint16, frames*rows*cols)
	for i := range data {
		data[i] = uint16(rng.IntN(65536))
	}
	for _, tc := range []struct {
		name     string
		opt      StackOptions
		mappable bool
	}{
		{"contiguous", StackOptions{FramesPerChunk: -1}, true},
		{"chunk per frame", StackOptions{}, true},
		{"chunks of 5", StackOptions{FramesPerChunk: 5}, true},
		{"deflate", StackOptions{Compression: Deflate}, false},
		{"lzf", StackOptions{Compression: LZF, FramesPerChunk: 4}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".h5")
			if err := WriteStack(p, data, frames, rows, cols, tc.opt); err != nil {
				t.Fatal(err)
			}
			s, err := OpenStack(p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !tc.mappable {
				if _, _, err := s.Map(); !errors.Is(err, ErrNotMappable) {
					t.Fatalf("Map of a %s stack: %v, want ErrNotMappable", tc.name, err)
				}
				if _, err := ReadAll[uint16](s); err != nil {
					t.Fatalf("read after a refused Map: %v", err)
				}
				return
			}
			got := mappedFrames(t, s)
			want, err := ReadAll[uint16](s)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if got[i] != want[i] || got[i] != data[i] {
					t.Fatalf("value %d: mapped %d, read %d, written %d", i, got[i], want[i], data[i])
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Map(); !errors.Is(err, ErrClosed) {
				t.Fatalf("Map after Close: %v, want ErrClosed", err)
			}
		})
	}
}

// TestMapH5py maps stacks written by h5py: chunked uncompressed with a
// user block (addresses shift by it), contiguous with a user block, and
// big-endian (refused).
func TestMapH5py(t *testing.T) {
	t.Parallel()
	testenv.NeedPython(t, "h5py")
	dir := t.TempDir()
	script := `import sys, h5py, numpy as np
d = (np.arange(7 * 5 * 6, dtype=np.uint32) * 2654435761 % 65536).astype(np.uint16).reshape(7, 5, 6)
with h5py.File(sys.argv[1] + "/ub.h5", "w", userblock_size=1024) as f:
    f.attrs["x"] = 1
    f.create_dataset("entry/data/data", data=d, chunks=(2, 5, 6))
with h5py.File(sys.argv[1] + "/contig.h5", "w", userblock_size=512) as f:
    f.create_dataset("entry/data/data", data=d)
with h5py.File(sys.argv[1] + "/be.h5", "w") as f:
    f.create_dataset("entry/data/data", data=d.astype(">u2"))
d.tofile(sys.argv[1] + "/raw.bin")`
	if out, err := exec.Command(testenv.Python, "-c", script, dir).CombinedOutput(); err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "raw.bin")) // numpy's tofile: native (little-endian) uint16
	if err != nil {
		t.Fatal(err)
	}
	want := make([]uint16, len(raw)/2)
	for i := range want {
		want[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	for _, name := range []string{"ub.h5", "contig.h5", "be.h5"} {
		s, err := OpenStack(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "be.h5" {
			if _, _, err := s.Map(); !errors.Is(err, ErrNotMappable) {
				t.Errorf("%s: Map %v, want ErrNotMappable", name, err)
			}
			s.Close()
			continue
		}
		got := mappedFrames(t, s)
		s.Close()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values mapped, h5py wrote %d", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: value %d mapped %d, h5py wrote %d", name, i, got[i], want[i])
			}
		}
	}
}
