package ghapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// TestFetchArtifactExpired: an expired baseline of the branch (listed
// expired, or 410 on download) wraps ErrExpired as well as ErrNoArtifact;
// an expired artifact of another branch or a fork does not.
func TestFetchArtifactExpired(t *testing.T) {
	t.Parallel()
	zip := ghfake.Zip(map[string][]byte{"results.json": []byte(`{}`)})
	tests := []struct {
		name        string
		art         ghfake.Artifact
		wantExpired bool
	}{
		{"listed expired", ghfake.Artifact{Branch: "main", Expired: true}, true},
		{"410 on download", ghfake.Artifact{Branch: "main", Gone: true}, true},
		{"expired on another branch", ghfake.Artifact{Branch: "dev", Expired: true}, false},
		{"expired fork", ghfake.Artifact{Branch: "main", Expired: true, Fork: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := ghfake.New(token)
			defer fake.Close()
			tt.art.Name, tt.art.Zip = "b", zip
			fake.AddArtifact(tt.art)
			c := newClient(t, fake, nil)
			_, err := c.FetchArtifact(context.Background(), ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "b", Branch: "main"}, t.TempDir(), ghapi.Limits{})
			if !errors.Is(err, ghapi.ErrNoArtifact) {
				t.Fatalf("got %v, want ErrNoArtifact", err)
			}
			if got, want := errors.Is(err, ghapi.ErrExpired), tt.wantExpired; got != want {
				t.Errorf("errors.Is(%v, ErrExpired) = %v, want %v", err, got, want)
			}
			checkClean(t, fake, err)
		})
	}
}
