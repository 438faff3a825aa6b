package reliability

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Fault is one way an HTTP server can fail a request.
type Fault string

// The faults an Injector can inject. They are the failures GitHub's API and
// its artifact blob storage really show.
const (
	// Drop hijacks the connection and closes it without any response (the
	// client sees EOF / "connection reset").
	Drop Fault = "drop"
	// Stall accepts the request and never answers until the client gives up
	// (its context or timeout ends) or the Injector is closed.
	Stall Fault = "stall"
	// Status500, Status502 and Status503 answer that status with GitHub's
	// JSON error body and no Retry-After.
	Status500 Fault = "500"
	Status502 Fault = "502"
	Status503 Fault = "503"
	// TooMany answers 429 without Retry-After (the client must back off on
	// its own).
	TooMany Fault = "429"
	// Secondary answers GitHub's secondary rate limit: 403 with Retry-After
	// and the documented message.
	Secondary Fault = "secondary"
	// Malformed answers 200 with a JSON body cut in the middle.
	Malformed Fault = "malformed-json"
	// Truncate serves the real response but sends only the first half of
	// the body (with the full Content-Length) and closes the connection.
	Truncate Fault = "truncate"
	// StallBody sends the headers and the first half of the body, then
	// stalls like Stall (a slow or hung transfer).
	StallBody Fault = "stall-body"
)

// Faults lists every Fault, in the order of the table in docs/RELIABILITY.md.
var Faults = []Fault{Drop, Stall, Status500, Status502, Status503, TooMany, Secondary, Malformed, Truncate, StallBody}

// Injector is an http.Handler that fails the requests it is told to and
// passes the others to Next. Match (nil: every request) selects the requests
// that may be failed. Queue faults with Next/Always before or between runs;
// it is safe for concurrent use.
type Injector struct {
	Handler http.Handler
	Match   func(r *http.Request) bool
	// RetryAfter is the Retry-After of Secondary, in seconds (default 1).
	RetryAfter int

	mu       sync.Mutex
	queue    []Fault
	always   Fault
	injected []string
	passed   int
	stop     chan struct{}
	once     sync.Once
}

var _ http.Handler = (*Injector)(nil)

// NewInjector returns an Injector in front of h.
func NewInjector(h http.Handler) *Injector {
	return &Injector{Handler: h, stop: make(chan struct{})}
}

// Next queues n occurrences of f for the next matching requests.
func (in *Injector) Next(f Fault, n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for range n {
		in.queue = append(in.queue, f)
	}
}

// Always fails every matching request with f ("" stops it).
func (in *Injector) Always(f Fault) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.always = f
}

// Injected returns "FAULT METHOD PATH" for every fault injected so far.
func (in *Injector) Injected() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.injected...)
}

// Passed is the number of requests handed to Handler unharmed.
func (in *Injector) Passed() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.passed
}

// Close releases stalled requests.
func (in *Injector) Close() { in.once.Do(func() { close(in.stop) }) }

func (in *Injector) pick(r *http.Request) Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.Match != nil && !in.Match(r) {
		in.passed++
		return ""
	}
	f := in.always
	if len(in.queue) > 0 {
		f, in.queue = in.queue[0], in.queue[1:]
	}
	if f == "" {
		in.passed++
		return ""
	}
	in.injected = append(in.injected, fmt.Sprintf("%s %s %s", f, r.Method, r.URL.Path))
	return f
}

// ServeHTTP implements http.Handler.
func (in *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := in.pick(r)
	ghError := func(status int, msg string) {
		doc := "https://docs.github.com/rest"
		if f == Secondary {
			// The URL GitHub sends with a secondary rate limit; go-github
			// recognises the limit by its suffix.
			doc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":%q,"documentation_url":%q}`+"\n", msg, doc)
	}
	switch f {
	case "":
		in.Handler.ServeHTTP(w, r)
	case Drop:
		hijackClose(w)
	case Stall:
		select {
		case <-r.Context().Done():
		case <-in.stop:
		case <-time.After(5 * time.Minute):
		}
		hijackClose(w)
	case Status500:
		ghError(http.StatusInternalServerError, "Internal Server Error")
	case Status502:
		ghError(http.StatusBadGateway, "Server Error")
	case Status503:
		ghError(http.StatusServiceUnavailable, "Service Unavailable")
	case TooMany:
		ghError(http.StatusTooManyRequests, "Too Many Requests")
	case Secondary:
		ra := in.RetryAfter
		if ra <= 0 {
			ra = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		ghError(http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
	case Malformed:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"total_count": 1, "artifacts": [{"id": 12, "name": "xpcs-perf-`))
	case Truncate, StallBody:
		rec := httptest.NewRecorder()
		in.Handler.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if f == StallBody {
			select {
			case <-r.Context().Done():
			case <-in.stop:
			case <-time.After(5 * time.Minute):
			}
		}
		hijackClose(w)
	default:
		ghError(http.StatusInternalServerError, "unknown fault "+string(f))
	}
}

// hijackClose closes the client's connection without (more of) a response.
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("reliability: ResponseWriter cannot hijack") // only with a non-net/http server: a test bug
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	buf.Flush()
	conn.Close()
}
