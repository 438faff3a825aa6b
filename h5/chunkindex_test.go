package h5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// stackIndexes returns the chunks of the stack at path as the B-tree reader
// finds them (with its error) and as libhdf5 reports them chunk by chunk.
func stackIndexes(t *testing.T, path string) (tree []chunkEntry, st btreeStats, treeErr error, api []chunkEntry, plan *directPlan) {
	t.Helper()
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	fi, err := raw.Stat()
	if err != nil {
		t.Fatal(err)
	}
	lockLib()
	defer lib.Unlock()
	fr, maxEntries := fileReaderLocked(s.File)
	fr.r, fr.size = raw, fi.Size()
	tree, st, treeErr = stackBTreeLocked(s, fr, maxEntries)
	for f := 0; f < s.Frames; f += s.Chunk[0] {
		e, why := chunkInfoLocked(s, f)
		if why != "" {
			t.Fatalf("frame %d: %s", f, why)
		}
		api = append(api, e)
	}
	return tree, st, treeErr, api, s.plan
}

func writeH5py(t *testing.T, path, script string, args ...string) {
	t.Helper()
	testenv.NeedPython(t, "h5py")
	if out, err := exec.Command(testenv.Python, append([]string{"-c", script, path}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
}

// h5pyStack writes a uint16 stack of frames x rows x cols at /entry/data/data
// with chunks of (fpc, rows, cols), gzip, and the given userblock and libver.
const h5pyStack = `import sys, h5py, numpy as np
path, frames, rows, cols, fpc, ub, libver = sys.argv[1], *map(int, sys.argv[2:7]), sys.argv[7]
rng = np.random.default_rng(1)
d = rng.poisson(0.5, (frames, rows, cols)).astype("<u2")
kw = {} if libver == "default" else {"libver": libver}
with h5py.File(path, "w", userblock_size=ub, **kw) as f:
    f.create_dataset("entry/data/data", data=d, chunks=(fpc, rows, cols), compression="gzip")
`

func TestChunkBTreeMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	goStack := func(frames, rows, cols int, opt StackOptions) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			if err := WriteStack(p, synth[uint16](frames*rows*cols, 5), frames, rows, cols, opt); err != nil {
				t.Fatal(err)
			}
		}
	}
	pyStack := func(frames, rows, cols, fpc, ub int, libver string) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			writeH5py(t, p, h5pyStack, fmt.Sprint(frames), fmt.Sprint(rows), fmt.Sprint(cols), fmt.Sprint(fpc), fmt.Sprint(ub), libver)
		}
	}
	tests := []struct {
		name     string
		write    func(t *testing.T, p string)
		minDepth int  // levels the B-tree must have
		fallback bool // the B-tree reader must refuse the index
	}{
		{"go one frame per chunk", goStack(3000, 4, 4, StackOptions{}), 2, false},
		{"go 5 frames per chunk partial last", goStack(1003, 4, 4, StackOptions{FramesPerChunk: 5}), 2, false},
		{"go deflate", goStack(700, 8, 8, StackOptions{Compression: Deflate, Shuffle: true}), 2, false},
		{"go lzf", goStack(700, 8, 8, StackOptions{Compression: LZF}), 2, false},
		{"go small single node", goStack(10, 4, 4, StackOptions{}), 1, false},
		{"go three levels", goStack(6000, 2, 2, StackOptions{}), 3, false},
		{"h5py userblock 1024", pyStack(3001, 4, 4, 2, 1024, "default"), 2, false},
		{"h5py latest", pyStack(301, 4, 4, 2, 0, "latest"), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".h5")
			tt.write(t, p)
			tree, st, err, api, plan := stackIndexes(t, p)
			if plan == nil {
				t.Fatal("no direct plan")
			}
			t.Logf("%d chunks, tree depth %d, %d nodes, plan index: %s", len(api), st.depth, st.nodes, plan.index)
			// the plan must agree with libhdf5 whichever way it was built
			base := int64(0)
			if strings.Contains(tt.name, "userblock") {
				base = 1024
			}
			for i, e := range api {
				if got, want := (chunkEntry{uint64(plan.addr[i] - base), uint64(plan.size[i]), plan.mask[i]}), e; got != want {
					t.Fatalf("plan chunk %d: got %+v, want %+v", i, got, want)
				}
			}
			if tt.fallback {
				if !errors.Is(err, errIndexUnsupported) {
					t.Fatalf("B-tree reader: got error %v, want errIndexUnsupported", err)
				}
				if !strings.HasPrefix(plan.index, "libhdf5 per chunk") {
					t.Errorf("plan index %q, want the library fallback", plan.index)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(tree), len(api); got != want {
				t.Fatalf("got %d chunks, want %d", got, want)
			}
			sizes := map[uint64]bool{}
			for i := range api {
				if got, want := tree[i], api[i]; got != want {
					t.Fatalf("chunk %d: got %+v, want %+v", i, got, want)
				}
				sizes[tree[i].size] = true
			}
			if st.depth < tt.minDepth {
				t.Errorf("tree depth %d, want at least %d", st.depth, tt.minDepth)
			}
			if !strings.HasPrefix(plan.index, "v1 B-tree") {
				t.Errorf("plan index %q, want the B-tree", plan.index)
			}
			t.Logf("%d distinct stored sizes", len(sizes))
		})
	}
}

// TestChunkIndexSwitch checks that the unexported switch selects the library.
func TestChunkIndexSwitch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.h5")
	if err := WriteStack(p, synth[uint16](20*4*4, 1), 20, 4, 4, StackOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, apiOnly := range []bool{false, true} {
		chunkIndexAPIOnly = apiOnly
		s, err := OpenStack(p)
		chunkIndexAPIOnly = false
		if err != nil {
			t.Fatal(err)
		}
		got := s.plan.index
		s.Close()
		if want := map[bool]string{false: "v1 B-tree", true: "libhdf5 per chunk"}[apiOnly]; !strings.HasPrefix(got, want) {
			t.Errorf("apiOnly %v: index %q, want %q...", apiOnly, got, want)
		}
	}
}

// treeRoot returns the file offset of the chunk B-tree root of the Go-written
// stack at path (no user block, 8-byte addresses and lengths).
func treeRoot(t *testing.T, path string, g chunkGeom) (int64, *fileReader) {
	t.Helper()
	s, err := OpenStack(path)
	if err != nil {
		t.Fatal(err)
	}
	lockLib()
	var ohdr uint64
	fr, _ := fileReaderLocked(s.File)
	ohdr = objAddrLocked(s)
	lib.Unlock()
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fr.r, fr.size = bytesReaderAt(b), int64(len(b))
	m, err := findMessage(fr, ohdr, msgLayout)
	if err != nil {
		t.Fatal(err)
	}
	root, err := chunkBTreeAddr(fr, m, g)
	if err != nil {
		t.Fatal(err)
	}
	return int64(root), fr
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, fmt.Errorf("offset %d outside %d bytes", off, len(b))
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, fmt.Errorf("short read at %d", off)
	}
	return n, nil
}

// TestChunkBTreeHostile corrupts the root node of a one-level chunk B-tree
// (40 one-frame chunks) and checks that the reader says so, and that
// OpenStack then either works through the library or fails clearly.
func TestChunkBTreeHostile(t *testing.T) {
	dir := t.TempDir()
	const frames, rows, cols = 40, 4, 4
	orig := filepath.Join(dir, "orig.h5")
	data := synth[uint16](frames*rows*cols, 9)
	if err := WriteStack(orig, data, frames, rows, cols, StackOptions{}); err != nil {
		t.Fatal(err)
	}
	g := chunkGeom{dims: []uint64{frames, rows, cols}, chunk: []uint64{1, rows, cols}, elem: 2}
	root, fr := treeRoot(t, orig, g)
	good := []byte(fr.r.(bytesReaderAt))
	if _, _, err := walkChunkBTree(fr, uint64(root), g, 64); err != nil {
		t.Fatalf("intact file: %v", err)
	}
	const sa = 8
	keySize := 8 + 8*4
	child := func(i int) int64 { return root + 8 + 2*sa + int64(i*(keySize+sa)+keySize) }
	key := func(i int) int64 { return root + 8 + 2*sa + int64(i*(keySize+sa)) }
	le64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	tests := []struct {
		name  string
		at    int64
		bytes []byte
		want  string // in the reader's error
	}{
		{"signature", root, []byte("EERT"), "signature"},
		{"node type group", root + 4, []byte{0}, "node type"},
		{"level 1", root + 5, []byte{1}, "chunk B-tree node"},
		{"level 200", root + 5, []byte{200}, "implausible"},
		{"entries 0", root + 6, le16(0), "no entries"},
		{"entries 65535", root + 6, le16(65535), "entries"},
		{"entries 39", root + 6, le16(39), "holds 39 chunks"},
		{"child beyond file", child(3), le64(1 << 40), "beyond the file"},
		{"child undefined", child(3), le64(^uint64(0)), "not allocated"},
		{"chunk size huge", key(2), []byte{0xff, 0xff, 0xff, 0x7f}, "beyond the file"},
		{"duplicate offset", key(5) + 8, le64(4), "twice"},
		{"unaligned offset", key(5) + 16, le64(1), "not a chunk"},
		{"offset out of range", key(5) + 8, le64(frames), "not a chunk"},
		{"element offset", key(5) + 32, le64(2), "element offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), good...)
			copy(b[tt.at:], tt.bytes)
			f := &fileReader{r: bytesReaderAt(b), size: int64(len(b)), sizeofAddr: sa, sizeofSize: 8}
			_, _, err := walkChunkBTree(f, uint64(root), g, 64)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one saying %q", err, tt.want)
			}
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".h5")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := OpenStack(p)
			if err != nil {
				if err.Error() == "" {
					t.Fatal("OpenStack failed with an empty error")
				}
				t.Logf("OpenStack: %v", err)
				return
			}
			defer s.Close()
			if s.plan != nil && !strings.HasPrefix(s.plan.index, "libhdf5") {
				t.Errorf("plan built from a corrupt B-tree: %s", s.plan.index)
			}
			ok, why := s.DirectCapable()
			_, rerr := ReadAll[uint16](s)
			idx := ""
			if s.plan != nil {
				idx = s.plan.index
			}
			t.Logf("OpenStack works; direct %v %s; index %s; ReadAll error %v", ok, why, idx, rerr)
		})
	}
}

// TestChunkBTreeCycle points a two-level tree's children back at the root.
func TestChunkBTreeCycle(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.h5")
	const frames, rows, cols = 300, 4, 4
	if err := WriteStack(p, synth[uint16](frames*rows*cols, 9), frames, rows, cols, StackOptions{}); err != nil {
		t.Fatal(err)
	}
	g := chunkGeom{dims: []uint64{frames, rows, cols}, chunk: []uint64{1, rows, cols}, elem: 2}
	root, fr := treeRoot(t, p, g)
	b := []byte(fr.r.(bytesReaderAt))
	if b[root+5] == 0 {
		t.Fatalf("tree of %d chunks has one level", frames)
	}
	keySize := 8 + 8*4
	for i, n := 0, int(binary.LittleEndian.Uint16(b[root+6:])); i < n; i++ {
		binary.LittleEndian.PutUint64(b[root+24+int64(keySize+i*(keySize+8)):], uint64(root))
	}
	_, _, err := walkChunkBTree(fr, uint64(root), g, 64)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("got error %v, want a node reached twice", err)
	}
}

// FuzzChunkBTree feeds arbitrary bytes as the root node of a chunk B-tree
// of 6 one-frame chunks; the reader must return, without panicking.
func FuzzChunkBTree(f *testing.F) {
	const frames, rows, cols = 6, 2, 2
	g := chunkGeom{dims: []uint64{frames, rows, cols}, chunk: []uint64{1, rows, cols}, elem: 2}
	// seed: a valid leaf with 6 chunks of 8 bytes after the node
	keySize := 8 + 8*4
	node := []byte("TREE\x01\x00\x06\x00")
	node = binary.LittleEndian.AppendUint64(node, ^uint64(0))
	node = binary.LittleEndian.AppendUint64(node, ^uint64(0))
	nodeLen := len(node) + 7*keySize + 6*8
	for i := 0; i <= 6; i++ {
		k := binary.LittleEndian.AppendUint32(nil, 8)
		k = binary.LittleEndian.AppendUint32(k, 0)
		for d := 0; d < 4; d++ {
			v := uint64(0)
			if d == 0 {
				v = uint64(i)
			}
			k = binary.LittleEndian.AppendUint64(k, v)
		}
		node = append(node, k...)
		if i < 6 {
			node = binary.LittleEndian.AppendUint64(node, uint64(nodeLen+8*i))
		}
	}
	node = append(node, make([]byte, 48)...)
	f.Add(node)
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := &fileReader{r: bytesReaderAt(b), size: int64(len(b)), sizeofAddr: 8, sizeofSize: 8}
		tree, _, err := walkChunkBTree(fr, 0, g, 64)
		if err == nil {
			if len(tree) != frames {
				t.Fatalf("no error but %d chunks", len(tree))
			}
			for i, e := range tree {
				if e.addr >= uint64(len(b)) || e.size > uint64(len(b))-e.addr || e.size == 0 {
					t.Fatalf("chunk %d: %+v outside %d bytes", i, e, len(b))
				}
			}
		}
	})
}

// BenchmarkOpenStackChunks times OpenStack of stacks of one-frame 16x16
// chunks, with the chunk addresses read from the B-tree (new) or asked of
// libhdf5 chunk by chunk (old, O(n^2) in libhdf5 1.10).
func BenchmarkOpenStackChunks(b *testing.B) {
	dir := b.TempDir()
	for _, n := range []int{1000, 10000} {
		p := filepath.Join(dir, fmt.Sprintf("s%d.h5", n))
		if err := WriteStack(p, make([]uint16, n*16*16), n, 16, 16, StackOptions{}); err != nil {
			b.Fatal(err)
		}
		for _, old := range []bool{true, false} {
			b.Run(fmt.Sprintf("chunks=%d/%s", n, map[bool]string{true: "old", false: "new"}[old]), func(b *testing.B) {
				chunkIndexAPIOnly = old
				defer func() { chunkIndexAPIOnly = false }()
				for b.Loop() {
					s, err := OpenStack(p)
					if err != nil {
						b.Fatal(err)
					}
					if s.plan == nil {
						b.Fatal(s.whyNot)
					}
					s.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/open")
			})
		}
	}
}
