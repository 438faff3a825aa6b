package analysis

import (
	"strings"
	"testing"
)

func TestParseGateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{"critical >", "expected operand"},
		{"critcal > 0", `unknown variable "critcal"`},
		{"critical", "alone is not a condition"},
		{"critical + 1 > 0", "operator + not allowed in an operand"},
		{"critical > 0 | major > 3", "not allowed in an operand"},
		{`critical > "a"`, "operand must be a variable or a number"},
		{"f(x)", "is not a condition"},
	}
	for _, tt := range tests {
		_, err := ParseGate(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.expr) {
			t.Errorf("ParseGate(%q) = %v, want an error naming the expression and %q", tt.expr, err, tt.want)
		}
	}
}

func TestEvalGate(t *testing.T) {
	t.Parallel()
	rows := []Row{
		{ID: "a", Verdict: Regression, Severity: Critical},
		{ID: "b", Verdict: Regression, Severity: Major},
		{ID: "c", Verdict: Unchanged}, {ID: "d", Verdict: Unchanged}, {ID: "e", Verdict: Unchanged},
		{ID: "f", Verdict: Unchanged}, {ID: "g", Verdict: Unchanged}, {ID: "h", Verdict: Unchanged},
		{ID: "i", Verdict: Errored},
	}
	tests := []struct {
		expr     string
		pass     bool
		reasons  string
		markedID string
	}{
		{DefaultGate, false, "fail-on: critical=1 > 0", "a"},
		{"major>3", true, "", ""},
		{"major >= 1 && regressed_pct > 20", false, "fail-on: major=1 >= 1|fail-on: regressed_pct=25 > 20", "ab"},
		{"errored > 0", false, "fail-on: errored=1 > 0", "i"},
		{"!(compared > 0)", true, "", ""},
		{"(minor > 0 || critical > 0) && compared == 8", false, "fail-on: critical=1 > 0|fail-on: compared=8 == 8", "a"},
	}
	for _, tt := range tests {
		c := &Comparison{Rows: append([]Row(nil), rows...)}
		c.Summary = summarize(c.Rows)
		g, err := EvalGate(c, tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if g.Pass != tt.pass || strings.Join(g.Reasons, "|") != tt.reasons {
			t.Errorf("%s: got pass=%v reasons %q, want %v %q", tt.expr, g.Pass, g.Reasons, tt.pass, tt.reasons)
		}
		var marked string
		for _, r := range c.Rows {
			if r.GateFailed {
				marked += r.ID
			}
		}
		if marked != tt.markedID {
			t.Errorf("%s: marked %q, want %q", tt.expr, marked, tt.markedID)
		}
	}
}

// TestGateLiterals: every number literal go/parser accepts means its Go
// value (regression: 0x10, 0b1, 0o7 used to evaluate as 0), and a literal
// beyond the float64 range is refused instead of becoming +Inf.
func TestGateLiterals(t *testing.T) {
	t.Parallel()
	vars := map[string]float64{"critical": 1}
	for _, tt := range []struct {
		lit  string
		fail bool // "critical > lit" with critical = 1
	}{
		{"0", true}, {"1e0", false}, {"1_0", false}, {"0x10", false}, {"0X1", false},
		{"0b1", false}, {"0o7", false}, {"017", false}, {"0x1p-2", true}, {".5", true},
		{"0.999", true}, {"1_000.5", false},
	} {
		expr := "critical > " + tt.lit
		g, err := ParseGate(expr)
		if err != nil {
			t.Errorf("ParseGate(%q): %v", expr, err)
			continue
		}
		if got, _, _ := g.Eval(vars); got != tt.fail {
			t.Errorf("%s with critical=1: got fail=%v, want %v", expr, got, tt.fail)
		}
	}
	for _, expr := range []string{"critical > 1e400", "critical > 0x1p2000"} {
		if _, err := ParseGate(expr); err == nil || !strings.Contains(err.Error(), "out of the float64 range") {
			t.Errorf("ParseGate(%q) = %v, want an out-of-range error", expr, err)
		}
	}
}
