package h5

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// linkChildEnv makes the test binary a child that inspects one file and
// prints the tree (a hang or a stack overflow must not take the test run down).
const linkChildEnv = "XPCS_H5_LINK_CHILD"

// linkGraphScript writes the link graphs of TestInspectLinkGraph with h5py:
// argv[1] folder. Every file has /entry/data/data (a small dataset).
const linkGraphScript = `
import sys, h5py, numpy as np
d = sys.argv[1]
def base(name):
    f = h5py.File(d + "/" + name + ".h5", "w")
    f.create_dataset("/entry/data/data", data=np.arange(6, dtype="uint16").reshape(1, 2, 3))
    f["/entry/count"] = np.int64(7)
    return f
with base("cycle") as f:
    f["/entry/data/loop"] = f["/entry"]          # hard link back to an ancestor
with base("selfloop") as f:
    f["/entry/self"] = f["/entry"]
    f["/entry/data/again"] = f["/entry/data/data"]  # the same dataset twice
with base("dangling") as f:
    f["/entry/gone"] = h5py.SoftLink("/nowhere")
    f["/entry/alias"] = h5py.SoftLink("/entry/data/data")
with base("external") as f:
    f["/entry/ext"] = h5py.ExternalLink("other.h5", "/entry")
with base("softcycle") as f:
    f["/entry/a"] = h5py.SoftLink("/entry/b")
    f["/entry/b"] = h5py.SoftLink("/entry/a")
    f["/entry/up"] = h5py.SoftLink("/entry")
with base("emptyname") as f:
    f.create_group("/entry/zqxjkemptyname")   # its name is zeroed below
`

func TestInspectLinkGraph(t *testing.T) {
	if p := os.Getenv(linkChildEnv); p != "" {
		before := OpenObjects()
		root, err := Inspect(p)
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			return
		}
		root.Format(os.Stdout, false)
		js, _ := json.Marshal(root)
		fmt.Printf("JSON %s\n", js)
		if n := OpenObjects(); n != before {
			fmt.Printf("LEAK %d HDF5 objects open, %d before\n", n, before)
		}
		return
	}
	testenv.NeedPython(t, "h5py")
	dir := t.TempDir()
	if out, err := exec.Command(testenv.Python, "-c", linkGraphScript, dir).CombinedOutput(); err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	// One corrupt byte: the first letter of a link name becomes NUL, so the
	// group lists a link with an empty name.
	ep := filepath.Join(dir, "emptyname.h5")
	b, err := os.ReadFile(ep)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("zqxjkemptyname"))
	if i < 0 || bytes.Index(b[i+1:], []byte("zqxjkemptyname")) >= 0 {
		t.Fatalf("link name found %d times, want once", bytes.Count(b, []byte("zqxjkemptyname")))
	}
	b[i] = 0
	if err := os.WriteFile(ep, b, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		file string
		want []string // lines (substrings) the tree must show
	}{
		{"cycle", []string{"/entry/data/data  dataset uint16 (1, 2, 3)", "/entry/data/loop  link (hard link -> /entry)"}},
		{"selfloop", []string{"/entry/self  link (hard link -> /entry)", "/entry/data/data  link (hard link -> /entry/data/again)", "/entry/count  dataset int64"}},
		{"dangling", []string{"/entry/gone  link (soft link -> /nowhere) BROKEN: dangling soft link", "/entry/alias  dataset uint16 (1, 2, 3) contiguous 12 bytes (soft link -> /entry/data/data)", "/entry/data/data  link (hard link -> /entry/alias)"}},
		{"external", []string{"/entry/ext  link (external link -> other.h5:/entry) BROKEN: external link to another file: not followed", "/entry/data/data  dataset"}},
		{"softcycle", []string{"/entry/a  link (soft link -> /entry/b) BROKEN: dangling soft link", "/entry/up  link (soft link -> /entry)", "/entry/data/data  dataset"}},
		{"emptyname", []string{"  /entry/  link (hard link) BROKEN: link with an empty name (corrupt file?)",
			// the corrupt name breaks the group's name index: its other
			// links are listed, shown as broken, not lost silently
			"/entry/count  link (hard link) BROKEN: h5: inspect ", "/entry/data  link (hard link) BROKEN: "}},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(dir, c.file+".h5")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestInspectLinkGraph$", "-test.count=1")
			cmd.Env = append(os.Environ(), linkChildEnv+"="+path)
			out, err := cmd.CombinedOutput()
			text := string(out)
			if ctx.Err() != nil {
				t.Fatalf("inspect %s hung (killed after 20 s):\n%s", c.file, firstLines(text, 20))
			}
			if err != nil || strings.Contains(text, "fatal error") || strings.Contains(text, "panic:") {
				t.Fatalf("inspect %s crashed (%v):\n%s", c.file, err, firstLines(text, 20))
			}
			if strings.Contains(text, "ERROR ") || strings.Contains(text, "LEAK ") {
				t.Fatalf("inspect %s: got\n%s\nwant the whole tree, no error, no leak", c.file, firstLines(text, 30))
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("inspect %s: got\n%s\nwant a line with %q", c.file, firstLines(text, 30), w)
				}
			}
		})
	}
}

// TestInspectDepthBound: a chain of groups deeper than MaxInspectDepth is cut
// with a note, not walked to the end.
func TestInspectDepthBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep.h5")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := ""
	for i := 0; i < MaxInspectDepth+5; i++ {
		p += "/g"
		if err := f.CreateGroup(p); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	checkNoLeak(t, func() {
		root, err := Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		depth, note := 0, ""
		root.Walk(func(n *Node) {
			if d := strings.Count(n.Path, "/g"); d > depth {
				depth = d
			}
			if n.Note != "" {
				note = n.Note
			}
		})
		if got, want := depth, MaxInspectDepth; got != want {
			t.Errorf("deepest level shown: got %d, want %d", got, want)
		}
		if !strings.Contains(note, "deeper than") {
			t.Errorf("note: got %q, want one saying the rest is deeper than %d levels", note, MaxInspectDepth)
		}
	})
}

// TestReadResultLinkGraph: ReadResult (what `correlate --qmap` uses) walks
// /entry and the two-time group; hard-link cycles and broken links there
// must neither hang it nor hide the values it reads.
func TestReadResultLinkGraph(t *testing.T) {
	if p := os.Getenv(linkChildEnv + "_RESULT"); p != "" {
		f, err := Open(p)
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			return
		}
		defer f.Close()
		r, err := f.ReadResult()
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			return
		}
		fmt.Printf("scan_number=%v two-time=%d\n", r.Entry["scan_number"], len(r.TwoTime))
		return
	}
	testenv.NeedPython(t, "h5py")
	path := filepath.Join(t.TempDir(), "result.hdf")
	if err := WriteResult(path, sampleResult()); err != nil {
		t.Fatal(err)
	}
	const script = `
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    f["/entry/loop"] = f["/entry"]
    f["/entry/gone"] = h5py.SoftLink("/nowhere")
    f["/xpcs/twotime/correlation_map/up"] = f["/xpcs/twotime"]
`
	if out, err := exec.Command(testenv.Python, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("h5py: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReadResultLinkGraph$", "-test.count=1")
	cmd.Env = append(os.Environ(), linkChildEnv+"_RESULT="+path)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("ReadResult hung (killed after 20 s):\n%s", firstLines(string(out), 20))
	}
	if got, want := string(out), "scan_number=7 two-time=1\n"; err != nil || !strings.HasPrefix(got, want) {
		t.Errorf("ReadResult: got %q (%v), want %q", firstLines(got, 10), err, want)
	}
}
