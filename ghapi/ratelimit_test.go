package ghapi_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// TestRateLimitFromEveryHeaderValue: a rate limit is decided from the
// status, every value of the rate-limit headers and the body, never from
// the first header value alone (issue 13 item 7: X-RateLimit-Remaining sent
// as 4999 then 0 was read as a missing `actions: read` permission, and the
// action passed without a baseline).
func TestRateLimitFromEveryHeaderValue(t *testing.T) {
	t.Parallel()
	far := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	near := strconv.FormatInt(time.Now().Add(6*time.Second).Unix(), 10) // within MaxWait (10 s)
	const primaryBody = `{"message":"API rate limit exceeded for installation ID 123.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`
	const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/using-the-rest-api/troubleshooting-the-rest-api"}`
	const permBody = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/actions/artifacts#list-artifacts-for-a-repository"}`
	repeat := func(n int, r ghfake.Response) []ghfake.Response {
		out := make([]ghfake.Response, n)
		for i := range out {
			out[i] = r
		}
		return out
	}
	tests := []struct {
		name      string
		canned    []ghfake.Response
		wantRate  bool // error is a rate limit (never a permission error)
		wantPerm  bool
		wantOK    bool // success after waiting
		wantSleep time.Duration
	}{
		{name: "remaining-twice-far-reset", canned: repeat(6, ghfake.Response{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999", "0"}, "X-RateLimit-Reset": {far}}, Body: primaryBody}),
			wantRate: true},
		{name: "remaining-twice-near-reset", canned: []ghfake.Response{{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999", "0"}, "X-RateLimit-Reset": {near}}, Body: primaryBody}},
			wantOK: true, wantSleep: time.Second},
		{name: "remaining-comma-joined", canned: repeat(6, ghfake.Response{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999, 0"}, "X-RateLimit-Reset": {far}}, Body: primaryBody}),
			wantRate: true},
		{name: "retry-after-second-value", canned: []ghfake.Response{{Status: 403,
			Header: map[string][]string{"Retry-After": {"", "3"}}, Body: secondaryBody}},
			wantOK: true, wantSleep: 3 * time.Second},
		{name: "secondary-message-other-doc-url", canned: repeat(6, ghfake.Response{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999"}}, Body: secondaryBody}),
			wantRate: true},
		{name: "primary-message-only", canned: repeat(6, ghfake.Response{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999"}}, Body: primaryBody}),
			wantRate: true},
		{name: "permission-stays-permission", canned: []ghfake.Response{{Status: 403,
			Header: map[string][]string{"X-RateLimit-Remaining": {"4999", "4998"}}, Body: permBody}},
			wantPerm: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := ghfake.New(token)
			defer fake.Close()
			fake.AddArtifact(ghfake.Artifact{Name: "b", Branch: "main", Zip: ghfake.Zip(map[string][]byte{"a": nil})})
			fake.Canned = tt.canned
			var slept atomic.Int64
			c := newClient(t, fake, &slept)
			_, err := c.FindArtifact(context.Background(), ghapi.ArtifactQuery{Owner: "o", Repo: "r", Name: "b"})
			if tt.wantOK {
				if err != nil {
					t.Fatalf("got error %v, want success after waiting", err)
				}
			} else if err == nil {
				t.Fatalf("got success, want an error")
			}
			if got, want := ghapi.IsRateLimit(err), tt.wantRate; got != want {
				t.Errorf("IsRateLimit(%v) = %v, want %v", err, got, want)
			}
			if got, want := ghapi.IsPermission(err), tt.wantPerm; got != want {
				t.Errorf("IsPermission(%v) = %v, want %v", err, got, want)
			}
			if got := time.Duration(slept.Load()); got < tt.wantSleep {
				t.Errorf("slept %v, want at least %v", got, tt.wantSleep)
			}
			checkClean(t, fake, err)
		})
	}
}
