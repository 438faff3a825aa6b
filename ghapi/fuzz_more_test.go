package ghapi

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzz targets for the two inputs of this package that an attacker shapes:
// the event payload (a pull request from a fork writes its title, branch
// names and bodies) and the artifact zip (any workflow of the repository can
// upload an artifact with the baseline's name).
//
//	go test -run '^$' -fuzz '^FuzzEvent$' -fuzztime 2m ./ghapi/
//	go test -run '^$' -fuzz '^FuzzUnzip$' -fuzztime 2m ./ghapi/

var fuzzEventNames = []string{"pull_request", "pull_request_target", "push", "workflow_run", "workflow_dispatch", "schedule", "merge_group", ""}

// FuzzEvent checks that ParseEvent never panics on any payload of any event
// name, that an error names the event, and that an accepted event has sane
// fields: owner/repo from GITHUB_REPOSITORY win over the payload, and a Skip
// never comes with a PR.
func FuzzEvent(f *testing.F) {
	seeds := []string{
		`{}`, ``, `null`, `[]`, `"x"`, `{"number": -1}`, `{"number": 1e99}`,
		`{"number":7,"pull_request":{"number":7,"head":{"sha":"h","ref":"feat","repo":{"full_name":"fork/r"}},"base":{"sha":"b","ref":"main","repo":{"full_name":"o/r"}}}}`,
		`{"ref":"refs/heads/main","before":"aaa","after":"bbb","repository":{"name":"r","owner":{"login":"o"},"default_branch":"main"}}`,
		`{"ref":"refs/heads/gone","deleted":true,"after":"0000000000000000000000000000000000000000"}`,
		`{"ref":"refs/tags/v1","after":"ccc","repository":{"default_branch":"main"}}`,
		`{"workflow_run":{"head_sha":"h","head_branch":"x","pull_requests":[{"number":3,"base":{"ref":"main","sha":"b"}}],"head_repository":{"full_name":"f/r"},"repository":{"full_name":"o/r"}}}`,
		`{"ref":"refs/heads/feat\n::set-output name=x::y","inputs":{"a":"b"}}`,
		`{"schedule":"0 2 * * *"}`,
		`{"pull_request":{"head":{"ref":"<script>alert(1)</script>"}}}`,
		strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000),
		strings.Repeat("[", 100000),
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		env := Env{EventName: fuzzEventNames[int(which)%len(fuzzEventNames)], Repository: "o/r", SHA: "envsha", Ref: "refs/heads/main"}
		ev, err := ParseEvent(env, payload)
		if err != nil {
			if env.EventName != "" && !strings.Contains(err.Error(), env.EventName) {
				t.Fatalf("ParseEvent(%s) error %q does not name the event", env.EventName, err)
			}
			return
		}
		if ev == nil {
			t.Fatal("ParseEvent returned nil event and nil error")
		}
		// A negative "number" is passed through as is (GitHub never sends
		// one; the action comments only when PR > 0): not checked here.
		if ev.Owner != "o" || ev.Repo != "r" {
			t.Fatalf("payload overrode GITHUB_REPOSITORY: got %s/%s, want o/r", ev.Owner, ev.Repo)
		}
		if ev.Skip != "" && ev.PR != 0 {
			t.Fatalf("skipped event %q carries PR %d", ev.Skip, ev.PR)
		}
	})
}

// FuzzUnzip checks that Unzip never panics, that every error wraps
// ErrUnsafeZip or names the unzip step, and that whatever it extracts stays
// inside its folder, holds only regular files and directories (no links)
// within the caps, and is exactly the list it returns.
func FuzzUnzip(f *testing.F) {
	mk := func(entries ...func(*zip.Writer)) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			e(zw)
		}
		zw.Close()
		return buf.Bytes()
	}
	file := func(name string, data []byte, method uint16) func(*zip.Writer) {
		return func(zw *zip.Writer) {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
			if err == nil {
				w.Write(data)
			}
		}
	}
	link := func(name, target string) func(*zip.Writer) {
		return func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: name}
			h.SetMode(fs.ModeSymlink | 0o777)
			w, err := zw.CreateHeader(h)
			if err == nil {
				w.Write([]byte(target))
			}
		}
	}
	for _, seed := range [][]byte{
		mk(file("results.json", []byte(`{"schema":"xpcs-perf/results/v1"}`), zip.Deflate), file("report.md", []byte("old"), zip.Store)),
		mk(file("a/b/c.txt", []byte("deep"), zip.Deflate), file("a/", nil, zip.Store)),
		mk(file("../escape.txt", []byte("x"), zip.Deflate)),
		mk(file("/abs.txt", []byte("x"), zip.Deflate)),
		mk(file("C:/win.txt", []byte("x"), zip.Deflate)),
		mk(file(`a\..\b.txt`, []byte("x"), zip.Deflate)),
		mk(link("results.json", "/etc/passwd")),
		mk(link("dir", ".."), file("dir/x", []byte("x"), zip.Deflate)),
		mk(file("dup", []byte("1"), zip.Deflate), file("dup", []byte("2"), zip.Deflate)),
		mk(file("bomb", make([]byte, 512<<10), zip.Deflate)), // ratio ~1000:1
		mk(file("./", nil, zip.Store)),
		[]byte("PK\x03\x04 not really a zip"),
		{},
	} {
		f.Add(seed)
	}
	lim := Limits{MaxZip: 1 << 20, MaxFiles: 64, MaxFile: 1 << 20, MaxTotal: 2 << 20, MaxRatio: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		files, err := Unzip(data, dir, lim)
		if err != nil && !strings.Contains(err.Error(), "zip") {
			t.Fatalf("Unzip error %q does not say it is the zip", err)
		}
		// Nothing may appear beside dir.
		ents, _ := os.ReadDir(parent)
		for _, e := range ents {
			if e.Name() != "out" {
				t.Fatalf("Unzip wrote %q outside its folder", e.Name())
			}
		}
		var total int64
		got := map[string]bool{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, werr error) error {
			if werr != nil || p == dir {
				return nil
			}
			fi, lerr := os.Lstat(p)
			if lerr != nil {
				t.Fatalf("lstat %s: %v", p, lerr)
			}
			if !fi.Mode().IsRegular() && !fi.IsDir() {
				t.Fatalf("Unzip created %s of mode %v", p, fi.Mode())
			}
			if fi.Mode().IsRegular() {
				if fi.Size() > lim.MaxFile {
					t.Fatalf("%s has %d bytes, above the %d cap", p, fi.Size(), lim.MaxFile)
				}
				total += fi.Size()
				rel, _ := filepath.Rel(dir, p)
				got[filepath.ToSlash(rel)] = true
			}
			return nil
		})
		if total > lim.MaxTotal {
			t.Fatalf("extracted %d bytes, above the %d total cap", total, lim.MaxTotal)
		}
		if err == nil {
			if len(files) != len(got) {
				t.Fatalf("Unzip returned %d files %q, found %d on disk", len(files), files, len(got))
			}
			for _, name := range files {
				if !got[name] {
					t.Fatalf("Unzip returned %q, not on disk", name)
				}
			}
		}
	})
}
