package comment

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// JUnit XML (the de-facto schema of Ant/Maven Surefire, as read by GitHub
// test reporters, Jenkins, GitLab and junitparser): <testsuites> holding one
// <testsuite> per category and one <testcase> per comparison row.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	time       float64
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element text written as CDATA, so the multi-line statistics
// stay readable in the file (encoding/xml splits any "]]>" it contains, but
// writes invalid UTF-8 and control characters verbatim: every text goes
// through xmlText in junitDoc's sanitize).
type junitText struct {
	Text string `xml:",cdata"`
}

func cdata(s string) *junitText { return &junitText{Text: s} }

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// WriteJUnit writes c as JUnit XML: a testsuite per category (Row.Category,
// else the report's category), a testcase per row, named after the benchmark
// (with its params and, for secondary metrics, the metric) and classed
// "category.group". A testcase's time is the current median in seconds for
// time metrics (0 otherwise). Regressions that fail the gate are <failure>
// with the numbers in the message; inconclusive and missing rows are
// <skipped>; errored rows are <error>. Every other row passes, with its
// verdict and statistics in <system-out>.
func WriteJUnit(w io.Writer, c *analysis.Comparison, opt Options) error {
	doc := junitDoc(c, opt)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	return nil
}

func junitDoc(c *analysis.Comparison, opt Options) *junitSuites {
	cat := categoryOf(c, opt)
	fails := gateFailures(c)
	suites := map[string]*junitSuite{}
	var order []string
	rows := sortedRows(c)
	// Within a suite keep a stable, readable order: by ID then metric.
	slices.SortStableFunc(rows, func(a, b *analysis.Row) int {
		if x := strings.Compare(a.ID, b.ID); x != 0 {
			return x
		}
		return strings.Compare(a.Metric, b.Metric)
	})
	ts := ""
	if t := reportTime(c, opt); !opt.Now.IsZero() || !c.Current.Run.Started.IsZero() || !c.Current.Run.Finished.IsZero() {
		ts = t.UTC().Format("2006-01-02T15:04:05")
	}
	for _, r := range rows {
		name := r.Category
		if name == "" || opt.Category != "" {
			name = cat
		}
		s, ok := suites[name]
		if !ok {
			s = &junitSuite{Name: oneLine(name), Timestamp: ts, Properties: junitProps(c, opt)}
			suites[name] = s
			order = append(order, name)
		}
		tc := junitCase{
			Name:      oneLine(displayName(r)),
			Classname: oneLine(name + "." + strings.ReplaceAll(groupName(r), ".", "_")),
			Time:      "0",
		}
		if k, f := kindOf(r.Unit); k == kindSeconds && r.Current != nil && (r.Metric == "" || r.Metric == "time") {
			sec := r.Current.Median * f
			tc.Time = strconv.FormatFloat(sec, 'f', 9, 64)
			s.time += sec
		}
		stats := rowStats(r)
		switch {
		case r.Verdict == analysis.Errored:
			tc.Error = &junitMessage{Type: "errored", Message: oneLine("errored: " + r.Reason), Text: stats}
			s.Errors++
		case r.Verdict == analysis.Regression && fails[r]:
			tc.Failure = &junitMessage{Type: "regression", Message: oneLine(regressionMessage(r)), Text: stats}
			s.Failures++
		case r.Verdict == analysis.Inconclusive || r.Verdict == analysis.Missing:
			msg := string(r.Verdict)
			if r.Reason != "" {
				msg += ": " + r.Reason
			}
			tc.Skipped = &junitMessage{Message: oneLine(msg)}
			tc.SystemOut = cdata(stats)
			s.Skipped++
		default:
			tc.SystemOut = cdata(stats)
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	doc := &junitSuites{Name: "xpcs-perf " + oneLine(cat)}
	total := 0.0
	slices.Sort(order)
	for _, name := range order {
		s := suites[name]
		s.Time = strconv.FormatFloat(s.time, 'f', 9, 64)
		total += s.time
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}
	doc.Time = strconv.FormatFloat(total, 'f', 9, 64)
	doc.sanitize()
	return doc
}

// sanitize passes every text of the document through xmlText, so names,
// units and reasons from benchmark output (Go bench text keeps raw bytes)
// can never make junit.xml ill-formed.
func (d *junitSuites) sanitize() {
	d.Name = xmlText(d.Name)
	for i := range d.Suites {
		s := &d.Suites[i]
		s.Name = xmlText(s.Name)
		for j := range s.Properties {
			p := &s.Properties[j]
			p.Name, p.Value = xmlText(p.Name), xmlText(p.Value)
		}
		for j := range s.Cases {
			c := &s.Cases[j]
			c.Name, c.Classname = xmlText(c.Name), xmlText(c.Classname)
			for _, m := range []*junitMessage{c.Failure, c.Error, c.Skipped} {
				if m != nil {
					m.Message, m.Type, m.Text = xmlText(m.Message), xmlText(m.Type), xmlText(m.Text)
				}
			}
			if c.SystemOut != nil {
				c.SystemOut.Text = xmlText(c.SystemOut.Text)
			}
		}
	}
}

// junitProps are the suite properties: gate, baseline and current commits.
func junitProps(c *analysis.Comparison, opt Options) []junitProperty {
	gate := "pass"
	if !c.Gate.Pass {
		gate = "fail"
	}
	p := []junitProperty{{"gate", gate}}
	for i, r := range c.Gate.Reasons {
		p = append(p, junitProperty{"gate.reason." + strconv.Itoa(i+1), oneLine(r)})
	}
	if c.Current.Run.Commit != "" {
		p = append(p, junitProperty{"current.commit", oneLine(c.Current.Run.Commit)})
	}
	if c.Baseline == nil {
		p = append(p, junitProperty{"baseline", "none (" + oneLine(opt.noBaseline()) + ")"})
	} else {
		p = append(p, junitProperty{"baseline.commit", oneLine(c.Baseline.Run.Commit)},
			junitProperty{"baseline.branch", oneLine(c.Baseline.Run.Branch)})
	}
	return p
}

// regressionMessage is the one-line failure message with the numbers:
// "critical regression: 2.10 ms -> 4.50 ms (114.3% slower, ratio 2.143, 95% CI ×2.050 … ×2.240, p 0.001, q 0.004)".
func regressionMessage(r *analysis.Row) string {
	sev := string(r.Severity)
	if sev == "" {
		sev = "significant"
	}
	return fmt.Sprintf("%s regression: %s -> %s (%s, ratio %s, 95%% CI %s, p %s, q %s)",
		sev, median(r.Baseline, r.Unit), median(r.Current, r.Unit), changeText(r),
		trimFloat3(r.Ratio), ciText(r), FormatP(r.P), FormatP(r.Q))
}

// rowStats is the multi-line statistics text of a row for <system-out>.
func rowStats(r *analysis.Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\nverdict: %s", oneLine(r.ID), oneLine(string(r.Verdict)))
	if r.Severity != "" {
		fmt.Fprintf(&b, " (%s)", oneLine(string(r.Severity)))
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "\nreason: %s", oneLine(r.Reason))
	}
	side := func(name string, s *analysis.SampleSummary) {
		if s == nil {
			return
		}
		fmt.Fprintf(&b, "\n%s: median %s, mean %s, stddev %s, min %s, max %s, CV %s, n %d", name,
			FormatValue(s.Median, r.Unit), FormatValue(s.Mean, r.Unit), FormatValue(s.Stddev, r.Unit),
			FormatValue(s.Min, r.Unit), FormatValue(s.Max, r.Unit), FormatPercent(s.CV), s.N)
	}
	side("baseline", r.Baseline)
	side("current", r.Current)
	if r.Baseline != nil && r.Current != nil {
		fmt.Fprintf(&b, "\nchange: %s, ratio %s, 95%% CI %s, p %s, q %s, Welch t %s (p %s), Cohen's d %s, method %s",
			changeText(r), trimFloat3(r.Ratio), ciText(r), FormatP(r.P), FormatP(r.Q),
			trimFloat3(r.WelchT), FormatP(r.WelchP), trimFloat3(r.CohenD), oneLine(r.Method))
	}
	return b.String()
}
