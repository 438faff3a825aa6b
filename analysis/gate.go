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

// DefaultGate is the seed's gate: fail on any critical regression, on more
// than 3 major ones, or when more than 30% of the compared benchmarks
// regressed.
const DefaultGate = "critical>0 || major>3 || regressed_pct>30"

// GateVars are the names a gate expression may use, with their meaning.
var GateVars = map[string]string{
	"critical":      "regressions of severity critical (> +100%)",
	"major":         "regressions of severity major (+50% to +100%)",
	"minor":         "regressions of severity minor (threshold to +50%)",
	"regressed":     "regressions of any severity",
	"regressed_pct": "regressions as a percentage of the compared rows (0-100)",
	"improvements":  "improvements",
	"unchanged":     "unchanged rows",
	"inconclusive":  "inconclusive rows (too few samples or too noisy)",
	"new":           "rows only in the current run",
	"missing":       "rows only in the baseline",
	"errored":       "rows whose benchmark failed or had bad values",
	"compared":      "rows with a statistical verdict (regression, improvement, unchanged)",
	"benchmarks":    "rows in total",
	"rules_failed":  "rows failing a pytest-benchmark rule",
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
		"errored": float64(s.Errored), "compared": float64(s.Compared), "benchmarks": float64(s.Benchmarks),
		"rules_failed": float64(s.RulesFailed),
	}
}

// EvalGate decides the gate of c with expression expr (DefaultGate when
// empty) and marks the rows that made it fail (Row.GateFailed). Besides the
// expression, three checks always fail the gate: a failed pytest-benchmark
// rule (as --benchmark-compare-fail does), a baseline that shares no
// benchmark with the current run, and no benchmark at all (nothing compared
// must not pass silently).
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
	if s.Benchmarks == 0 {
		fail = true
		gate.Reasons = append(gate.Reasons, "no benchmark results on either side: nothing was compared")
	}
	if c.Baseline != nil && s.Missing > 0 && s.New+s.Missing == s.Benchmarks {
		fail = true
		gate.Reasons = append(gate.Reasons, fmt.Sprintf("baseline and current run share no benchmark (%d new, %d missing): nothing was compared", s.New, s.Missing))
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
		case r.Verdict == Regression && (mark["regressed"] || mark["regressed_pct"] ||
			mark["critical"] && r.Severity == Critical || mark["major"] && r.Severity == Major || mark["minor"] && r.Severity == Minor):
			r.GateFailed = true
		case mark["rules_failed"] && len(r.RuleFailures) > 0,
			mark["errored"] && r.Verdict == Errored,
			mark["missing"] && r.Verdict == Missing,
			mark["inconclusive"] && r.Verdict == Inconclusive:
			r.GateFailed = true
		}
	}
	return gate, nil
}
