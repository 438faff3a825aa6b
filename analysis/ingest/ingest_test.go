package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// approx reports |got-want| <= 1e-9 relative.
func approx(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-9*math.Max(math.Abs(got), math.Abs(want))
}

func byID(t *testing.T, res *analysis.Results, id string) *analysis.Benchmark {
	t.Helper()
	for i := range res.Benchmarks {
		if res.Benchmarks[i].ID == id {
			return &res.Benchmarks[i]
		}
	}
	ids := make([]string, 0, len(res.Benchmarks))
	for _, b := range res.Benchmarks {
		ids = append(ids, b.ID)
	}
	t.Fatalf("no benchmark %q; have %q", id, ids)
	return nil
}

func hasNote(res *analysis.Results, sub string) bool {
	return slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, sub) })
}

// fixtureCase is one real file from ../shared/fixtures with what must come out.
type fixtureCase struct {
	file   string
	format Format
	n      int // benchmarks
	check  func(t *testing.T, res *analysis.Results)
}

const benchstatPkg = "golang.org/x/perf/cmd/benchstat/testdata."

var fixtureCases = []fixtureCase{
	// Go benchmark text.
	{"gobench/bencher/three.txt", FormatGoBench, 3, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "bencher.dev.BenchmarkFib20WithAuxMetric")
		if got, want := b.Metrics["auxMetricUnits"].Samples, []float64{4}; !slices.Equal(got, want) {
			t.Errorf("auxMetricUnits = %v, want %v", got, want)
		}
		if got, want := res.Machine.Arch, "arm64"; got != want {
			t.Errorf("arch = %q, want %q", got, want)
		}
		if got, want := b.Samples[0], 25829e-9; !approx(got, want) {
			t.Errorf("sample = %g, want %g", got, want)
		}
	}},
	{"gobench/benchproc/suffixarray.bench", FormatGoBench, 42, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "index/suffixarray.BenchmarkNew/text=opticks/size=100K/bits=32")
		if got, want := len(b.Samples), 10; got != want {
			t.Errorf("samples = %d, want %d", got, want)
		}
		for unit, dir := range map[string]analysis.Direction{"B/op": analysis.LowerIsBetter, "allocs/op": analysis.LowerIsBetter, "MB/s": analysis.HigherIsBetter} {
			m, ok := b.Metrics[unit]
			if !ok || len(m.Samples) != 10 || m.Direction != dir {
				t.Errorf("metric %s = %+v, want 10 samples, %s is better", unit, m, dir)
			}
		}
		if got, want := b.Params["bits"], "32"; got != want {
			t.Errorf("params[bits] = %q, want %q", got, want)
		}
		if !strings.Contains(res.Machine.CPUModel, "Intel") {
			t.Errorf("cpu = %q, want the cpu: line", res.Machine.CPUModel)
		}
	}},
	{"gobench/benchstat-v1/exampleold.txt", FormatGoBench, 2, nil},
	{"gobench/benchstat-v1/examplenew.txt", FormatGoBench, 2, nil},
	{"gobench/benchstat-v1/packagesold.txt", FormatGoBench, 2, func(t *testing.T, res *analysis.Results) {
		byID(t, res, "encoding/gob.BenchmarkGobEncode")
		b := byID(t, res, "encoding/json.BenchmarkJSONEncode")
		if got, want := len(b.Samples), 4; got != want {
			t.Errorf("samples = %d, want %d", got, want)
		}
	}},
	{"gobench/benchstat-v1/packagesnew.txt", FormatGoBench, 2, nil},
	{"gobench/benchstat-v1/slashslash4.txt", FormatGoBench, 12, nil},
	{"gobench/benchstat-v1/units-old.txt", FormatGoBench, 1, nil},
	{"gobench/benchstat-v1/units-new.txt", FormatGoBench, 1, nil},
	{"gobench/benchstat-v1/x386.txt", FormatGoBench, 36, nil},
	{"gobench/benchstat-v1/zero-old.txt", FormatGoBench, 1, nil},
	{"gobench/benchstat-v1/zero-new.txt", FormatGoBench, 1, nil},
	{"gobench/benchstat-v2/old.txt", FormatGoBench, 2, func(t *testing.T, res *analysis.Results) {
		json, gob := byID(t, res, benchstatPkg+"BenchmarkEncode/format=json"), byID(t, res, benchstatPkg+"BenchmarkEncode/format=gob")
		if got, want := json.Stats.Median, 1718.0e-9; !approx(got, want) {
			t.Errorf("json median = %g s, want %g s", got, want)
		}
		if got, want := gob.Stats.Median, 3065.5e-9; !approx(got, want) {
			t.Errorf("gob median = %g s, want %g s", got, want)
		}
		if got, want := json.Params["gomaxprocs"], "48"; got != want {
			t.Errorf("gomaxprocs = %q, want %q", got, want)
		}
		if json.Unit != "s" || json.Direction != analysis.LowerIsBetter || len(json.Samples) != 10 {
			t.Errorf("json = unit %q %s, %d samples; want s, lower, 10", json.Unit, json.Direction, len(json.Samples))
		}
	}},
	{"gobench/benchstat-v2/new.txt", FormatGoBench, 2, func(t *testing.T, res *analysis.Results) {
		if got, want := byID(t, res, benchstatPkg+"BenchmarkEncode/format=json").Stats.Median, 1422.5e-9; !approx(got, want) {
			t.Errorf("json median = %g, want %g", got, want)
		}
		if got, want := byID(t, res, benchstatPkg+"BenchmarkEncode/format=gob").Stats.Median, 3070.0e-9; !approx(got, want) {
			t.Errorf("gob median = %g, want %g", got, want)
		}
	}},
	{"gobench/benchstat-v2/crc-old.txt", FormatGoBench, 36, nil},
	{"gobench/benchstat-v2/crc-new.txt", FormatGoBench, 36, func(t *testing.T, res *analysis.Results) {
		// The note: line changes between crc-old and crc-new: IDs must not.
		b := byID(t, res, "hash/crc32.BenchmarkCRC32/poly=IEEE/size=15/align=0")
		if got, want := b.Metrics["MB/s"].Direction, analysis.HigherIsBetter; got != want {
			t.Errorf("MB/s direction = %s, want %s", got, want)
		}
	}},
	{"gobench/benchstat-v2/issue19565.txt", FormatGoBench, 4, nil},
	{"gobench/benchstat-v2/issue19634.txt", FormatGoBench, 2, nil},
	{"gobench/benchstat-v2/smallSample.txt", FormatGoBench, 2, nil},
	{"gobench/benchstat-v2/units.txt", FormatGoBench, 4, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "BenchmarkNonExact[note=before]")
		if got, want := b.Unit, "text-bytes"; got != want {
			t.Errorf("unit = %q, want %q (no time: first unit is primary)", got, want)
		}
		if got, want := b.Samples, []float64{100, 101, 101}; !slices.Equal(got, want) {
			t.Errorf("samples = %v, want %v", got, want)
		}
		if got, want := b.Extra["assume"], map[string]string{"text-bytes": "exact"}; !mapsEqual(got.(map[string]string), want) {
			t.Errorf("extra[assume] = %v, want %v (Unit text-bytes assume=exact)", got, want)
		}
	}},
	{"gobench/benchstat-v2/zero.txt", FormatGoBench, 12, nil},
	{"gobench/github-action-benchmark/go_fiber_duplicate_names_output.txt", FormatGoBench, 4, func(t *testing.T, res *analysis.Results) {
		// The same name in two packages stays two benchmarks.
		cache := byID(t, res, "github.com/gofiber/fiber/v3/middleware/cache.BenchmarkAppendMsgitem")
		csrf := byID(t, res, "github.com/gofiber/fiber/v3/middleware/csrf.BenchmarkAppendMsgitem")
		if got, want := cache.Samples[0], 55.76e-9; !approx(got, want) {
			t.Errorf("cache = %g, want %g", got, want)
		}
		if got, want := csrf.Samples[0], 0.3733e-9; !approx(got, want) {
			t.Errorf("csrf = %g, want %g", got, want)
		}
		if got, want := cache.Metrics["MB/s"].Samples[0], 2833.37; got != want {
			t.Errorf("cache MB/s = %g, want %g", got, want)
		}
	}},
	{"gobench/github-action-benchmark/go_fiber_output.txt", FormatGoBench, 6, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, `Benchmark_Ctx_Accepts/run-[]string{"json",_"xml"}`)
		if got, want := b.Metrics["allocs/op"].Samples[0], 0.0; got != want {
			t.Errorf("allocs/op = %g, want %g", got, want)
		}
		byID(t, res, "Benchmark_Utils_GetOffer/mime_extension#01")
	}},
	{"gobench/github-action-benchmark/go_output.txt", FormatGoBench, 8, func(t *testing.T, res *analysis.Results) {
		if got, want := byID(t, res, "BenchmarkFib20").Samples[0], 40537.123e-9; !approx(got, want) {
			t.Errorf("Fib20 = %g, want %g", got, want)
		}
		if got, want := byID(t, res, "BenchmarkFib22").Metrics["auxMetricUnits"].Samples[0], 4.0; got != want {
			t.Errorf("aux = %g, want %g", got, want)
		}
	}},
	{"gobench/github-action-benchmark/go_single_package_output.txt", FormatGoBench, 2, func(t *testing.T, res *analysis.Results) {
		// -v progress lines ("BenchmarkFib10" alone) are not results.
		if got, want := len(byID(t, res, "github.com/example/mypackage.BenchmarkFib10").Samples), 1; got != want {
			t.Errorf("samples = %d, want %d", got, want)
		}
	}},

	// Google Benchmark JSON.
	{"googlebench/conbench-arrow/arrow-tensor-conversion-benchmark.json", FormatGoogle, 2, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "Int8RowMajorTensorConversionFixture<Int32Type>/ConvertToSparseCOOTensorInt32")
		if got, want := len(b.Samples), 3; got != want {
			t.Fatalf("samples = %d, want %d (iterations only, not the aggregates)", got, want)
		}
		if got, want := b.Stats.Median, 88572.83803106814e-9; !approx(got, want) {
			t.Errorf("median = %g, want %g", got, want)
		}
		if m := b.Metrics["B/s"]; m.Direction != analysis.HigherIsBetter || len(m.Samples) != 3 {
			t.Errorf("B/s = %+v, want 3 samples, higher is better", m)
		}
		if got, want := res.Machine.Cores, 10; got != want {
			t.Errorf("cores = %d, want %d", got, want)
		}
		b2 := byID(t, res, "Int8ColumnMajorTensorConversionFixture<Int32Type>/ConvertToSparseCOOTensorInt32")
		if b2.SummaryOnly || len(b2.Samples) != 3 {
			t.Errorf("second family: %d samples, summary %v; want 3 samples", len(b2.Samples), b2.SummaryOnly)
		}
	}},
	{"googlebench/github-action-benchmark/googlecpp_output.json", FormatGoogle, 2, nil},
	{"googlebench/google-benchmark-gbench-inputs/test1_run1.json", FormatGoogle, 14, func(t *testing.T, res *analysis.Results) {
		for _, b := range res.Benchmarks {
			if strings.HasPrefix(b.ID, "MyComplexityTest") {
				t.Errorf("BigO/RMS row kept as %q", b.ID)
			}
		}
		if got, want := byID(t, res, "BM_NotBadTimeUnit").Samples[0], 0.4; !approx(got, want) {
			t.Errorf("time_unit s: %g, want %g", got, want)
		}
		if got, want := byID(t, res, "BM_hasLabel").Extra["label"], "a label"; got != want {
			t.Errorf("label = %v, want %q", got, want)
		}
	}},
	{"googlebench/google-benchmark-gbench-inputs/test1_run2.json", FormatGoogle, 14, func(t *testing.T, res *analysis.Results) {
		if got, want := byID(t, res, "BM_DifferentTimeUnit").Samples[0], 1e-9; !approx(got, want) {
			t.Errorf("time_unit ns: %g, want %g", got, want)
		}
	}},
	{"googlebench/google-benchmark-gbench-inputs/test2_run.json", FormatGoogle, 10, nil},
	{"googlebench/google-benchmark-gbench-inputs/test3_run0.json", FormatGoogle, 4, func(t *testing.T, res *analysis.Results) {
		if got, want := len(byID(t, res, "BM_Two").Samples), 2; got != want {
			t.Errorf("BM_Two samples = %d, want %d", got, want)
		}
	}},
	{"googlebench/google-benchmark-gbench-inputs/test3_run1.json", FormatGoogle, 4, nil},
	{"googlebench/google-benchmark-gbench-inputs/test4_run.json", FormatGoogle, 0, func(t *testing.T, res *analysis.Results) {
		if !hasNote(res, "12 BigO/RMS or untimed") {
			t.Errorf("notes = %q, want the untimed rows counted", res.Notes)
		}
	}},

	// pytest-benchmark JSON.
	{"pytest-benchmark/cachew/0001_baseline_at_e1df329.json", FormatPytest, 18, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "src/cachew/tests/benchmarks/marshall.py::test_marshall_nested_dataclass_serialize[cachew-100k]")
		if b.Group != "marshall-serialize" || b.Params["impl"] != "cachew" || b.Params["count"] != "100000" {
			t.Errorf("group %q params %v, want marshall-serialize impl=cachew count=100000", b.Group, b.Params)
		}
		if got, want := b.Extra["operation"], "serialize"; got != want {
			t.Errorf("extra_info operation = %v, want %q", got, want)
		}
		if !b.SummaryOnly || b.Stats == nil || len(b.Samples) != 0 {
			t.Errorf("want SummaryOnly with Stats and no samples, got %v %v %d", b.SummaryOnly, b.Stats, len(b.Samples))
		}
		if got, want := res.Machine.CPUModel, "Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz"; got != want {
			t.Errorf("cpu = %q, want %q", got, want)
		}
		if !hasNote(res, "--benchmark-save-data") {
			t.Errorf("notes = %q, want the summary-only note", res.Notes)
		}
	}},
	{"pytest-benchmark/cachew/0003_baseline_at_176a6df.json", FormatPytest, 32, nil},
	{"pytest-benchmark/github-action-benchmark/pytest_output.json", FormatPytest, 2, nil},
	{"pytest-benchmark/github-action-benchmark/pytest_several_units.json", FormatPytest, 4, func(t *testing.T, res *analysis.Results) {
		// test_sleep_2 saved all 5 rounds; the others were cut by hand
		// ("... omitted") and fall back to the summary.
		b := byID(t, res, "bench.py::test_sleep_2")
		if got, want := len(b.Samples), 5; got != want || b.SummaryOnly {
			t.Errorf("samples = %d (summary %v), want %d", got, b.SummaryOnly, want)
		}
		if !byID(t, res, "bench.py::test_fib_1").SummaryOnly {
			t.Errorf("truncated stats.data not summary-only")
		}
	}},
	{"pytest-benchmark/ionelmc-test_storage/0001_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190343_uncommitted-changes.json", FormatPytest, 1, nil},
	{"pytest-benchmark/ionelmc-test_storage/0002_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190348_uncommitted-changes.json", FormatPytest, 1, nil},
	{"pytest-benchmark/ionelmc-test_storage/0029_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030413_uncommitted-changes.json", FormatPytest, 1, nil},
	{"pytest-benchmark/ionelmc-test_storage/0030_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030419_uncommitted-changes.json", FormatPytest, 1, func(t *testing.T, res *analysis.Results) {
		// Old 2.5 schema: group null, no ops, machine_info without cpu.
		b := res.Benchmarks[0]
		if got, want := b.ID, "tests/test_normal.py::test_xfast_parametrized[0]"; got != want {
			t.Errorf("id = %q, want %q", got, want)
		}
		if b.Group != "" || !b.SummaryOnly || b.Stats.N != b.Rounds || b.Stats.Ops <= 0 {
			t.Errorf("group %q summary %v n %d rounds %d ops %g", b.Group, b.SummaryOnly, b.Stats.N, b.Rounds, b.Stats.Ops)
		}
		if got, want := res.Run.Commit, "5b78858eb718649a31fb93d8dc96ca2cee41a4cd"; got != want {
			t.Errorf("commit = %q, want %q", got, want)
		}
	}},
	{"pytest-benchmark/lagom/py310_at_1900c1c_baseline.json", FormatPytest, 4, nil},
	{"pytest-benchmark/lagom/py310_at_9df7c79_baseline.json", FormatPytest, 3, nil},
	{"pytest-benchmark/lagom/py311_at_1900c1c_baseline.json", FormatPytest, 4, nil},
	{"pytest-benchmark/lagom/py311_at_6cd9009_baseline.json", FormatPytest, 3, nil},
	{"pytest-benchmark/lagom/py38_at_8462f07_baseline.json", FormatPytest, 3, nil},
	{"pytest-benchmark/lagom/py38_at_9df7c79_baseline.json", FormatPytest, 3, nil},
	{"pytest-benchmark/nhl-scrabble/0001_baseline.json", FormatPytest, 14, nil},
	{"pytest-benchmark/nhl-scrabble/0002_latest.json", FormatPytest, 14, nil},
	{"pytest-benchmark/nhl-scrabble/0004_latest.json", FormatPytest, 14, nil},
	{"pytest-benchmark/nils-braun-commenter/old_benchmark_output.json", FormatPytest, 3, func(t *testing.T, res *analysis.Results) {
		b := byID(t, res, "tests/benchmark.py::test_benchmark_small_data")
		if got, want := len(b.Samples), 2; got != want || b.SummaryOnly {
			t.Errorf("samples = %d, want %d from stats.data", got, want)
		}
		if hasNote(res, "disagrees") {
			t.Errorf("consistent file flagged: %q", res.Notes)
		}
	}},
	{"pytest-benchmark/nils-braun-commenter/output.json", FormatPytest, 3, func(t *testing.T, res *analysis.Results) {
		// This file's stats were edited by hand (mean +2 s, data unchanged).
		if !hasNote(res, "test_benchmark_small_data: stats.mean disagrees") {
			t.Errorf("notes = %q, want the edited stats flagged", res.Notes)
		}
	}},
	{"pytest-benchmark/pdfminer.six/0001_baseline.json", FormatPytest, 9, nil},
	{"pytest-benchmark/pdfminer.six/0002_after_all_optimizations.json", FormatPytest, 7, nil},
	{"pytest-benchmark/tubular/0001_baseline_at_1181888.json", FormatPytest, 44, tubularCheck},
	{"pytest-benchmark/tubular/0001_baseline_at_12e6c69.json", FormatPytest, 48, tubularCheck},
}

// tubularCheck: the same name appears in several files; IDs are fullnames.
func tubularCheck(t *testing.T, res *analysis.Results) {
	names := map[string]bool{}
	for _, b := range res.Benchmarks {
		names[b.Name] = true
		if !strings.Contains(b.ID, "::") || !strings.HasSuffix(b.ID, b.Name) {
			t.Errorf("id %q is not the fullname of %q", b.ID, b.Name)
		}
	}
	if len(names) >= len(res.Benchmarks) {
		t.Errorf("%d names for %d benchmarks: want repeated names keyed apart by fullname", len(names), len(res.Benchmarks))
	}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	root := testenv.Fixtures(t)
	listed := map[string]bool{}
	for _, tc := range fixtureCases {
		listed[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			res, f, err := ReadFile(filepath.Join(root, filepath.FromSlash(tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if f != tc.format || res.Source != string(tc.format) {
				t.Errorf("format = %q (source %q), want %q", f, res.Source, tc.format)
			}
			if got := len(res.Benchmarks); got != tc.n {
				t.Fatalf("benchmarks = %d, want %d", got, tc.n)
			}
			seen := map[string]bool{}
			for _, b := range res.Benchmarks {
				if seen[b.ID] {
					t.Errorf("duplicate id %q", b.ID)
				}
				seen[b.ID] = true
				if b.Unit == "" || b.Direction == "" {
					t.Errorf("%s: unit %q direction %q", b.ID, b.Unit, b.Direction)
				}
				if len(b.Samples) == 0 && !b.SummaryOnly && b.Error == "" {
					t.Errorf("%s: no samples, not summary-only, no error", b.ID)
				}
				if b.Stats == nil && b.Error == "" {
					t.Errorf("%s: no stats", b.ID)
				}
			}
			if res.Schema != analysis.ResultsSchema {
				t.Errorf("schema = %q", res.Schema)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
	// Every benchmark fixture is in the table.
	for _, dir := range []string{"pytest-benchmark", "gobench", "googlebench"} {
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if !listed[rel] && !strings.HasSuffix(rel, "benchmark-workflow-and-Makefile.txt") {
				t.Errorf("fixture %s is not in fixtureCases", rel)
			}
			return nil
		})
	}
}

// TestNotABenchmarkFile: lagom's workflow+Makefile text is not a result file.
func TestNotABenchmarkFile(t *testing.T) {
	t.Parallel()
	_, _, err := ReadFile(testenv.Fixture(t, "pytest-benchmark/lagom/benchmark-workflow-and-Makefile.txt"))
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err = %v, want ErrUnknownFormat", err)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		is        error  // errors.Is target, or nil
		sub       string // substring of the message
		line, col int
	}{
		{"empty.txt", ErrEmpty, "testdata/empty.txt: empty input", 0, 0},
		{"blank.txt", ErrEmpty, "empty input", 0, 0},
		{"unknown.json", ErrUnknownFormat, "unknown format", 0, 0},
		{"unknown.txt", ErrUnknownFormat, "unknown format", 0, 0},
		{"pytest_truncated.json", nil, "truncated JSON", 17, 70},
		{"pytest_syntax_error.json", nil, "after object key:value pair", 10, 13},
		{"pytest_type_error.json", nil, "stats.rounds", 17, 0},
		{"pytest_duplicate.json", nil, `duplicate fullname "tests/test_xpcs.py::test_g2[small]"`, 23, 9},
		{"results_duplicate.json", nil, `duplicate id "a/b/c"`, 3, 2},
		{"results_newer.json", analysis.ErrSchema, "newer xpcs-perf", 0, 0},
		{"results_negative_rounds.json", nil, `benchmarks[1] "a/b/d": "rounds" is -2`, 3, 2},
		{"results_negative_iterations.json", nil, `benchmarks[0] "a/b/c": "iterations" is -100`, 2, 2},
		{"gobench_allbad.txt", nil, "no benchmark line parses (2 bad line(s))", 2, 0},
		// Python's json writes bare NaN/Infinity, which is not JSON: a clear
		// error at the token rather than a guess.
		{"pytest_python_nan.json", nil, "invalid character 'N'", 32, 70},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			res, _, err := ReadFile(filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatalf("no error; got %d benchmarks", len(res.Benchmarks))
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.sub) || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("err = %q, want it to name %s and contain %q", err, tc.file, tc.sub)
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("err %T is not *Error", err)
			}
			if tc.line != 0 && ie.Line != tc.line {
				t.Errorf("line = %d, want %d (%v)", ie.Line, tc.line, err)
			}
			if tc.col != 0 && ie.Col != tc.col {
				t.Errorf("col = %d, want %d (%v)", ie.Col, tc.col, err)
			}
		})
	}
}

func TestGoBenchPolicies(t *testing.T) {
	t.Parallel()
	res, _, err := ReadFile("testdata/gobench_badlines.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"gobench_badlines.txt:7: parsing iteration count",
		"gobench_badlines.txt:8: missing units",
		"example.com/m.BenchmarkNaN: 1 NaN/Inf sample(s) dropped",
		"example.com/m.BenchmarkNeg: zero or negative time sample(s) kept",
	} {
		if !hasNote(res, want) {
			t.Errorf("notes = %q, want one containing %q", res.Notes, want)
		}
	}
	good := byID(t, res, "example.com/m.BenchmarkGood")
	if got, want := good.Samples, []float64{1500e-9, 1700e-9, 1600e-9}; !slices.EqualFunc(got, want, approx) {
		t.Errorf("samples = %v, want %v", got, want)
	}
	if got, want := good.Iterations, 1000; got != want {
		t.Errorf("iterations = %d, want %d", got, want)
	}
	if got, want := byID(t, res, "example.com/m.BenchmarkNeg").Samples, []float64{-5e-9}; !slices.Equal(got, want) {
		t.Errorf("negative sample = %v, want %v kept", got, want)
	}
	c := byID(t, res, "example.com/m.BenchmarkCustom")
	if got, want := c.Metrics["widgets/op"].Direction, analysis.HigherIsBetter; got != want {
		t.Errorf("widgets/op (Unit better=higher) = %s, want %s", got, want)
	}
	if got, want := c.Metrics["frobs/op"].Direction, analysis.LowerIsBetter; got != want {
		t.Errorf("frobs/op (default) = %s, want %s", got, want)
	}

	res, _, err = ReadFile("testdata/gobench_procs.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(byID(t, res, "example.com/m.BenchmarkScale-2").Samples), 2; got != want {
		t.Errorf("-cpu 1,2: samples = %d, want %d", got, want)
	}

	res, _, err = ReadFile("testdata/gobench_crlf.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := byID(t, res, "example.com/crlf.BenchmarkCRLF").Samples, []float64{250e-9, 260e-9}; !slices.EqualFunc(got, want, approx) {
		t.Errorf("CRLF samples = %v, want %v", got, want)
	}
}

func TestGooglePolicies(t *testing.T) {
	t.Parallel()
	res, _, err := ReadFile("testdata/google_aggregates_only.json")
	if err != nil {
		t.Fatal(err)
	}
	agg := byID(t, res, "BM_G2/64")
	if !agg.SummaryOnly || agg.Stats == nil {
		t.Fatalf("aggregates only: summary %v stats %v", agg.SummaryOnly, agg.Stats)
	}
	if got, want := *agg.Stats, (analysis.Stats{N: 5, Min: 0.011, Max: 0.011, Mean: 0.012, Stddev: 0.0015, Median: 0.011, CV: 0.125, Ops: 1 / 0.012}); !approx(got.Mean, want.Mean) || !approx(got.Median, want.Median) || !approx(got.Stddev, want.Stddev) || got.N != want.N || !approx(got.CV, want.CV) {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if got, want := byID(t, res, "BM_Fail").Error, "file not found"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	c := byID(t, res, "BM_Counters/threads:4")
	if got, want := c.Samples[0], 2.5e-6; !approx(got, want) {
		t.Errorf("us sample = %g, want %g", got, want)
	}
	if got, want := c.Metrics["cpu_time"].Samples[0], 9e-6; !approx(got, want) {
		t.Errorf("cpu_time = %g, want %g", got, want)
	}
	if got, want := c.Metrics["frames"].Samples, []float64{64}; !slices.Equal(got, want) {
		t.Errorf("user counter = %v, want %v", got, want)
	}
	if got, want := c.Metrics["items/s"].Direction, analysis.HigherIsBetter; got != want {
		t.Errorf("items/s = %s, want %s", got, want)
	}
	if got, want := c.Params["threads"], "4"; got != want {
		t.Errorf("threads = %q, want %q", got, want)
	}
	if !hasNote(res, "frequency scaling") {
		t.Errorf("notes = %q, want the cpu scaling warning", res.Notes)
	}
}

func TestPytestSamples(t *testing.T) {
	t.Parallel()
	res, _, err := ReadFile("testdata/pytest_data.json")
	if err != nil {
		t.Fatal(err)
	}
	b := byID(t, res, "tests/test_xpcs.py::test_g2[small]")
	if got, want := b.Samples, []float64{0.002, 0.001, 0.005, 0.003, 0.002}; !slices.Equal(got, want) {
		t.Errorf("samples = %v, want %v", got, want)
	}
	// Describe reproduces pytest-benchmark's own statistics of the data
	// (values printed by pytest_benchmark.stats.Stats 5.x for these samples).
	if got, want := *b.Stats, (analysis.Stats{N: 5, Min: 0.001, Max: 0.005, Mean: 0.0026, Stddev: 0.0015165750888103102, Median: 0.002, Q1: 0.00175, Q3: 0.0035, IQR: 0.00175, Outliers: "2;0"}); got.N != want.N || !approx(got.Mean, want.Mean) || !approx(got.Stddev, want.Stddev) || !approx(got.Q1, want.Q1) || !approx(got.Q3, want.Q3) || got.Outliers != want.Outliers {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if got, want := b.Params, map[string]string{"size": "small", "frames": "100", "lazy": "false"}; !mapsEqual(got, want) {
		t.Errorf("params = %v, want %v", got, want)
	}
	if got, want := b.Extra["param"], "small"; got != want {
		t.Errorf("param = %v, want %v", got, want)
	}
	fast := byID(t, res, "tests/test_xpcs.py::test_fast")
	if !fast.SummaryOnly || fast.Stats.N != 1000 || fast.Iterations != 10 || fast.Stats.Median != 2e-06 {
		t.Errorf("summary benchmark = %+v stats %+v", fast, fast.Stats)
	}
	if got, want := res.Machine, (analysis.Machine{CPUModel: "AMD EPYC 7763 64-Core Processor", Cores: 4, OS: "Linux", Kernel: "6.1.0", Arch: "x86_64", Python: "CPython 3.11.2"}); got != want {
		t.Errorf("machine = %+v, want %+v", got, want)
	}
	if got, want := res.Run.Commit, "0123456789abcdef"; got != want {
		t.Errorf("commit = %q, want %q", got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestResultsRoundTrip(t *testing.T) {
	t.Parallel()
	res, f, err := ReadFile("testdata/results_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if f != FormatResults {
		t.Fatalf("format = %q", f)
	}
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	again, _, err := Read(&buf, "roundtrip")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(res)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Errorf("round trip differs:\n%s\n%s", a, b)
	}
	if got, want := byID(t, res, "scientific/g2/multitau[size=tiny]").Memory.BytesPerOp, 1048576.0; got != want {
		t.Errorf("bytes/op = %g, want %g", got, want)
	}
}

func TestBOM(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/pytest_syntax_error.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Read(bytes.NewReader(append([]byte("\xef\xbb\xbf"), data...)), "bom.json")
	var ie *Error
	if !errors.As(err, &ie) || ie.Line != 10 || ie.Col != 13 {
		t.Errorf("err = %v, want line 10 col 13 after a BOM", err)
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		head string
		want Format
	}{
		{"", FormatUnknown},
		{"   \n", FormatUnknown},
		{`{"schema": "xpcs-perf/results/v1", "benchmarks": []}`, FormatResults},
		{`{"schema": "xpcs-perf/results/v9"}`, FormatResults},
		{`{"machine_info": {}, "benchmarks": []}`, FormatPytest},
		{`{"benchmarks": [{"fullname": "a::b", "stats": {}}]}`, FormatPytest},
		{`{"context": {"num_cpus": 4}, "benchmarks": []}`, FormatGoogle},
		{`{"benchmarks": [{"name": "BM_x", "run_type": "iteration"}]}`, FormatGoogle},
		{`{"foo": "machine_info"}`, FormatUnknown},                                          // a value, not a key
		{`{"benchmarks": [{"direction": "lower", "id": "a", "samples": [1]`, FormatResults}, // jq -S
		{`[1, 2]`, FormatUnknown},
		{"goos: linux\n", FormatGoBench},
		{"BenchmarkX-8 \t 100 \t 12 ns/op\n", FormatGoBench},
		{"Benchmarking is fun\n", FormatUnknown},
		{"\xef\xbb\xbfpkg: x\n", FormatGoBench},
	}
	for _, tc := range tests {
		if got := Detect([]byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

// TestGolden pins the whole Results of each valid testdata input.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"gobench_badlines.txt", "gobench_procs.txt", "google_aggregates_only.json", "pytest_data.json", "results_v1.json"} {
		t.Run(name, func(t *testing.T) {
			res, _, err := ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("%s differs from golden:\n%s", name, got)
			}
		})
	}
}

func TestGoBenchManyBadLines(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	in.WriteString("BenchmarkOK 1 5 ns/op\n")
	for i := 0; i < 30; i++ {
		in.WriteString("BenchmarkBad 1\n") // missing measurements
	}
	res, _, err := Read(strings.NewReader(in.String()), "many.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Notes), maxSyntaxNotes+2; got != want { // + "10 more" + unit note
		t.Errorf("notes = %d, want %d: %q", got, want, res.Notes)
	}
	if !hasNote(res, "skipped 10 more bad line(s)") {
		t.Errorf("notes = %q, want the remainder counted", res.Notes)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadError(t *testing.T) {
	t.Parallel()
	_, _, err := Read(failingReader{}, "broken.json")
	var ie *Error
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err = %v, want an *Error naming the file and the cause", err)
	}
}

// TestResultsSortedKeys: a results.json whose keys were sorted (jq -S, or a
// Go map) has "schema" last; it is still detected, read and checked.
func TestResultsSortedKeys(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/results_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sorted, _ := json.Marshal(doc) // map keys are sorted: "schema" comes last
	res, f, err := Read(bytes.NewReader(sorted), "sorted.json")
	if err != nil || f != FormatResults || len(res.Benchmarks) != 2 {
		t.Fatalf("read sorted: format %q, err %v", f, err)
	}
	doc["schema"] = "xpcs-perf/results/v2"
	newer, _ := json.Marshal(doc)
	if _, _, err := Read(bytes.NewReader(newer), "newer-sorted.json"); !errors.Is(err, analysis.ErrSchema) {
		t.Errorf("err = %v, want ErrSchema", err)
	}
}

// TestExtremeValuesEncode: samples near math.MaxFloat64 (the mean's sum
// overflows) or denormal times (1/mean overflows) are ingested with finite
// stats, a note naming the benchmark, their samples kept as read, and the
// results still encode as JSON (regression: "json: unsupported value: +Inf"
// lost the whole results.json).
func TestExtremeValuesEncode(t *testing.T) {
	t.Parallel()
	in := `{"schema":"xpcs-perf/results/v1","benchmarks":[
	{"id":"ok","name":"ok","unit":"s","direction":"lower","samples":[1,1,1,1,1]},
	{"id":"huge","name":"huge","unit":"s","direction":"lower","samples":[1e308,1e308,1e308,1e308,1e308]},
	{"id":"spread","name":"spread","unit":"B","direction":"lower","samples":[-1.7e308,-1.7e308,1.7e308,1.7e308]},
	{"id":"tiny","name":"tiny","unit":"s","direction":"lower","samples":[5e-324,5e-324,5e-324,5e-324]}]}`
	res, _, err := Read(strings.NewReader(in), "extreme.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatalf("WriteResults: %v", err)
	}
	if got, want := byID(t, res, "huge").Stats.Mean, 1e308; got != want {
		t.Errorf("huge: mean = %g, want %g", got, want)
	}
	if got, want := byID(t, res, "huge").Stats.Ops, 1e-308; !approx(got, want) {
		t.Errorf("huge: ops = %g, want %g", got, want)
	}
	if got := byID(t, res, "tiny").Stats; got.Mean != 5e-324 || got.Ops != 0 {
		t.Errorf("tiny: mean %g ops %g, want 5e-324 and ops omitted", got.Mean, got.Ops)
	}
	if got, want := byID(t, res, "spread").Stats.Stddev, math.MaxFloat64; got != want {
		t.Errorf("spread: stddev = %g, want clamped %g", got, want)
	}
	for _, id := range []string{"tiny", "spread"} {
		if !hasNote(res, id+": statistics beyond the float64 range") {
			t.Errorf("no note for %s in %q", id, res.Notes)
		}
		if got := byID(t, res, id).Samples; len(got) != 4 {
			t.Errorf("%s: %d samples kept, want 4", id, len(got))
		}
	}
	if hasNote(res, "huge: statistics") || hasNote(res, "ok: statistics") {
		t.Errorf("a note for stats that fit: %q", res.Notes)
	}
	again, _, err := Read(&buf, "again.json")
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if got := byID(t, again, "huge").Samples[0]; got != 1e308 {
		t.Errorf("read back: sample %g, want 1e308", got)
	}
}
