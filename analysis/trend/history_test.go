package trend

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)

func entry(day int, commit string, bench map[string]Summary) Entry {
	return Entry{Schema: Schema, Time: t0.Add(time.Duration(day) * 24 * time.Hour), Commit: commit, Branch: "main",
		RunID: commit, Machine: Machine{CPUModel: "AMD EPYC 7763", Cores: 4}, Benchmarks: bench}
}

func TestWriteReadRoundTrip(t *testing.T) {
	t.Parallel()
	in := []Entry{
		entry(0, "a1", map[string]Summary{"xpcs/g2/multitau[size=tiny]": {Median: 0.0123, N: 10, Unit: "s", CV: 0.02}}),
		entry(1, "b2", map[string]Summary{"xpcs/g2/multitau[size=tiny]": {Median: 0.0125, N: 10, Unit: "s", CV: 0.03}, "h5/read": {Median: 1e-3, N: 5, Unit: "s"}}),
		entry(2, "c3", nil),
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "roundtrip.jsonl")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("Write:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	in[2].Benchmarks = map[string]Summary{}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("Read(Write(x)) = %+v\nwant %+v", got, in)
	}
}

func TestReadBadLines(t *testing.T) {
	t.Parallel()
	good := `{"schema":"xpcs-perf/history/v1","time":"2026-01-01T00:00:00Z","benchmarks":{"a":{"median":1,"n":3,"unit":"s","cv":0}}}`
	for _, tc := range []struct {
		name, text string
		line       int
		want       string
	}{
		{"truncated", good + "\n" + good[:40] + "\n", 2, "decode"},
		{"not json", "\n" + good + "\nhello\n", 3, "decode"},
		{"no schema", `{"time":"2026-01-01T00:00:00Z"}`, 1, "no \"schema\""},
		{"newer", strings.Replace(good, "/v1", "/v2", 1), 1, "newer xpcs-perf"},
		{"older", strings.Replace(good, "/v1", "/v0", 1), 1, `unsupported history schema: "xpcs-perf/history/v0" (want`},
		{"odd version", strings.Replace(good, "/v1", "/v1.5", 1), 1, `unsupported history schema: "xpcs-perf/history/v1.5" (want`},
		{"signed version", strings.Replace(good, "/v1", "/v+2", 1), 1, `unsupported history schema: "xpcs-perf/history/v+2" (want`},
		{"other", strings.Replace(good, "history", "results", 1), 1, "want \"xpcs-perf/history/v1\""},
		{"no time", `{"schema":"xpcs-perf/history/v1"}`, 1, "no \"time\""},
		{"negative n", strings.Replace(good, `"n":3`, `"n":-3`, 1), 1, "negative"},
		{"string median", strings.Replace(good, `"median":1`, `"median":"1"`, 1), 1, "decode"},
		{"negative median", strings.Replace(good, `"median":1`, `"median":-1`, 1), 1, "median -1 is negative"},
		// one line over MaxLineBytes: skipped, the lines after it are kept
		{"too long", good + "\n" + `{"pad":"` + strings.Repeat("x", MaxLineBytes) + `"}` + "\n" + good + "\n" + good, 2, "longer than"},
		{"too long, last", good + "\n" + strings.Repeat("y", MaxLineBytes+1), 2, "longer than"},
	} {
		_, err := Read(strings.NewReader(tc.text))
		var le *LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: err = %v, want a *LineError", tc.name, err)
			continue
		}
		if le.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v (line %d), want line %d and %q", tc.name, err, le.Line, tc.line, tc.want)
		}
		entries, skipped, err := ReadLenient(strings.NewReader(tc.text))
		if err != nil || len(skipped) != 1 || skipped[0].Line != tc.line {
			t.Errorf("%s: ReadLenient skipped %v, err %v; want line %d skipped", tc.name, skipped, err, tc.line)
		}
		if want := strings.Count(tc.text, good); len(entries) != want {
			t.Errorf("%s: ReadLenient kept %d entries, want %d", tc.name, len(entries), want)
		}
	}
	if es, err := Read(strings.NewReader("")); err != nil || len(es) != 0 {
		t.Errorf("empty history: %v, %v; want no entries, no error", es, err)
	}
}

func TestAppend(t *testing.T) {
	t.Parallel()
	var h []Entry
	for d := range 12 {
		h = Append(h, entry(d, string(rune('a'+d)), nil), 10)
	}
	if got, want := len(h), 10; got != want {
		t.Fatalf("%d entries, want %d", got, want)
	}
	if got, want := h[0].Commit, "c"; got != want {
		t.Errorf("oldest kept %q, want %q (the newest 10 stay)", got, want)
	}
	// An older run arriving late is placed by time, then bounded.
	h2 := Append(h, entry(5, "late", nil), 10)
	if got, want := h2[3].Commit, "late"; got != want { // days 3..11 kept with "late" after day 5's "f"
		commits := []string{}
		for _, e := range h2 {
			commits = append(commits, e.Commit)
		}
		t.Errorf("order %v, want late at index 3", commits)
	}
	if h[0].Commit != "c" || len(h) != 10 {
		t.Error("Append modified its input")
	}
	// A re-run of the same run id replaces the entry.
	re := entry(11, "l", map[string]Summary{"x": {Median: 2, Unit: "s"}})
	h3 := Append(h, re, 0)
	if got, want := len(h3), 10; got != want {
		t.Errorf("after a re-run: %d entries, want %d", got, want)
	}
	if _, ok := h3[len(h3)-1].Benchmarks["x"]; !ok {
		t.Error("re-run did not replace the entry")
	}
}

func TestFromResults(t *testing.T) {
	t.Parallel()
	fin := t0.Add(time.Hour)
	res := &analysis.Results{
		Run:     analysis.Run{Commit: "abc", Branch: "main", RunID: "7", Started: t0, Finished: fin},
		Machine: analysis.Machine{CPUModel: "EPYC", Cores: 2, OS: "linux"},
		Benchmarks: []analysis.Benchmark{
			{ID: "a", Unit: "s", Samples: []float64{3, 1, 2, 10}},
			{ID: "summary", Unit: "s", SummaryOnly: true, Stats: &analysis.Stats{N: 5, Median: 4, CV: 0.1}},
			{ID: "err", Unit: "s", Samples: []float64{1}, Error: "panic"},
			{ID: "empty", Unit: "s"},
			// a negative median would make Write refuse the whole entry
			{ID: "negative", Unit: "s", Samples: []float64{-3, -1, -2}},
		},
	}
	e := FromResults(res)
	want := Entry{Schema: Schema, Time: fin, Commit: "abc", Branch: "main", RunID: "7",
		Machine: Machine{CPUModel: "EPYC", Cores: 2},
		Benchmarks: map[string]Summary{
			"a":       {Median: 2.5, N: 4, Unit: "s", CV: analysis.Describe([]float64{3, 1, 2, 10}, "s").CV},
			"summary": {Median: 4, N: 5, Unit: "s", CV: 0.1},
		}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("FromResults = %+v\nwant %+v", e, want)
	}
	res.Run.Finished = time.Time{}
	if got := FromResults(res).Time; !got.Equal(t0) {
		t.Errorf("time without Finished = %v, want Started %v", got, t0)
	}
	res.Run.Started = time.Time{}
	var buf bytes.Buffer
	if err := Write(&buf, []Entry{FromResults(res)}); err == nil || !strings.Contains(err.Error(), "abc") {
		t.Errorf("Write of an entry without time: %v, want an error naming the commit", err)
	}
}
