package comment

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// DefaultMaxChars is GitHub's limit on the body of an issue or pull-request
// comment (65,536 characters).
const DefaultMaxChars = 65536

// Options tune the renderers. The zero value is ready to use.
type Options struct {
	// Category overrides Comparison.Category in titles, the marker and JUnit.
	Category string
	// MaxChars caps the Markdown body in bytes (which is never fewer than
	// GitHub's characters); 0 means DefaultMaxChars, negative means no cap.
	MaxChars int
	// Now is the time the report is made, used for the baseline's age. Zero
	// means the current run's end (or start) time, else the wall clock.
	Now time.Time
	// Artifact is the name of the artifact holding the full report, named when
	// the comment is shortened and ReportURL is empty. Default
	// "xpcs-perf-<category>" (the name the example workflow uploads).
	Artifact string
	// MaxTrendCharts is the number of Mermaid trend charts in the comment
	// (default 3); the HTML dashboard shows every trend.
	MaxTrendCharts int
	// MaxTrendPoints caps the points of each trend written into report.json
	// and report.html: the newest MaxTrendPoints are kept (anomaly and
	// change-point indices are shifted to match). 0 means
	// DefaultMaxTrendPoints, negative means every point. Slopes, change
	// points and anomalies are still those computed over the whole history.
	MaxTrendPoints int
	// NoBaseline says why a comparison without a baseline has none when it
	// is not a first run, e.g. "baseline expired"; the headline shows it in
	// place of "first run, no baseline yet".
	NoBaseline string
}

// DefaultMaxTrendPoints is the default Options.MaxTrendPoints: 200 runs per
// benchmark keeps report.json and report.html bounded (1,000 runs of 1,000
// benchmarks would otherwise embed a million points).
const DefaultMaxTrendPoints = 200

// noBaseline is why a comparison has no baseline: Options.NoBaseline, or
// "first run".
func (o Options) noBaseline() string {
	if o.NoBaseline != "" {
		return o.NoBaseline
	}
	return "first run"
}

func (o Options) maxTrendPoints() int {
	if o.MaxTrendPoints == 0 {
		return DefaultMaxTrendPoints
	}
	return o.MaxTrendPoints
}

// capTrends returns trends with at most n (newest) points each; n < 0 means
// no cap. Trends already within the cap are shared, the others are copied
// with Anomalies and ChangePoints re-indexed into the kept points (those
// before them are dropped; a change point needs its "before" point kept).
// The input is not modified.
func capTrends(trends []analysis.TrendInfo, n int) []analysis.TrendInfo {
	if n < 0 {
		return trends
	}
	var out []analysis.TrendInfo
	for i := range trends {
		t := trends[i]
		if len(t.Points) <= n {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = make([]analysis.TrendInfo, i, len(trends))
			copy(out, trends[:i])
		}
		cut := len(t.Points) - n
		t.Points = t.Points[cut:]
		var an []int
		for _, a := range t.Anomalies {
			if a >= cut {
				an = append(an, a-cut)
			}
		}
		t.Anomalies = an
		var cps []analysis.ChangePoint
		for _, cp := range t.ChangePoints {
			if cp.Index > cut {
				cp.Index -= cut
				cps = append(cps, cp)
			}
		}
		t.ChangePoints = cps
		out = append(out, t)
	}
	if out == nil {
		return trends
	}
	return out
}

func (o Options) maxChars() int {
	if o.MaxChars == 0 {
		return DefaultMaxChars
	}
	return o.MaxChars
}

func (o Options) artifact(c *analysis.Comparison) string {
	if o.Artifact != "" {
		return o.Artifact
	}
	return "xpcs-perf-" + categoryOf(c, o)
}

// Marker returns the hidden HTML comment that identifies the sticky comment of
// a category, "<!-- xpcs-perf:CATEGORY -->". The category is reduced to
// letters, digits and "._-" so it cannot end the comment early.
func Marker(category string) string {
	return "<!-- xpcs-perf:" + markerSafe.ReplaceAllString(category, "_") + " -->"
}

var markerSafe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// JobSummary returns the Markdown for GITHUB_STEP_SUMMARY: the same text as
// the pull-request comment (GitHub caps a step summary at 1 MiB, so the
// comment's cap is kept).
func JobSummary(c *analysis.Comparison, opt Options) string { return Markdown(c, opt) }

// Markdown renders c as the pull-request comment. The first line is the
// verdict; the body ends with Marker(category). When the full text is longer
// than opt.MaxChars, sections are shortened in this order until it fits: the
// per-group details become one line per group, the trend charts go, the
// details go, then the rows of the improvement, attention and regression
// tables are cut from the least important end; a note says what was left
// out and where the full report is.
func Markdown(c *analysis.Comparison, opt Options) string {
	m := newMDRenderer(c, opt)
	full := mdLevel{reg: -1, imp: -1, att: -1, details: 2, trends: true}
	limit := opt.maxChars()
	if limit >= 0 && minDetailLine*len(m.rest) > limit {
		full.details = 1 // the detail tables cannot fit: do not render them
	}
	out := m.render(full)
	if limit < 0 || len(out) <= limit {
		return out
	}
	lv := full
	for _, step := range []func(*mdLevel){
		func(l *mdLevel) { l.details = 1 },
		func(l *mdLevel) { l.trends = false },
		func(l *mdLevel) { l.details = 0 },
	} {
		step(&lv)
		if out = m.render(lv); len(out) <= limit {
			return out
		}
	}
	// Cut table rows, least important table first (improvements, then the
	// errored/inconclusive/new/missing rows, then regressions), keeping as
	// many rows as fit.
	for _, cut := range []struct {
		field *int
		n     int
	}{{&lv.imp, len(m.improvements)}, {&lv.att, len(m.attention)}, {&lv.reg, len(m.regressions)}} {
		best := -1
		lo, hi := 0, cut.n
		for lo <= hi {
			mid := (lo + hi) / 2
			*cut.field = mid
			if len(m.render(lv)) <= limit {
				best, lo = mid, mid+1
			} else {
				hi = mid - 1
			}
		}
		if best >= 0 {
			*cut.field = best
			return m.render(lv)
		}
		*cut.field = 0
	}
	// Even the bare verdict does not fit (a tiny cap or enormous gate
	// reasons): cut the text at a rune boundary and keep the marker.
	out = m.render(lv)
	tail := "\n\n… (truncated)\n\n" + Marker(m.category) + "\n"
	keep := max(limit-len(tail), 0)
	for keep > 0 && !utf8.RuneStart(out[keep]) {
		keep--
	}
	return out[:keep] + tail
}

// minDetailLine is a lower bound of the bytes of one row of a details table.
const minDetailLine = 30

// mdLevel is how much of each section a rendering shows: row limits (-1 =
// all), details 2 = full tables, 1 = one line per group, 0 = one line.
type mdLevel struct {
	reg, imp, att int
	details       int
	trends        bool
}

type mdRenderer struct {
	c            *analysis.Comparison
	opt          Options
	category     string
	sum          analysis.Summary
	gateFail     map[*analysis.Row]bool
	regressions  []*analysis.Row
	improvements []*analysis.Row
	attention    []*analysis.Row // errored, inconclusive, missing, new (when a baseline exists)
	rest         []*analysis.Row // unchanged (or everything measured, on a first run)
	// lines caches each row's table line: Markdown renders many times while
	// it searches for the largest text that fits. A row is in one table only.
	lines map[*analysis.Row]string
	// groups (sorted) and byGroup cache the grouping of rest.
	groups  []string
	byGroup map[string][]*analysis.Row
}

// line returns the cached table line of r, rendering it on first use.
func (m *mdRenderer) line(r *analysis.Row, render func() string) string {
	if l, ok := m.lines[r]; ok {
		return l
	}
	l := render()
	m.lines[r] = l
	return l
}

func newMDRenderer(c *analysis.Comparison, opt Options) *mdRenderer {
	rows := sortedRows(c)
	m := &mdRenderer{c: c, opt: opt, category: categoryOf(c, opt), sum: summaryOf(c), gateFail: gateFailures(c), lines: map[*analysis.Row]string{}}
	if c.Baseline == nil {
		m.attention = rowsWith(rows, analysis.Errored)
		m.rest = rowsWith(rows, analysis.New, analysis.Unchanged, analysis.Inconclusive, analysis.Regression, analysis.Improvement, analysis.Missing, analysis.Info)
		return m
	}
	m.regressions = rowsWith(rows, analysis.Regression)
	m.improvements = rowsWith(rows, analysis.Improvement)
	m.attention = rowsWith(rows, analysis.Errored, analysis.Inconclusive, analysis.Missing, analysis.New)
	m.rest = rowsWith(rows, analysis.Unchanged, analysis.Info)
	return m
}

func (m *mdRenderer) render(lv mdLevel) string {
	var b strings.Builder
	m.header(&b)
	var omitted []string
	note := func(n int, what string) {
		if n > 0 {
			omitted = append(omitted, fmt.Sprintf("%d %s", n, what))
		}
	}
	var body strings.Builder
	if m.c.Baseline == nil {
		m.firstRunIntro(&body)
	}
	if len(m.regressions) > 0 {
		body.WriteString("\n### Regressions\n\n")
		n := m.compareTable(&body, m.regressions, lv.reg, true)
		note(len(m.regressions)-n, "regressions")
	}
	if len(m.improvements) > 0 {
		body.WriteString("\n### Improvements\n\n")
		n := m.compareTable(&body, m.improvements, lv.imp, false)
		note(len(m.improvements)-n, "improvements")
	}
	if len(m.attention) > 0 {
		body.WriteString("\n### Needs attention\n\n")
		n := m.attentionTable(&body, m.attention, lv.att)
		note(len(m.attention)-n, "errored, inconclusive, new or missing rows")
	}
	if len(m.rest) > 0 {
		n := m.details(&body, lv.details)
		note(n, m.restWhat())
	}
	if lv.trends {
		m.trends(&body)
	} else if len(m.c.Trends) > 0 {
		note(min(len(m.c.Trends), m.maxTrendCharts()), "trend charts")
	}
	m.baseline(&body)
	m.method(&body)

	if len(omitted) > 0 {
		where := "the `" + EscapeMarkdown(m.opt.artifact(m.c)) + "` artifact of this run (report.html, report.json)"
		if u := safeURL(m.c.ReportURL); u != "" {
			where = "[the full report](" + u + ")"
		}
		fmt.Fprintf(&b, "\n> [!NOTE]\n> Shortened to fit GitHub's %s-character limit: %s not shown. See %s.\n",
			thousands(m.opt.maxChars()), strings.Join(omitted, ", "), where)
	}
	b.WriteString(body.String())
	b.WriteString("\n" + Marker(m.category) + "\n")
	return b.String()
}

func (m *mdRenderer) maxTrendCharts() int {
	if m.opt.MaxTrendCharts > 0 {
		return m.opt.MaxTrendCharts
	}
	return 3
}

func (m *mdRenderer) restWhat() string {
	if m.c.Baseline == nil {
		return "measured rows"
	}
	return "unchanged rows"
}

// title is the verdict line without the heading marks; esc escapes the
// category for the output format.
func (m *mdRenderer) title(esc func(string) string) string {
	s := m.sum
	cat := esc(m.category)
	switch {
	case m.c.Baseline == nil && m.c.Gate.Pass && m.opt.NoBaseline != "":
		return fmt.Sprintf("⚠️ xpcs-perf %s: %s, nothing compared — %d benchmarks measured", cat, esc(m.opt.NoBaseline), s.Benchmarks)
	case m.c.Baseline == nil && m.opt.NoBaseline != "":
		return fmt.Sprintf("❌ xpcs-perf %s: failed — %s, nothing compared — %d benchmarks measured", cat, esc(m.opt.NoBaseline), s.Benchmarks)
	case m.c.Baseline == nil && m.c.Gate.Pass:
		return fmt.Sprintf("🆕 xpcs-perf %s: first run, no baseline yet — %d benchmarks measured", cat, s.Benchmarks)
	case m.c.Baseline == nil:
		return fmt.Sprintf("❌ xpcs-perf %s: failed — first run, no baseline yet — %d benchmarks measured", cat, s.Benchmarks)
	case m.c.Gate.Verdict == analysis.GateError:
		return fmt.Sprintf("⛔ xpcs-perf %s: could not judge — %s", cat, m.counts())
	case m.c.Gate.Pass && s.InconclusivePast > 0:
		return fmt.Sprintf("⚠️ xpcs-perf %s: passed with warnings — %s", cat, m.counts())
	case m.c.Gate.Pass:
		return fmt.Sprintf("✅ xpcs-perf %s: passed — %s", cat, m.counts())
	}
	return fmt.Sprintf("❌ xpcs-perf %s: failed — %s", cat, m.counts())
}

// header writes the verdict line, the counts and the gate's reasons.
func (m *mdRenderer) header(b *strings.Builder) {
	s := m.sum
	b.WriteString("## " + m.title(EscapeMarkdown) + "\n")
	if m.c.Baseline != nil {
		fmt.Fprintf(b, "\n%s\n", m.countLine())
	} else if s.Errored > 0 {
		fmt.Fprintf(b, "\n💥 %d errored\n", s.Errored)
	}
	if past := m.pastThreshold(); len(past) > 0 {
		fmt.Fprintf(b, "\n**⚠️ %s with an estimated change past the %s threshold that the evidence could not confirm:**\n",
			plural(len(past), "inconclusive benchmark"), FormatPercent(m.c.Config.Threshold))
		for i, r := range past {
			if i == 5 {
				fmt.Fprintf(b, "- …and %d more (see the table below)\n", len(past)-5)
				break
			}
			fmt.Fprintf(b, "- ⚠️ %s: %s — %s\n", EscapeMarkdown(qualifiedName(r)), changeText(r), EscapeMarkdown(r.Reason))
		}
	}
	if len(m.c.Gate.Reasons) > 0 {
		if m.c.Gate.Pass {
			b.WriteString("\n**Gate notes:**\n")
		} else {
			b.WriteString("\n**Gate failed because:**\n")
		}
		for _, r := range m.c.Gate.Reasons {
			fmt.Fprintf(b, "- %s\n", EscapeMarkdown(r))
		}
	}
	if m.c.Gate.Rule != "" {
		fmt.Fprintf(b, "\n<sub>Gate rule: %s</sub>\n", EscapeMarkdown(m.c.Gate.Rule))
	}
	for _, w := range m.c.Warnings {
		fmt.Fprintf(b, "\n> [!WARNING]\n> %s\n", EscapeMarkdown(w))
	}
}

// pastThreshold lists the inconclusive benchmarks whose estimated change is
// past the threshold, largest change first: never hidden under "passed".
func (m *mdRenderer) pastThreshold() []*analysis.Row {
	var out []*analysis.Row
	for _, r := range sortedRows(m.c) {
		if r.Verdict == analysis.Inconclusive && r.PastThreshold && r.RoleOf() == analysis.RolePrimary {
			out = append(out, r)
		}
	}
	return out
}

// counts is the short count of the verdict line. Every count is of
// benchmarks.
func (m *mdRenderer) counts() string {
	s := m.sum
	parts := []string{plural(s.Regressions, "regression")}
	if s.Regressions > 0 {
		var sev []string
		for _, x := range []struct {
			n    int
			name string
		}{{s.Critical, "critical"}, {s.Major, "major"}, {s.Minor, "minor"}} {
			if x.n > 0 {
				sev = append(sev, fmt.Sprintf("%d %s", x.n, x.name))
			}
		}
		if len(sev) > 0 {
			parts[0] += " (" + strings.Join(sev, ", ") + ")"
		}
	}
	parts = append(parts, plural(s.Improvements, "improvement"))
	if s.InconclusivePast > 0 {
		parts = append(parts, fmt.Sprintf("⚠️ %d inconclusive past the threshold", s.InconclusivePast))
	}
	parts = append(parts, fmt.Sprintf("%d of %s judged", s.Compared, plural(s.Benchmarks, "benchmark")))
	return strings.Join(parts, ", ")
}

// countLine lists every count with its symbol.
func (m *mdRenderer) countLine() string {
	s := m.sum
	line := fmt.Sprintf("**%s** (%d judged) · 🔴 %d critical · 🟠 %d major · 🟡 %d minor · 🟢 %d improved · ⚪ %d unchanged · ❔ %d inconclusive · ✨ %d new · ➖ %d missing · 💥 %d errored",
		plural(s.Benchmarks, "benchmark"), s.Compared, s.Critical, s.Major, s.Minor, s.Improvements, s.Unchanged, s.Inconclusive, s.New, s.Missing, s.Errored)
	if s.MemoryRegressions+s.MemoryImprovements > 0 {
		line += fmt.Sprintf("\nMemory (B/op, allocs/op, peak RSS; judged apart): %d regressed · %d improved", s.MemoryRegressions, s.MemoryImprovements)
	}
	return line
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// severityBadge is the symbol and name of a row's verdict or severity.
func severityBadge(r *analysis.Row) string {
	switch r.Verdict {
	case analysis.Regression:
		switch r.Severity {
		case analysis.Critical:
			return "🔴 critical"
		case analysis.Major:
			return "🟠 major"
		case analysis.Minor:
			return "🟡 minor"
		}
		return "🟡 regression"
	case analysis.Improvement:
		return "🟢 improved"
	case analysis.Unchanged:
		return "⚪ unchanged"
	case analysis.Inconclusive:
		return "❔ inconclusive"
	case analysis.New:
		return "✨ new"
	case analysis.Missing:
		return "➖ missing"
	case analysis.Errored:
		return "💥 errored"
	case analysis.Info:
		return "ℹ️ shown"
	}
	return EscapeMarkdown(string(r.Verdict))
}

// compareTable writes up to limit rows (-1 = all) of a comparison table and
// returns how many it wrote.
func (m *mdRenderer) compareTable(b *strings.Builder, rows []*analysis.Row, limit int, sev bool) int {
	if limit < 0 || limit > len(rows) {
		limit = len(rows)
	}
	if limit == 0 {
		fmt.Fprintf(b, "_%d rows left out (see the note above)._\n", len(rows))
		return 0
	}
	last := "severity"
	if !sev {
		last = "verdict"
	}
	fmt.Fprintf(b, "| benchmark | baseline | current | change | 95%% CI of ratio | p (q) | %s |\n|---|--:|--:|--:|:-:|--:|---|\n", last)
	for _, r := range rows[:limit] {
		b.WriteString(m.line(r, func() string {
			badge := severityBadge(r)
			if m.gateFail[r] {
				badge += " ⛔"
			}
			return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |\n",
				EscapeMarkdown(qualifiedName(r)), median(r.Baseline, r.Unit), median(r.Current, r.Unit),
				changeText(r), ciText(r), pqText(r), badge)
		}))
	}
	if limit < len(rows) {
		fmt.Fprintf(b, "\n_…and %d more (see the note above)._\n", len(rows)-limit)
	}
	return limit
}

// attentionTable writes the rows that need a human: errored, inconclusive, new, missing.
func (m *mdRenderer) attentionTable(b *strings.Builder, rows []*analysis.Row, limit int) int {
	if limit < 0 || limit > len(rows) {
		limit = len(rows)
	}
	if limit == 0 {
		fmt.Fprintf(b, "_%d rows left out (see the note above)._\n", len(rows))
		return 0
	}
	b.WriteString("| benchmark | verdict | baseline | current | reason |\n|---|---|--:|--:|---|\n")
	for _, r := range rows[:limit] {
		b.WriteString(m.line(r, func() string {
			return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", EscapeMarkdown(qualifiedName(r)), severityBadge(r),
				median(r.Baseline, r.Unit), median(r.Current, r.Unit), EscapeMarkdown(r.Reason))
		}))
	}
	if limit < len(rows) {
		fmt.Fprintf(b, "\n_…and %d more (see the note above)._\n", len(rows)-limit)
	}
	return limit
}

// details writes the remaining rows grouped, one <details> per group, and
// returns how many rows it left out.
func (m *mdRenderer) details(b *strings.Builder, level int) int {
	if m.groups == nil {
		m.byGroup = map[string][]*analysis.Row{}
		for _, r := range m.rest {
			g := groupName(r)
			if _, ok := m.byGroup[g]; !ok {
				m.groups = append(m.groups, g)
			}
			m.byGroup[g] = append(m.byGroup[g], r)
		}
		slices.Sort(m.groups)
	}
	groups, byGroup := m.groups, m.byGroup
	title := "Unchanged"
	if m.c.Baseline == nil {
		title = "Measured results"
	}
	fmt.Fprintf(b, "\n### %s (%d in %s)\n\n", title, len(m.rest), plural(len(groups), "group"))
	switch level {
	case 0:
		b.WriteString("_Left out (see the note above)._\n")
		return len(m.rest)
	case 1:
		for _, g := range groups {
			fmt.Fprintf(b, "- %s: %d\n", EscapeMarkdown(g), len(byGroup[g]))
		}
		return len(m.rest)
	}
	for _, g := range groups {
		rows := byGroup[g]
		fmt.Fprintf(b, "<details><summary>%s (%d)</summary>\n\n", EscapeHTMLInMarkdown(g), len(rows))
		if m.c.Baseline == nil {
			b.WriteString("| benchmark | median | min … max | CV | n |\n|---|--:|--:|--:|--:|\n")
			for _, r := range rows {
				s := r.Current
				if s == nil {
					fmt.Fprintf(b, "| %s | – | – | – | 0 |\n", EscapeMarkdown(displayName(r)))
					continue
				}
				fmt.Fprintf(b, "| %s | %s | %s … %s | %s | %d |\n", EscapeMarkdown(displayName(r)),
					FormatValue(s.Median, r.Unit), FormatValue(s.Min, r.Unit), FormatValue(s.Max, r.Unit), FormatPercent(s.CV), s.N)
			}
		} else {
			b.WriteString("| benchmark | baseline | current | change | 95% CI of ratio | p (q) |\n|---|--:|--:|--:|:-:|--:|\n")
			for _, r := range rows {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", EscapeMarkdown(displayName(r)),
					median(r.Baseline, r.Unit), median(r.Current, r.Unit), changeText(r), ciText(r), pqText(r))
			}
		}
		b.WriteString("\n</details>\n")
	}
	return 0
}

// firstRunIntro explains the missing baseline and how it will appear.
func (m *mdRenderer) firstRunIntro(b *strings.Builder) {
	art := EscapeMarkdown(m.opt.artifact(m.c))
	fmt.Fprintf(b, "\nNo baseline was found for this category, so nothing was compared and no regression can fail this run. "+
		"The measured results are below.\n\n"+
		"**How the baseline appears:** when the workflow runs on a push to the default branch or on the nightly schedule, "+
		"`actions/upload-artifact` stores the report directory as the artifact `%s`. "+
		"The next pull request finds the newest such artifact of its base branch and compares against it.\n", art)
}

// trends writes Mermaid xychart-beta charts for the most relevant trends:
// those of regressed benchmarks first, then the steepest relative slopes.
func (m *mdRenderer) trends(b *strings.Builder) {
	if len(m.c.Trends) == 0 {
		return
	}
	regressed := map[string]bool{}
	for _, r := range m.regressions {
		regressed[r.ID] = true
	}
	ts := make([]*analysis.TrendInfo, 0, len(m.c.Trends))
	for i := range m.c.Trends {
		if len(m.c.Trends[i].Points) >= 2 {
			ts = append(ts, &m.c.Trends[i])
		}
	}
	if len(ts) == 0 {
		return
	}
	slices.SortStableFunc(ts, func(a, b *analysis.TrendInfo) int {
		if ra, rb := regressed[a.ID], regressed[b.ID]; ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		if c := -compareFloat(math.Abs(a.RelSlopeDay), math.Abs(b.RelSlopeDay)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ts = ts[:min(len(ts), m.maxTrendCharts())]
	fmt.Fprintf(b, "\n### Trends (median per run, last %d runs at most)\n", maxTrendPoints)
	for _, t := range ts {
		pts := t.Points
		if len(pts) > maxTrendPoints {
			pts = pts[len(pts)-maxTrendPoints:]
		}
		scale, unit := displayScale(pts[len(pts)-1].Value, t.Unit)
		labels := make([]string, len(pts))
		values := make([]string, len(pts))
		for i, p := range pts {
			labels[i] = strconv.Quote(p.Time.UTC().Format("01-02"))
			values[i] = strconv.FormatFloat(p.Value*scale, 'g', 4, 64)
		}
		fmt.Fprintf(b, "\n%s: slope %s/day (95%% CI %s/day … %s/day)",
			EscapeMarkdown(t.ID), signedPercent(t.RelSlopeDay), FormatValue(t.SlopeCILow, t.Unit), FormatValue(t.SlopeCIHigh, t.Unit))
		if len(t.ChangePoints) > 0 {
			fmt.Fprintf(b, ", %s", plural(len(t.ChangePoints), "change point"))
		}
		if len(t.Anomalies) > 0 {
			fmt.Fprintf(b, ", %s", plural(len(t.Anomalies), "anomaly"))
		}
		b.WriteString("\n\n```mermaid\nxychart-beta\n")
		fmt.Fprintf(b, "    title \"%s\"\n", mermaidLabel(t.ID, 60))
		fmt.Fprintf(b, "    x-axis [%s]\n", strings.Join(labels, ", "))
		fmt.Fprintf(b, "    y-axis \"%s\"\n", mermaidLabel(unit, 12))
		fmt.Fprintf(b, "    line [%s]\n```\n", strings.Join(values, ", "))
	}
}

const maxTrendPoints = 30

// displayScale picks the factor and unit label that show v (in unit) with
// 1 to 1000 leading digits for times (ns, µs, ms, s) and bytes (B ... GiB).
func displayScale(v float64, unit string) (float64, string) {
	kind, f := kindOf(unit)
	a := math.Abs(v * f)
	switch kind {
	case kindSeconds:
		switch {
		case a < 1e-6:
			return f * 1e9, "ns"
		case a < 1e-3:
			return f * 1e6, "µs"
		case a < 1:
			return f * 1e3, "ms"
		}
		return f, "s"
	case kindBytes:
		names := []string{"B", "KiB", "MiB", "GiB", "TiB"}
		i := 0
		for a >= 1024 && i < len(names)-1 {
			a /= 1024
			f /= 1024
			i++
		}
		return f, names[i]
	}
	return 1, unit
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// baseline writes the baseline used and the machine differences.
func (m *mdRenderer) baseline(b *strings.Builder) {
	bl := m.c.Baseline
	if bl == nil {
		return
	}
	b.WriteString("\n### Baseline\n\n")
	var parts []string
	if bl.Run.Commit != "" {
		parts = append(parts, "commit "+commitText(bl.Run.Commit, bl.Run.Repository))
	}
	if bl.Run.Branch != "" {
		parts = append(parts, "branch "+EscapeMarkdown(bl.Run.Branch))
	}
	if bl.Run.Event != "" {
		parts = append(parts, "event "+EscapeMarkdown(bl.Run.Event))
	}
	if u := safeURL(bl.Run.RunURL); u != "" {
		label := "run"
		if bl.Run.RunID != "" {
			label = "run " + EscapeMarkdown(bl.Run.RunID)
		}
		parts = append(parts, "["+label+"]("+u+")")
	}
	if t := baselineTime(bl); !t.IsZero() {
		parts = append(parts, fmt.Sprintf("measured %s (%s)", t.UTC().Format("2006-01-02 15:04 UTC"), ageText(reportTime(m.c, m.opt).Sub(t))))
	}
	if bl.Artifact != "" {
		parts = append(parts, "artifact "+EscapeMarkdown(bl.Artifact))
	}
	if len(parts) == 0 {
		parts = append(parts, "no details recorded")
	}
	fmt.Fprintf(b, "Compared with %s.\n", strings.Join(parts, ", "))
	if len(m.c.MachineDiffs) > 0 {
		b.WriteString("\n⚠️ **The baseline was measured on a different machine**; differences may come from the hardware:\n")
		for _, d := range m.c.MachineDiffs {
			fmt.Fprintf(b, "- %s\n", EscapeMarkdown(d))
		}
	}
}

// method writes the footnote on the statistics, with the settings in force.
func (m *mdRenderer) method(b *strings.Builder) {
	legend := ""
	if m.c.Baseline != nil {
		legend = " ⛔ = fails the gate."
	}
	b.WriteString("\n<sub>" + m.methodText(EscapeMarkdown) + legend + "</sub>\n")
}

// methodText explains the statistics with the settings in force; esc escapes
// the comparison's free-text notes for the output format.
func (m *mdRenderer) methodText(esc func(string) string) string {
	cf := m.c.Config
	var b strings.Builder
	if m.c.Baseline != nil {
		corr := "no multiple-comparison correction"
		if cf.Correction == "bh" || cf.Correction == "" {
			corr = "Benjamini-Hochberg across the suite (q)"
		}
		drift := "no run-to-run drift allowance (base and head measured side by side)"
		if cf.DriftAllowance > 0 || cf.DriftWiden > 0 {
			drift = fmt.Sprintf("a change inside the run-to-run drift of separate runs is not called a regression (a run inside the range of the base branch's run medians widened %s× about their median, when the history has at least %d runs; else within ±%s of the baseline)",
				trimFloat(cf.DriftWiden), analysis.MinDriftRuns, FormatPercent(cf.DriftAllowance))
		}
		// Name the test that was used: rows without raw samples (pytest
		// summaries) get Welch's t-test, several runs per side a t-test
		// over runs.
		ranks, welch, runs, paired := 0, 0, 0, 0
		for i := range m.c.Rows {
			switch m.c.Rows[i].Method {
			case analysis.MethodSummaryOnly:
				welch++
			case analysis.MethodMannWhitneyExact, analysis.MethodMannWhitneyNormal:
				ranks++
			case analysis.MethodRunsPaired, analysis.MethodRunsWelch:
				runs++
			case analysis.MethodWilcoxonSignedRank, analysis.MethodWilcoxonSignedRankNormal:
				paired++
			}
		}
		test, ci := "a two-sided Mann-Whitney U test", "Hodges-Lehmann shift of the log times with its distribution-free 95% CI (ratio of medians shown too)"
		switch {
		case paired > 0 && runs == 0 && ranks == 0 && welch == 0:
			test = "a Wilcoxon signed-rank test on the per-pair log ratios (base and head measured side by side, rounds interleaved)"
			ci = "Hodges-Lehmann estimate of the per-pair log ratios (median of the Walsh averages) with its distribution-free 95% CI"
		case runs > 0 && ranks == 0 && welch == 0:
			test, ci = "a t-test over runs (several runs per side: runs are the units)", "mean per-run log shift with its 95% t interval"
		case welch > 0 && ranks == 0 && runs == 0:
			test = "a two-sided Welch's t-test on mean, stddev and n (the raw samples were not saved)"
			ci = "ratio of the means with Welch's 95% interval"
		case welch > 0 || runs > 0 || paired > 0:
			var also []string
			if paired > 0 {
				also = append(also, fmt.Sprintf("a Wilcoxon signed-rank test on per-pair log ratios for %s measured side by side", plural(paired, "benchmark")))
			}
			if welch > 0 {
				also = append(also, fmt.Sprintf("Welch's t-test on mean, stddev and n for %s without raw samples", plural(welch, "benchmark")))
			}
			if runs > 0 {
				also = append(also, fmt.Sprintf("a t-test over runs for %s measured in several runs", plural(runs, "benchmark")))
			}
			test += " (" + strings.Join(also, "; ") + ")"
		}
		fmt.Fprintf(&b, "Method: each benchmark is judged once, on its time per operation (single-threaded ones on CPU time, parallel ones on wall time; MB/s and ops/s are shown, not judged; memory is judged apart). "+
			"Change = %s; a regression needs %s significant at α = %s after %s and a change of at least %s, whatever the spread; "+
			"unchanged needs the CI inside ±%s; the rest is inconclusive, with what would decide it; %s. "+
			"Fewer than %d samples give inconclusive. Severity: minor below 50%%, major 50–100%%, critical above 100%% worse.",
			ci, test, trimFloat(cf.Alpha), corr, FormatPercent(cf.Threshold), FormatPercent(cf.Threshold), drift, cf.MinSamples)
	} else {
		b.WriteString("Medians of the measured rounds; CV = standard deviation / mean.")
	}
	if len(m.c.Notes) > 0 {
		b.WriteString(" Notes:")
		for _, n := range m.c.Notes {
			b.WriteString(" " + sentence(esc(n)))
		}
	}
	return b.String()
}

// sentence ends s with a full stop unless it already ends a sentence, so
// that notes written one after the other stay apart.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?:;") {
		return s
	}
	return s + "."
}

// median formats the median of one side, "–" when the side is absent.
func median(s *analysis.SampleSummary, unit string) string {
	if s == nil || s.N == 0 && s.Median == 0 {
		return "–"
	}
	return FormatValue(s.Median, unit)
}

// changeText describes Change in words: "25.3% slower", "10.0% faster" for
// times, "worse"/"better" for other metrics.
func changeText(r *analysis.Row) string {
	if r.Baseline == nil || r.Current == nil || r.Ratio == 0 {
		return "–"
	}
	worse, better := "worse", "better"
	if k, _ := kindOf(r.Unit); k == kindSeconds {
		worse, better = "slower", "faster"
	}
	switch {
	case r.Change > 0:
		return FormatPercent(r.Change) + " " + worse
	case r.Change < 0:
		return FormatPercent(-r.Change) + " " + better
	}
	return "±0%"
}

// ciText is the bootstrap CI of the ratio, "×1.18 … ×1.33".
func ciText(r *analysis.Row) string {
	if r.CILow == 0 && r.CIHigh == 0 {
		return "–"
	}
	return "×" + trimFloat3(r.CILow) + " … ×" + trimFloat3(r.CIHigh)
}

func pqText(r *analysis.Row) string {
	if r.Baseline == nil || r.Current == nil {
		return "–"
	}
	return FormatP(r.P) + " (" + FormatP(r.Q) + ")"
}

func trimFloat3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func signedPercent(f float64) string {
	if f > 0 {
		return "+" + FormatPercent(f)
	}
	return FormatPercent(f)
}

// thousands formats n with comma separators (65536 -> "65,536").
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

var hexCommit = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// commitText shows a commit as a 7-character code span, linked to GitHub when
// the repository is known; anything but a hex hash is escaped text.
func commitText(commit, repo string) string {
	if !hexCommit.MatchString(commit) {
		return EscapeMarkdown(commit)
	}
	short := "`" + commit[:7] + "`"
	if repoName.MatchString(repo) {
		return "[" + short + "](https://github.com/" + repo + "/commit/" + commit + ")"
	}
	return short
}

var urlSafe = regexp.MustCompile(`^https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$`)

// safeURL returns u when it is an https URL without characters that could
// end a Markdown link or an HTML attribute, else "".
func safeURL(u string) string {
	if !urlSafe.MatchString(u) || strings.ContainsAny(u, "()<>\"'` ") {
		return ""
	}
	return u
}
