package comment

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

//go:embed assets/dashboard.tmpl assets/dashboard.css assets/errors.js assets/dashboard.js
var assets embed.FS

var (
	dashboardTmpl = template.Must(template.ParseFS(assets, "assets/dashboard.tmpl"))
	dashboardCSS  = mustAsset("assets/dashboard.css")
	errorsJS      = mustAsset("assets/errors.js")
	dashboardJS   = mustAsset("assets/dashboard.js")
	// dashboardCSP forbids every request: no default source, scripts only
	// when their SHA-256 matches one of the two inline scripts, inline styles,
	// data: images; no base URL changes, form posts or framing.
	dashboardCSP = "default-src 'none'; script-src " + scriptHash(errorsJS) + " " + scriptHash(dashboardJS) +
		"; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return string(b)
}

// scriptHash is the CSP source expression 'sha256-…' of an inline script.
func scriptHash(js string) string {
	sum := sha256.Sum256([]byte(js))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// DefaultMaxHTMLCharts is the number of per-benchmark sample charts the
// dashboard draws by default (most important rows first); every row stays in
// the summary table.
const DefaultMaxHTMLCharts = 1000

type htmlPage struct {
	CSP, Title, Headline, Status  string
	StatusWord                    string
	ErrorsJS, DashboardJS         template.JS
	CSS                           template.CSS
	Counts, GateReasons, Warnings []string
	GatePass, FirstRun            bool
	GateRule, Artifact            string
	CurrentRun, BaselineRun       string
	MachineDiffs, Notes, Verdicts []string
	Rows                          []htmlRow
	OmittedCharts                 int
	Trends, Scaling               []htmlChart
	Method, Generated, Schema     string
}

type htmlRow struct {
	Anchor, Name, Group, Verdict, VerdictText, Reason string
	Base, Cur, Change, CI, P, Q, N                    string
	BaseV, CurV, ChangeV, PV, QV                      string
	Chart                                             template.HTML
}

type htmlChart struct {
	Caption string
	SVG     template.HTML
}

// WriteHTML writes the self-contained dashboard of c to w: the verdict, a
// sortable and filterable summary table, a strip plot of baseline and current
// samples per benchmark (the MaxHTMLCharts most important rows, default
// DefaultMaxHTMLCharts), trends and scaling fits as inline SVG. The page loads
// nothing: its Content-Security-Policy forbids every request and allows only
// its own two inline scripts by hash. Names are escaped by html/template.
func WriteHTML(w io.Writer, c *analysis.Comparison, opt Options, maxCharts int) error {
	if maxCharts <= 0 {
		maxCharts = DefaultMaxHTMLCharts
	}
	// A strip plot draws every sample: at most DefaultMaxEmbeddedSamples
	// per side (with a note), or the page grows with the rounds.
	c = c.CapSamples(analysis.DefaultMaxEmbeddedSamples)
	m := newMDRenderer(c, opt)
	s := m.sum
	p := &htmlPage{
		CSP:         dashboardCSP,
		Title:       "xpcs-perf " + oneLine(m.category) + " — " + statusWord(c, opt),
		Headline:    stripSymbol(headline(c, opt)),
		Status:      status(c),
		StatusWord:  statusWord(c, opt),
		ErrorsJS:    template.JS(errorsJS),
		DashboardJS: template.JS(dashboardJS),
		CSS:         template.CSS(dashboardCSS),
		GatePass:    c.Gate.Pass,
		GateRule:    c.Gate.Rule,
		FirstRun:    c.Baseline == nil,
		Artifact:    opt.artifact(c),
		CurrentRun:  runText(&c.Current),
		Warnings:    c.Warnings,
		Notes:       c.Notes,
		Generated:   reportTime(c, opt).UTC().Format(time.RFC3339),
		Schema:      ReportSchema,
	}
	for _, r := range c.Gate.Reasons {
		p.GateReasons = append(p.GateReasons, oneLine(r))
	}
	for _, d := range c.MachineDiffs {
		p.MachineDiffs = append(p.MachineDiffs, oneLine(d))
	}
	p.Counts = []string{
		fmt.Sprintf("%d benchmarks", s.Benchmarks), fmt.Sprintf("%d compared", s.Compared),
		fmt.Sprintf("%d critical", s.Critical), fmt.Sprintf("%d major", s.Major), fmt.Sprintf("%d minor", s.Minor),
		fmt.Sprintf("%d improved", s.Improvements), fmt.Sprintf("%d unchanged", s.Unchanged),
		fmt.Sprintf("%d inconclusive", s.Inconclusive), fmt.Sprintf("%d new", s.New),
		fmt.Sprintf("%d missing", s.Missing), fmt.Sprintf("%d errored", s.Errored),
	}
	if c.Baseline != nil {
		p.BaselineRun = runText(c.Baseline)
	} else {
		p.BaselineRun = "none (" + oneLine(opt.noBaseline()) + ")"
	}
	p.Method = m.methodText(oneLine)

	rows := sortedRows(c)
	verdicts := map[string]bool{}
	for i, r := range rows {
		verdicts[string(r.Verdict)] = true
		name := oneLine(qualifiedName(r))
		hr := htmlRow{
			Anchor: "b" + strconv.Itoa(i), Name: name, Group: oneLine(groupName(r)),
			Verdict: string(r.Verdict), VerdictText: stripSymbol(severityBadge(r)), Reason: oneLine(r.Reason),
			Base: median(r.Baseline, r.Unit), Cur: median(r.Current, r.Unit),
			Change: changeText(r), CI: ciText(r), P: "–", Q: "–", N: nText(r),
			BaseV: sideValue(r.Baseline), CurV: sideValue(r.Current),
		}
		if m.gateFail[r] {
			hr.VerdictText += " (fails gate)"
		}
		if r.Baseline != nil && r.Current != nil {
			hr.P, hr.Q = FormatP(r.P), FormatP(r.Q)
			hr.PV, hr.QV = strconv.FormatFloat(r.P, 'g', 6, 64), strconv.FormatFloat(r.Q, 'g', 6, 64)
			hr.ChangeV = strconv.FormatFloat(r.Change, 'g', 6, 64)
		}
		if i < maxCharts {
			hr.Chart = stripSVG(r, name)
		} else {
			p.OmittedCharts++
		}
		p.Rows = append(p.Rows, hr)
	}
	for _, v := range []analysis.Verdict{analysis.Regression, analysis.Errored, analysis.Improvement, analysis.Inconclusive, analysis.Missing, analysis.New, analysis.Unchanged} {
		if verdicts[string(v)] {
			p.Verdicts = append(p.Verdicts, string(v))
		}
	}
	trends := capTrends(c.Trends, opt.maxTrendPoints())
	for i := range trends {
		t := &trends[i]
		runs := fmt.Sprintf("%d runs", len(c.Trends[i].Points))
		if len(t.Points) < len(c.Trends[i].Points) {
			runs += fmt.Sprintf(", newest %d shown", len(t.Points))
		}
		p.Trends = append(p.Trends, htmlChart{
			Caption: fmt.Sprintf("%s — slope %s/day (95%% CI %s/day … %s/day), %s", oneLine(t.ID), signedPercent(t.RelSlopeDay),
				FormatValue(t.SlopeCILow, t.Unit), FormatValue(t.SlopeCIHigh, t.Unit), runs),
			SVG: trendSVG(t),
		})
	}
	for i := range c.Scaling {
		sc := &c.Scaling[i]
		p.Scaling = append(p.Scaling, htmlChart{
			Caption: fmt.Sprintf("%s — best fit %s, exponent %s (95%% CI %s … %s)", oneLine(sc.Family), oneLine(sc.Best),
				trimFloat3(sc.Exponent), trimFloat3(sc.ExpCILow), trimFloat3(sc.ExpCIHi)),
			SVG: scalingSVG(sc),
		})
	}
	if err := dashboardTmpl.Execute(w, p); err != nil {
		return fmt.Errorf("render HTML dashboard: %w", err)
	}
	return nil
}

// stripSymbol drops the leading emoji and space of a Markdown badge or
// headline: the dashboard shows status with colour and words, and emoji fonts
// are not available everywhere (no web fonts may be loaded).
func stripSymbol(s string) string {
	if _, rest, ok := strings.Cut(s, " "); ok && len(s) > 0 && s[0] >= 0x80 {
		return rest
	}
	return s
}

// status is the report status: "fail", "first-run" or "pass".
func status(c *analysis.Comparison) string {
	switch {
	case !c.Gate.Pass:
		return "fail"
	case c.Baseline == nil:
		return "first-run"
	}
	return "pass"
}

func statusWord(c *analysis.Comparison, opt Options) string {
	switch {
	case !c.Gate.Pass:
		return "failed"
	case c.Baseline == nil:
		return oneLine(opt.noBaseline())
	}
	return "passed"
}

// runText describes one side: commit, branch, event, time, run URL, machine.
func runText(ri *analysis.RunInfo) string {
	var parts []string
	r := ri.Run
	if r.Commit != "" {
		parts = append(parts, "commit "+oneLine(r.Commit))
	}
	if r.Branch != "" {
		parts = append(parts, "branch "+oneLine(r.Branch))
	}
	if r.Event != "" {
		parts = append(parts, "event "+oneLine(r.Event))
	}
	if t := baselineTime(ri); !t.IsZero() {
		parts = append(parts, t.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if r.RunURL != "" {
		parts = append(parts, "run "+oneLine(r.RunURL))
	}
	if ri.Artifact != "" {
		parts = append(parts, "artifact "+oneLine(ri.Artifact))
	}
	if mc := ri.Machine.CPUModel; mc != "" {
		parts = append(parts, fmt.Sprintf("%s, %d cores", oneLine(mc), ri.Machine.Cores))
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, " · ")
}

func sideValue(s *analysis.SampleSummary) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(s.Median, 'g', 8, 64)
}

func nText(r *analysis.Row) string {
	var ns []string
	for _, s := range []*analysis.SampleSummary{r.Baseline, r.Current} {
		if s != nil {
			ns = append(ns, strconv.Itoa(s.N))
		}
	}
	if len(ns) == 0 {
		return "–"
	}
	return strings.Join(ns, " / ")
}
