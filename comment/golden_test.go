package comment

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenNow fixes the report time so ages and timestamps are stable.
var goldenNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

// cases are the comparisons every renderer is checked on: the hand-written
// testdata/*.cmp.json plus a generated 10,000-row comparison.
var cases = []string{"mixed", "allpass", "firstrun", "hostile", "large"}

var (
	largeOnce sync.Once
	large     *analysis.Comparison
)

func loadCase(t testing.TB, name string) *analysis.Comparison {
	t.Helper()
	if name == "large" {
		largeOnce.Do(func() { large = largeComparison(10000) })
		return large // shared: renderers do not modify their input
	}
	c, err := analysis.ReadComparisonFile(filepath.Join("testdata", name+".cmp.json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// largeComparison is a deterministic comparison of n rows: 2% critical, 3%
// major, 5% minor regressions, 10% improvements, 2% inconclusive, the rest
// unchanged, in 50 groups, with long-ish names.
func largeComparison(n int) *analysis.Comparison {
	c := &analysis.Comparison{
		Schema:   analysis.ComparisonSchema,
		Category: "scalability",
		Current:  analysis.RunInfo{Run: analysis.Run{Commit: "9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345", Branch: "pr", Finished: goldenNow}},
		Baseline: &analysis.RunInfo{Run: analysis.Run{Commit: "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678", Branch: "main", Finished: goldenNow.Add(-26 * time.Hour)}},
		Config:   analysis.Config{Threshold: 0.2, Alpha: 0.05, MinSamples: 4, Correction: "bh", DriftAllowance: 0.5, DriftWiden: 2},
		Gate:     analysis.Gate{Pass: false, Reasons: []string{"200 critical regressions (limit 0)"}},
	}
	for i := range n {
		base := 1e-4 * float64(1+i%97)
		r := analysis.Row{
			ID:       fmt.Sprintf("scalability/group%02d/kernel_%05d[size=s%d,workers=%d]", i%50, i, i%5, 1+i%8),
			Category: "scalability", Group: fmt.Sprintf("group%02d", i%50),
			Name: fmt.Sprintf("kernel_%05d", i), Params: map[string]string{"size": fmt.Sprintf("s%d", i%5), "workers": fmt.Sprint(1 + i%8)},
			Metric: "time", Unit: "s", Direction: analysis.LowerIsBetter, Verdict: analysis.Unchanged,
			Method: "mann-whitney-exact", P: 0.5, Q: 0.7,
		}
		ratio := 1 + 0.01*math.Sin(float64(i))
		switch p := i % 100; {
		case p < 2:
			r.Verdict, r.Severity, ratio, r.GateFailed = analysis.Regression, analysis.Critical, 2.0+float64(i%13)/10, true
		case p < 5:
			r.Verdict, r.Severity, ratio = analysis.Regression, analysis.Major, 1.5+float64(i%11)/25
		case p < 10:
			r.Verdict, r.Severity, ratio = analysis.Regression, analysis.Minor, 1.2+float64(i%7)/25
		case p < 20:
			r.Verdict, ratio = analysis.Improvement, 0.5+float64(i%9)/30
		case p < 22:
			r.Verdict, r.Reason = analysis.Inconclusive, "CV 41% above 30%"
		}
		if r.Verdict == analysis.Regression || r.Verdict == analysis.Improvement {
			r.P, r.Q = 0.0002, 0.001
		}
		r.Baseline = &analysis.SampleSummary{N: 10, Median: base, Mean: base, Stddev: base * 0.02, Min: base * 0.97, Max: base * 1.03, CV: 0.02}
		cur := base * ratio
		r.Current = &analysis.SampleSummary{N: 10, Median: cur, Mean: cur, Stddev: cur * 0.02, Min: cur * 0.97, Max: cur * 1.03, CV: 0.02}
		r.Ratio, r.Change, r.CILow, r.CIHigh = ratio, ratio-1, ratio*0.98, ratio*1.02
		c.Rows = append(c.Rows, r)
	}
	return c
}

// checkGolden compares got with testdata/golden/name, or rewrites it with
// -update. Outputs above 200 KiB are stored as a digest (size, SHA-256 and
// first lines) so the repository stays small; the test still fails on any
// change.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if len(got) > 200<<10 {
		path += ".digest"
		head := got[:min(len(got), 2000)]
		got = fmt.Appendf(nil, "size %d\nsha256 %x\nhead:\n%s\n", len(got), sha256.Sum256(got), head)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./comment -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff:\n%s\n(run go test ./comment -update and review the diff)", path, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first differing line of got and want.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "(same lines, different bytes)"
}

func TestGoldenMarkdown(t *testing.T) {
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			got := Markdown(c, Options{Now: goldenNow})
			if len(got) > DefaultMaxChars {
				t.Errorf("len = %d, want <= %d", len(got), DefaultMaxChars)
			}
			checkGolden(t, name+".md", []byte(got))
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, loadCase(t, name), Options{Now: goldenNow}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".json", b.Bytes())
		})
	}
}

func TestGoldenJUnit(t *testing.T) {
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJUnit(&b, loadCase(t, name), Options{Now: goldenNow}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".junit.xml", b.Bytes())
		})
	}
}

func TestGoldenHTML(t *testing.T) {
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteHTML(&b, loadCase(t, name), Options{Now: goldenNow}, 0); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".html", b.Bytes())
		})
	}
}
