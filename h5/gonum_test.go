package h5

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/hdf5"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// TestGonumBinding proves that files, groups and datasets go through
// gonum/hdf5 with their hid_t shared with h5c, that every kind of object
// (group and dataset through gonum/hdf5, a named datatype through H5Oopen)
// opens and closes without leaking, and that a failing gonum/hdf5 call still
// yields libhdf5's own message rather than gonum's "code -1".
func TestGonumBinding(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.h5")
	checkNoLeak(t, func() {
		f, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.gf == nil || f.gf.Type() != hdf5.FILE || int64(f.id) != f.gf.ID() {
			t.Errorf("Create: gonum handle %v, h5c id %d: want one gonum/hdf5 file id", f.gf, int64(f.id))
		}
		if err := f.CreateGroup("/a/b"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetAttr("/a/b", "note", "via gonum OpenGroup"); err != nil {
			t.Fatal(err)
		}
		if err := f.Write("/a/d", []int{3}, []float64{1, 2, 3}, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.SetAttr("/a/d", "unit", "s"); err != nil {
			t.Fatal(err)
		}
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		// A group below a dataset cannot be created: gonum's CreateGroup fails.
		err = f.CreateGroup("/a/d/g")
		if err == nil || strings.Contains(err.Error(), "code -1") || !strings.Contains(err.Error(), "/a/d/g") {
			t.Errorf("CreateGroup below a dataset: got %v, want libhdf5's message naming /a/d/g", err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Flush(); !errors.Is(err, ErrClosed) {
			t.Errorf("Flush after Close: got %v, want ErrClosed", err)
		}
	})

	checkNoLeak(t, func() {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if int64(f.id) != f.gf.ID() {
			t.Errorf("Open: h5c id %d, gonum id %d", int64(f.id), f.gf.ID())
		}
		a, err := f.Attr("/a/b", "note")
		if err != nil || a.Value != "via gonum OpenGroup" {
			t.Errorf("Attr /a/b@note: got %v, %v", a.Value, err)
		}
		got, shape, err := ReadAs[float64](f, "/a/d")
		if err != nil || len(shape) != 1 || shape[0] != 3 || got[2] != 3 {
			t.Errorf("ReadAs /a/d: got %v %v %v", got, shape, err)
		}
		root, err := f.Inspect("/")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		root.Walk(func(n *Node) { kinds[n.Path] = n.Kind })
		for p, want := range map[string]string{"/": "group", "/a": "group", "/a/b": "group", "/a/d": "dataset"} {
			if kinds[p] != want {
				t.Errorf("Inspect %s: got kind %q, want %q", p, kinds[p], want)
			}
		}
	})

	// Creating in a missing directory fails inside gonum's CreateFile.
	_, err := Create(filepath.Join(dir, "no", "such", "dir.h5"))
	if err == nil || strings.Contains(err.Error(), "code -1") || !strings.Contains(err.Error(), "unable to") {
		t.Errorf("Create in missing dir: got %v, want libhdf5's message", err)
	}

	t.Run("named datatype", func(t *testing.T) {
		testenv.NeedPython(t, "h5py")
		p := filepath.Join(dir, "dt.h5")
		script := `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["t"] = np.dtype("<f4")
    f["t"].attrs["why"] = "named"
    f.create_group("g")`
		if out, err := exec.Command(testenv.Python, "-c", script, p).CombinedOutput(); err != nil {
			t.Fatalf("h5py: %v\n%s", err, out)
		}
		checkNoLeak(t, func() {
			f, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			root, err := f.Inspect("/")
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]string{}
			root.Walk(func(n *Node) { kinds[n.Path] = n.Kind })
			if kinds["/t"] != "datatype" || kinds["/g"] != "group" {
				t.Errorf("Inspect: got kinds %v, want /t datatype, /g group", kinds)
			}
			a, err := f.Attr("/t", "why")
			if err != nil || a.Value != "named" {
				t.Errorf("Attr /t@why: got %v, %v", a.Value, err)
			}
		})
	})
}
