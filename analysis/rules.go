package analysis

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Rule is one pytest-benchmark --benchmark-compare-fail expression, with
// pytest-benchmark's exact semantics (utils.py parse_compare_fail and the
// RegressionCheck classes):
//
//   - "FIELD:N%" (PercentageRegressionCheck, N an integer of one or two
//     digits): value = current/baseline*100 - 100, +Inf when the baseline
//     field is 0; fails when value > N.
//   - "FIELD:X" (DifferenceRegressionCheck, X a float in the unit of the
//     samples, seconds): value = current - baseline; fails when value > X.
//
// FIELD is one of min, max, mean, median, stddev, iqr. Only increases fail,
// never speed-ups.
type Rule struct {
	Field      string
	Percentage bool
	Threshold  float64
	Text       string // as written
}

// ruleRE is pytest-benchmark's parse_compare_fail regular expression.
var ruleRE = regexp.MustCompile(`^(min|max|mean|median|stddev|iqr):(?:([0-9]?[0-9])%|([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?))$`)

// ParseRule parses one compare-fail expression.
func ParseRule(s string) (Rule, error) {
	m := ruleRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Rule{}, fmt.Errorf("rule %q: want FIELD:N%% (N of 0-99) or FIELD:SECONDS with FIELD one of min, max, mean, median, stddev, iqr", s)
	}
	r := Rule{Field: m[1], Text: s}
	if m[2] != "" {
		n, _ := strconv.Atoi(m[2])
		r.Percentage, r.Threshold = true, float64(n)
	} else {
		x, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return Rule{}, fmt.Errorf("rule %q: %w", s, err)
		}
		r.Threshold = x
	}
	return r, nil
}

// ParseRules parses a list of rules; an element may itself hold several
// rules separated by commas ("mean:20%,min:30%").
func ParseRules(list []string) ([]Rule, error) {
	var rules []Rule
	for _, item := range list {
		for _, s := range strings.Split(item, ",") {
			if strings.TrimSpace(s) == "" {
				continue
			}
			r, err := ParseRule(s)
			if err != nil {
				return nil, err
			}
			rules = append(rules, r)
		}
	}
	return rules, nil
}

// Value computes the rule's quantity from the baseline and current stats.
func (r Rule) Value(base, cur Stats) float64 {
	b, c := statField(base, r.Field), statField(cur, r.Field)
	if r.Percentage {
		if b == 0 {
			return math.Inf(1)
		}
		return c/b*100 - 100
	}
	return c - b
}

// Check returns pytest-benchmark's failure message, or "" when the rule holds:
// "Field 'stddev' has failed PercentageRegressionCheck: 23.331641765 > 5.000000000".
func (r Rule) Check(base, cur Stats) string {
	v := r.Value(base, cur)
	if !(v > r.Threshold) {
		return ""
	}
	class := "DifferenceRegressionCheck"
	if r.Percentage {
		class = "PercentageRegressionCheck"
	}
	return fmt.Sprintf("Field '%s' has failed %s: %s > %s", r.Field, class, pyFloat9(v), pyFloat9(r.Threshold))
}

// pyFloat9 formats like Python's "%.9f" (inf, -inf, nan spelled as Python does).
func pyFloat9(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case math.IsNaN(x):
		return "nan"
	}
	return strconv.FormatFloat(x, 'f', 9, 64)
}

func statField(s Stats, f string) float64 {
	switch f {
	case "min":
		return s.Min
	case "max":
		return s.Max
	case "mean":
		return s.Mean
	case "median":
		return s.Median
	case "stddev":
		return s.Stddev
	case "iqr":
		return s.IQR
	}
	return math.NaN()
}

// statsOf returns the producer's stats when present (pytest-benchmark files
// carry them), else the stats of the samples.
func statsOf(b *Benchmark) (Stats, bool) {
	if b.Stats != nil && b.Stats.N > 0 {
		return *b.Stats, true
	}
	if len(b.Samples) > 0 {
		return Describe(b.Samples, b.Unit), true
	}
	return Stats{}, false
}

// applyRules records failed rules on the time rows compared on both sides.
func applyRules(rows []Row, jobs []*rowJob, rules []Rule) {
	if len(rules) == 0 {
		return
	}
	for _, j := range jobs {
		r := &rows[j.row]
		if r.Metric != MetricTime || r.Verdict == Errored || j.bBench == nil || j.cBench == nil {
			continue
		}
		bs, ok1 := statsOf(j.bBench)
		cs, ok2 := statsOf(j.cBench)
		if !ok1 || !ok2 {
			continue
		}
		for _, rule := range rules {
			if msg := rule.Check(bs, cs); msg != "" {
				r.RuleFailures = append(r.RuleFailures, msg)
			}
		}
	}
}
