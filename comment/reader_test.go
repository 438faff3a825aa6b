package comment

import (
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// TestFormatValueQualifiedUnits: time units with a qualifier (the runner's
// cpu-s/op) are times too (issue 13 item 12: "0.000676 cpu-s/op").
func TestFormatValueQualifiedUnits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v          float64
		unit, want string
	}{
		{0.000676, "cpu-s/op", "676 µs cpu"},
		{2.5, "cpu-s/op", "2.50 s cpu"},
		{1500, "user-ns/op", "1.50 µs user"},
		{65536, "B/op", "64.0 KiB"},
		{12, "allocs/op", "12.0 allocs/op"},
		{3, "x-y", "3.00 x-y"},
	} {
		if got := FormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("FormatValue(%g, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

// TestAgeText: the baseline's age reads as English ("just now", never
// "just now old").
func TestAgeText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{10 * time.Second, "just now"}, {-time.Minute, "in the future"}, {45 * time.Minute, "45 min old"}, {80 * time.Hour, "3 days old"}} {
		if got := ageText(tt.d); got != tt.want {
			t.Errorf("ageText(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestMethodFootnote: the footnote separates notes and names the test that
// was used (issue 13 item 12: notes ran together; Welch's test was called
// Mann-Whitney).
func TestMethodFootnote(t *testing.T) {
	t.Parallel()
	row := func(method string) analysis.Row {
		s := &analysis.SampleSummary{N: 10, Median: 1e-3}
		return analysis.Row{ID: "a", Unit: "s", Baseline: s, Current: s, Method: method, Verdict: analysis.Unchanged}
	}
	base := &analysis.RunInfo{}
	for _, tt := range []struct {
		name     string
		methods  []string
		want     []string
		dontWant []string
	}{
		{"mann-whitney", []string{analysis.MethodMannWhitneyExact}, []string{"Mann-Whitney U", "Hodges-Lehmann"}, []string{"Welch"}},
		{"welch only", []string{analysis.MethodSummaryOnly, analysis.MethodSummaryOnly}, []string{"Welch's t-test"}, []string{"Mann-Whitney", "bootstrap with"}},
		{"mixed", []string{analysis.MethodMannWhitneyNormal, analysis.MethodSummaryOnly}, []string{"Mann-Whitney U", "Welch's t-test on mean, stddev and n for 1 benchmark"}, nil},
	} {
		c := &analysis.Comparison{Baseline: base, Config: analysis.DefaultConfig(),
			Notes: []string{"memory/g/a is new", "baseline: no usable artifact"}}
		for _, m := range tt.methods {
			c.Rows = append(c.Rows, row(m))
		}
		got := newMDRenderer(c, Options{}).methodText(oneLine)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: footnote lacks %q:\n%s", tt.name, w, got)
			}
		}
		for _, w := range tt.dontWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: footnote names %q:\n%s", tt.name, w, got)
			}
		}
		if strings.Contains(got, "new baseline:") {
			t.Errorf("%s: notes run together:\n%s", tt.name, got)
		}
	}
}
