package ghapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-github/v60/github"
)

// ErrNoArtifact reports that no usable artifact of the name exists (none
// uploaded yet, all expired, or none from the base branch).
var ErrNoArtifact = errors.New("no usable artifact")

// ErrExpired is wrapped (with ErrNoArtifact) when the base branch had a
// baseline artifact but it expired: not a first run, and the user should be
// told so (retention-days, or a nightly run that keeps a fresh one).
var ErrExpired = errors.New("the artifact expired")

// ArtifactQuery selects a baseline or history artifact.
type ArtifactQuery struct {
	Owner, Repo string
	Name        string // exact artifact name, e.g. "xpcs-perf-hdf5"
	// Branch keeps only artifacts whose workflow run ran on this branch
	// (empty: any branch).
	Branch string
	// SHA is preferred: an artifact of a run on this commit wins over a
	// newer one (empty: the newest wins).
	SHA string
	// MaxPages bounds the listing (default 10 pages of 100).
	MaxPages int
}

// Found is the artifact FindArtifact chose and why.
type Found struct {
	Artifact *github.Artifact
	ExactSHA bool // the artifact's run was on the preferred SHA
	// Skipped counts artifacts passed over (for the log): expired ones, ones
	// from other branches and ones from runs on forks.
	Expired, OtherBranch, Fork int
}

// FindArtifact lists the artifacts named q.Name (GET .../actions/artifacts
// with ?name=, which go-github v60 cannot express, paginated through the Link
// header) and returns the newest non-expired one from q.Branch, preferring
// one from q.SHA. It returns an error wrapping ErrNoArtifact when none fits.
func (c *Client) FindArtifact(ctx context.Context, q ArtifactQuery) (*Found, error) {
	if q.MaxPages <= 0 {
		q.MaxPages = 10
	}
	what := fmt.Sprintf("list artifacts %q of %s/%s", q.Name, q.Owner, q.Repo)
	found := &Found{}
	var newest *github.Artifact
	// expired counts the expired artifacts that would have fitted (right
	// branch, not a fork): those make "no artifact" an expiry.
	expired := 0
	now := c.opt.Now()
	page := 1
	for n := 0; n < q.MaxPages && page != 0; n++ {
		u := fmt.Sprintf("repos/%s/%s/actions/artifacts?name=%s&per_page=100&page=%d",
			url.PathEscape(q.Owner), url.PathEscape(q.Repo), url.QueryEscape(q.Name), page)
		var list github.ArtifactList
		var resp *github.Response
		err := c.call(ctx, what, func() (*github.Response, error) {
			req, err := c.gh.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			list = github.ArtifactList{}
			resp, err = c.gh.Do(ctx, req, &list)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, a := range list.Artifacts {
			if a.GetName() != q.Name {
				continue // a server that ignores ?name= (old GHES)
			}
			if a.GetExpired() || (a.ExpiresAt != nil && !a.ExpiresAt.Time.IsZero() && a.ExpiresAt.Time.Before(now)) {
				found.Expired++
				wr := a.GetWorkflowRun()
				fork := wr.GetHeadRepositoryID() != 0 && wr.GetRepositoryID() != 0 && wr.GetHeadRepositoryID() != wr.GetRepositoryID()
				if !fork && (q.Branch == "" || wr.GetHeadBranch() == q.Branch) {
					expired++
				}
				continue
			}
			if wr := a.GetWorkflowRun(); wr.GetHeadRepositoryID() != 0 && wr.GetRepositoryID() != 0 && wr.GetHeadRepositoryID() != wr.GetRepositoryID() {
				// A fork's run on its own "main" must never become the
				// baseline (it could be made arbitrarily slow or fast).
				found.Fork++
				continue
			}
			if q.Branch != "" && a.GetWorkflowRun().GetHeadBranch() != q.Branch {
				found.OtherBranch++
				continue
			}
			if q.SHA != "" && a.GetWorkflowRun().GetHeadSHA() == q.SHA {
				if !found.ExactSHA || a.GetCreatedAt().After(found.Artifact.GetCreatedAt().Time) {
					found.Artifact, found.ExactSHA = a, true
				}
				continue
			}
			if newest == nil || a.GetCreatedAt().After(newest.GetCreatedAt().Time) {
				newest = a
			}
		}
		if found.ExactSHA {
			break // the list is newest first; the base commit's artifact is the one
		}
		page = resp.NextPage
	}
	if !found.ExactSHA {
		found.Artifact = newest
	}
	if found.Artifact == nil && expired > 0 {
		return found, fmt.Errorf("%w named %q on branch %q: %w (%d expired, %d from other branches, %d from forks)",
			ErrNoArtifact, q.Name, q.Branch, ErrExpired, found.Expired, found.OtherBranch, found.Fork)
	}
	if found.Artifact == nil {
		return found, fmt.Errorf("%w named %q on branch %q (%d expired, %d from other branches, %d from forks)",
			ErrNoArtifact, q.Name, q.Branch, found.Expired, found.OtherBranch, found.Fork)
	}
	return found, nil
}

// DownloadArtifact fetches the zip of artifact id: the API answers 302 with a
// short-lived blob URL, which is fetched WITHOUT the token (the blob host
// rejects or logs it otherwise). At most maxBytes are read (default 1 GiB).
// A 404 (deleted) or 410 (expired between list and download) wraps
// ErrNoArtifact; a 410, or a blob that is gone, wraps ErrExpired too.
func (c *Client) DownloadArtifact(ctx context.Context, owner, repo string, id int64, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = 1 << 30
	}
	what := fmt.Sprintf("download artifact %d of %s/%s", id, owner, repo)
	var loc *url.URL
	err := c.call(ctx, what, func() (*github.Response, error) {
		var resp *github.Response
		var err error
		loc, resp, err = c.gh.Actions.DownloadArtifact(ctx, owner, repo, id, 0)
		if err != nil && resp != nil && resp.Response != nil {
			if resp.StatusCode == http.StatusGone {
				return resp, fmt.Errorf("%w: artifact %d answered 410: %w", ErrNoArtifact, id, ErrExpired)
			}
			if resp.StatusCode == http.StatusNotFound {
				return resp, fmt.Errorf("%w: artifact %d answered 404 (deleted)", ErrNoArtifact, id)
			}
			// DownloadArtifact reports non-302 statuses as a plain error:
			// keep the status for the caller.
			return resp, &github.ErrorResponse{Response: resp.Response, Message: err.Error()}
		}
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	// A truncated or stalled blob transfer is retried with the client's
	// bounded backoff (the blob transport retries statuses and network
	// errors, not a body that breaks off).
	backoff := c.opt.BaseBackoff
	for attempt := 0; ; attempt++ {
		data, err := c.readBlob(ctx, what, loc, maxBytes)
		var re *blobReadError
		if err == nil || !errors.As(err, &re) || ctx.Err() != nil || attempt >= c.opt.MaxRetries {
			return data, err
		}
		c.opt.Logf("%v; retrying in %v (attempt %d of %d)", err, backoff, attempt+1, c.opt.MaxRetries)
		if serr := c.opt.Sleep(ctx, backoff); serr != nil {
			return nil, serr
		}
		backoff *= 2
	}
}

// blobReadError is a blob body that broke off: worth another attempt.
type blobReadError struct{ err error }

func (e *blobReadError) Error() string { return e.err.Error() }
func (e *blobReadError) Unwrap() error { return e.err }

// readBlob fetches loc once, reading at most maxBytes.
func (c *Client) readBlob(ctx context.Context, what string, loc *url.URL, maxBytes int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: blob URL: %w", what, err)
	}
	resp, err := c.blob.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, scrub(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil, fmt.Errorf("%s: %w: blob answered %d: %w", what, ErrNoArtifact, resp.StatusCode, ErrExpired)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: blob host %s answered %s", what, loc.Host, resp.Status)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, &blobReadError{fmt.Errorf("%s: read blob: %w", what, scrub(err))}
	}
	if n > maxBytes {
		return nil, fmt.Errorf("%s: zip larger than the %d-byte cap", what, maxBytes)
	}
	return buf.Bytes(), nil
}

// Fetched is an artifact found, downloaded and unpacked.
type Fetched struct {
	Found
	Dir   string   // where it was unpacked
	Files []string // slash-separated paths relative to Dir
}

// FetchArtifact finds the artifact of q, downloads it and unzips it into dir
// under lim. Errors wrap ErrNoArtifact when there is none, ErrUnsafeZip when
// the archive is corrupt or hostile.
func (c *Client) FetchArtifact(ctx context.Context, q ArtifactQuery, dir string, lim Limits) (*Fetched, error) {
	found, err := c.FindArtifact(ctx, q)
	if err != nil {
		return nil, err
	}
	data, err := c.DownloadArtifact(ctx, q.Owner, q.Repo, found.Artifact.GetID(), lim.MaxZip)
	if err != nil {
		return nil, err
	}
	files, err := Unzip(data, dir, lim)
	if err != nil {
		return nil, fmt.Errorf("artifact %q (id %d): %w", q.Name, found.Artifact.GetID(), err)
	}
	return &Fetched{Found: *found, Dir: dir, Files: files}, nil
}

// Age is how old the artifact is at now.
func (f *Found) Age(now time.Time) time.Duration {
	return now.Sub(f.Artifact.GetCreatedAt().Time)
}
