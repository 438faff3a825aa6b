package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Options configure a Client. The zero value of every field but Token is a
// sensible default.
type Options struct {
	// Token is the GitHub token (the job's GITHUB_TOKEN or a PAT). It is only
	// sent to the API host.
	Token string
	// APIURL is GITHUB_API_URL: "https://api.github.com" by default,
	// "https://HOST/api/v3" on GitHub Enterprise Server.
	APIURL string
	// Transport is the base round tripper (default http.DefaultTransport).
	Transport http.RoundTripper
	// Timeout bounds every single HTTP attempt (default 30 s); a download
	// attempt gets DownloadTimeout (default 5 min).
	Timeout         time.Duration
	DownloadTimeout time.Duration
	// MaxRetries is how many times a 429, 5xx, secondary rate limit or
	// network error is retried (default 4). Backoff doubles from
	// BaseBackoff (default 1 s).
	MaxRetries  int
	BaseBackoff time.Duration
	// MaxWait is the longest the client sleeps for one rate-limit reset or
	// Retry-After (default 90 s); a longer wait becomes an error.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf reports waits and retries (default: discard). It never receives
	// the token.
	Logf func(format string, args ...any)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.APIURL == "" {
		o.APIURL = "https://api.github.com"
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.DownloadTimeout <= 0 {
		o.DownloadTimeout = 5 * time.Minute
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 4
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 90 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Client talks to the GitHub REST API through go-github.
type Client struct {
	gh   *github.Client
	blob *http.Client
	opt  Options
}

// New returns a Client for opt.APIURL. It fails on a malformed URL.
func New(opt Options) (*Client, error) {
	opt.defaults()
	base, err := url.Parse(strings.TrimRight(opt.APIURL, "/") + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an absolute URL", opt.APIURL)
	}
	api := &retryTransport{
		base:    &authTransport{base: opt.Transport, token: opt.Token, host: base.Host},
		opt:     &opt,
		timeout: opt.Timeout,
		buffer:  maxAPIBody,
	}
	gh := github.NewClient(&http.Client{Transport: api})
	gh.BaseURL = base
	gh.UploadURL = base
	// The blob host gets no token: a plain client with its own retry policy.
	blob := &http.Client{Transport: &retryTransport{base: opt.Transport, opt: &opt, timeout: opt.DownloadTimeout}}
	return &Client{gh: gh, blob: blob, opt: opt}, nil
}

// GitHub returns the underlying go-github client.
func (c *Client) GitHub() *github.Client { return c.gh }

// authTransport adds the token to requests for the API host only.
type authTransport struct {
	base  http.RoundTripper
	token string
	host  string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.token != "" && req.URL.Host == t.host {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(req)
}

// retryTransport gives every attempt a timeout and retries what GitHub asks
// to retry: 429 and secondary rate limits after Retry-After (or a backoff),
// a primary rate limit (403/429 with X-RateLimit-Remaining: 0) when its reset
// is within MaxWait, 5xx and network errors with an exponential backoff.
//
// With buffer > 0, the body of a GET or HEAD answer is read within the
// attempt (up to buffer bytes) so that a truncated or stalled body is
// retried like a network error instead of failing the JSON decoding.
type retryTransport struct {
	base    http.RoundTripper
	opt     *Options
	timeout time.Duration
	buffer  int64
}

// maxAPIBody is the most of an API answer buffered for a body retry (a
// page of 100 artifacts is ~100 KiB); a longer body is streamed as is.
const maxAPIBody = 32 << 20

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	backoff := t.opt.BaseBackoff
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, fmt.Errorf("%s %s: cannot retry a request without GetBody", req.Method, redact(req.URL))
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		resp, err := t.base.RoundTrip(r.WithContext(actx))
		// A POST (create comment) that failed on the way may have been
		// applied: retrying could post twice. Only rate limits, which GitHub
		// answers before doing anything, are retried for it.
		idempotent := req.Method != http.MethodPost
		if err != nil {
			cancel()
			if ctx.Err() != nil || attempt >= t.opt.MaxRetries || !idempotent {
				return nil, fmt.Errorf("%s %s: %w", req.Method, redact(req.URL), scrub(err))
			}
			t.opt.Logf("%s %s: %v; retrying in %v", req.Method, redact(req.URL), scrub(err), backoff)
			if err := t.opt.Sleep(ctx, backoff); err != nil {
				return nil, err
			}
			backoff *= 2
			continue
		}
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		wait, retry, reason := t.classify(resp, backoff)
		if retry && !idempotent && resp.StatusCode >= 500 {
			retry = false
		}
		if !retry || attempt >= t.opt.MaxRetries {
			if t.buffer <= 0 || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
				return resp, nil
			}
			rerr := bufferBody(resp, t.buffer)
			if rerr == nil {
				return resp, nil
			}
			if ctx.Err() != nil || attempt >= t.opt.MaxRetries {
				return nil, fmt.Errorf("%s %s: read the %d answer: %w", req.Method, redact(req.URL), resp.StatusCode, scrub(rerr))
			}
			t.opt.Logf("%s %s: read the %d answer: %v; retrying in %v (attempt %d of %d)", req.Method, redact(req.URL), resp.StatusCode, scrub(rerr), backoff, attempt+1, t.opt.MaxRetries)
			if err := t.opt.Sleep(ctx, backoff); err != nil {
				return nil, err
			}
			backoff *= 2
			continue
		}
		if wait > t.opt.MaxWait {
			// Too long to wait: hand the response to go-github, which turns
			// it into a RateLimitError / AbuseRateLimitError for the caller.
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		t.opt.Logf("%s %s: %s; retrying in %v (attempt %d of %d)", req.Method, redact(req.URL), reason, wait.Round(time.Millisecond), attempt+1, t.opt.MaxRetries)
		if err := t.opt.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		if wait == backoff {
			backoff *= 2
		}
	}
}

// classify decides whether resp should be retried and after how long. Rate
// limits are decided by readRateLimit from every header value and the body
// (peeked for a 403 or 429 and put back), never from the first header value
// alone. A primary limit found only in a later header value is written back
// as the single value "0", so that go-github, which reads the first value,
// reports it as a rate limit too when it is handed on.
func (t *retryTransport) classify(resp *http.Response, backoff time.Duration) (time.Duration, bool, string) {
	var body []byte
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests {
		body = peekBody(resp, 64<<10)
	}
	rl := readRateLimit(resp.StatusCode, resp.Header, body, t.opt.Now())
	if rl.primary {
		resp.Header.Set("X-RateLimit-Remaining", "0")
		if rl.hasReset {
			resp.Header.Set("X-RateLimit-Reset", strconv.FormatInt(rl.reset.Unix(), 10))
		}
	}
	switch {
	case rl.primary && !rl.hasRetry:
		if !rl.hasReset {
			return backoff, true, fmt.Sprintf("%d: primary rate limit exhausted", resp.StatusCode)
		}
		wait := max(rl.reset.Sub(t.opt.Now())+time.Second, 0)
		return wait, true, "primary rate limit exhausted until " + rl.reset.UTC().Format(time.RFC3339)
	case rl.hasRetry:
		return rl.retryAfter, true, fmt.Sprintf("%d with Retry-After %v (secondary rate limit)", resp.StatusCode, rl.retryAfter)
	case rl.secondary:
		return backoff, true, fmt.Sprintf("%d: secondary rate limit", resp.StatusCode)
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return backoff, true, fmt.Sprintf("server error %d", resp.StatusCode)
	}
	return 0, false, ""
}

// bufferBody reads up to limit bytes of resp.Body. On a read error the body
// is closed and the error returned. Otherwise resp.Body is replaced by the
// bytes read (and, past limit, the rest of the stream).
func bufferBody(resp *http.Response, limit int64) error {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		resp.Body.Close()
		return err
	}
	if n > limit {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(&buf, resp.Body), resp.Body}
		return nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(&buf)
	return nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// redact drops the query (signed blob URLs carry credentials there).
func redact(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.User = nil
	return c.String()
}

// scrub removes query strings from *url.Error messages.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return &url.Error{Op: ue.Op, URL: redact(u), Err: ue.Err}
		}
	}
	return err
}

// wrapAPI turns go-github errors into clear messages: rate limits name the
// reset time, 403/404 keep their status for IsPermission.
func wrapAPI(what string, err error) error {
	var rle *github.RateLimitError
	if errors.As(err, &rle) {
		until := " (reset time not sent)"
		if !rle.Rate.Reset.IsZero() {
			until = " until " + rle.Rate.Reset.UTC().Format(time.RFC3339)
		}
		limit := ""
		if rle.Rate.Limit > 0 {
			limit = fmt.Sprintf(" (limit %d)", rle.Rate.Limit)
		}
		return &APIError{What: what, Status: http.StatusForbidden, RateLimited: true,
			Msg: fmt.Sprintf("GitHub API rate limit exhausted%s%s; use a token with a higher limit or run later",
				limit, until), Err: err}
	}
	var are *github.AbuseRateLimitError
	if errors.As(err, &are) {
		msg := "GitHub secondary rate limit hit"
		if are.RetryAfter != nil {
			msg += fmt.Sprintf("; retry after %v", *are.RetryAfter)
		}
		return &APIError{What: what, Status: http.StatusForbidden, RateLimited: true, Msg: msg, Err: err}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		// go-github reads the first header value and one documentation URL:
		// decide again from every value and the message.
		body, _ := json.Marshal(map[string]string{"message": er.Message, "documentation_url": er.DocumentationURL})
		if rl := readRateLimit(er.Response.StatusCode, er.Response.Header, body, time.Now()); rl.limited() {
			msg := "GitHub API rate limit exceeded"
			switch {
			case rl.secondary || (rl.hasRetry && !rl.primary):
				msg = "GitHub secondary rate limit hit"
			case rl.hasReset:
				msg += " until " + rl.reset.UTC().Format(time.RFC3339)
			}
			if rl.hasRetry {
				msg += fmt.Sprintf("; retry after %v", rl.retryAfter)
			}
			if er.Message != "" {
				msg += " (" + er.Message + ")"
			}
			return &APIError{What: what, Status: er.Response.StatusCode, RateLimited: true,
				Msg: msg + "; use a token with a higher limit or run later", Err: err}
		}
		return &APIError{What: what, Status: er.Response.StatusCode, Msg: er.Message, Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// APIError is a failed GitHub API call.
type APIError struct {
	What        string // "list artifacts xpcs-perf-hdf5"
	Status      int    // HTTP status
	RateLimited bool
	Msg         string
	Err         error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.What, e.Status, e.Msg)
}

func (e *APIError) Unwrap() error { return e.Err }

// IsPermission reports whether err is a 403 or 404 that is not a rate limit:
// what a read-only token (fork pull requests) gets when it tries to comment.
func IsPermission(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return !ae.RateLimited && (ae.Status == http.StatusForbidden || ae.Status == http.StatusNotFound)
	}
	return false
}

// IsRateLimit reports whether err is a (primary or secondary) rate limit.
func IsRateLimit(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.RateLimited
}

// call runs f; when go-github refuses to send because the primary limit is
// known to be exhausted and the reset is within MaxWait, it waits and tries
// once more.
func (c *Client) call(ctx context.Context, what string, f func() (*github.Response, error)) error {
	_, err := f()
	var rle *github.RateLimitError
	if errors.As(err, &rle) && !rle.Rate.Reset.IsZero() {
		wait := rle.Rate.Reset.Sub(c.opt.Now()) + time.Second
		if wait <= c.opt.MaxWait {
			c.opt.Logf("%s: primary rate limit exhausted; waiting %v for the reset", what, wait.Round(time.Second))
			if serr := c.opt.Sleep(ctx, max(wait, 0)); serr != nil {
				return serr
			}
			_, err = f()
		}
	}
	if err != nil {
		return wrapAPI(what, err)
	}
	return nil
}
