package h5

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Benchmarks of stack reads. By default they write small stacks themselves
// (64 frames of 256x256 uint16). scripts/h5/bench.sh points
// XPCS_H5_BENCH_DIR at stacks written by h5py (1000x256x256, one chunk per
// frame: none.h5, gzip.h5, lzf.h5, bslz4.h5 and plain.bin holding the same
// pixels) to compare with h5py side by side.

var benchKinds = []struct {
	name string
	opt  StackOptions
}{
	{"none", StackOptions{}},
	{"gzip", StackOptions{Compression: Deflate, Shuffle: true}},
	{"lzf", StackOptions{Compression: LZF}},
	{"bslz4", StackOptions{Compression: BitshuffleLZ4}},
}

func benchFile(b *testing.B, kind string, opt StackOptions) string {
	if dir := os.Getenv("XPCS_H5_BENCH_DIR"); dir != "" {
		return filepath.Join(dir, kind+".h5")
	}
	if opt.Compression == BitshuffleLZ4 && !FilterAvailable(filterBshuf) {
		b.Skip("bitshuffle plugin not installed")
	}
	dir := filepath.Join(os.TempDir(), "xpcs-h5-bench")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, kind+".h5")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	const frames, rows, cols = 64, 256, 256
	if err := WriteStack(path+".tmp", synth[uint16](frames*rows*cols, 9), frames, rows, cols, opt); err != nil {
		b.Fatal(err)
	}
	os.Rename(path+".tmp", path)
	return path
}

func BenchmarkReadStack(b *testing.B) {
	for _, k := range benchKinds {
		path := ""
		modes := []struct {
			name string
			opt  ReadOptions
		}{
			{"library", ReadOptions{Mode: Library}},
			{"direct-1", ReadOptions{Mode: Direct, Workers: 1}},
			{"direct-" + strconv.Itoa(runtime.GOMAXPROCS(0)), ReadOptions{Mode: Direct}},
		}
		for _, m := range modes {
			b.Run(k.name+"/"+m.name, func(b *testing.B) {
				if path == "" {
					path = benchFile(b, k.name, k.opt)
				}
				s, err := OpenStack(path)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				if err := s.SetReadOptions(m.opt); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(s.Frames * s.FrameBytes()))
				for b.Loop() {
					if _, err := ReadAll[uint16](s); err != nil { // fresh buffer each time, like h5py's d[...]
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPlainRead reads the same bytes from a plain file into a fresh
// buffer: the ceiling for the uncompressed read.
func BenchmarkPlainRead(b *testing.B) {
	path := ""
	if dir := os.Getenv("XPCS_H5_BENCH_DIR"); dir != "" {
		path = filepath.Join(dir, "plain.bin")
	} else {
		path = filepath.Join(b.TempDir(), "plain.bin")
		os.WriteFile(path, make([]byte, 64*256*256*2), 0o644)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, st.Size())
		if _, err := f.ReadAt(buf, 0); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkStream(b *testing.B) {
	for _, k := range benchKinds[:3] {
		b.Run(k.name, func(b *testing.B) {
			s, err := OpenStack(benchFile(b, k.name, k.opt))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.SetBytes(int64(s.Frames * s.FrameBytes()))
			for b.Loop() {
				var sum uint64
				if err := Stream(s, func(_ int, px []uint16) error { sum += uint64(px[0]); return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPool(b *testing.B) {
	path := benchFile(b, "none", StackOptions{})
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			p, err := NewPool(path, 8)
			if err != nil {
				b.Fatal(err)
			}
			p.Close()
		}
	})
	p, err := NewPool(path, 8)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.Run("acquire-release", func(b *testing.B) {
		for b.Loop() {
			h, err := p.Acquire(b.Context(), StackPath)
			if err != nil {
				b.Fatal(err)
			}
			h.Release()
		}
	})
	b.Run("concurrent-frame-read", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]uint16, 256*256)
			for i := 0; pb.Next(); i++ {
				h, err := p.Acquire(b.Context(), StackPath)
				if err != nil {
					b.Error(err)
					return
				}
				err = h.ReadSlab([]int{i % 64, 0, 0}, []int{1, 256, 256}, buf)
				h.Release()
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// TestStreamPeakRSS streams the stack in XPCS_H5_STREAM_FILE (skipped
// without it) and reports the peak resident memory (VmHWM), to show that
// streaming a stack larger than memory stays bounded. scripts/h5/bench.sh
// runs it on the large and xlarge sizes.
func TestStreamPeakRSS(t *testing.T) {
	path := os.Getenv("XPCS_H5_STREAM_FILE")
	if path == "" {
		t.Skip("XPCS_H5_STREAM_FILE not set")
	}
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if w := os.Getenv("XPCS_H5_STREAM_WORKERS"); w != "" {
		n, _ := strconv.Atoi(w)
		s.SetReadOptions(ReadOptions{Workers: n})
	}
	before := vmHWM(t)
	var sum uint64
	n := 0
	if err := Stream(s, func(_ int, px []uint16) error {
		for _, v := range px[:64] {
			sum += uint64(v)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != s.Frames {
		t.Fatalf("streamed %d frames, want %d", n, s.Frames)
	}
	direct, _ := s.DirectCapable()
	size := float64(s.Frames) * float64(s.FrameBytes())
	t.Logf("streamed %s: %d frames of %dx%d (%.2f GB), direct %v, workers %d: peak RSS %.1f MiB (before %.1f MiB), frame %.2f MiB",
		filepath.Base(path), s.Frames, s.Rows, s.Cols, size/1e9, direct, s.workers(), float64(vmHWM(t))/(1<<20), float64(before)/(1<<20), float64(s.FrameBytes())/(1<<20))
}

// vmHWM returns the process's peak resident set size in bytes.
func vmHWM(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}
