package ghapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rateLimit is what one answer says about GitHub's rate limits.
type rateLimit struct {
	primary    bool          // the primary (hourly) limit is exhausted
	secondary  bool          // a secondary (abuse) limit was hit
	retryAfter time.Duration // Retry-After, when hasRetry
	hasRetry   bool
	reset      time.Time // X-RateLimit-Reset, when hasReset
	hasReset   bool
}

func (r rateLimit) limited() bool { return r.primary || r.secondary || r.hasRetry }

// headerValues returns every value of key: each header line, and each
// element of a comma-joined line (proxies join repeated headers), trimmed,
// empty ones dropped. A decision must never rest on the first value alone:
// a header sent twice ("X-RateLimit-Remaining: 4999", then "... : 0") is
// read as 4999 by http.Header.Get.
func headerValues(h http.Header, key string) []string {
	var out []string
	for _, line := range h.Values(key) {
		for _, v := range strings.Split(line, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// readRateLimit decides whether an answer of the given status, headers and
// body (GitHub's JSON error: message, documentation_url; may be empty or
// not JSON) is a rate limit. Only 403 and 429 can be (Retry-After on a 5xx
// is read too, as a wait). It reads every value of X-RateLimit-Remaining
// (any "0" is an exhausted primary limit), X-RateLimit-Reset (the latest
// reset wins), Retry-After (seconds or an HTTP date; the longest wait wins)
// and the message ("API rate limit exceeded ...", "... secondary rate
// limit ...", "abuse detection"), whatever documentation_url says.
func readRateLimit(status int, h http.Header, body []byte, now time.Time) rateLimit {
	var rl rateLimit
	if status != http.StatusForbidden && status != http.StatusTooManyRequests && status < 500 {
		return rl
	}
	for _, v := range headerValues(h, "Retry-After") {
		var d time.Duration
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			d = time.Duration(s) * time.Second
		} else if when, err := http.ParseTime(v); err == nil {
			d = max(when.Sub(now), 0)
		} else {
			continue
		}
		if !rl.hasRetry || d > rl.retryAfter {
			rl.retryAfter, rl.hasRetry = d, true
		}
	}
	if status >= 500 {
		return rl
	}
	for _, v := range headerValues(h, "X-RateLimit-Remaining") {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n <= 0 {
			rl.primary = true
		}
	}
	for _, v := range headerValues(h, "X-RateLimit-Reset") {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			if t := time.Unix(s, 0); !rl.hasReset || t.After(rl.reset) {
				rl.reset, rl.hasReset = t, true
			}
		}
	}
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	if json.Unmarshal(body, &e) != nil {
		e.Message = string(body)
	}
	msg, doc := strings.ToLower(e.Message), strings.ToLower(e.DocumentationURL)
	switch {
	case strings.Contains(msg, "secondary rate limit") || strings.Contains(msg, "abuse") ||
		strings.HasSuffix(doc, "secondary-rate-limits") || strings.HasSuffix(doc, "#abuse-rate-limits"):
		rl.secondary = true
	case strings.Contains(msg, "rate limit"):
		rl.primary = true
	}
	if status == http.StatusTooManyRequests && !rl.primary {
		rl.secondary = true
	}
	return rl
}

// peekBody reads up to limit bytes of resp.Body and puts them back in front
// of the rest of the stream (a read error is returned again on the next
// read), so that the body can be examined before go-github decodes it.
func peekBody(resp *http.Response, limit int64) []byte {
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	var rest io.Reader = resp.Body
	if err != nil {
		rest = errReader{err}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), rest), resp.Body}
	return data
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
