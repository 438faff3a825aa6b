package ghapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// breakingTransport breaks off the body of the first `breaks` answers to
// each path after half of it (a truncated or stalled 200).
type breakingTransport struct {
	breaks int
	mu     sync.Mutex
	seen   map[string]int
}

func (b *breakingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	b.mu.Lock()
	b.seen[req.URL.Path]++
	n := b.seen[req.URL.Path]
	b.mu.Unlock()
	if n <= b.breaks {
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(string(data[:len(data)/2])),
			errReader{io.ErrUnexpectedEOF}))
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestBrokenBodyRetried: a one-off truncated body of the artifact list or of
// the blob is retried with the backoff; a body that always breaks fails
// after MaxRetries with an error naming the request.
func TestBrokenBodyRetried(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		breaks  int
		wantErr bool
	}{{1, false}, {2, false}, {10, true}} {
		fake := ghfake.New(token)
		defer fake.Close()
		fake.AddArtifact(ghfake.Artifact{Name: "b", Branch: "main", SHA: "x",
			Zip: ghfake.Zip(map[string][]byte{"results.json": []byte(`{"schema":"x"}`)})})
		var slept time.Duration
		c, err := ghapi.New(ghapi.Options{Token: token, APIURL: fake.URL(), BaseBackoff: time.Millisecond,
			Transport: &breakingTransport{breaks: tt.breaks, seen: map[string]int{}},
			Sleep:     func(ctx context.Context, d time.Duration) error { slept += d; return ctx.Err() }})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.FetchArtifact(context.Background(), ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "b", Branch: "main"}, t.TempDir(), ghapi.Limits{})
		switch {
		case tt.wantErr && err == nil:
			t.Errorf("breaks %d: got no error", tt.breaks)
		case tt.wantErr && !errors.Is(err, io.ErrUnexpectedEOF):
			t.Errorf("breaks %d: got %v, want an unexpected EOF", tt.breaks, err)
		case !tt.wantErr && err != nil:
			t.Errorf("breaks %d: %v", tt.breaks, err)
		case !tt.wantErr && (len(got.Files) != 1 || slept == 0):
			t.Errorf("breaks %d: files %q, slept %v: want 1 file after a backoff", tt.breaks, got.Files, slept)
		}
		checkClean(t, fake, err)
	}
}
