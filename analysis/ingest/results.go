package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// readResults streams an xpcs-perf results.json: the top-level object is
// walked key by key and each benchmark decoded on its own. The schema is
// checked as soon as it is read (it is the first key WriteResults writes) and
// again at the end, so a newer file fails before its benchmarks are decoded.
func readResults(r io.Reader, name string, lt *lineTracker) (*analysis.Results, error) {
	dec := json.NewDecoder(r)
	res := &analysis.Results{}
	seen := map[string]int{}
	wrap := func(err error) error { return jsonError(name, FormatResults, lt, dec, err) }
	schemaErr := func() error {
		// analysis.ReadResults does the version check; reuse it on a stub.
		stub := fmt.Sprintf(`{"schema":%q}`, res.Schema)
		if _, err := analysis.ReadResults(strings.NewReader(stub)); err != nil {
			return &Error{File: name, Format: FormatResults, Offset: -1, Err: err}
		}
		return nil
	}
	err := walkObject(dec, func(key string) error {
		switch key {
		case "schema":
			if err := decodeValue(dec, lt, &res.Schema); err != nil {
				return err
			}
			return schemaErr()
		case "source":
			return decodeValue(dec, lt, &res.Source)
		case "run":
			return decodeValue(dec, lt, &res.Run)
		case "machine":
			return decodeValue(dec, lt, &res.Machine)
		case "config":
			return decodeValue(dec, lt, &res.Config)
		case "notes":
			return decodeValue(dec, lt, &res.Notes)
		case "benchmarks":
			return walkArray(dec, func(i int) error {
				start := valueStart(dec, lt)
				var b analysis.Benchmark
				if err := decodeValue(dec, lt, &b); err != nil {
					return err
				}
				if b.ID == "" {
					return wrap(atValue(start, fmt.Errorf("benchmarks[%d]: empty \"id\"", i)))
				}
				if j, dup := seen[b.ID]; dup {
					return wrap(atValue(start, fmt.Errorf("benchmarks[%d]: duplicate id %q (also benchmarks[%d])", i, b.ID, j)))
				}
				for _, c := range []struct {
					field string
					n     int
				}{{"rounds", b.Rounds}, {"iterations", b.Iterations}} {
					if c.n < 0 {
						return wrap(atValue(start, fmt.Errorf("benchmarks[%d] %q: %q is %d: a count cannot be negative (a damaged or hand-edited file? re-run the benchmarks or fix the value)", i, b.ID, c.field, c.n)))
					}
				}
				seen[b.ID] = i
				res.Benchmarks = append(res.Benchmarks, b)
				return nil
			})
		default:
			return skipValue(dec, lt)
		}
	})
	if err == nil {
		err = expectEOF(dec)
	}
	if err != nil {
		return nil, wrap(err)
	}
	if err := schemaErr(); err != nil {
		return nil, err
	}
	return res, nil
}
