package ingest

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// seed adds testdata files and shared fixtures matching the globs (relative
// to testdata/ and to the fixtures folder) to the fuzz corpus.
func seed(f *testing.F, local []string, shared []string) {
	for _, g := range local {
		files, _ := filepath.Glob(filepath.Join("testdata", g))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	root := os.Getenv("XPCS_FIXTURES")
	if root == "" {
		root = filepath.Join(testenv.Root(), "..", "shared", "fixtures")
	}
	for _, g := range shared {
		files, _ := filepath.Glob(filepath.Join(root, g))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
}

// checkResults asserts the invariants every successful read keeps.
func checkResults(t *testing.T, res *analysis.Results) {
	t.Helper()
	if res.Schema != analysis.ResultsSchema {
		t.Fatalf("schema = %q", res.Schema)
	}
	for _, b := range res.Benchmarks {
		if b.ID == "" {
			t.Fatalf("empty id")
		}
		for _, v := range b.Samples {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: non-finite sample %g kept", b.ID, v)
			}
		}
		if len(b.Samples) > 0 && (b.Stats == nil || b.Stats.N != len(b.Samples)) {
			t.Fatalf("%s: stats %+v for %d samples", b.ID, b.Stats, len(b.Samples))
		}
	}
}

// fuzzRead reads data with one reader and checks the result.
func fuzzRead(t *testing.T, data []byte, read func(*bytes.Reader, *lineTracker) (*analysis.Results, error)) {
	lt := &lineTracker{r: bytes.NewReader(data)}
	res, err := read(bytes.NewReader(data), lt)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error message")
		}
		return
	}
	res.Schema = analysis.ResultsSchema
	finish(res)
	checkResults(t, res)
}

func FuzzDetect(f *testing.F) {
	seed(f, []string{"*"}, []string{"*/*/*"})
	f.Fuzz(func(t *testing.T, data []byte) {
		format := Detect(data)
		res, got, err := Read(bytes.NewReader(data), "fuzz")
		if got != format && len(data) <= HeadSize && len(bytes.TrimSpace(trimBOM(data))) > 0 {
			t.Fatalf("Read detected %q, Detect %q", got, format)
		}
		if err == nil {
			checkResults(t, res)
		}
	})
}

func FuzzPytest(f *testing.F) {
	seed(f, []string{"pytest_*.json"}, []string{"pytest-benchmark/*/*.json"})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, func(r *bytes.Reader, lt *lineTracker) (*analysis.Results, error) {
			lt.r = r
			return readPytest(lt, "fuzz", lt)
		})
	})
}

func FuzzGobench(f *testing.F) {
	seed(f, []string{"gobench_*.txt"}, []string{"gobench/*/*"})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, func(r *bytes.Reader, _ *lineTracker) (*analysis.Results, error) {
			return readGoBench(r, "fuzz")
		})
	})
}

func FuzzGoogle(f *testing.F) {
	seed(f, []string{"google_*.json"}, []string{"googlebench/*/*.json"})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, func(r *bytes.Reader, lt *lineTracker) (*analysis.Results, error) {
			lt.r = r
			return readGoogle(lt, "fuzz", lt)
		})
	})
}

func FuzzResults(f *testing.F) {
	seed(f, []string{"results_*.json"}, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, func(r *bytes.Reader, lt *lineTracker) (*analysis.Results, error) {
			lt.r = r
			return readResults(lt, "fuzz", lt)
		})
	})
}
