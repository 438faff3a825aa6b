package ghapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

const token = "ghs_SECRETtoken0123456789"

// newClient returns a client of fake whose sleeps are instant but counted.
func newClient(t testing.TB, fake *ghfake.Server, slept *atomic.Int64) *ghapi.Client {
	t.Helper()
	c, err := ghapi.New(ghapi.Options{
		Token: token, APIURL: fake.URL(), MaxWait: 10 * time.Second, BaseBackoff: time.Millisecond,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if slept != nil {
				slept.Add(int64(d))
			}
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkClean(t *testing.T, fake *ghfake.Server, errs ...error) {
	t.Helper()
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("protocol violations: %q", v)
	}
	for _, err := range errs {
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("error leaks the token: %v", err)
		}
	}
}

func TestFindArtifactPaginatesAndPrefersSHA(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	now := time.Now()
	zipData := ghfake.Zip(map[string][]byte{"results.json": []byte(`{}`)})
	// Newest first: an expired one, one from another branch, a newer main
	// one, then (page 3) the base sha's.
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "s9", Created: now.Add(-1 * time.Minute), Expired: true, Zip: zipData})
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "feature", SHA: "s8", Created: now.Add(-2 * time.Minute), Zip: zipData})
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "s8", Created: now.Add(-150 * time.Second), Zip: zipData, Fork: true})
	newer := fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "s7", Created: now.Add(-3 * time.Minute), Zip: zipData})
	fake.AddArtifact(ghfake.Artifact{Name: "other", Branch: "main", SHA: "base", Created: now.Add(-4 * time.Minute), Zip: zipData})
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "s6", Created: now.Add(-5 * time.Minute), Zip: zipData})
	base := fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "base", Created: now.Add(-6 * time.Minute), Zip: zipData})
	c := newClient(t, fake, nil)
	ctx := context.Background()

	got, err := c.FindArtifact(ctx, ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "xpcs-perf-hdf5", Branch: "main", SHA: "base"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Artifact.GetID() != base || !got.ExactSHA {
		t.Errorf("with base sha: got id %d exact %v, want %d exact", got.Artifact.GetID(), got.ExactSHA, base)
	}
	if got.Expired != 1 || got.OtherBranch != 1 || got.Fork != 1 {
		t.Errorf("skipped: got expired %d other %d fork %d, want 1, 1 and 1", got.Expired, got.OtherBranch, got.Fork)
	}
	pages := 0
	for _, r := range fake.Requests() {
		if strings.Contains(r, "/actions/artifacts?") {
			pages++
			if !strings.Contains(r, "name=xpcs-perf-hdf5") {
				t.Errorf("listing without ?name=: %s", r)
			}
		}
	}
	if pages != 3 {
		t.Errorf("listed %d pages, want 3 (6 artifacts, 2 per page)", pages)
	}

	got, err = c.FindArtifact(ctx, ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "xpcs-perf-hdf5", Branch: "main", SHA: "unknown"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Artifact.GetID() != newer || got.ExactSHA {
		t.Errorf("unknown sha: got id %d, want the newest live main one %d", got.Artifact.GetID(), newer)
	}

	_, err = c.FindArtifact(ctx, ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "xpcs-perf-hdf5", Branch: "release"})
	if !errors.Is(err, ghapi.ErrNoArtifact) {
		t.Errorf("no artifact on branch: got %v, want ErrNoArtifact", err)
	}
	checkClean(t, fake, err)
}

func TestFetchArtifactWithoutTokenToBlob(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	fake.AddArtifact(ghfake.Artifact{Name: "b", Branch: "main", SHA: "x",
		Zip: ghfake.Zip(map[string][]byte{"report/results.json": []byte(`{"schema":"x"}`)})})
	c := newClient(t, fake, nil)
	dir := t.TempDir()
	got, err := c.FetchArtifact(context.Background(), ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "b", Branch: "main"}, dir, ghapi.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report", "results.json"))
	if err != nil || string(data) != `{"schema":"x"}` {
		t.Errorf("extracted file: got %q, %v", data, err)
	}
	if len(got.Files) != 1 || got.Files[0] != "report/results.json" {
		t.Errorf("files: got %q", got.Files)
	}
	checkClean(t, fake)
}

func TestDownloadExpiredBetweenListAndDownload(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	id := fake.AddArtifact(ghfake.Artifact{Name: "b", Branch: "main", Gone: true, Zip: ghfake.Zip(map[string][]byte{"a": nil})})
	c := newClient(t, fake, nil)
	_, err := c.DownloadArtifact(context.Background(), "o", "r", id, 0)
	if !errors.Is(err, ghapi.ErrNoArtifact) {
		t.Errorf("got %v, want ErrNoArtifact", err)
	}
	checkClean(t, fake, err)
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		set       func(*ghfake.Server)
		wantErr   func(error) bool
		wantSleep time.Duration // at least
	}{
		{"primary-near-reset", func(s *ghfake.Server) { s.RateLimitNext = 1; s.ResetIn = 2 * time.Second }, nil, time.Second},
		{"primary-far-reset", func(s *ghfake.Server) { s.RateLimitNext = 1; s.ResetIn = time.Hour }, ghapi.IsRateLimit, 0},
		{"secondary-retry-after", func(s *ghfake.Server) { s.SecondaryNext = 2 }, nil, 2 * time.Second},
		{"server-errors", func(s *ghfake.Server) { s.ServerErrorNext = 3 }, nil, 7 * time.Millisecond},
		{"server-errors-exhausted", func(s *ghfake.Server) { s.ServerErrorNext = 100 }, func(err error) bool { return strings.Contains(err.Error(), "502") }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := ghfake.New(token)
			defer fake.Close()
			fake.AddArtifact(ghfake.Artifact{Name: "b", Branch: "main", Zip: ghfake.Zip(map[string][]byte{"a": nil})})
			tt.set(fake)
			var slept atomic.Int64
			c := newClient(t, fake, &slept)
			_, err := c.FindArtifact(context.Background(), ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "b"})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("got error %v, want success after waiting", err)
			case tt.wantErr != nil && (err == nil || !tt.wantErr(err)):
				t.Fatalf("got error %v, want a matching error", err)
			}
			if got := time.Duration(slept.Load()); got < tt.wantSleep {
				t.Errorf("slept %v, want at least %v", got, tt.wantSleep)
			}
			checkClean(t, fake, err)
		})
	}
}

func TestUpsertComment(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	const marker = "<!-- xpcs-perf:hdf5 -->"
	for i := 0; i < 4; i++ {
		fake.AddComment(5, "someone", "lgtm")
	}
	fake.AddComment(5, "someone", "other category <!-- xpcs-perf:memory -->")
	c := newClient(t, fake, nil)
	ctx := context.Background()
	req := ghapi.CommentRequest{Owner: "o", Repo: "r", Number: 5, Marker: marker, Body: "first " + marker, Mode: ghapi.CommentUpdate}

	got, err := c.UpsertComment(ctx, req)
	if err != nil || got.Action != "created" || got.URL == "" {
		t.Fatalf("first: got %+v, %v; want created with a URL", got, err)
	}
	req.Body = "second"
	got2, err := c.UpsertComment(ctx, req)
	if err != nil || got2.Action != "updated" || got2.ID != got.ID {
		t.Fatalf("second: got %+v, %v; want update of %d", got2, err, got.ID)
	}
	cs := fake.Comments(5)
	if n := len(cs); n != 6 {
		t.Fatalf("comments: got %d, want 6", n)
	}
	if last := cs[5].Body; !strings.HasPrefix(last, "second") || !strings.Contains(last, marker) {
		t.Errorf("updated body %q: want new text with the marker re-added", last)
	}
	req.Mode, req.Body = ghapi.CommentRecreate, "third"
	got3, err := c.UpsertComment(ctx, req)
	if err != nil || got3.Action != "recreated" || got3.ID == got.ID || len(fake.Comments(5)) != 6 {
		t.Fatalf("recreate: got %+v, %v, %d comments", got3, err, len(fake.Comments(5)))
	}
	// on-regression: no comment on a clean PR without an old comment.
	got4, err := c.UpsertComment(ctx, ghapi.CommentRequest{Owner: "o", Repo: "r", Number: 9, Marker: marker, Body: "x", Mode: ghapi.CommentOnRegression})
	if err != nil || got4.Action != "skipped" || len(fake.Comments(9)) != 0 {
		t.Errorf("on-regression without regression: got %+v, %v", got4, err)
	}
	got5, err := c.UpsertComment(ctx, ghapi.CommentRequest{Owner: "o", Repo: "r", Number: 9, Marker: marker, Body: "x", Mode: ghapi.CommentOff, Regressed: true})
	if err != nil || got5.Action != "skipped" {
		t.Errorf("off: got %+v, %v", got5, err)
	}
	checkClean(t, fake, err)
}

func TestUpsertCommentForbidden(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	fake.ForbidComments = true
	c := newClient(t, fake, nil)
	_, err := c.UpsertComment(context.Background(), ghapi.CommentRequest{Owner: "o", Repo: "r", Number: 3, Marker: "<!-- m -->", Body: "b"})
	if !ghapi.IsPermission(err) {
		t.Errorf("got %v, want a permission error", err)
	}
	checkClean(t, fake, err)
}

func TestNewRejectsBadURL(t *testing.T) {
	t.Parallel()
	if _, err := ghapi.New(ghapi.Options{Token: token, APIURL: "not a url"}); err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("got %v, want an error without the token", err)
	}
}

func zipWith(t *testing.T, add func(*zip.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnzipRejects(t *testing.T) {
	t.Parallel()
	symlink := zipWith(t, func(zw *zip.Writer) {
		h := &zip.FileHeader{Name: "link"}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("/etc/passwd"))
	})
	bomb := zipWith(t, func(zw *zip.Writer) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "zeros", Method: zip.Deflate})
		w.Write(make([]byte, 10<<20))
	})
	many := map[string][]byte{}
	for i := 0; i < 20; i++ {
		many[filepath.Join("d", string(rune('a'+i)))] = []byte("x")
	}
	tests := []struct {
		name string
		data []byte
		lim  ghapi.Limits
		want string
	}{
		{"dotdot", ghfake.Zip(map[string][]byte{"ok.txt": []byte("fine"), "../escape.txt": []byte("evil")}), ghapi.Limits{}, "escapes"},
		{"nested-dotdot", ghfake.Zip(map[string][]byte{"a/../../b": []byte("evil")}), ghapi.Limits{}, "escapes"},
		{"absolute", ghfake.Zip(map[string][]byte{"/tmp/abs": []byte("evil")}), ghapi.Limits{}, "absolute"},
		{"drive", ghfake.Zip(map[string][]byte{"C:/x": []byte("evil")}), ghapi.Limits{}, "absolute"},
		{"backslash", ghfake.Zip(map[string][]byte{`..\x`: []byte("evil")}), ghapi.Limits{}, "backslash"},
		{"symlink", symlink, ghapi.Limits{}, "symlink"},
		{"corrupt", []byte("PK\x03\x04 this is not a zip"), ghapi.Limits{}, "zip"},
		{"truncated", ghfake.Zip(map[string][]byte{"a": bytes.Repeat([]byte("abc"), 1000)})[:50], ghapi.Limits{}, "zip"},
		{"bomb", bomb, ghapi.Limits{}, "zip bomb"},
		{"too-many", ghfake.Zip(many), ghapi.Limits{MaxFiles: 10}, "entries exceed"},
		{"too-big", ghfake.Zip(map[string][]byte{"a": bytes.Repeat([]byte("ab"), 5000)}), ghapi.Limits{MaxFile: 1000}, "cap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			_, err := ghapi.Unzip(tt.data, dir, tt.lim)
			if !errors.Is(err, ghapi.ErrUnsafeZip) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrUnsafeZip mentioning %q", err, tt.want)
			}
			// Nothing may be written: not inside (checks run first) and
			// certainly not beside the folder.
			entries, _ := os.ReadDir(parent)
			for _, e := range entries {
				if e.Name() != "out" {
					t.Errorf("file written outside the folder: %s", e.Name())
				}
			}
			if inside, _ := os.ReadDir(dir); len(inside) > 0 {
				t.Errorf("files written before rejection: %v", inside)
			}
		})
	}
}

func TestUnzipOK(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, err := ghapi.Unzip(ghfake.Zip(map[string][]byte{"a/b/c.json": []byte("1"), "./d.txt": []byte("2")}), dir, ghapi.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(files, ","), "d.txt,a/b/c.json"; got != want {
		t.Errorf("files: got %s, want %s", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "b", "c.json")); string(b) != "1" {
		t.Errorf("content: got %q", b)
	}
}

func TestCreateCommentNotRetriedOn5xx(t *testing.T) {
	t.Parallel()
	fake := ghfake.New(token)
	defer fake.Close()
	c := newClient(t, fake, nil)
	// The listing succeeds; the POST meets a 502 and must not be repeated
	// (the comment may have been created).
	ctx := context.Background()
	if _, err := c.FindComment(ctx, "o", "r", 3, "<!-- m -->"); err != nil {
		t.Fatal(err)
	}
	fake.ServerErrorNext = 1
	_, _, err := c.GitHub().Issues.CreateComment(ctx, "o", "r", 3, &github.IssueComment{Body: github.String("x")})
	if err == nil {
		t.Fatal("got nil error, want the 502")
	}
	posts := 0
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r, "POST ") {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("POST sent %d times, want 1", posts)
	}
}
