package analysis_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func readFixture(t *testing.T, rel string) *analysis.Results {
	t.Helper()
	res, _, err := ingest.ReadFile(testenv.Fixture(t, rel))
	if err != nil {
		t.Fatalf("ingest %s: %v", rel, err)
	}
	return res
}

func compareFixtures(t *testing.T, base, cur string, cfg analysis.Config) *analysis.Comparison {
	t.Helper()
	c, err := analysis.Compare(readFixture(t, base), readFixture(t, cur), cfg)
	if err != nil {
		t.Fatalf("Compare(%s, %s): %v", base, cur, err)
	}
	return c
}

// rowFor finds the row whose id ends with "Benchmark"+name (benchstat drops
// the prefix and the package) for metric.
func rowFor(t *testing.T, c *analysis.Comparison, name, metric string) analysis.Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Metric == metric && strings.HasSuffix(r.ID, "Benchmark"+name) {
			return r
		}
	}
	t.Fatalf("no row for %s (%s)", name, metric)
	return analysis.Row{}
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// TestBenchstatCSVOldNew checks medians, p-values (3 decimals) and the
// significant/~ decision against benchstat's csvOldNew.stdout.
func TestBenchstatCSVOldNew(t *testing.T) {
	cfg := analysis.DefaultConfig()
	c := compareFixtures(t, "gobench/benchstat-v2/old.txt", "gobench/benchstat-v2/new.txt", cfg)
	f, err := os.Open(testenv.Fixture(t, "expected/benchstat-v2/csvOldNew.stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	checked := 0
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ",")
		if len(fs) != 7 || !strings.HasPrefix(fs[6], "p=") {
			continue
		}
		name := procSuffix.ReplaceAllString(fs[0], "")
		r := rowFor(t, c, name, analysis.MetricTime)
		wantOld, _ := strconv.ParseFloat(fs[1], 64)
		wantNew, _ := strconv.ParseFloat(fs[3], 64)
		if !close(r.Baseline.Median, wantOld, 1e-12) || !close(r.Current.Median, wantNew, 1e-12) {
			t.Errorf("%s medians: got %g, %g, want %g, %g", name, r.Baseline.Median, r.Current.Median, wantOld, wantNew)
		}
		wantP := strings.Fields(strings.TrimPrefix(fs[6], "p="))[0]
		if got := fmt.Sprintf("%.3f", r.P); got != wantP {
			t.Errorf("%s p: got %s, want %s", name, got, wantP)
		}
		if got, want := r.P < cfg.Alpha, fs[5] != "~"; got != want {
			t.Errorf("%s significant: got %v, want %v (benchstat %q)", name, got, want, fs[5])
		}
		checked++
	}
	if checked != 2 {
		t.Fatalf("checked %d rows of csvOldNew.stdout, want 2", checked)
	}
}

var ignoreLine = regexp.MustCompile(`^(\S+)\s+([0-9.]+)(\S*) ± \S+\s+([0-9.]+)(\S*) ± \S+\s+(~|[+-][0-9.]+%) \(p=([0-9.]+) n=\d+\)`)

// TestBenchstatCRC checks the crc pair (sec/op and B/s, where higher is
// better) against crcIgnore.stdout: medians to the 4 digits benchstat
// prints, p-values to 3 decimals and the ~ decisions, and the direction of
// the change.
func TestBenchstatCRC(t *testing.T) {
	cfg := analysis.DefaultConfig()
	c := compareFixtures(t, "gobench/benchstat-v2/crc-old.txt", "gobench/benchstat-v2/crc-new.txt", cfg)
	f, err := os.Open(testenv.Fixture(t, "expected/benchstat-v2/crcIgnore.stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	metric, factor := "", 1.0
	checked := map[string]int{}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "│") && strings.Contains(line, "sec/op"):
			metric, factor = analysis.MetricTime, 1
			continue
		case strings.Contains(line, "│") && strings.Contains(line, "B/s"):
			metric, factor = "MB/s", 1e6
			continue
		}
		m := ignoreLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := procSuffix.ReplaceAllString(m[1], "")
		r := rowFor(t, c, name, metric)
		for _, side := range []struct {
			got       float64
			num, unit string
		}{{r.Baseline.Median * factor, m[2], m[3]}, {r.Current.Median * factor, m[4], m[5]}} {
			want := parseSI(t, side.num, side.unit)
			digits := len(strings.ReplaceAll(side.num, ".", ""))
			if !close(side.got, want, 0.51*math.Pow(10, float64(1-digits))) {
				t.Errorf("%s %s median: got %g, want %s%s", name, metric, side.got, side.num, side.unit)
			}
		}
		if got := fmt.Sprintf("%.3f", r.P); got != m[7] {
			t.Errorf("%s %s p: got %s, want %s", name, metric, got, m[7])
		}
		if got, want := r.P < cfg.Alpha, m[6] != "~"; got != want {
			t.Errorf("%s %s significant: got %v, want %v", name, metric, got, want)
		}
		if m[6] != "~" {
			pct, _ := strconv.ParseFloat(strings.TrimSuffix(m[6], "%"), 64)
			// benchstat prints the change of the value; Change is "worse" positive.
			worse := pct > 0
			if metric == "MB/s" {
				worse = pct < 0
			}
			if r.Change != 0 && (r.Change > 0) != worse {
				t.Errorf("%s %s: Change %v has the wrong sign for benchstat %s", name, metric, r.Change, m[6])
			}
		}
		checked[metric]++
	}
	if checked[analysis.MetricTime] != 36 || checked["MB/s"] != 36 {
		t.Fatalf("checked %v rows, want 36 sec/op and 36 B/s", checked)
	}
}

// parseSI parses benchstat's scaled numbers: n, µ, m (decimal) and Ki, Mi,
// Gi (binary, used for B/s).
func parseSI(t *testing.T, num, unit string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", num, err)
	}
	mult := map[string]float64{"": 1, "n": 1e-9, "µ": 1e-6, "m": 1e-3, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
	f, ok := mult[unit]
	if !ok {
		t.Fatalf("unknown scale %q", unit)
	}
	return v * f
}

func close(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

const ionelmc = "pytest-benchmark/ionelmc-test_storage/"

func ionelFile(t *testing.T, prefix string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(testenv.Fixture(t, ionelmc), prefix+"_*.json"))
	if len(m) != 1 {
		t.Fatalf("fixture %s%s_*.json: found %d", ionelmc, prefix, len(m))
	}
	rel, _ := filepath.Rel(testenv.Fixtures(t), m[0])
	return rel
}

// TestPytestRulesIonelmc reproduces pytest-benchmark's own
// test_regression_checks strings on its storage fixtures.
func TestPytestRulesIonelmc(t *testing.T) {
	tests := []struct {
		base  string
		rules []string
		want  []string
	}{
		{"0001", []string{"stddev:5%"}, []string{"Field 'stddev' has failed PercentageRegressionCheck: 23.331641765 > 5.000000000"}},
		{"0001", []string{"max:0.000001"}, []string{"Field 'max' has failed DifferenceRegressionCheck: 0.000001843 > 0.000001000"}},
		{"0002", []string{"stddev:5%"}, []string{"Field 'stddev' has failed PercentageRegressionCheck: inf > 5.000000000"}},
		{"0002", []string{"max:0.000001"}, []string{"Field 'max' has failed DifferenceRegressionCheck: 0.000005551 > 0.000001000"}},
		{"0001", []string{"mean:1%"}, nil}, // mean changed -0.39%
	}
	for _, tt := range tests {
		t.Run(tt.base+"/"+strings.Join(tt.rules, ","), func(t *testing.T) {
			cfg := analysis.DefaultConfig()
			cfg.Rules = tt.rules
			c := compareFixtures(t, ionelFile(t, tt.base), ionelFile(t, "0030"), cfg)
			var got []string
			for _, r := range c.Rows {
				got = append(got, r.RuleFailures...)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rule failures:\ngot  %q\nwant %q", got, tt.want)
			}
			if c.Gate.Pass != (len(tt.want) == 0) {
				t.Errorf("gate pass = %v with failures %q", c.Gate.Pass, got)
			}
		})
	}
}

// TestPytestLagom: the real +10..+16% slowdown passes mean:50% (the
// project's own gate) and fails mean:10%.
func TestPytestLagom(t *testing.T) {
	base, cur := "pytest-benchmark/lagom/py38_at_9df7c79_baseline.json", "pytest-benchmark/lagom/py38_at_8462f07_baseline.json"
	for _, tt := range []struct {
		rule     string
		wantPass bool
	}{{"mean:50%", true}, {"mean:10%", false}, {"mean:5%", false}} {
		cfg := analysis.DefaultConfig()
		cfg.Rules = []string{tt.rule}
		c := compareFixtures(t, base, cur, cfg)
		if c.Gate.Pass != tt.wantPass {
			t.Errorf("%s: gate pass = %v, want %v (reasons %q)", tt.rule, c.Gate.Pass, tt.wantPass, c.Gate.Reasons)
		}
		if c.Summary.Compared+c.Summary.Inconclusive == 0 {
			t.Errorf("%s: nothing compared: %+v", tt.rule, c.Summary)
		}
	}
}

// TestPytestTubularFullname: the same name in several files must match on
// fullname, so every common benchmark is paired with itself and the +4
// added ones are new.
func TestPytestTubularFullname(t *testing.T) {
	c := compareFixtures(t, "pytest-benchmark/tubular/0001_baseline_at_1181888.json", "pytest-benchmark/tubular/0001_baseline_at_12e6c69.json", analysis.DefaultConfig())
	var paired, newRows int
	for _, r := range c.Rows {
		if r.Metric != analysis.MetricTime {
			continue
		}
		if !strings.Contains(r.ID, "::") {
			t.Errorf("id %q is not a fullname", r.ID)
		}
		switch r.Verdict {
		case analysis.New:
			newRows++
		case analysis.Missing:
			t.Errorf("%s missing", r.ID)
		default:
			paired++
		}
	}
	if paired != 44 || newRows != 4 {
		t.Errorf("paired %d new %d, want 44 and 4", paired, newRows)
	}
}

// TestPytestDisjoint: the pdfminer pair shares nothing; every row is new or
// missing and the gate fails with a reason instead of passing silently.
func TestPytestDisjoint(t *testing.T) {
	c := compareFixtures(t, "pytest-benchmark/pdfminer.six/0001_baseline.json", "pytest-benchmark/pdfminer.six/0002_after_all_optimizations.json", analysis.DefaultConfig())
	s := c.Summary
	if s.New != 7 || s.Missing != 9 || s.Compared != 0 {
		t.Errorf("summary %+v, want 7 new, 9 missing, 0 compared", s)
	}
	if c.Gate.Pass || len(c.Gate.Reasons) == 0 {
		t.Errorf("gate %+v, want a failure with a reason", c.Gate)
	}
}
