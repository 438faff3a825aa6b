package comment

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestXMLText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain µs ✓ 😀", "plain µs ✓ 😀"},
		{"tab\tlf\ncr\r", "tab\tlf\ncr\r"},
		{"a\x80b", "a\uFFFDb"},
		{"a\xff\xfeb", "a\uFFFDb"},
		{"nul\x00 bel\x07 esc\x1b", "nul bel esc"},
		{"nonchar\uFFFE\uFFFF", "nonchar"},
		{"private\uE000 astral\U0010FFFF", "private\uE000 astral\U0010FFFF"},
	} {
		if got := xmlText(tc.in); got != tc.want {
			t.Errorf("xmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestJUnitRawBytes is the regression test of the FuzzPipeline crasher
// "Benchmark0 0 0 \x80": raw bytes and control characters in a unit, a
// name, a reason or a run field must leave junit.xml well-formed, with
// "]]>" kept as text.
func TestJUnitRawBytes(t *testing.T) {
	t.Parallel()
	side := &analysis.SampleSummary{N: 3, Median: 2, Mean: 2, Min: 1, Max: 3}
	c := &analysis.Comparison{
		Category: "cat\x80",
		Current:  analysis.RunInfo{Run: analysis.Run{Commit: "c\x01\xc3"}},
		Baseline: &analysis.RunInfo{Run: analysis.Run{Branch: "main\x1b]]>"}},
		Gate:     analysis.Gate{Pass: false, Reasons: []string{"reason \x00\xff"}},
		Rows: []analysis.Row{
			{ID: "x/g/a\x80", Name: "a\x80", Group: "g\x07", Metric: "m\x80", Unit: "\x80", Verdict: analysis.Unchanged,
				Method: "m]]>\x02", Baseline: side, Current: side},
			{ID: "x/g/b", Name: "b\uFFFE", Group: "g", Unit: "ns/op\x80", Verdict: analysis.Regression, Severity: analysis.Critical,
				GateFailed: true, Ratio: 2, Change: 1, Baseline: side, Current: &analysis.SampleSummary{N: 3, Median: 4}},
			{ID: "x/g/c", Name: "c", Group: "g", Unit: "s", Verdict: analysis.Errored, Reason: "panic: \x00\xfe ]]> boom"},
			{ID: "x/g/d", Name: "d", Group: "g", Unit: "B/op\x1f", Verdict: analysis.Inconclusive, Reason: "CV\x80", Baseline: side, Current: side},
		},
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, c, Options{}); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b.Bytes()) {
		t.Fatalf("junit.xml is not valid UTF-8:\n%q", b.String())
	}
	if i := strings.IndexFunc(b.String(), notXMLChar); i >= 0 {
		t.Fatalf("junit.xml has a character XML 1.0 forbids at byte %d:\n%q", i, b.String())
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("junit.xml is not well-formed: %v\n%s", err, b.String())
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
	for _, want := range []string{"method m]]>", "panic: \uFFFD\uFFFD ]]> boom", "reason: CV\uFFFD"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("junit.xml text lacks %q:\n%s", want, b.String())
		}
	}
}

// TestSummaryMentions: a group name shown in <details><summary> must not
// mention anybody (GitHub links @mentions in HTML blocks too).
func TestSummaryMentions(t *testing.T) {
	t.Parallel()
	side := &analysis.SampleSummary{N: 5, Median: 1, Min: 1, Max: 1}
	c := &analysis.Comparison{Category: "c", Baseline: &analysis.RunInfo{}, Gate: analysis.Gate{Pass: true}}
	for i, g := range []string{"@octocat", "@org/team <b>x</b>", "a@b"} {
		c.Rows = append(c.Rows, analysis.Row{ID: fmt.Sprintf("c/%s/n%d", g, i), Name: fmt.Sprintf("n%d @octocat", i), Group: g,
			Unit: "s", Verdict: analysis.Unchanged, Baseline: side, Current: side, Ratio: 1})
	}
	md := Markdown(c, Options{})
	if !strings.Contains(md, "<details><summary>@&#8203;octocat (1)</summary>") ||
		!strings.Contains(md, "<details><summary>@&#8203;org/team &lt;b&gt;x&lt;/b&gt; (1)</summary>") {
		t.Fatalf("group summaries missing or not escaped:\n%s", md)
	}
	for _, line := range strings.Split(md, "\n") {
		for _, bad := range []string{"@octocat", "@org/team", "@b"} {
			if strings.Contains(line, bad) {
				t.Errorf("a live mention %q in %q", bad, line)
			}
		}
	}
	if got, want := EscapeHTMLInMarkdown(`@x "<y>"`), "@&#8203;x &#34;&lt;y&gt;&#34;"; got != want {
		t.Errorf("EscapeHTMLInMarkdown = %q, want %q", got, want)
	}
}

func longTrend(n int) analysis.TrendInfo {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := analysis.TrendInfo{ID: "c/g/long", Unit: "s", Anomalies: []int{5, 799, 800, 950},
		ChangePoints: []analysis.ChangePoint{{Index: 800, Before: 1, After: 2}, {Index: 900, Before: 2, After: 3}}}
	for i := range n {
		tr.Points = append(tr.Points, analysis.TrendPoint{Time: t0.Add(time.Duration(i) * time.Hour), Value: float64(i)})
	}
	return tr
}

func TestCapTrends(t *testing.T) {
	t.Parallel()
	in := []analysis.TrendInfo{{ID: "short", Points: make([]analysis.TrendPoint, 3), Anomalies: []int{1}}, longTrend(1000)}
	got := capTrends(in, 200)
	if len(got) != 2 || len(got[0].Points) != 3 || !slices.Equal(got[0].Anomalies, []int{1}) {
		t.Fatalf("short trend changed: %+v", got[0])
	}
	long := got[1]
	if n := len(long.Points); n != 200 || long.Points[0].Value != 800 || long.Points[199].Value != 999 {
		t.Fatalf("kept %d points from %v to %v, want the newest 200 (800 … 999)", n, long.Points[0].Value, long.Points[n-1].Value)
	}
	if want := []int{0, 150}; !slices.Equal(long.Anomalies, want) {
		t.Errorf("anomalies = %v, want %v", long.Anomalies, want)
	}
	if len(long.ChangePoints) != 1 || long.ChangePoints[0].Index != 100 || long.ChangePoints[0].After != 3 {
		t.Errorf("change points = %+v, want one at index 100", long.ChangePoints)
	}
	if len(in[1].Points) != 1000 || in[1].Anomalies[3] != 950 || in[1].ChangePoints[0].Index != 800 {
		t.Error("capTrends modified its input")
	}
	if got := capTrends(in, -1); len(got[1].Points) != 1000 {
		t.Errorf("negative cap kept %d points, want all 1000", len(got[1].Points))
	}
}

// TestReportTrendCap: report.json and report.html carry at most
// Options.MaxTrendPoints points per trend (default DefaultMaxTrendPoints).
func TestReportTrendCap(t *testing.T) {
	t.Parallel()
	c := &analysis.Comparison{Category: "c", Gate: analysis.Gate{Pass: true}, Trends: []analysis.TrendInfo{longTrend(1000)}}
	for _, tc := range []struct {
		max, want int
	}{{0, DefaultMaxTrendPoints}, {50, 50}, {-1, 1000}} {
		var js bytes.Buffer
		if err := WriteJSON(&js, c, Options{MaxTrendPoints: tc.max}); err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(js.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if got := len(r.Trends[0].Points); got != tc.want {
			t.Errorf("MaxTrendPoints %d: report.json has %d points, want %d", tc.max, got, tc.want)
		}
		var h bytes.Buffer
		if err := WriteHTML(&h, c, Options{MaxTrendPoints: tc.max}, 0); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(h.String(), "<circle"); got < tc.want || got > tc.want+len(c.Trends[0].Anomalies) {
			t.Errorf("MaxTrendPoints %d: report.html draws %d circles, want %d points", tc.max, got, tc.want)
		}
		if caption := "1000 runs"; !strings.Contains(h.String(), caption) {
			t.Errorf("MaxTrendPoints %d: caption lacks %q", tc.max, caption)
		}
	}
}

// FuzzJUnit: any name, unit, group and reason give well-formed junit.xml.
func FuzzJUnit(f *testing.F) {
	f.Add("a", "ns/op", "g", "r")
	f.Add("a\x80", "\x80", "g\x00", "]]>\x01")
	f.Add("b\uFFFE", "s]]>", "@x", "\xff\xfe")
	f.Fuzz(func(t *testing.T, name, unit, group, reason string) {
		side := &analysis.SampleSummary{N: 2, Median: 1}
		c := &analysis.Comparison{Category: name, Baseline: &analysis.RunInfo{}, Rows: []analysis.Row{
			{ID: name, Name: name, Group: group, Unit: unit, Verdict: analysis.Inconclusive, Reason: reason, Method: reason, Baseline: side, Current: side},
			{ID: name + "2", Name: name, Group: group, Unit: unit, Verdict: analysis.Errored, Reason: reason},
		}}
		var b bytes.Buffer
		if err := WriteJUnit(&b, c, Options{}); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(&b)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("junit.xml is not well-formed: %v", err)
			}
		}
	})
}
