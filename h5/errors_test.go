package h5

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: every kind of bad input gives one clear *Error naming the
// file (and the dataset when there is one), nothing panics and no HDF5
// object stays open.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.h5")
	if err := WriteStack(good, synth[uint16](4*8*8, 4), 4, 8, 8, StackOptions{Compression: Deflate, Shuffle: true}); err != nil {
		t.Fatal(err)
	}
	{
		f, err := OpenRW(good)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write("/xpcs/multitau/normalized_g2", []int{2, 2}, []float32{1, 2, 3, 4}, nil); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.h5")
	os.WriteFile(truncated, whole[:len(whole)/2], 0o644)
	text := filepath.Join(dir, "notes.h5")
	os.WriteFile(text, []byte("this is not an HDF5 file\n"), 0o644)
	filtered := filepath.Join(dir, "filtered.h5")
	if err := writeWithFilterForTest(filtered, StackPath, 32767); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		run      func() error
		kind     error
		mentions []string
	}{
		{"truncated file", func() error { _, err := OpenStack(truncated); return err }, nil, []string{truncated, "truncated"}},
		{"not HDF5", func() error { _, err := Inspect(text); return err }, ErrNotHDF5, []string{text}},
		{"missing file", func() error { _, err := Open(filepath.Join(dir, "nope.h5")); return err }, ErrNotFound, []string{"nope.h5"}},
		{"missing dataset", func() error {
			f, err := Open(good)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.OpenStack("/entry/data/missing")
			return err
		}, ErrNotFound, []string{good, "/entry/data/missing"}},
		{"missing group in result", func() error {
			f, err := Open(good)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Read("/xpcs/qmap/mask")
			return err
		}, ErrNotFound, []string{good, "/xpcs/qmap/mask"}},
		{"wrong dtype read", func() error {
			s, err := OpenStack(good)
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = ReadAll[uint32](s)
			return err
		}, ErrDType, []string{good, StackPath, "uint16"}},
		{"wrong dtype slab", func() error {
			f, err := Open(good)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.ReadSlab(StackPath, []int{0, 0, 0}, []int{1, 8, 8}, make([]float32, 64))
		}, ErrDType, []string{good, StackPath}},
		{"wrong dtype ReadAs", func() error {
			f, err := Open(good)
			if err != nil {
				return err
			}
			defer f.Close()
			_, _, err = ReadAs[float64](f, "/xpcs/multitau/normalized_g2")
			return err
		}, ErrDType, []string{good, "normalized_g2", "float32"}},
		{"stack of floats", func() error {
			f, err := Open(good)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.OpenStack("/xpcs/multitau/normalized_g2")
			return err
		}, ErrDType, []string{good, "normalized_g2"}},
		{"frames out of range", func() error {
			s, err := OpenStack(good)
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = ReadFrames[uint16](s, 3, 2)
			return err
		}, ErrShape, []string{good, StackPath}},
		{"filter not installed", func() error {
			s, err := OpenStack(filtered)
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = ReadAll[uint16](s)
			return err
		}, ErrFilterUnavailable, []string{filtered, StackPath, "32767"}},
		{"filter not installed, direct mode", func() error {
			s, err := OpenStack(filtered)
			if err != nil {
				return err
			}
			defer s.Close()
			return s.SetReadOptions(ReadOptions{Mode: Direct})
		}, nil, []string{filtered, StackPath, "32767"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkNoLeak(t, func() {
				err := c.run()
				if err == nil {
					t.Fatal("got nil error")
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("got %T %v, want *h5.Error", err, err)
				}
				if c.kind != nil && !errors.Is(err, c.kind) {
					t.Errorf("got %v, want kind %v", err, c.kind)
				}
				for _, m := range c.mentions {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("error %q does not mention %q", err, m)
					}
				}
				if strings.Count(err.Error(), "\n") > 0 {
					t.Errorf("error spans lines: %q", err)
				}
				t.Log(err)
			})
		})
	}
}

// TestCorruptChunk: damaged compressed chunks give an error naming file and
// dataset, in both read modes, and never a panic.
func TestCorruptChunk(t *testing.T) {
	for _, opt := range []StackOptions{{Compression: Deflate, Shuffle: true}, {Compression: LZF}, {Compression: BitshuffleLZ4}} {
		t.Run(optName(opt), func(t *testing.T) {
			if opt.Compression == BitshuffleLZ4 {
				needBitshuffle(t)
			}
			path := filepath.Join(t.TempDir(), "c.h5")
			if err := WriteStack(path, synth[uint16](3*32*32, 5), 3, 32, 32, opt); err != nil {
				t.Fatal(err)
			}
			s, err := OpenStack(path)
			if err != nil {
				t.Fatal(err)
			}
			addr, size := s.plan.addr[1], s.plan.size[1]
			s.Close()
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			junk := make([]byte, size)
			for i := range junk {
				junk[i] = byte(i*37 + 11)
			}
			f.WriteAt(junk, addr)
			f.Close()
			checkNoLeak(t, func() {
				s, err := OpenStack(path)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				for _, mode := range []ReadMode{Direct, Library} {
					s.SetReadOptions(ReadOptions{Mode: mode})
					_, err := ReadAll[uint16](s)
					if err == nil {
						t.Errorf("mode %d: corrupt chunk read without error", mode)
						continue
					}
					if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), StackPath) {
						t.Errorf("mode %d: error %q does not name file and dataset", mode, err)
					}
					t.Log(err)
				}
			})
		})
	}
}
