package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// TestSchemaDocCoversModel fails when a JSON field of analysis.Results (and
// the types below it) is not documented in docs/RESULTS_SCHEMA.md.
func TestSchemaDocCoversModel(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testenv.Root(), "docs", "RESULTS_SCHEMA.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty == reflect.TypeFor[time.Time]() {
			return
		}
		seen[ty] = true
		for f := range ty.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if !bytes.Contains(doc, []byte("`"+name+"`")) {
				t.Errorf("docs/RESULTS_SCHEMA.md does not document %s.%s (`%s`)", ty.Name(), f.Name, name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[analysis.Results]())
}

// TestResultsValidate measures a few benchmarks (one errored), writes
// results.json and validates the file against the documented schema.
func TestResultsValidate(t *testing.T) {
	c := fastConfig()
	pb := bench("params", work)
	pb.Params = map[string]string{"size": "tiny", "workers": "2"}
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{bench("work", work), pb, bench("broken", func() error { panic("x") })})
	path := filepath.Join(t.TempDir(), "results.json")
	if err := analysis.WriteResultsFile(path, res); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range ValidateResultsJSON(data) {
		t.Error(err)
	}
}

// TestValidateCatches checks that the validator is not vacuous.
func TestValidateCatches(t *testing.T) {
	good := func() *analysis.Results {
		s := []float64{1, 2, 3}
		st := analysis.Describe(s, "s")
		return &analysis.Results{Schema: analysis.ResultsSchema, Benchmarks: []analysis.Benchmark{{
			ID: "c/g/n[k=v]", Category: "c", Group: "g", Name: "n", Params: map[string]string{"k": "v"},
			Unit: "s", Direction: analysis.LowerIsBetter, Samples: s, Rounds: 3, Iterations: 1, Stats: &st,
			Memory: &analysis.Memory{}, Counters: &analysis.Counters{Reason: "none"},
		}}}
	}
	if errs := ValidateResults(good()); len(errs) != 0 {
		t.Fatalf("valid results rejected: %v", errs)
	}
	for name, spoil := range map[string]func(*analysis.Results){
		"schema":     func(r *analysis.Results) { r.Schema = "x" },
		"id":         func(r *analysis.Results) { r.Benchmarks[0].ID = "c/g/n[v]" },
		"parts":      func(r *analysis.Results) { r.Benchmarks[0].Group = "h" },
		"rounds":     func(r *analysis.Results) { r.Benchmarks[0].Rounds = 4 },
		"stats":      func(r *analysis.Results) { r.Benchmarks[0].Stats.Median = 9 },
		"negative":   func(r *analysis.Results) { r.Benchmarks[0].Samples[0] = -1 },
		"counters":   func(r *analysis.Results) { r.Benchmarks[0].Counters.Reason = "" },
		"duplicate":  func(r *analysis.Results) { r.Benchmarks = append(r.Benchmarks, r.Benchmarks[0]) },
		"no samples": func(r *analysis.Results) { r.Benchmarks[0].Samples = []float64{} },
	} {
		r := good()
		spoil(r)
		if errs := ValidateResults(r); len(errs) == 0 {
			t.Errorf("%s: spoiled results accepted", name)
		}
	}
	if errs := ValidateResultsJSON([]byte(`{"schema":"xpcs-perf/results/v1","benchmarks":[],"surprise":1}`)); len(errs) == 0 {
		t.Errorf("unknown field accepted")
	}
}
