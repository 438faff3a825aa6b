package comment

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// The SVG charts are written by hand (not gonum/plot) because they must be
// small, inline, themable with CSS variables (light and dark mode) and free of
// fonts or external references. Every text node and attribute that carries
// data is escaped with EscapeHTML; coordinates are formatted numbers.

// svgNum formats a coordinate with one decimal.
func svgNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	return fmt.Sprintf("%.1f", v)
}

// linScale maps [lo, hi] to [a, b]; a degenerate domain maps to the middle.
type linScale struct{ lo, hi, a, b float64 }

func (s linScale) at(v float64) float64 {
	if s.hi <= s.lo {
		return (s.a + s.b) / 2
	}
	return s.a + (v-s.lo)/(s.hi-s.lo)*(s.b-s.a)
}

// padded widens [lo, hi] by 5% each side (or ±5% of |lo| when lo == hi).
func padded(lo, hi float64) (float64, float64) {
	d := hi - lo
	if d <= 0 {
		d = math.Abs(lo)
		if d == 0 {
			d = 1
		}
	}
	return lo - 0.05*d, hi + 0.05*d
}

// side returns the samples of one side, or the min/median/max it knows.
func side(s *analysis.SampleSummary) (samples []float64, ok bool) {
	if s == nil {
		return nil, false
	}
	if len(s.Samples) > 0 {
		v := slices.Clone(s.Samples)
		slices.Sort(v)
		return v, true
	}
	if s.N > 0 || s.Median != 0 {
		return nil, true
	}
	return nil, false
}

// stripSVG draws the baseline and current samples of r as two strip plots
// with their box (quartiles, type 7) and median on one shared axis.
func stripSVG(r *analysis.Row, title string) template.HTML {
	const w, h, left, right = 440.0, 104.0, 70.0, 430.0
	bs, bok := side(r.Baseline)
	cs, cok := side(r.Current)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range []struct {
		v  []float64
		s  *analysis.SampleSummary
		ok bool
	}{{bs, r.Baseline, bok}, {cs, r.Current, cok}} {
		if !x.ok {
			continue
		}
		if len(x.v) > 0 {
			lo, hi = math.Min(lo, x.v[0]), math.Max(hi, x.v[len(x.v)-1])
		} else {
			lo, hi = math.Min(lo, x.s.Min), math.Max(hi, x.s.Max)
		}
	}
	cls := "chart strip v-" + classToken(string(r.Verdict))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="%s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`,
		cls, w, h, w, h, EscapeHTML(title))
	fmt.Fprintf(&b, `<title>%s</title>`, EscapeHTML(title))
	if math.IsInf(lo, 0) {
		fmt.Fprintf(&b, `<text class="muted" x="%g" y="%g" text-anchor="middle">no samples: %s</text></svg>`, w/2, h/2, EscapeHTML(string(r.Verdict)))
		return template.HTML(b.String())
	}
	lo, hi = padded(lo, hi)
	x := linScale{lo, hi, left, right}
	lane := func(name, class string, y float64, v []float64, s *analysis.SampleSummary, ok bool) {
		fmt.Fprintf(&b, `<text class="lbl" x="4" y="%s">%s</text>`, svgNum(y+4), name)
		if !ok {
			fmt.Fprintf(&b, `<text class="muted" x="%s" y="%s">–</text>`, svgNum(left), svgNum(y+4))
			return
		}
		var q1, med, q3, mn, mx float64
		if len(v) > 0 {
			q1, med, q3 = analysis.Quantile(v, 0.25), analysis.Quantile(v, 0.5), analysis.Quantile(v, 0.75)
			mn, mx = v[0], v[len(v)-1]
		} else {
			q1, med, q3, mn, mx = s.Median, s.Median, s.Median, s.Min, s.Max
		}
		fmt.Fprintf(&b, `<line class="whisker %s" x1="%s" x2="%s" y1="%s" y2="%s"/>`, class, svgNum(x.at(mn)), svgNum(x.at(mx)), svgNum(y), svgNum(y))
		fmt.Fprintf(&b, `<rect class="box %s" x="%s" y="%s" width="%s" height="22"/>`, class, svgNum(x.at(q1)), svgNum(y-11), svgNum(math.Max(1, x.at(q3)-x.at(q1))))
		fmt.Fprintf(&b, `<line class="median %s" x1="%s" x2="%s" y1="%s" y2="%s"/>`, class, svgNum(x.at(med)), svgNum(x.at(med)), svgNum(y-13), svgNum(y+13))
		for i, s := range v {
			// Deterministic jitter (golden-ratio sequence) so points do not overlap.
			j := math.Mod(float64(i)*0.618033988749895, 1)*16 - 8
			fmt.Fprintf(&b, `<circle class="pt %s" cx="%s" cy="%s" r="2.5"/>`, class, svgNum(x.at(s)), svgNum(y+j))
		}
	}
	lane("baseline", "base", 28, bs, r.Baseline, bok)
	lane("current", "cur", 66, cs, r.Current, cok)
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="88" y2="88"/>`, left, right)
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="100">%s</text>`, left, EscapeHTML(FormatValue(lo, r.Unit)))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="100" text-anchor="end">%s</text>`, right, EscapeHTML(FormatValue(hi, r.Unit)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// trendSVG draws one benchmark's history: medians per run, anomalies as
// rings, change points as dashed vertical lines.
func trendSVG(t *analysis.TrendInfo) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 180.0, 70.0, 630.0, 12.0, 150.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart trend" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="trend of %s">`, w, h, w, h, EscapeHTML(t.ID))
	fmt.Fprintf(&b, `<title>trend of %s</title>`, EscapeHTML(t.ID))
	if len(t.Points) == 0 {
		b.WriteString(`<text class="muted" x="320" y="90" text-anchor="middle">no history</text></svg>`)
		return template.HTML(b.String())
	}
	t0, t1 := t.Points[0].Time, t.Points[len(t.Points)-1].Time
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range t.Points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		if p.Time.Before(t0) {
			t0 = p.Time
		}
		if p.Time.After(t1) {
			t1 = p.Time
		}
	}
	lo, hi = padded(lo, hi)
	xs := linScale{0, t1.Sub(t0).Seconds(), left, right}
	ys := linScale{lo, hi, bottom, top}
	px := func(i int) float64 { return xs.at(t.Points[i].Time.Sub(t0).Seconds()) }
	py := func(i int) float64 { return ys.at(t.Points[i].Value) }
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/><line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/>`,
		left, right, bottom, bottom, left, left, top, bottom)
	for _, cp := range t.ChangePoints {
		if cp.Index >= 0 && cp.Index < len(t.Points) {
			fmt.Fprintf(&b, `<line class="cp" x1="%s" x2="%s" y1="%g" y2="%g"><title>change point: %s → %s</title></line>`,
				svgNum(px(cp.Index)), svgNum(px(cp.Index)), top, bottom, EscapeHTML(FormatValue(cp.Before, t.Unit)), EscapeHTML(FormatValue(cp.After, t.Unit)))
		}
	}
	pts := make([]string, len(t.Points))
	for i := range t.Points {
		pts[i] = svgNum(px(i)) + "," + svgNum(py(i))
	}
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(pts, " "))
	anomaly := map[int]bool{}
	for _, a := range t.Anomalies {
		anomaly[a] = true
	}
	for i, p := range t.Points {
		cls := "pt cur"
		if anomaly[i] {
			cls = "pt anomaly"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="3"><title>%s %s: %s</title></circle>`, cls, svgNum(px(i)), svgNum(py(i)),
			p.Time.UTC().Format("2006-01-02"), EscapeHTML(p.Commit), EscapeHTML(FormatValue(p.Value, t.Unit)))
	}
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-4, top+8, EscapeHTML(FormatValue(hi, t.Unit)))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-4, bottom, EscapeHTML(FormatValue(lo, t.Unit)))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g">%s</text>`, left, bottom+18, t0.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, right, bottom+18, t1.UTC().Format("2006-01-02"))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ModelValue evaluates a fitted scaling model at size n:
// Coef*f(n) + Intercept with f = 1, ln n, n, n ln n, n² for "constant",
// "log", "linear", "nlogn", "quadratic", and Coef*n^Exponent (+ Intercept)
// for "power". It returns NaN for an unknown model name.
func ModelValue(m analysis.ScalingModel, n float64) float64 {
	var f float64
	switch m.Name {
	case "constant":
		f = 1
	case "log":
		f = math.Log(n)
	case "linear":
		f = n
	case "nlogn":
		f = n * math.Log(n)
	case "quadratic":
		f = n * n
	case "power":
		f = math.Pow(n, m.Exponent)
	default:
		return math.NaN()
	}
	return m.Coef*f + m.Intercept
}

// scalingSVG draws the measured (n, value) points on log-log axes with the
// best model as a solid curve and the other models dashed.
func scalingSVG(s *analysis.ScalingInfo) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 200.0, 70.0, 630.0, 12.0, 170.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart scaling" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="scaling of %s">`, w, h, w, h, EscapeHTML(s.Family))
	fmt.Fprintf(&b, `<title>scaling of %s</title>`, EscapeHTML(s.Family))
	var pts []analysis.ScalingPoint
	for _, p := range s.Points {
		if p.N > 0 && p.Value > 0 {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		b.WriteString(`<text class="muted" x="320" y="100" text-anchor="middle">no positive points</text></svg>`)
		return template.HTML(b.String())
	}
	nlo, nhi, vlo, vhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		nlo, nhi = math.Min(nlo, p.N), math.Max(nhi, p.N)
		vlo, vhi = math.Min(vlo, p.Value), math.Max(vhi, p.Value)
	}
	lnlo, lnhi := padded(math.Log10(nlo), math.Log10(nhi))
	lvlo, lvhi := padded(math.Log10(vlo), math.Log10(vhi))
	xs := linScale{lnlo, lnhi, left, right}
	ys := linScale{lvlo, lvhi, bottom, top}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/><line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/>`,
		left, right, bottom, bottom, left, left, top, bottom)
	models := slices.Clone(s.Models)
	slices.SortStableFunc(models, func(a, b analysis.ScalingModel) int { // best last, drawn on top
		return compareFloat(boolf(a.Name == s.Best), boolf(b.Name == s.Best))
	})
	for _, m := range models {
		var poly []string
		for i := range 41 {
			ln := math.Log10(nlo) + (math.Log10(nhi)-math.Log10(nlo))*float64(i)/40
			v := ModelValue(m, math.Pow(10, ln))
			if !(v > 0) || math.IsInf(v, 0) {
				continue
			}
			y := ys.at(math.Log10(v))
			if y < top-20 || y > bottom+20 {
				continue
			}
			poly = append(poly, svgNum(xs.at(ln))+","+svgNum(y))
		}
		cls := "model"
		if m.Name == s.Best {
			cls = "model best"
		}
		if len(poly) > 1 {
			fmt.Fprintf(&b, `<polyline class="%s" points="%s"><title>%s (AIC %s)</title></polyline>`, cls, strings.Join(poly, " "), EscapeHTML(m.Name), trimFloat3(m.AIC))
		}
	}
	for _, p := range pts {
		fmt.Fprintf(&b, `<circle class="pt cur" cx="%s" cy="%s" r="3.5"><title>n=%s: %s</title></circle>`, svgNum(xs.at(math.Log10(p.N))), svgNum(ys.at(math.Log10(p.Value))),
			sig3(p.N), EscapeHTML(FormatValue(p.Value, s.Unit)))
	}
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-4, top+8, EscapeHTML(FormatValue(vhi, s.Unit)))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-4, bottom, EscapeHTML(FormatValue(vlo, s.Unit)))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g">n = %s</text>`, left, bottom+18, sig3(nlo))
	fmt.Fprintf(&b, `<text class="tick" x="%g" y="%g" text-anchor="end">n = %s (log-log axes)</text>`, right, bottom+18, sig3(nhi))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// classToken keeps the ASCII letters, digits and '-' of s: a verdict read
// from a comparison file is not trusted to be one of ours inside a class
// attribute.
func classToken(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, s)
}
