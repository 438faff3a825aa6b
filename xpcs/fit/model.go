package fit

import (
	"fmt"
	"math"
	"strings"
)

// Model is a g2 model. The zero value is Single.
type Model int

const (
	// Single is a exp(-2 t/b) + d (c fixed at 1): parameters a, b, c, d.
	Single Model = iota
	// Stretched is a exp(-2 (t/b)^c) + d with c free: parameters a, b, c, d.
	Stretched
	// Double is a [f e^{-t/b1} + (1-f) e^{-t/b2}]^2 + d (c1 = c2 = 1):
	// parameters a, b1, c1, b2, c2, f, d.
	Double
	// DoubleStretched is Double with c1 and c2 free.
	DoubleStretched
)

var modelNames = [...]string{"single", "stretched", "double", "double-stretched"}

// Models lists every model in order.
var Models = []Model{Single, Stretched, Double, DoubleStretched}

func (m Model) String() string {
	if m < 0 || int(m) >= len(modelNames) {
		return fmt.Sprintf("Model(%d)", int(m))
	}
	return modelNames[m]
}

// ParseModel returns the model called s ("single", "simple", "stretched",
// "double", "double-stretched").
func ParseModel(s string) (Model, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "single", "simple", "exp":
		return Single, nil
	case "stretched", "kww":
		return Stretched, nil
	case "double":
		return Double, nil
	case "double-stretched", "double_stretched":
		return DoubleStretched, nil
	}
	return 0, fmt.Errorf("fit: unknown model %q (want single, stretched, double or double-stretched)", s)
}

func (m Model) double() bool { return m == Double || m == DoubleStretched }

// Params returns the parameter names of m in the order used by Result.Params.
func (m Model) Params() []string {
	if m.double() {
		return []string{"a", "b1", "c1", "b2", "c2", "f", "d"}
	}
	return []string{"a", "b", "c", "d"}
}

// NumParams is len(m.Params()).
func (m Model) NumParams() int {
	if m.double() {
		return 7
	}
	return 4
}

// implicitFixed returns the parameters the model itself fixes (the
// exponents of the non-stretched models) with their value.
func (m Model) implicitFixed() map[string]float64 {
	switch m {
	case Single:
		return map[string]float64{"c": 1}
	case Double:
		return map[string]float64{"c1": 1, "c2": 1}
	}
	return nil
}

// isScale reports whether parameter i is a time scale (solved for in log space).
func (m Model) isScale(i int) bool {
	if m.double() {
		return i == 1 || i == 3
	}
	return i == 1
}

// Bound is a closed interval [Lo, Hi] for one parameter.
type Bound struct{ Lo, Hi float64 }

// DefaultBounds returns the default bounds of m's parameters (see the package
// documentation), in the order of m.Params.
func (m Model) DefaultBounds() []Bound {
	a, b, c, d := Bound{0.01, 1}, Bound{1e-5, 100}, Bound{0.5, 2}, Bound{0.9, 1.1}
	if m.double() {
		return []Bound{a, b, c, b, c, {0, 1}, d}
	}
	return []Bound{a, b, c, d}
}

// Eval returns the model value at time t (s) for parameters p (m.Params order).
func (m Model) Eval(p []float64, t float64) float64 {
	if m.double() {
		a, b1, c1, b2, c2, f, d := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
		s := f*math.Exp(-math.Pow(t/b1, c1)) + (1-f)*math.Exp(-math.Pow(t/b2, c2))
		return a*s*s + d
	}
	a, b, c, d := p[0], p[1], p[2], p[3]
	return a*math.Exp(-2*math.Pow(t/b, c)) + d
}

// powc returns (t/b)^c, specialised for c == 1 (the common case: math.Pow
// costs ~10x a division).
func powc(t, b, c float64) float64 {
	if c == 1 {
		return t / b
	}
	return math.Pow(t/b, c)
}

// evalJac stores the model value at t in *v and its partial derivatives with
// respect to p in jac (len NumParams). The derivative with respect to an
// exponent is 0 at t <= 0, its limit.
func (m Model) evalJac(p []float64, t float64, jac []float64) float64 {
	if m.double() {
		a, b1, c1, b2, c2, f, _ := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
		s1, s2 := powc(t, b1, c1), powc(t, b2, c2)
		u1, u2 := math.Exp(-s1), math.Exp(-s2)
		s := f*u1 + (1-f)*u2
		k := 2 * a * s
		jac[0] = s * s
		jac[1] = k * f * u1 * c1 * s1 / b1
		jac[3] = k * (1 - f) * u2 * c2 * s2 / b2
		if t > 0 {
			jac[2] = -k * f * u1 * s1 * math.Log(t/b1)
			jac[4] = -k * (1 - f) * u2 * s2 * math.Log(t/b2)
		} else {
			jac[2], jac[4] = 0, 0
		}
		jac[5] = k * (u1 - u2)
		jac[6] = 1
		return a*s*s + p[6]
	}
	a, b, c, d := p[0], p[1], p[2], p[3]
	s := powc(t, b, c)
	e := math.Exp(-2 * s)
	jac[0] = e
	jac[1] = 2 * a * c * s * e / b
	if t > 0 {
		jac[2] = -2 * a * e * s * math.Log(t/b)
	} else {
		jac[2] = 0
	}
	jac[3] = 1
	return a*e + d
}
