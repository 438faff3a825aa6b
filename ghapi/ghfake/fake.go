// Package ghfake is an httptest fake of the GitHub REST API parts that
// xpcs-perf uses: artifact listing (with ?name=, pagination through Link
// headers), artifact download (302 to a separate blob server that rejects an
// Authorization header, as GitHub's signed blob URLs must not get the token),
// and issue comments (list with pagination, create, edit, delete). It serves
// everything below a non-empty base path ("/api/v3", as GitHub Enterprise
// Server does), so a client that builds absolute URLs fails. Failures can be
// injected: primary and secondary rate limits, 5xx, read-only tokens (403 on
// comments, as for fork pull requests).
//
// It is importable so the container test can drive the real image against it.
package ghfake

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BasePath is where the fake API lives on its server.
const BasePath = "/api/v3"

// Artifact is an artifact the fake serves.
type Artifact struct {
	ID      int64
	Name    string
	Branch  string // workflow_run.head_branch
	SHA     string // workflow_run.head_sha
	Created time.Time
	Expired bool // listed with expired: true
	Gone    bool // listed as live, but the download answers 410
	Zip     []byte
	// Fork marks an artifact of a run on a fork (head_repository_id differs
	// from repository_id).
	Fork bool
}

// Comment is an issue comment held by the fake.
type Comment struct {
	ID     int64
	Number int
	Body   string
	User   string
}

// Server is the fake. Configure its exported fields before or between runs;
// they are read under its lock.
type Server struct {
	API  *httptest.Server
	Blob *httptest.Server
	// Token, when set, must be sent as "Bearer TOKEN" to the API (401 else).
	Token string
	// PerPage caps page sizes to force pagination (default 2).
	PerPage int
	// ForbidComments answers 403 to comment writes (fork PR tokens).
	ForbidComments bool
	// RateLimitNext, SecondaryNext and ServerErrorNext make the next N API
	// requests answer a primary rate limit (403, X-RateLimit-Remaining: 0,
	// reset in ResetIn), a secondary one (429 with Retry-After: 1), or 502.
	RateLimitNext, SecondaryNext, ServerErrorNext int
	ResetIn                                       time.Duration
	// Canned answers the next API requests, one each, in order, before
	// anything else (after the token check): for answers the knobs above do
	// not describe, such as a header sent twice or an unusual body.
	Canned []Response

	mu         sync.Mutex
	artifacts  []*Artifact
	comments   []*Comment
	nextID     int64
	requests   []string
	violations []string
}

// Response is a canned API answer. Header values are sent as given, every
// value of a key as its own header line (Header{"X-RateLimit-Remaining":
// {"4999", "0"}} sends the header twice).
type Response struct {
	Status int
	Header map[string][]string
	Body   string
}

// New starts a fake with the given token (empty: no auth check).
func New(token string) *Server {
	s := &Server{Token: token, PerPage: 2, ResetIn: time.Second, nextID: 1000}
	s.Blob = httptest.NewServer(http.HandlerFunc(s.serveBlob))
	s.API = httptest.NewServer(http.HandlerFunc(s.serveAPI))
	return s
}

// Close stops both servers.
func (s *Server) Close() {
	s.API.Close()
	s.Blob.Close()
}

// URL is the API base URL to put in GITHUB_API_URL.
func (s *Server) URL() string { return s.API.URL + BasePath }

// AddArtifact stores a and returns its id (a.ID when set).
func (s *Server) AddArtifact(a Artifact) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == 0 {
		s.nextID++
		a.ID = s.nextID
	}
	if a.Created.IsZero() {
		a.Created = time.Now().Add(-time.Duration(len(s.artifacts)+1) * time.Minute)
	}
	s.artifacts = append(s.artifacts, &a)
	return a.ID
}

// AddComment stores a comment on PR number (someone else's, or an old one of ours).
func (s *Server) AddComment(number int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.comments = append(s.comments, &Comment{ID: s.nextID, Number: number, Body: body, User: user})
	return s.nextID
}

// Comments returns copies of the comments on PR number, oldest first.
func (s *Server) Comments(number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Number == number {
			out = append(out, *c)
		}
	}
	return out
}

// Requests returns the "METHOD path?query" lines served by the API so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Violations lists protocol violations seen: a token sent to the blob host,
// a request outside the base path, a wrong token.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "" {
		s.violations = append(s.violations, "blob request carried an Authorization header: "+r.URL.Path)
		http.Error(w, "blob URLs are pre-signed: Authorization not allowed", http.StatusUnauthorized)
		return
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/blob/"), 10, 64)
	if r.URL.Query().Get("sig") != sig(id) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	for _, a := range s.artifacts {
		if a.ID == id {
			w.Header().Set("Content-Type", "application/zip")
			w.Write(a.Zip)
			return
		}
	}
	http.NotFound(w, r)
}

func sig(id int64) string { return fmt.Sprintf("s%x", id*7919) }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	if !strings.HasPrefix(r.URL.Path, BasePath+"/") {
		s.violations = append(s.violations, "request outside the base path: "+r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.violations = append(s.violations, "missing or wrong token on "+r.URL.Path)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	if len(s.Canned) > 0 {
		c := s.Canned[0]
		s.Canned = s.Canned[1:]
		for k, vs := range c.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(c.Status)
		io.WriteString(w, c.Body)
		return
	}
	w.Header().Set("X-RateLimit-Limit", "5000")
	switch {
	case s.RateLimitNext > 0:
		s.RateLimitNext--
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(s.ResetIn).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "API rate limit exceeded",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"})
		return
	case s.SecondaryNext > 0:
		s.SecondaryNext--
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "You have exceeded a secondary rate limit",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
		return
	case s.ServerErrorNext > 0:
		s.ServerErrorNext--
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "Server Error"})
		return
	}
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, BasePath), "/"), "/")
	// repos/{o}/{r}/...
	if len(parts) < 4 || parts[0] != "repos" {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	owner, repo, rest := parts[1], parts[2], parts[3:]
	switch {
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "artifacts" && r.Method == http.MethodGet:
		s.listArtifacts(w, r, owner, repo)
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "artifacts" && rest[3] == "zip" && r.Method == http.MethodGet:
		s.downloadArtifact(w, r, rest[2])
	case len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments":
		n, err := strconv.Atoi(rest[1])
		if err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		switch r.Method {
		case http.MethodGet:
			s.listComments(w, r, owner, repo, n)
		case http.MethodPost:
			s.writeComment(w, r, owner, repo, n, 0)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	case len(rest) == 3 && rest[0] == "issues" && rest[1] == "comments":
		id, _ := strconv.ParseInt(rest[2], 10, 64)
		switch r.Method {
		case http.MethodPatch:
			s.writeComment(w, r, owner, repo, 0, id)
		case http.MethodDelete:
			s.deleteComment(w, id)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

// page applies per_page/page and writes the Link header; it returns the
// slice bounds.
func (s *Server) page(w http.ResponseWriter, r *http.Request, n int) (int, int) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 || per > s.PerPage {
		per = s.PerPage
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg <= 0 {
		pg = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo := min((pg-1)*per, n)
	return lo, min(lo+per, n)
}

func (s *Server) listArtifacts(w http.ResponseWriter, r *http.Request, owner, repo string) {
	name := r.URL.Query().Get("name")
	var sel []*Artifact
	for _, a := range s.artifacts {
		if name == "" || a.Name == name {
			sel = append(sel, a)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].Created.After(sel[j].Created) })
	lo, hi := s.page(w, r, len(sel))
	out := []map[string]any{}
	for _, a := range sel[lo:hi] {
		base := "http://" + r.Host + BasePath
		out = append(out, map[string]any{
			"id": a.ID, "node_id": fmt.Sprintf("MDg6QXJ0aWZhY3Q%d", a.ID), "name": a.Name,
			"size_in_bytes":        len(a.Zip),
			"url":                  fmt.Sprintf("%s/repos/%s/%s/actions/artifacts/%d", base, owner, repo, a.ID),
			"archive_download_url": fmt.Sprintf("%s/repos/%s/%s/actions/artifacts/%d/zip", base, owner, repo, a.ID),
			"expired":              a.Expired,
			"created_at":           a.Created.UTC().Format(time.RFC3339),
			"updated_at":           a.Created.UTC().Format(time.RFC3339),
			"expires_at":           a.Created.Add(90 * 24 * time.Hour).UTC().Format(time.RFC3339),
			"workflow_run": map[string]any{"id": a.ID * 10, "head_branch": a.Branch, "head_sha": a.SHA,
				"repository_id": 1, "head_repository_id": map[bool]int{false: 1, true: 2}[a.Fork]},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(sel), "artifacts": out})
}

func (s *Server) downloadArtifact(w http.ResponseWriter, r *http.Request, idText string) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	for _, a := range s.artifacts {
		if a.ID != id {
			continue
		}
		if a.Expired || a.Gone {
			writeJSON(w, http.StatusGone, map[string]string{"message": "Artifact has expired"})
			return
		}
		w.Header().Set("Location", fmt.Sprintf("%s/blob/%d?sig=%s", s.Blob.URL, id, sig(id)))
		w.WriteHeader(http.StatusFound)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func (s *Server) commentJSON(r *http.Request, owner, repo string, c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.User},
		"html_url":           fmt.Sprintf("https://github.example/%s/%s/pull/%d#issuecomment-%d", owner, repo, c.Number, c.ID),
		"url":                fmt.Sprintf("http://%s%s/repos/%s/%s/issues/comments/%d", r.Host, BasePath, owner, repo, c.ID),
		"author_association": "NONE",
	}
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, owner, repo string, n int) {
	var sel []*Comment
	for _, c := range s.comments {
		if c.Number == n {
			sel = append(sel, c)
		}
	}
	lo, hi := s.page(w, r, len(sel))
	out := []map[string]any{}
	for _, c := range sel[lo:hi] {
		out = append(out, s.commentJSON(r, owner, repo, c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeComment(w http.ResponseWriter, r *http.Request, owner, repo string, n int, id int64) {
	if s.ForbidComments {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"})
		return
	}
	var in struct {
		Body *string `json:"body"`
	}
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &in); err != nil || in.Body == nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "body is required"})
		return
	}
	if len(*in.Body) > 65536 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Body is too long (maximum is 65536 characters)"})
		return
	}
	if id == 0 {
		s.nextID++
		c := &Comment{ID: s.nextID, Number: n, Body: *in.Body, User: "github-actions[bot]"}
		s.comments = append(s.comments, c)
		w.Header().Set("Location", fmt.Sprintf("http://%s%s/repos/%s/%s/issues/comments/%d", r.Host, BasePath, owner, repo, c.ID))
		writeJSON(w, http.StatusCreated, s.commentJSON(r, owner, repo, c))
		return
	}
	for _, c := range s.comments {
		if c.ID == id {
			c.Body = *in.Body
			writeJSON(w, http.StatusOK, s.commentJSON(r, owner, repo, c))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func (s *Server) deleteComment(w http.ResponseWriter, id int64) {
	if s.ForbidComments {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
		return
	}
	for i, c := range s.comments {
		if c.ID == id {
			s.comments = append(s.comments[:i], s.comments[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Zip builds a zip archive from name → content, in name order. Names are
// written as given (so tests can build hostile archives with "../x").
func Zip(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			panic(err) // only for names zip.Writer itself refuses; a test bug
		}
		f.Write(files[n])
	}
	zw.Close()
	return buf.Bytes()
}
