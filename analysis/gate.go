package analysis

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"math"
	"sort"
	"strconv"
	"strings"
)

// DefaultGate is the default gate: fail on any critical regression, on
// more than 3 major ones, or when more than 30% of the judged benchmarks
// regressed. Every count is of benchmarks (their primary metric); memory
// verdicts have their own variables (mem_regressed), not in the default.
const DefaultGate = "critical>0 || major>3 || regressed_pct>30"

// GateVars are the names a gate expression may use, with their meaning.
var GateVars = map[string]string{
	"critical":          "benchmarks that regressed by more than +100% (critical)",
	"major":             "benchmarks that regressed by +50% to +100% (major)",
	"minor":             "benchmarks that regressed by the threshold to +50% (minor)",
	"regressed":         "benchmarks that regressed, any severity",
	"regressed_pct":     "regressed benchmarks as a percentage of the judged ones (0-100)",
	"improvements":      "benchmarks that improved",
	"unchanged":         "unchanged benchmarks",
	"inconclusive":      "inconclusive benchmarks (the evidence decided neither way)",
	"inconclusive_past": "inconclusive benchmarks whose estimated change is past the threshold",
	"new":               "benchmarks only in the current run",
	"missing":           "benchmarks only in the baseline",
	"errored":           "benchmarks that failed or had bad values",
	"compared":          "benchmarks judged: regression, improvement or unchanged (same as judged)",
	"judged":            "benchmarks judged: regression, improvement or unchanged",
	"benchmarks":        "benchmarks in total",
	"mem_regressed":     "benchmarks with a memory metric (B/op, allocs/op, peak RSS) that regressed",
	"mem_improved":      "benchmarks with a memory metric that improved and none that regressed",
	"rules_failed":      "benchmarks failing a pytest-benchmark rule",
}

// GateExpr is a parsed gate expression.
//
// Grammar (a subset of Go expression syntax, parsed by go/parser):
//
//	expr    = expr "||" expr | expr "&&" expr | "!" expr | "(" expr ")" | compare
//	compare = operand ( ">" | ">=" | "<" | "<=" | "==" | "!=" ) operand
//	operand = variable | number
//
// with the variables of GateVars, for example
// "critical>0 || major>3 || regressed_pct>30". The gate fails when the
// expression is true.
type GateExpr struct {
	src  string
	root ast.Expr
}

// ParseGate parses and checks a gate expression.
func ParseGate(src string) (*GateExpr, error) {
	e, err := parser.ParseExpr(src)
	if err != nil {
		return nil, fmt.Errorf("gate expression '%s': %w", src, err)
	}
	if err := checkGate(e, src); err != nil {
		return nil, fmt.Errorf("gate expression '%s': %w", src, err)
	}
	return &GateExpr{src: src, root: e}, nil
}

func checkGate(e ast.Expr, src string) error {
	switch n := e.(type) {
	case *ast.ParenExpr:
		return checkGate(n.X, src)
	case *ast.UnaryExpr:
		if n.Op != token.NOT {
			return fmt.Errorf("operator %s not allowed (use !, &&, ||, comparisons)", n.Op)
		}
		return checkGate(n.X, src)
	case *ast.BinaryExpr:
		switch n.Op {
		case token.LOR, token.LAND:
			if err := checkGate(n.X, src); err != nil {
				return err
			}
			return checkGate(n.Y, src)
		case token.GTR, token.GEQ, token.LSS, token.LEQ, token.EQL, token.NEQ:
			for _, o := range []ast.Expr{n.X, n.Y} {
				if err := checkOperand(o); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("operator %s not allowed (use !, &&, ||, >, >=, <, <=, ==, !=)", n.Op)
	case *ast.Ident:
		return fmt.Errorf("%q alone is not a condition: compare it, e.g. %s>0", n.Name, n.Name)
	}
	return fmt.Errorf("%q is not a condition", src[e.Pos()-1:e.End()-1])
}

func checkOperand(e ast.Expr) error {
	switch n := e.(type) {
	case *ast.ParenExpr:
		return checkOperand(n.X)
	case *ast.Ident:
		if _, ok := GateVars[n.Name]; !ok {
			names := make([]string, 0, len(GateVars))
			for k := range GateVars {
				names = append(names, k)
			}
			sort.Strings(names)
			return fmt.Errorf("unknown variable %q (known: %s)", n.Name, strings.Join(names, ", "))
		}
		return nil
	case *ast.BasicLit:
		if n.Kind == token.INT || n.Kind == token.FLOAT {
			_, err := literal(n)
			return err
		}
	case *ast.BinaryExpr:
		return fmt.Errorf("operator %s not allowed in an operand: an operand must be a variable or a number (combine comparisons with && and ||)", n.Op)
	}
	return fmt.Errorf("operand must be a variable or a number")
}

// String returns the expression as written.
func (g *GateExpr) String() string { return g.src }

// Eval evaluates the expression on vars. It returns whether the gate fails,
// the comparisons that made it fail ("critical=1 > 0") and the variables
// they used.
func (g *GateExpr) Eval(vars map[string]float64) (fail bool, reasons, used []string) {
	return g.eval(g.root, vars)
}

func (g *GateExpr) eval(e ast.Expr, vars map[string]float64) (bool, []string, []string) {
	switch n := e.(type) {
	case *ast.ParenExpr:
		return g.eval(n.X, vars)
	case *ast.UnaryExpr:
		v, _, _ := g.eval(n.X, vars)
		return !v, []string{g.text(n)}, nil
	case *ast.BinaryExpr:
		switch n.Op {
		case token.LOR:
			a, ra, ua := g.eval(n.X, vars)
			b, rb, ub := g.eval(n.Y, vars)
			var r, u []string
			if a {
				r, u = append(r, ra...), append(u, ua...)
			}
			if b {
				r, u = append(r, rb...), append(u, ub...)
			}
			return a || b, r, u
		case token.LAND:
			a, ra, ua := g.eval(n.X, vars)
			b, rb, ub := g.eval(n.Y, vars)
			return a && b, append(ra, rb...), append(ua, ub...)
		}
		x, xs, xu := operand(n.X, vars)
		y, ys, yu := operand(n.Y, vars)
		var v bool
		switch n.Op {
		case token.GTR:
			v = x > y
		case token.GEQ:
			v = x >= y
		case token.LSS:
			v = x < y
		case token.LEQ:
			v = x <= y
		case token.EQL:
			v = x == y
		case token.NEQ:
			v = x != y
		}
		return v, []string{fmt.Sprintf("%s %s %s", xs, n.Op, ys)}, append(xu, yu...)
	}
	return false, nil, nil
}

func operand(e ast.Expr, vars map[string]float64) (float64, string, []string) {
	switch n := e.(type) {
	case *ast.ParenExpr:
		return operand(n.X, vars)
	case *ast.Ident:
		v := vars[n.Name]
		return v, n.Name + "=" + strconv.FormatFloat(v, 'g', 4, 64), []string{n.Name}
	case *ast.BasicLit:
		v, _ := literal(n) // checked by ParseGate
		return v, n.Value, nil
	}
	return 0, "?", nil
}

// literal is the value of a Go number literal as go/parser accepts it:
// decimal, 0x/0b/0o integers, hexadecimal floats and digit separators
// (1_000). strconv.ParseFloat refuses several of these forms, so the value
// comes from go/constant, which implements the Go spec's literal syntax.
// A literal too large for a float64 is an error, not +Inf.
func literal(n *ast.BasicLit) (float64, error) {
	c := constant.MakeFromLiteral(n.Value, n.Kind, 0)
	if c.Kind() == constant.Unknown {
		return 0, fmt.Errorf("number %s is not a valid literal", n.Value)
	}
	v, _ := constant.Float64Val(constant.ToFloat(c))
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("number %s is out of the float64 range", n.Value)
	}
	return v, nil
}

func (g *GateExpr) text(e ast.Expr) string {
	lo, hi := int(e.Pos())-1, int(e.End())-1
	if lo < 0 || hi > len(g.src) || lo > hi {
		return g.src
	}
	return g.src[lo:hi]
}

// GateVarsOf returns the gate variables of a comparison summary.
func GateVarsOf(s Summary) map[string]float64 {
	pct := 0.0
	if s.Compared > 0 {
		pct = 100 * float64(s.Regressions) / float64(s.Compared)
	}
	return map[string]float64{
		"critical": float64(s.Critical), "major": float64(s.Major), "minor": float64(s.Minor),
		"regressed": float64(s.Regressions), "regressed_pct": pct,
		"improvements": float64(s.Improvements), "unchanged": float64(s.Unchanged),
		"inconclusive": float64(s.Inconclusive), "new": float64(s.New), "missing": float64(s.Missing),
		"errored": float64(s.Errored), "compared": float64(s.Compared), "judged": float64(s.Compared),
		"benchmarks": float64(s.Benchmarks), "inconclusive_past": float64(s.InconclusivePast),
		"mem_regressed": float64(s.MemoryRegressions), "mem_improved": float64(s.MemoryImprovements),
		"rules_failed": float64(s.RulesFailed),
	}
}

// EvalGate decides the gate of c with expression expr (DefaultGate when
// empty) and marks the rows that made it fail (Row.GateFailed). Besides the
// expression, a failed pytest-benchmark rule fails the gate (as
// --benchmark-compare-fail does), and the gate fails with verdict GateError
// when nothing could be judged: no benchmark at all, every current
// benchmark errored, or a baseline exists but no benchmark was judged
// (every one errored, inconclusive, new or missing). A run that judged
// nothing must not pass silently.
func EvalGate(c *Comparison, expr string) (Gate, error) {
	if expr == "" {
		expr = DefaultGate
	}
	g, err := ParseGate(expr)
	if err != nil {
		return Gate{}, err
	}
	s := c.Summary
	fail, reasons, used := g.Eval(GateVarsOf(s))
	gate := Gate{Rule: expr}
	if fail {
		for i := range reasons {
			reasons[i] = "fail-on: " + reasons[i]
		}
		gate.Reasons = append(gate.Reasons, reasons...)
	} else {
		used = nil
	}
	if s.RulesFailed > 0 {
		fail = true
		used = append(used, "rules_failed")
		gate.Reasons = append(gate.Reasons, fmt.Sprintf("%d benchmark(s) failed a pytest-benchmark rule", s.RulesFailed))
	}
	gate.Verdict = GatePass
	if fail {
		gate.Verdict = GateFail
	}
	if why := nothingJudged(c); why != "" {
		fail = true
		gate.Verdict = GateError
		gate.Reasons = append(gate.Reasons, why)
	}
	gate.Pass = !fail
	mark := map[string]bool{}
	for _, u := range used {
		mark[u] = true
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		r.GateFailed = false
		switch {
		case r.RoleOf() == RoleMemory:
			r.GateFailed = r.Verdict == Regression && mark["mem_regressed"]
		case r.RoleOf() != RolePrimary:
		case r.Verdict == Regression && (mark["regressed"] || mark["regressed_pct"] ||
			mark["critical"] && r.Severity == Critical || mark["major"] && r.Severity == Major || mark["minor"] && r.Severity == Minor):
			r.GateFailed = true
		case mark["rules_failed"] && len(r.RuleFailures) > 0,
			mark["errored"] && r.Verdict == Errored,
			mark["missing"] && r.Verdict == Missing,
			mark["inconclusive"] && r.Verdict == Inconclusive,
			mark["inconclusive_past"] && r.Verdict == Inconclusive && r.PastThreshold:
			r.GateFailed = true
		}
	}
	return gate, nil
}

// nothingJudged returns why the comparison could judge nothing, or "".
func nothingJudged(c *Comparison) string {
	s := c.Summary
	if s.Benchmarks == 0 {
		return "nothing could be judged: no benchmark results on either side"
	}
	curErr, cur := 0, 0
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.RoleOf() != RolePrimary || r.Verdict == Missing {
			continue
		}
		cur++
		if r.Verdict == Errored {
			curErr++
		}
	}
	if cur > 0 && curErr == cur {
		return fmt.Sprintf("nothing could be judged: every current benchmark errored (%d)", curErr)
	}
	if c.Baseline == nil || s.Compared > 0 {
		return ""
	}
	if s.New+s.Missing == s.Benchmarks {
		return fmt.Sprintf("nothing could be judged: baseline and current run share no benchmark (%d new, %d missing)", s.New, s.Missing)
	}
	return fmt.Sprintf("nothing could be judged: of %d benchmarks, %d errored, %d inconclusive, %d missing, %d new; see the reasons per benchmark",
		s.Benchmarks, s.Errored, s.Inconclusive, s.Missing, s.New)
}
