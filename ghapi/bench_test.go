package ghapi_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// BenchmarkUnzip extracts a 4 MiB results.json (a large suite with raw
// samples) with every safety check on.
func BenchmarkUnzip(b *testing.B) {
	var doc bytes.Buffer
	for doc.Len() < 4<<20 {
		fmt.Fprintf(&doc, `{"id":"memory/g/b%d","samples":[0.00123,0.00124,0.00125,0.00122]},`, doc.Len())
	}
	data := ghfake.Zip(map[string][]byte{"results.json": doc.Bytes(), "report.md": []byte("# r")})
	b.SetBytes(int64(doc.Len()))
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ghapi.Unzip(data, filepath.Join(dir, fmt.Sprint(i)), ghapi.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindArtifact walks 300 artifacts (3 pages of 100) on the local
// fake to the base commit's artifact on the last page.
func BenchmarkFindArtifact(b *testing.B) {
	fake := ghfake.New(token)
	defer fake.Close()
	fake.PerPage = 100
	for i := 0; i < 299; i++ {
		fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: fmt.Sprint("s", i)})
	}
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-hdf5", Branch: "main", SHA: "base"})
	c := newClient(b, fake, nil)
	q := ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "xpcs-perf-hdf5", Branch: "main", SHA: "base"}
	for b.Loop() {
		got, err := c.FindArtifact(context.Background(), q)
		if err != nil || !got.ExactSHA {
			b.Fatalf("got %+v, %v", got, err)
		}
	}
}
