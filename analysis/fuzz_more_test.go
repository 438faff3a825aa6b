package analysis

import (
	"math"
	"strings"
	"testing"
)

// Fuzz targets for the two user-written expression languages of the action
// inputs: `fail-on` (gate) and `compare-fail` (pytest-benchmark rules).
// Both come straight from a workflow file, so a typo or a hostile value must
// give an error naming the expression, never a panic.
//
//	go test -run '^$' -fuzz '^FuzzGate$' -fuzztime 2m ./analysis/
//	go test -run '^$' -fuzz '^FuzzRules$' -fuzztime 2m ./analysis/

// FuzzGate checks that ParseGate never panics, that every error names the
// expression, that an accepted expression re-parses from its String form to
// the same String, and that Eval is deterministic and only reports known
// variables as used.
func FuzzGate(f *testing.F) {
	for _, s := range []string{
		DefaultGate, "major>3", "major >= 1 && regressed_pct > 20", "!(compared > 0)",
		"(minor > 0 || critical > 0) && compared == 8", "errored != 0", "1 < 2",
		"critical >", "critcal > 0", "critical", "critical + 1 > 0", `critical > "a"`, "f(x)",
		"((((((((((critical>0))))))))))", "critical > 1e308 || major < -1e308", "critical > 0x10",
		"critical > NaN", "critical > 1_000", "a.b > 0", "critical > 0 // comment", "\x00",
		strings.Repeat("(", 200) + "critical>0" + strings.Repeat(")", 200),
		strings.Repeat("!", 300) + "(critical>0)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		g, err := ParseGate(src)
		if err != nil {
			if !strings.Contains(err.Error(), "gate expression") {
				t.Fatalf("ParseGate(%q) error %q does not say it is the gate expression", src, err)
			}
			return
		}
		again, err := ParseGate(g.String())
		if err != nil {
			t.Fatalf("ParseGate(%q) accepted, but its String %q does not re-parse: %v", src, g.String(), err)
		}
		if got, want := again.String(), g.String(); got != want {
			t.Fatalf("String round trip of %q: got %q, want %q", src, got, want)
		}
		for _, vars := range []map[string]float64{
			{}, // every variable missing: Eval must treat it as 0 or say so, not panic
			{"critical": 1, "major": 4, "minor": 2, "regressed": 7, "regressed_pct": 35, "compared": 20,
				"benchmarks": 22, "errored": 1, "new": 1, "missing": 0, "improvements": 3, "unchanged": 10,
				"inconclusive": 0, "rules_failed": 0},
			{"critical": math.NaN(), "major": math.Inf(1), "regressed_pct": math.Inf(-1)},
		} {
			fail1, reasons1, used1 := g.Eval(vars)
			fail2, reasons2, used2 := g.Eval(vars)
			if fail1 != fail2 || strings.Join(reasons1, "|") != strings.Join(reasons2, "|") ||
				strings.Join(used1, "|") != strings.Join(used2, "|") {
				t.Fatalf("Eval(%q) is not deterministic", src)
			}
			for _, u := range used1 {
				if _, ok := GateVars[u]; !ok {
					t.Fatalf("Eval(%q) reports unknown variable %q as used", src, u)
				}
			}
		}
	})
}

// FuzzRules checks that ParseRules never panics, that errors name the rule,
// that accepted rules have a known field and a finite non-negative
// threshold, re-parse from their Text, and that Check and Value never panic
// on odd statistics (zero, negative, NaN, Inf).
func FuzzRules(f *testing.F) {
	for _, s := range []string{
		"mean:20%", "min:5%", "max:0.000001", "iqr:1e-3", "stddev:.5", "mean:20%,min:30%", "median:0",
		"mean:100%", "ops:5%", "mean:-1", "mean", "", ",", "mean:NaN", "mean:Inf", "mean:1e400",
		"mean:+5", "mean:0x1p3", "MEAN:5%", " mean:5% ", "mean:5%%", "mean:05%", "mean::5", "mean:5%\nmax:1",
	} {
		f.Add(s)
	}
	fields := map[string]bool{"min": true, "max": true, "mean": true, "median": true, "stddev": true, "iqr": true}
	odd := []Stats{
		{},
		{N: 5, Min: 1, Max: 3, Mean: 2, Stddev: 0.5, Median: 2, Q1: 1.5, Q3: 2.5, IQR: 1},
		{N: 5, Min: -1, Max: math.Inf(1), Mean: math.NaN(), Stddev: math.Inf(1), Median: -0.0, IQR: math.NaN()},
	}
	f.Fuzz(func(t *testing.T, src string) {
		rules, err := ParseRules(strings.Split(src, "\n"))
		if err != nil {
			if !strings.Contains(err.Error(), "rule") {
				t.Fatalf("ParseRules(%q) error %q does not name the rule", src, err)
			}
			return
		}
		for _, r := range rules {
			if !fields[r.Field] {
				t.Fatalf("ParseRules(%q) accepted unknown field %q", src, r.Field)
			}
			if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) || r.Threshold < 0 {
				t.Fatalf("ParseRules(%q) accepted threshold %v", src, r.Threshold)
			}
			again, err := ParseRule(r.Text)
			if err != nil || again != r {
				t.Fatalf("rule %q does not re-parse from its Text: got %+v, %v; want %+v", src, again, err, r)
			}
			for _, b := range odd {
				for _, c := range odd {
					_ = r.Value(b, c)
					if msg := r.Check(b, c); msg != "" && !strings.Contains(msg, r.Field) {
						t.Fatalf("rule %q: failure message %q does not name the field", r.Text, msg)
					}
				}
			}
		}
	})
}
