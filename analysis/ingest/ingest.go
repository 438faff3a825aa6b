package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Format names an input format. Its value is also written to
// analysis.Results.Source.
type Format string

const (
	FormatUnknown Format = ""
	FormatResults Format = "xpcs-perf"
	FormatPytest  Format = "pytest-benchmark"
	FormatGoBench Format = "gobench"
	FormatGoogle  Format = "google-benchmark"
)

// Formats lists the readable formats, in detection order.
var Formats = []Format{FormatResults, FormatPytest, FormatGoogle, FormatGoBench}

// HeadSize is how many leading bytes Read passes to Detect.
const HeadSize = 64 << 10

// ErrEmpty reports an input without any content.
var ErrEmpty = errors.New("empty input")

// ErrUnknownFormat reports an input that is none of the known formats.
var ErrUnknownFormat = errors.New("unknown format")

// Error is an ingest error with its position. Line and Col are 1-based and 0
// when unknown; Offset is the byte offset in the input, -1 when unknown.
type Error struct {
	File   string
	Format Format
	Line   int
	Col    int
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	var b bytes.Buffer
	b.WriteString(e.File)
	switch {
	case e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	case e.Offset >= 0:
		fmt.Fprintf(&b, ": byte %d", e.Offset)
	}
	if e.Format != FormatUnknown {
		fmt.Fprintf(&b, ": %s", e.Format)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ReadFile opens path and reads it with Read, naming path in errors.
func ReadFile(path string) (*analysis.Results, Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, FormatUnknown, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read detects the format of r from its first HeadSize bytes and reads the
// whole input into Results. name is used in errors and notes (a file name).
// Every returned benchmark with samples has Stats computed by
// analysis.Describe; SummaryOnly benchmarks carry the source's statistics.
func Read(r io.Reader, name string) (*analysis.Results, Format, error) {
	lt := &lineTracker{r: r}
	br := bufio.NewReaderSize(lt, HeadSize)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, FormatUnknown, &Error{File: name, Offset: -1, Err: err}
	}
	if len(bytes.TrimSpace(trimBOM(head))) == 0 {
		return nil, FormatUnknown, &Error{File: name, Offset: -1, Err: ErrEmpty}
	}
	if bytes.HasPrefix(head, bom) {
		br.Discard(len(bom))
		lt.base = int64(len(bom))
	}
	f := Detect(head)
	var res *analysis.Results
	switch f {
	case FormatResults:
		res, err = readResults(br, name, lt)
	case FormatPytest:
		res, err = readPytest(br, name, lt)
	case FormatGoogle:
		res, err = readGoogle(br, name, lt)
	case FormatGoBench:
		res, err = readGoBench(br, name)
	default:
		return nil, f, &Error{File: name, Offset: -1, Err: fmt.Errorf("%w: not xpcs-perf results.json, pytest-benchmark JSON, Google Benchmark JSON or `go test -bench` text", ErrUnknownFormat)}
	}
	if err != nil {
		var ie *Error
		if !errors.As(err, &ie) {
			err = &Error{File: name, Format: f, Offset: -1, Err: err}
		}
		return nil, f, err
	}
	if f != FormatResults || res.Source == "" {
		// A results.json converted from another tool keeps its source.
		res.Source = string(f)
	}
	if res.Schema == "" {
		res.Schema = analysis.ResultsSchema
	}
	finish(res)
	return res, f, nil
}

var bom = []byte("\xef\xbb\xbf")

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, bom) }

// Detect guesses the format from the first bytes of an input (HeadSize is
// enough; a shorter head works when it holds the first keys). JSON documents
// are told apart by their keys: "schema" naming xpcs-perf, pytest-benchmark's
// "machine_info"/"commit_info"/"fullname", Google Benchmark's "context" and
// "time_unit"/"run_type". Text with a `BenchmarkX N V unit` line or a
// goos:/goarch:/pkg:/cpu: header is Go benchmark output.
func Detect(head []byte) Format {
	h := bytes.TrimLeft(trimBOM(head), " \t\r\n")
	if len(h) == 0 {
		return FormatUnknown
	}
	if h[0] == '{' {
		return detectJSON(h)
	}
	if h[0] == '[' {
		return FormatUnknown
	}
	return detectText(h)
}

func detectJSON(h []byte) Format {
	has := func(s string) bool { return bytes.Contains(h, []byte(s)) }
	hasKey := func(k string) bool { return hasJSONKey(h, k) }
	switch {
	case hasKey("schema") && has("xpcs-perf/"):
		return FormatResults
	case hasKey("machine_info") || hasKey("commit_info") || hasKey("fullname"):
		return FormatPytest
	case hasKey("context") && (hasKey("num_cpus") || hasKey("library_build_type") || hasKey("executable")):
		return FormatGoogle
	case hasKey("time_unit") || hasKey("run_type") || hasKey("real_time"):
		return FormatGoogle
	case hasKey("schema"), hasKey("direction") && hasKey("samples"):
		// Our own keys without our schema in the head (another schema, or
		// keys sorted so "schema" comes last): readResults checks it.
		return FormatResults
	}
	return FormatUnknown
}

// hasJSONKey reports whether `"k"` followed by optional space and ':' occurs.
func hasJSONKey(h []byte, k string) bool {
	pat := []byte(`"` + k + `"`)
	for i := 0; ; {
		j := bytes.Index(h[i:], pat)
		if j < 0 {
			return false
		}
		rest := bytes.TrimLeft(h[i+j+len(pat):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return true
		}
		i += j + len(pat)
	}
}

func detectText(h []byte) Format {
	for len(h) > 0 {
		line := h
		if i := bytes.IndexByte(h, '\n'); i >= 0 {
			line, h = h[:i], h[i+1:]
		} else {
			h = nil
		}
		line = bytes.TrimRight(line, "\r")
		for _, p := range []string{"goos:", "goarch:", "pkg:", "cpu:"} {
			if bytes.HasPrefix(line, []byte(p)) {
				return FormatGoBench
			}
		}
		if bytes.HasPrefix(line, []byte("Benchmark")) {
			f := bytes.Fields(line)
			if len(f) >= 4 && isInt(f[1]) {
				return FormatGoBench
			}
		}
	}
	return FormatUnknown
}

func isInt(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// finish drops non-finite samples, notes suspicious values, and fills Stats of
// benchmarks that have samples. Benchmarks keep their input order.
func finish(res *analysis.Results) {
	known := map[string]bool{}
	for _, n := range res.Notes {
		known[n] = true
	}
	note := func(n string) {
		if !known[n] {
			known[n] = true
			res.Notes = append(res.Notes, n)
		}
	}
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		if n := dropNonFinite(&b.Samples); n > 0 {
			note(fmt.Sprintf("%s: %d NaN/Inf sample(s) dropped", b.ID, n))
		}
		for _, k := range slices.Sorted(maps.Keys(b.Metrics)) {
			m := b.Metrics[k]
			if n := dropNonFinite(&m.Samples); n > 0 {
				note(fmt.Sprintf("%s: metric %s: %d NaN/Inf sample(s) dropped", b.ID, k, n))
				b.Metrics[k] = m
			}
		}
		if len(b.Samples) == 0 && !b.SummaryOnly && b.Error == "" {
			b.Error = "no finite samples"
		}
		if b.Unit == "s" && slices.ContainsFunc(b.Samples, func(v float64) bool { return v <= 0 }) {
			note(fmt.Sprintf("%s: zero or negative time sample(s) kept as read", b.ID))
		}
		if len(b.Samples) > 0 {
			st, bad := analysis.DescribeChecked(b.Samples, b.Unit)
			b.Stats = &st
			if len(bad) > 0 {
				// The samples are kept as read; only the derived statistics
				// that float64 cannot hold are clamped (Ops omitted), so
				// results.json still encodes.
				note(fmt.Sprintf("%s: statistics beyond the float64 range (%s): ops omitted, others clamped to ±%g; samples kept as read", b.ID, strings.Join(bad, ", "), math.MaxFloat64))
			}
			if b.Rounds == 0 {
				b.Rounds = len(b.Samples)
			}
		}
		if b.Samples == nil {
			b.Samples = []float64{} // "samples": [] rather than null
		}
	}
}

func dropNonFinite(s *[]float64) int {
	n := len(*s)
	*s = slices.DeleteFunc(*s, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
	return n - len(*s)
}

// lineTracker counts lines of what it reads so that JSON byte offsets can be
// reported as line:col. To bound memory it keeps the offsets of at most the
// last 2*keepNewlines newlines; earlier positions are reported as offsets.
type lineTracker struct {
	r        io.Reader
	base     int64   // bytes skipped before the decoder's offset 0 (a BOM)
	off      int64   // bytes read so far
	nl       []int64 // offsets of newlines kept, ascending
	dropped  int     // newlines dropped from the front of nl
	lastDrop int64   // offset of the last dropped newline, -1 when none
	init     bool
	win      []byte // the last keepBytes..2*keepBytes bytes read
	winStart int64  // offset of win[0]
}

// keepBytes bounds the raw bytes kept for re-scanning a value with a syntax error.
const keepBytes = 1 << 20

// since returns the bytes read from offset off on, when still in the window.
func (t *lineTracker) since(off int64) ([]byte, bool) {
	if off < t.winStart || off > t.off {
		return nil, false
	}
	return t.win[off-t.winStart:], true
}

const keepNewlines = 1 << 16

func (t *lineTracker) Read(p []byte) (int, error) {
	if !t.init {
		t.lastDrop, t.init = -1, true
	}
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.off+int64(i+j))
		i += j + 1
	}
	t.off += int64(n)
	t.win = append(t.win, p[:n]...)
	if len(t.win) > 2*keepBytes {
		k := len(t.win) - keepBytes
		t.winStart += int64(k)
		t.win = append(t.win[:0], t.win[k:]...)
	}
	if len(t.nl) > 2*keepNewlines {
		k := len(t.nl) - keepNewlines
		t.lastDrop = t.nl[k-1]
		t.dropped += k
		t.nl = append(t.nl[:0], t.nl[k:]...)
	}
	return n, err
}

// pos converts a byte offset to a 1-based line and column; ok is false when
// the offset lies before the kept window.
func (t *lineTracker) pos(off int64) (line, col int, ok bool) {
	if t == nil || (t.init && t.lastDrop >= 0 && off <= t.lastDrop) {
		return 0, 0, false
	}
	k, _ := slices.BinarySearch(t.nl, off) // newlines strictly before off
	start := int64(0)
	if k > 0 {
		start = t.nl[k-1] + 1
	} else if t.lastDrop >= 0 {
		start = t.lastDrop + 1
	}
	return t.dropped + k + 1, int(off-start) + 1, true
}

// posError carries the absolute byte offset of a JSON decoding error found
// by decodeValue.
type posError struct {
	off int64
	err error
}

func (e *posError) Error() string { return e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

// decodeValue decodes the next JSON value of dec into v. encoding/json
// reports syntax errors of Decoder.Decode at offsets that are not absolute
// (they count only bytes scanned by Decode, not by Token), so on a syntax
// error the value is re-scanned from its start, taken from the tracker's
// window, to find the absolute offset; type errors are relative to the value.
func decodeValue(dec *json.Decoder, lt *lineTracker, v any) error {
	start := dec.InputOffset() + lt.base
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if buf, ok := lt.since(start); ok {
			// Skip the separator before the value (InputOffset is just
			// past the previous token).
			trimmed := bytes.TrimLeft(buf, " \t\r\n,:")
			start += int64(len(buf) - len(trimmed))
			buf = trimmed
			var raw json.RawMessage
			if e2 := json.Unmarshal(buf, &raw); e2 != nil {
				var se2 *json.SyntaxError
				if errors.As(e2, &se2) {
					return &posError{start + se2.Offset, err}
				}
			}
		}
		return &posError{start + 1, fmt.Errorf("in the value starting here: %w", err)}
	case errors.As(err, &te):
		return &posError{start + te.Offset, err}
	}
	return err
}

// valueStart returns the absolute offset of the next JSON value of dec (the
// first byte after white space, ',' or ':'), for errors about a whole value.
func valueStart(dec *json.Decoder, lt *lineTracker) int64 {
	off := dec.InputOffset() + lt.base
	if buf, ok := lt.since(off); ok {
		off += int64(len(buf) - len(bytes.TrimLeft(buf, " \t\r\n,:")))
	}
	return off
}

// atValue attaches the position of a value (from valueStart) to err.
func atValue(start int64, err error) error { return &posError{start + 1, err} }

// jsonError wraps a decoding error of a JSON reader with its position.
func jsonError(name string, f Format, lt *lineTracker, dec *json.Decoder, err error) error {
	var ie *Error
	if errors.As(err, &ie) {
		return err
	}
	off := int64(-1)
	var pe *posError
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		err = fmt.Errorf("truncated JSON: %w", io.ErrUnexpectedEOF)
		off = lt.off
	case errors.As(err, &pe):
		off = pe.off
	case errors.As(err, &se):
		off = se.Offset + lt.base // Token errors: absolute in the decoder's stream
	case dec != nil:
		off = dec.InputOffset() + lt.base
	}
	e := &Error{File: name, Format: f, Offset: off, Err: err}
	if off >= 0 {
		// Offsets point just past the offending byte; report that byte.
		p := off
		if p > 0 {
			p--
		}
		if l, c, ok := lt.pos(p); ok {
			e.Line, e.Col = l, c
		}
	}
	return e
}

// walkObject reads a JSON object from dec, calling fn with each key; fn must
// consume exactly the value (dec.Decode, walkArray or skipValue).
func walkObject(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object, found %v", tokString(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("expected an object key, found %v", tokString(tok))
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// walkArray reads a JSON array from dec, calling fn for each element index;
// fn must consume exactly the element. A JSON null is an empty array.
func walkArray(dec *json.Decoder, fn func(i int) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected a JSON array, found %v", tokString(tok))
	}
	for i := 0; dec.More(); i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// skipValue consumes one JSON value.
func skipValue(dec *json.Decoder, lt *lineTracker) error {
	var raw json.RawMessage
	return decodeValue(dec, lt, &raw)
}

// expectEOF reports trailing content after the top-level value.
func expectEOF(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("unexpected content after the top-level JSON value")
		}
		return err
	}
	return nil
}

func tokString(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("string %q", t)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T %v", t, t)
	}
}

// stringify renders a JSON value as a parameter string: strings unquoted,
// everything else as compact JSON.
func stringify(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}
