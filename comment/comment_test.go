package comment

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain_name", `plain\_name`},
		{"a|b", `a\|b`},
		{"<script>alert(1)</script>", `&lt;script&gt;alert\(1\)&lt;/script&gt;`},
		{"back`tick", "back\\`tick"},
		{"line\nbreak\r\nand\rcr", "line⏎break⏎and⏎cr"},
		{"tab\there", "tab here"},
		{"nul\x00x", "nul\uFFFDx"},
		{"@org/team", "@&#8203;org/team"},
		{"**bold** [l](u) #1 ~x~ !", `\*\*bold\*\* \[l\]\(u\) \#1 \~x\~ \!`},
		{`a\|b`, `a\\\|b`},
		{`"q" & 'a'`, `&quot;q&quot; &amp; 'a'`},
		{"µs ✓", "µs ✓"},
	} {
		if got := EscapeMarkdown(tc.in); got != tc.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeHTML(t *testing.T) {
	t.Parallel()
	got := EscapeHTML("<b x=\"1\">'&'\n</b>")
	want := "&lt;b x=&#34;1&#34;&gt;&#39;&amp;&#39;⏎&lt;/b&gt;"
	if got != want {
		t.Errorf("EscapeHTML = %q, want %q", got, want)
	}
}

func TestFormatValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{2.5e-7, "s", "250 ns"},
		{1.234e-5, "s", "12.3 µs"},
		{0.0123, "s", "12.3 ms"},
		{0.5, "s", "500 ms"},
		{2.5, "s", "2.50 s"},
		{125, "s", "125 s"},
		{1500, "ns/op", "1.50 µs"},
		{0, "s", "0 s"},
		{512, "B/op", "512 B"},
		{1536, "B/op", "1.50 KiB"},
		{5.3e7, "B", "50.5 MiB"},
		{3 << 30, "bytes", "3.00 GiB"},
		{1234.5, "MB/s", "1234 MB/s"},
		{0.00042, "allocs/op", "0.00042 allocs/op"},
		{42, "", "42.0"},
	} {
		if got := FormatValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("FormatValue(%g, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func TestFormatAgeAndPercent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{30 * time.Second, "just now"}, {45 * time.Minute, "45 min"}, {26 * time.Hour, "26 h"}, {80 * time.Hour, "3 days"}, {-time.Hour, "in the future"}} {
		if got := FormatAge(tc.d); got != tc.want {
			t.Errorf("FormatAge(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got, want := FormatPercent(0.253), "25.3%"; got != want {
		t.Errorf("FormatPercent = %q, want %q", got, want)
	}
	if got, want := FormatP(0.0004), "<0.001"; got != want {
		t.Errorf("FormatP = %q, want %q", got, want)
	}
	if got, want := thousands(65536), "65,536"; got != want {
		t.Errorf("thousands = %q, want %q", got, want)
	}
}

func TestMarker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"hdf5", "<!-- xpcs-perf:hdf5 -->"},
		{"a b-->c", "<!-- xpcs-perf:a_b--_c -->"},
	} {
		if got := Marker(tc.in); got != tc.want {
			t.Errorf("Marker(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// unescapedPipes counts the '|' of a Markdown table line not preceded by an
// odd number of backslashes.
func unescapedPipes(line string) int {
	n, bs := 0, 0
	for _, r := range line {
		switch r {
		case '\\':
			bs++
			continue
		case '|':
			if bs%2 == 0 {
				n++
			}
		}
		bs = 0
	}
	return n
}

// allowedTag matches the only HTML the Markdown may contain.
var allowedTag = regexp.MustCompile(`^(<details>|</details>|<summary>|</summary>|<sub>|</sub>|<!-- xpcs-perf:[A-Za-z0-9._-]+ -->)`)

func TestMarkdownStructure(t *testing.T) {
	t.Parallel()
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := loadCase(t, name)
			md := Markdown(c, Options{Now: goldenNow})
			lines := strings.Split(md, "\n")
			if !strings.HasPrefix(lines[0], "## ") || !strings.ContainsAny(lines[0], "✅❌🆕") {
				t.Errorf("first line %q is not a verdict heading", lines[0])
			}
			if want := Marker(categoryOf(c, Options{})); !strings.HasSuffix(md, want+"\n") {
				t.Errorf("body does not end with marker %q", want)
			}
			cols := 0
			for i, l := range lines {
				if !strings.HasPrefix(l, "|") {
					cols = 0
					continue
				}
				n := unescapedPipes(l)
				if cols == 0 {
					cols = n
				} else if n != cols {
					t.Errorf("line %d has %d cell separators, the table header %d: %q", i+1, n, cols, l)
				}
			}
			for i := 0; i < len(md); i++ {
				if md[i] != '<' {
					continue
				}
				if i+1 < len(md) && md[i+1] >= '0' && md[i+1] <= '9' { // "<0.001"
					continue
				}
				if !allowedTag.MatchString(md[i:]) {
					t.Errorf("unexpected HTML at byte %d: %q", i, md[i:min(len(md), i+40)])
				}
			}
		})
	}
}

func TestMarkdownOrderAndCounts(t *testing.T) {
	t.Parallel()
	md := Markdown(loadCase(t, "mixed"), Options{Now: goldenNow})
	first := strings.SplitN(md, "\n", 2)[0]
	for _, want := range []string{"❌", "failed", "3 regressions (1 critical, 1 major, 1 minor)", "2 improvements", "10 of 14 benchmarks judged"} {
		if !strings.Contains(first, want) {
			t.Errorf("first line %q lacks %q", first, want)
		}
	}
	crit, major, minor := strings.Index(md, "🔴 critical ⛔"), strings.Index(md, "🟠 major |"), strings.Index(md, "🟡 minor |")
	if !(crit > 0 && crit < major && major < minor) {
		t.Errorf("regressions not sorted by severity: critical at %d, major at %d, minor at %d", crit, major, minor)
	}
	for _, want := range []string{"Gate failed because", "3 days old", "different machine", "```mermaid\nxychart-beta", "<details><summary>multitau (2)</summary>", "Mann-Whitney", `\(B/op\)`} {
		if !strings.Contains(md, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if strings.Contains(md, "Shortened") {
		t.Error("a small comment says it was shortened")
	}
}

func TestMarkdownFirstRun(t *testing.T) {
	t.Parallel()
	md := Markdown(loadCase(t, "firstrun"), Options{Now: goldenNow})
	for _, want := range []string{"🆕", "first run, no baseline yet — 7 benchmarks measured", "upload-artifact", "xpcs-perf-memory", "Measured results", "| g2\\[size=small\\] | 3.08 ms | 2.95 ms … 3.15 ms | 2.1% | 10 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("first-run comment lacks %q", want)
		}
	}
	for _, bad := range []string{"### Regressions", "### Baseline", "Mann-Whitney"} {
		if strings.Contains(md, bad) {
			t.Errorf("first-run comment contains %q", bad)
		}
	}
}

func TestMarkdownSizeCap(t *testing.T) {
	t.Parallel()
	c := largeComparison(10000)
	full := Markdown(c, Options{MaxChars: -1})
	if len(full) <= DefaultMaxChars {
		t.Fatalf("uncapped comment is %d bytes; the test needs more than %d", len(full), DefaultMaxChars)
	}
	for _, limit := range []int{0, 8000, 2000, 300} {
		opt := Options{MaxChars: limit, Now: goldenNow}
		md := Markdown(c, opt)
		want := opt.maxChars()
		if len(md) > want {
			t.Errorf("MaxChars %d: len = %d, want <= %d", limit, len(md), want)
		}
		if !utf8.ValidString(md) {
			t.Errorf("MaxChars %d: invalid UTF-8", limit)
		}
		if !strings.HasSuffix(md, Marker("scalability")+"\n") {
			t.Errorf("MaxChars %d: marker lost", limit)
		}
		if !strings.HasPrefix(md, "## ❌ xpcs-perf scalability: failed") {
			t.Errorf("MaxChars %d: verdict line lost: %q", limit, md[:min(80, len(md))])
		}
		if limit >= 2000 && !strings.Contains(md, "Shortened to fit") {
			t.Errorf("MaxChars %d: no note about the shortening", limit)
		}
		if limit >= 8000 && !strings.Contains(md, "🔴 critical ⛔") {
			t.Errorf("MaxChars %d: the most severe regressions were dropped", limit)
		}
	}
	c.ReportURL = "https://example.org/run/1"
	if md := Markdown(c, Options{}); !strings.Contains(md, "[the full report](https://example.org/run/1)") {
		t.Error("shortened comment does not link ReportURL")
	}
}

func TestJSONReport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, status string }{{"mixed", "fail"}, {"allpass", "pass"}, {"firstrun", "first-run"}, {"hostile", "fail"}} {
		c := loadCase(t, tc.name)
		var b bytes.Buffer
		if err := WriteJSON(&b, c, Options{Now: goldenNow}); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%s: report is not JSON: %v", tc.name, err)
		}
		if got["schema"] != ReportSchema || got["status"] != tc.status {
			t.Errorf("%s: schema %v status %v, want %s %s", tc.name, got["schema"], got["status"], ReportSchema, tc.status)
		}
		rows, _ := got["rows"].([]any)
		if len(rows) != len(c.Rows) {
			t.Errorf("%s: %d rows, want %d", tc.name, len(rows), len(c.Rows))
		}
		for _, key := range []string{"gate", "summary", "config", "current", "baseline", "machine_diffs", "warnings", "notes", "trends", "scaling"} {
			if _, ok := got[key]; !ok {
				t.Errorf("%s: key %q missing", tc.name, key)
			}
		}
		if strings.Contains(b.String(), "<script") {
			t.Errorf("%s: raw <script in JSON", tc.name)
		}
	}
}

// TestJUnitCounts decodes the JUnit documents with encoding/xml and checks
// the counts against the comparison.
func TestJUnitCounts(t *testing.T) {
	t.Parallel()
	for _, name := range cases[:4] { // "large" is covered by its golden digest
		c := loadCase(t, name)
		var b bytes.Buffer
		if err := WriteJUnit(&b, c, Options{}); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("%s: JUnit is not well-formed XML: %v", name, err)
		}
		want := expectJUnit(c)
		if doc.Tests != want.tests || doc.Failures != want.failures || doc.Skipped != want.skipped || doc.Errors != want.errors {
			t.Errorf("%s: tests/failures/skipped/errors = %d/%d/%d/%d, want %d/%d/%d/%d", name,
				doc.Tests, doc.Failures, doc.Skipped, doc.Errors, want.tests, want.failures, want.skipped, want.errors)
		}
	}
}

type junitWant struct{ tests, failures, skipped, errors int }

// expectJUnit derives the JUnit counts from the comparison independently of
// the renderer's row loop.
func expectJUnit(c *analysis.Comparison) junitWant {
	var w junitWant
	marked := 0
	for _, r := range c.Rows {
		if r.GateFailed {
			marked++
		}
	}
	for _, r := range c.Rows {
		w.tests++
		switch r.Verdict {
		case analysis.Errored:
			w.errors++
		case analysis.Inconclusive, analysis.Missing:
			w.skipped++
		case analysis.Regression:
			if r.GateFailed || (marked == 0 && !c.Gate.Pass && c.Baseline != nil) {
				w.failures++
			}
		}
	}
	return w
}

var (
	scriptRE = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	cspRE    = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	attrURL  = regexp.MustCompile(`(?i)\s(?:src|href|action|xlink:href|srcset|poster|data)\s*=\s*"([^"]*)"`)
)

func TestHTMLInert(t *testing.T) {
	t.Parallel()
	for _, name := range cases[:4] {
		c := loadCase(t, name)
		var b bytes.Buffer
		if err := WriteHTML(&b, c, Options{Now: goldenNow}, 0); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		scripts := scriptRE.FindAllStringSubmatch(page, -1)
		if got := strings.Count(strings.ToLower(page), "<script"); got != 2 || len(scripts) != 2 {
			t.Fatalf("%s: %d <script tags (%d parsed), want exactly the 2 inline ones", name, got, len(scripts))
		}
		m := cspRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no Content-Security-Policy meta", name)
		}
		csp := html.UnescapeString(m[1])
		if !strings.HasPrefix(csp, "default-src 'none';") {
			t.Errorf("%s: CSP %q does not start with default-src 'none'", name, csp)
		}
		for _, s := range scripts {
			sum := sha256.Sum256([]byte(s[1]))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
				t.Errorf("%s: script hash %s not allowed by the CSP, the page would not work", name, h)
			}
		}
		for _, a := range attrURL.FindAllStringSubmatch(page, -1) {
			if !strings.HasPrefix(a[1], "#") {
				t.Errorf("%s: attribute %q points outside the page", name, a[0])
			}
		}
		for _, bad := range []string{"<img", "<b>", "<i>", "</details>", "<iframe", "javascript:alert(3)\"", " onerror=\"", "<link", "@import", "url("} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: page contains %q", name, bad)
			}
		}
		if got, want := strings.Count(page, `<svg class="chart strip`), len(c.Rows); got != want {
			t.Errorf("%s: %d sample charts, want one per row (%d)", name, got, want)
		}
	}
}

func TestHTMLChartCap(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteHTML(&b, largeComparison(300), Options{}, 50); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if got := strings.Count(page, `<svg class="chart strip`); got != 50 {
		t.Errorf("%d charts, want 50", got)
	}
	if got := strings.Count(page, "<tr class=\"v-"); got != 300 {
		t.Errorf("%d table rows, want 300", got)
	}
	if !strings.Contains(page, "Charts of the 250 least important rows are left out") {
		t.Error("no note on the left-out charts")
	}
}

func TestJUnitHostileCDATA(t *testing.T) {
	t.Parallel()
	c := &analysis.Comparison{
		Category: "x",
		Baseline: &analysis.RunInfo{},
		Gate:     analysis.Gate{Pass: true},
		Rows: []analysis.Row{{
			ID: "x/g/a]]><y>\x00", Name: "a]]><y>\x00", Group: "g", Metric: "time", Unit: "s",
			Verdict: analysis.Inconclusive, Reason: "]]>\x01\nreason", Method: "m]]>",
			Baseline: &analysis.SampleSummary{N: 2, Median: 1}, Current: &analysis.SampleSummary{N: 2, Median: 1},
		}},
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, c, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, b.String())
	}
	tc := doc.Suites[0].Cases[0]
	if got, want := tc.Name, "a]]><y>\uFFFD"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	if tc.Skipped == nil || tc.SystemOut == nil || !strings.Contains(tc.SystemOut.Text, "method m]]>") {
		t.Errorf("skipped %v, system-out %v: want a skip and the statistics with ]]> intact", tc.Skipped, tc.SystemOut)
	}
}

func TestEmptyComparison(t *testing.T) {
	t.Parallel()
	for _, c := range []*analysis.Comparison{
		{},
		{Baseline: &analysis.RunInfo{}, Gate: analysis.Gate{Pass: true}},
		{Trends: []analysis.TrendInfo{{ID: "x"}}, Scaling: []analysis.ScalingInfo{{Family: "f", Points: []analysis.ScalingPoint{{N: 0, Value: -1}}}}},
	} {
		md := Markdown(c, Options{})
		if !strings.HasPrefix(md, "## ") || !strings.HasSuffix(md, Marker("default")+"\n") {
			t.Errorf("empty comparison: %q", md)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, c, Options{}); err != nil {
			t.Error(err)
		}
		if err := WriteJUnit(&b, c, Options{}); err != nil {
			t.Error(err)
		}
		if err := WriteHTML(&b, c, Options{}, 0); err != nil {
			t.Error(err)
		}
	}
}

// FuzzEscapeMarkdown checks the escaping invariants on any input: one line,
// no raw '<' or '>', every '|' and '`' preceded by an odd number of backslashes.
func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range []string{"a|b", "<script>", "x\\|y", "``", "\n\r", "@me", "\\\\|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EscapeMarkdown(s)
		if strings.ContainsAny(got, "<>\n\r") {
			t.Fatalf("EscapeMarkdown(%q) = %q: raw <, > or line break", s, got)
		}
		bs := 0
		for _, r := range got {
			if (r == '|' || r == '`') && bs%2 == 0 {
				t.Fatalf("EscapeMarkdown(%q) = %q: unescaped %q", s, got, r)
			}
			if r == '\\' {
				bs++
			} else {
				bs = 0
			}
		}
	})
}

// TestFormatsTable: every format has a distinct name and file, and
// FormatNames lists them for messages.
func TestFormatsTable(t *testing.T) {
	t.Parallel()
	names, files := map[string]bool{}, map[string]bool{}
	for _, f := range Formats {
		if names[f.Name] || files[f.File] || f.Write == nil {
			t.Errorf("format %+v: duplicate name or file, or no renderer", f)
		}
		names[f.Name], files[f.File] = true, true
		if g, ok := FormatByName(f.Name); !ok || g.File != f.File {
			t.Errorf("FormatByName(%q) = %+v, %v", f.Name, g, ok)
		}
	}
	if got, want := FormatNames(), "md, json, junit or html"; got != want {
		t.Errorf("FormatNames() = %q, want %q", got, want)
	}
}
