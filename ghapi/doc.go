// Package ghapi is xpcs-perf's door to GitHub: the event payload of the run
// (which base branch and commit to compare against, which pull request to
// comment on), baseline and history artifacts (find the newest non-expired
// artifact of a name from the base branch, preferring the base commit;
// download it through the short-lived blob URL without the token; unzip it
// safely), the sticky pull-request comment, and GitHub's rate limits.
//
// Everything goes through go-github v60 with GITHUB_API_URL honoured, so
// GitHub Enterprise Server works. Every HTTP attempt has a timeout; 429, 5xx
// and secondary rate limits are retried with a bounded backoff (Retry-After
// honoured); a primary rate limit is waited out when its reset is near and
// otherwise reported as a clear error. The token is only ever sent to the
// API host and never appears in errors.
//
// ghfake is an httptest fake of the parts of the API this package uses.
package ghapi
