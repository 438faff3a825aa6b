package h5

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Hostile HDF5 headers: a small stack whose dataspace is patched on disk to
// claim huge (or zero, or overflowing) dimensions. Every reader must answer
// with an *Error naming the file, or a bounded result — never a panic, a
// fatal out-of-memory or a leaked handle. Each case runs in a child process
// so that a crash of the runtime (a 2 TB make) is reported as a failure
// instead of killing the test binary.

const hostileChildEnv = "XPCS_H5_HOSTILE_CHILD"

// patchDims writes a 5x7x9 uint16 stack, then replaces every on-disk copy of
// the dimension triple (5, 7, 9) — the dataspace's current and maximum
// dimensions, as little-endian uint64 — with dims.
func patchDims(t *testing.T, dir string, dims [3]uint64, opt StackOptions) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("dims_%d_%d_%d.h5", dims[0], dims[1], dims[2]))
	if err := WriteStack(path, synth[uint16](5*7*9, 3), 5, 7, 9, opt); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var old, repl bytes.Buffer
	binary.Write(&old, binary.LittleEndian, [3]uint64{5, 7, 9})
	binary.Write(&repl, binary.LittleEndian, dims)
	n := bytes.Count(b, old.Bytes())
	if n == 0 {
		t.Fatalf("dimension triple not found in %s: the file layout changed", path)
	}
	b = bytes.ReplaceAll(b, old.Bytes(), repl.Bytes())
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileOps are what a reader of a user's stack does; each returns what it
// got (for the log) and its error.
var hostileOps = []struct {
	name string
	run  func(path string) (string, error)
}{
	{"Inspect", func(p string) (string, error) {
		n, err := Inspect(p)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d children", len(n.Children)), nil
	}},
	{"OpenStack", func(p string) (string, error) {
		s, err := OpenStack(p)
		if err != nil {
			return "", err
		}
		defer s.Close()
		return fmt.Sprintf("%dx%dx%d", s.Frames, s.Rows, s.Cols), nil
	}},
	{"ReadFrames(0,1)", func(p string) (string, error) {
		s, err := OpenStack(p)
		if err != nil {
			return "", err
		}
		defer s.Close()
		px, err := ReadFrames[uint16](s, 0, 1)
		return fmt.Sprintf("%d pixels", len(px)), err
	}},
	{"ReadAll", func(p string) (string, error) {
		s, err := OpenStack(p)
		if err != nil {
			return "", err
		}
		defer s.Close()
		px, err := ReadAll[uint16](s)
		return fmt.Sprintf("%d pixels", len(px)), err
	}},
	{"Stream (stop after 2 frames)", func(p string) (string, error) {
		s, err := OpenStack(p)
		if err != nil {
			return "", err
		}
		defer s.Close()
		stop := errors.New("enough")
		n := 0
		err = Stream(s, func(frame int, px []uint16) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		if errors.Is(err, stop) {
			err = nil
		}
		return fmt.Sprintf("%d frames", n), err
	}},
}

// TestHostileHeaderDims runs every reader on stacks whose header claims
// 2^40 frames, 2^32 x 2^32 pixels per frame (the product overflows int64),
// or zero frames, contiguous and chunked.
func TestHostileHeaderDims(t *testing.T) {
	if p := os.Getenv(hostileChildEnv); p != "" {
		childOps(p)
		return
	}
	strict := os.Getenv("XPCS_RELIABILITY_STRICT") == "1"
	for _, c := range []struct {
		dims [3]uint64
		opt  StackOptions
		// bug names a flaw found by this test and reported (see
		// docs/RELIABILITY.md); while set, the case logs instead of
		// failing unless XPCS_RELIABILITY_STRICT=1, and a hang is not
		// waited for.
		bug string
	}{
		{[3]uint64{1 << 40, 7, 9}, StackOptions{Compression: None}, "h5-huge-frames-oom"},
		{[3]uint64{1 << 40, 7, 9}, StackOptions{Compression: Deflate}, "h5-huge-frames-oom"},
		{[3]uint64{5, 1 << 32, 1 << 32}, StackOptions{Compression: None}, "h5-frame-size-overflow"},
		{[3]uint64{5, 1 << 31, 3}, StackOptions{Compression: Deflate}, "h5-huge-frame-hang"},
		{[3]uint64{0, 7, 9}, StackOptions{Compression: None}, ""},
		{[3]uint64{1<<63 - 1, 7, 9}, StackOptions{Compression: None}, "h5-huge-frames-makeslice"},
	} {
		name := fmt.Sprintf("%v/%s", c.dims, optName(c.opt))
		t.Run(name, func(t *testing.T) {
			fail := t.Fatalf
			if c.bug != "" && !strict {
				fail = func(format string, args ...any) {
					t.Logf("KNOWN BUG %s: "+format, append([]any{c.bug}, args...)...)
					t.SkipNow()
				}
				if c.bug == "h5-huge-frame-hang" {
					t.Skipf("KNOWN BUG %s: reading hangs (> 60 s); run with XPCS_RELIABILITY_STRICT=1", c.bug)
				}
			}
			path := patchDims(t, t.TempDir(), c.dims, c.opt)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHostileHeaderDims$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), hostileChildEnv+"="+path, "GOMEMLIMIT=512MiB")
			out, err := cmd.CombinedOutput()
			text := string(out)
			if ctx.Err() != nil {
				fail("reading %s hung (killed after 30 s):\n%s", path, firstLines(text, 25))
			}
			if err != nil || strings.Contains(text, "panic:") || strings.Contains(text, "fatal error") {
				fail("reading %s crashed the process (%v):\n%s", path, err, firstLines(text, 25))
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, "op ReadFrames(0,1): ok 0 pixels") && c.dims[0] > 0 {
					fail("%s: a frame of a %v stack read as 0 pixels without error (rows*cols overflows)", path, c.dims)
				}
				if strings.HasPrefix(line, "op ") {
					t.Log(line)
					if strings.Contains(line, " error ") && !strings.Contains(line, path) {
						t.Errorf("error does not name the file: %s", line)
					}
				}
				if strings.HasPrefix(line, "leak ") {
					t.Error(line)
				}
			}
		})
	}
}

// childOps runs hostileOps on path and prints one line per op.
func childOps(path string) {
	for _, op := range hostileOps {
		fmt.Printf("start %s\n", op.name)
		os.Stdout.Sync()
		before := OpenObjects()
		got, err := op.run(path)
		if err != nil {
			fmt.Printf("op %s: error %v\n", op.name, err)
		} else {
			fmt.Printf("op %s: ok %s\n", op.name, got)
		}
		if after := OpenObjects(); after != before {
			fmt.Printf("leak %s: %d HDF5 objects open after, %d before\n", op.name, after, before)
		}
	}
}

func firstLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[:min(n, len(l))], "\n")
}
