package trend

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// FuzzHistory: Read never panics; what it accepts survives Write and Read
// unchanged (as bytes), ReadLenient keeps at least as much, and every trend
// of it encodes as JSON (no NaN or Inf reaches the report).
func FuzzHistory(f *testing.F) {
	if b, err := os.ReadFile("testdata/roundtrip.jsonl"); err == nil {
		f.Add(b)
	}
	good := `{"schema":"xpcs-perf/history/v1","time":"2026-01-01T00:00:00Z","benchmarks":{"a":{"median":1,"n":3,"unit":"s","cv":0}}}`
	f.Add([]byte(good + "\n" + good[:50]))
	f.Add([]byte(`{"schema":"xpcs-perf/history/v2","time":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"schema":"xpcs-perf/history/v1","time":"2026-01-01T00:00:00Z","benchmarks":{"a":{"median":1e308,"n":1,"unit":"s"}}}` + "\n" +
		`{"schema":"xpcs-perf/history/v1","time":"2026-01-02T00:00:00Z","benchmarks":{"a":{"median":-1e308,"n":1,"unit":"s"}}}` + "\n" +
		`{"schema":"xpcs-perf/history/v1","time":"2026-01-03T00:00:00Z","benchmarks":{"a":{"median":1e308,"n":1,"unit":"s"}}}`))
	f.Add([]byte("\n\n  \n"))
	f.Add([]byte(`{"schema":"xpcs-perf/history/v1","time":"0001-01-01T00:00:01Z","benchmarks":{"a":{"median":5e-324}}}` + "\n" +
		`{"schema":"xpcs-perf/history/v1","time":"9999-12-31T23:59:59Z","benchmarks":{"a":{"median":0}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Read(bytes.NewReader(data))
		lenient, _, lerr := ReadLenient(bytes.NewReader(data))
		if lerr != nil {
			return // only over-long lines
		}
		if err == nil && len(lenient) != len(entries) {
			t.Fatalf("Read kept %d entries, ReadLenient %d", len(entries), len(lenient))
		}
		var w1 bytes.Buffer
		if err := Write(&w1, lenient); err != nil {
			t.Fatalf("Write of what ReadLenient accepted: %v", err)
		}
		again, err := Read(bytes.NewReader(w1.Bytes()))
		if err != nil {
			t.Fatalf("Read of Write: %v\n%s", err, w1.Bytes())
		}
		var w2 bytes.Buffer
		if err := Write(&w2, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w1.Bytes(), w2.Bytes()) {
			t.Fatalf("Write(Read(Write(x))) differs:\n%s\n%s", w1.Bytes(), w2.Bytes())
		}
		for _, d := range AnalyzeAllDetail(lenient, Options{Permutations: 99}) {
			if _, err := json.Marshal(d); err != nil {
				t.Fatalf("trend of %q does not encode: %v (%+v)", d.ID, err, d)
			}
		}
	})
}
