package fit

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Method is an optimisation method.
type Method int

const (
	// LM is the bounded Levenberg-Marquardt (the default).
	LM Method = iota
	// LBFGS is gonum/optimize.LBFGS on the sigmoid-transformed problem.
	LBFGS
	// BFGS is gonum/optimize.BFGS on the sigmoid-transformed problem.
	BFGS
	// NelderMead is gonum/optimize.NelderMead on the sigmoid-transformed problem.
	NelderMead
)

var methodNames = [...]string{"lm", "lbfgs", "bfgs", "neldermead"}

// Methods lists every method in order.
var Methods = []Method{LM, LBFGS, BFGS, NelderMead}

func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod returns the method called s ("lm", "lbfgs", "bfgs", "neldermead").
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "lm", "levenberg-marquardt":
		return LM, nil
	case "lbfgs", "l-bfgs":
		return LBFGS, nil
	case "bfgs":
		return BFGS, nil
	case "neldermead", "nelder-mead", "nm":
		return NelderMead, nil
	}
	return 0, fmt.Errorf("fit: unknown method %q (want lm, lbfgs, bfgs or neldermead)", s)
}

// Options configure Fit. The zero value fits the single model with LM from
// the data-driven guess and DefaultStarts starts, within the default bounds.
type Options struct {
	Model  Model
	Method Method
	// Bounds of every parameter in Model.Params order; nil means
	// Model.DefaultBounds. Time scales need Lo > 0.
	Bounds []Bound
	// Fixed holds parameters by name (e.g. {"d": 1}) kept at the given
	// value. The non-stretched models fix their exponents at 1 unless Fixed
	// names them.
	Fixed map[string]float64
	// Init is a starting point (Model.Params order, clamped into Bounds)
	// tried before the data-driven ones; nil for none.
	Init []float64
	// Starts is the largest number of starting points, including Init; 0
	// means DefaultStarts. 1 uses only Init or else the data-driven guess.
	// Later starts are skipped once a start has converged strictly inside
	// the bounds with a reduced chi2 of at most GoodRedChi2, unless
	// AllStarts is set.
	Starts    int
	AllStarts bool
	// MaxIter bounds the iterations of each start; 0 means 200 (LM) or
	// 1000 (gonum methods).
	MaxIter int
	// TMin and TMax restrict the fit to TMin <= t <= TMax (seconds; TMax 0:
	// no upper limit). Multi-tau g2 is biased low at delays comparable to
	// the run length T (each pixel is normalised by its own time average
	// over the T - tau frames of the window), which shortens the fitted tau
	// by a few percent; TMax = T/4 removes that bias (see truth_test.go).
	TMin, TMax float64
}

// DefaultStarts is the default number of starting points.
const DefaultStarts = 3

// GoodRedChi2 is the reduced chi2 below which a converged fit that touches
// no bound ends the multi-start early: the data are described to within
// their error bars, so another local minimum could not do much better.
const GoodRedChi2 = 2.0

// Result is the outcome of one fit.
type Result struct {
	Model  Model
	Method Method
	Names  []string  // parameter names (Model.Params)
	Params []float64 // best-fit values
	// Errors are the 1-sigma standard errors from the covariance
	// (J^T W J)^-1 * RedChi2; 0 for fixed parameters, NaN when the
	// covariance is singular or there are no degrees of freedom.
	Errors []float64
	Fixed  []bool // true for parameters that were held fixed
	// AtBound is true for free parameters that ended on a bound.
	AtBound     []bool
	Chi2        float64 // sum of squared weighted residuals
	RedChi2     float64 // Chi2 / DOF
	N           int     // points used
	Skipped     int     // points in [TMin, TMax] dropped for NaN/Inf values or non-positive errors
	DOF         int     // N - free parameters
	Iterations  int     // summed over starts
	Evaluations int     // model evaluations (with or without Jacobian), summed over starts
	Converged   bool    // the winning start met a convergence test
}

// Param returns the value and error of the parameter called name, and
// whether it exists.
func (r *Result) Param(name string) (value, err float64, ok bool) {
	i := slices.Index(r.Names, name)
	if i < 0 || i >= len(r.Params) || i >= len(r.Errors) {
		return math.NaN(), math.NaN(), false
	}
	return r.Params[i], r.Errors[i], true
}

// Tau returns the relaxation time b (s) of a single-exponential model, or
// the larger-weight time scale of a double model, with its error.
// It returns NaN for the zero Result of a failed fit.
func (r *Result) Tau() (tau, err float64) {
	if len(r.Params) != r.Model.NumParams() || len(r.Errors) != len(r.Params) {
		return math.NaN(), math.NaN()
	}
	if r.Model.double() {
		if r.Params[5] >= 0.5 {
			return r.Params[1], r.Errors[1]
		}
		return r.Params[3], r.Errors[3]
	}
	return r.Params[1], r.Errors[1]
}

// ErrTooFewPoints is returned (wrapped) when fewer valid points than free
// parameters + 1 remain.
var ErrTooFewPoints = errors.New("too few valid points")

// Fit fits opt.Model to g2(t) with error bars g2err (nil: unweighted).
// t is in seconds and should be positive and increasing (the data-driven
// guess assumes increasing t). Points with a non-finite t, g2 or error, or
// a non-positive error, are skipped and counted in Result.Skipped.
func Fit(t, g2, g2err []float64, opt Options) (Result, error) {
	pr, err := newProblem(t, g2, g2err, opt)
	if err != nil {
		return Result{}, err
	}
	return pr.solve()
}

// problem is one fit in internal coordinates: x holds the free parameters,
// log-transformed for time scales.
type problem struct {
	opt     Options
	model   Model
	np      int       // parameters of the model
	t, y, w []float64 // valid points; w = 1/sigma
	skipped int
	bounds  []Bound   // natural bounds, all parameters
	full    []float64 // natural parameter vector; fixed values in place
	fixed   []bool
	free    []int     // indices of free parameters
	isLog   []bool    // per free parameter
	lo, hi  []float64 // internal bounds per free parameter
	jrow    []float64 // scratch: one Jacobian row, all parameters
	jac     []float64 // n x k weighted Jacobian in internal coordinates
	r       []float64 // weighted residuals (y - m) w
	nfev    int
}

func newProblem(t, g2, g2err []float64, opt Options) (*problem, error) {
	m := opt.Model
	if m < 0 || int(m) >= len(modelNames) {
		return nil, fmt.Errorf("fit: unknown model %d", int(m))
	}
	if opt.Method < 0 || int(opt.Method) >= len(methodNames) {
		return nil, fmt.Errorf("fit: unknown method %d", int(opt.Method))
	}
	if len(g2) != len(t) {
		return nil, fmt.Errorf("fit: %d times but %d g2 values", len(t), len(g2))
	}
	if g2err != nil && len(g2err) != len(t) {
		return nil, fmt.Errorf("fit: %d times but %d g2 errors", len(t), len(g2err))
	}
	np := m.NumParams()
	pr := &problem{opt: opt, model: m, np: np}
	pr.bounds = opt.Bounds
	if pr.bounds == nil {
		pr.bounds = m.DefaultBounds()
	}
	if len(pr.bounds) != np {
		return nil, fmt.Errorf("fit: model %v has %d parameters but %d bounds were given", m, np, len(pr.bounds))
	}
	names := m.Params()
	pr.full = make([]float64, np)
	pr.fixed = make([]bool, np)
	fixed := m.implicitFixed()
	for k, v := range opt.Fixed {
		if !slices.Contains(names, k) {
			return nil, fmt.Errorf("fit: fixed parameter %q is not one of %v (model %v)", k, names, m)
		}
		if fixed == nil {
			fixed = map[string]float64{}
		}
		fixed[k] = v
	}
	for i, name := range names {
		b := pr.bounds[i]
		if !(b.Lo <= b.Hi) {
			return nil, fmt.Errorf("fit: bounds of %s are [%g, %g]", name, b.Lo, b.Hi)
		}
		if v, ok := fixed[name]; ok {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("fit: fixed %s = %g", name, v)
			}
			pr.full[i], pr.fixed[i] = v, true
			continue
		}
		if math.IsInf(b.Lo, 0) || math.IsInf(b.Hi, 0) {
			return nil, fmt.Errorf("fit: bounds of free parameter %s must be finite, got [%g, %g]", name, b.Lo, b.Hi)
		}
		lg := m.isScale(i)
		lo, hi := b.Lo, b.Hi
		if lg {
			if lo <= 0 {
				return nil, fmt.Errorf("fit: time scale %s needs a positive lower bound, got %g", name, lo)
			}
			lo, hi = math.Log(lo), math.Log(hi)
		}
		pr.free = append(pr.free, i)
		pr.isLog = append(pr.isLog, lg)
		pr.lo = append(pr.lo, lo)
		pr.hi = append(pr.hi, hi)
	}
	for i := range t {
		if t[i] < opt.TMin || (opt.TMax > 0 && t[i] > opt.TMax) {
			continue
		}
		ok := finite(t[i]) && finite(g2[i])
		w := 1.0
		if g2err != nil {
			ok = ok && finite(g2err[i]) && g2err[i] > 0
			w = 1 / g2err[i]
		}
		if !ok {
			pr.skipped++
			continue
		}
		pr.t = append(pr.t, t[i])
		pr.y = append(pr.y, g2[i])
		pr.w = append(pr.w, w)
	}
	k := len(pr.free)
	if len(pr.t) < k+1 {
		return nil, fmt.Errorf("fit: %w: %d of %d points usable for %d free parameters", ErrTooFewPoints, len(pr.t), len(t), k)
	}
	if opt.Init != nil && len(opt.Init) != np {
		return nil, fmt.Errorf("fit: Init has %d values, model %v has %d parameters", len(opt.Init), m, np)
	}
	pr.jrow = make([]float64, np)
	pr.jac = make([]float64, len(pr.t)*k)
	pr.r = make([]float64, len(pr.t))
	return pr, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// setX writes the internal coordinates x into pr.full.
func (pr *problem) setX(x []float64) {
	for j, i := range pr.free {
		if pr.isLog[j] {
			pr.full[i] = math.Exp(x[j])
		} else {
			pr.full[i] = x[j]
		}
	}
}

// toX converts natural parameters p (all of them) to internal coordinates,
// clamped into the bounds.
func (pr *problem) toX(p []float64, x []float64) {
	for j, i := range pr.free {
		v := p[i]
		if pr.isLog[j] {
			if v > 0 {
				v = math.Log(v)
			} else {
				v = pr.lo[j]
			}
		}
		x[j] = clamp(v, pr.lo[j], pr.hi[j])
	}
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return 0.5 * (lo + hi)
	}
	return math.Max(lo, math.Min(hi, v))
}

// cost returns 0.5 * chi2 at x and fills pr.r.
func (pr *problem) cost(x []float64) float64 {
	pr.setX(x)
	pr.nfev++
	var c float64
	for i, t := range pr.t {
		r := (pr.y[i] - pr.model.Eval(pr.full, t)) * pr.w[i]
		pr.r[i] = r
		c += r * r
	}
	return 0.5 * c
}

// jacobian fills pr.r and pr.jac (d m/d x, weighted) at x and returns 0.5 * chi2.
func (pr *problem) jacobian(x []float64) float64 {
	pr.setX(x)
	pr.nfev++
	k := len(pr.free)
	var c float64
	for i, t := range pr.t {
		m := pr.model.evalJac(pr.full, t, pr.jrow)
		w := pr.w[i]
		r := (pr.y[i] - m) * w
		pr.r[i] = r
		c += r * r
		row := pr.jac[i*k : (i+1)*k]
		for j, p := range pr.free {
			d := pr.jrow[p] * w
			if pr.isLog[j] {
				d *= pr.full[p] // dp/dlog p = p
			}
			row[j] = d
		}
	}
	return 0.5 * c
}

// scanPerDecade is the density of the time-scale grid of scan.
const scanPerDecade = 8

// scan returns a starting point of the single and stretched models from a
// grid search over the time scale b: for each b on a log grid
// (scanPerDecade per decade) over [t_min/10, 10 t_max] within b's bounds,
// with c at g's value, the model is linear in a and d, whose weighted least
// squares values (clamped into their bounds; fixed values kept) give the
// chi2 of that b. The b of the lowest chi2 with its a and d is returned
// (nil for the double models or a fixed b). Real g2 curves often have
// several local minima of chi2 in b (a fast decay mimicked by a large
// contrast, or a slow one): starting in the best basin of the grid is what
// lets a local optimiser find the global one.
func (pr *problem) scan(g []float64) []float64 {
	if pr.model.double() || pr.fixed[1] {
		return nil
	}
	n := len(pr.t)
	tlo, thi := math.Inf(1), 0.0
	for _, t := range pr.t {
		if t > 0 {
			tlo, thi = min(tlo, t), max(thi, t)
		}
	}
	if !(thi > 0) {
		return nil
	}
	bb := pr.bounds[1]
	lo, hi := max(tlo/10, bb.Lo), min(thi*10, bb.Hi)
	if !(hi > lo) {
		return nil
	}
	ba, bd := pr.bounds[0], pr.bounds[3]
	f := make([]float64, n)
	p := slices.Clone(g)
	best, bestCost := []float64(nil), math.Inf(1)
	steps := int(math.Ceil(math.Log10(hi/lo)*scanPerDecade)) + 1
	for k := range steps {
		b := lo * math.Pow(hi/lo, float64(k)/float64(max(steps-1, 1)))
		p[1] = b
		// weighted sums for min Σ w²(y - a f - d)²
		var sw, sf, sff, sy, sfy float64
		for i, t := range pr.t {
			w2 := pr.w[i] * pr.w[i]
			p[0], p[3] = 1, 0
			f[i] = pr.model.Eval(p, t)
			sw += w2
			sf += w2 * f[i]
			sff += w2 * f[i] * f[i]
			sy += w2 * pr.y[i]
			sfy += w2 * f[i] * pr.y[i]
		}
		a, d := g[0], g[3]
		switch {
		case pr.fixed[0] && pr.fixed[3]:
		case pr.fixed[0]:
			d = (sy - a*sf) / sw
		case pr.fixed[3]:
			if sff > 0 {
				a = (sfy - d*sf) / sff
			}
		default:
			if det := sw*sff - sf*sf; det > 0 {
				a = (sw*sfy - sf*sy) / det
				d = (sy - a*sf) / sw
			}
		}
		if !pr.fixed[0] {
			a = clamp(a, ba.Lo, ba.Hi)
		}
		if !pr.fixed[3] {
			d = clamp(d, bd.Lo, bd.Hi)
		}
		var c float64
		for i := range pr.t {
			r := (pr.y[i] - a*f[i] - d) * pr.w[i]
			c += r * r
		}
		if c < bestCost {
			bestCost = c
			best = []float64{a, b, p[2], d}
		}
	}
	return best
}

// guess returns the data-driven starting point in natural parameters: d from
// the mean of the last tenth of the points, a from the first points, and b
// from the first crossing of d + a/e (where a e^{-2t/b} = a/e, t = b/2),
// interpolated in log t; then a is extrapolated to t = 0 with that b.
func (pr *problem) guess() []float64 {
	n := len(pr.t)
	tail := max(1, n/10)
	head := max(1, min(3, n/10))
	var d, a float64
	for _, v := range pr.y[n-tail:] {
		d += v
	}
	d /= float64(tail)
	for _, v := range pr.y[:head] {
		a += v
	}
	a = a/float64(head) - d
	b := pr.bounds
	p := make([]float64, pr.np)
	di := pr.np - 1
	d = clamp(d, b[di].Lo, b[di].Hi)
	a = clamp(a, b[0].Lo, b[0].Hi)
	thr := d + a/math.E
	var th float64 // mean time of the head points
	for _, v := range pr.t[:head] {
		th += v
	}
	th /= float64(head)
	tau := 2 * pr.t[n-1]
	for i, v := range pr.y {
		if v < thr {
			if i == 0 {
				tau = 2 * pr.t[0]
				break
			}
			t0, t1, y0, y1 := pr.t[i-1], pr.t[i], pr.y[i-1], v
			f := 0.5
			if y0 != y1 {
				f = (y0 - thr) / (y0 - y1)
			}
			if t0 > 0 && t1 > 0 {
				tau = 2 * math.Exp(math.Log(t0)+f*(math.Log(t1)-math.Log(t0)))
			} else {
				tau = 2 * (t0 + f*(t1-t0))
			}
			break
		}
	}
	if !(tau > 0) {
		tau = 1
	}
	// The head points have already decayed by about exp(-2 th/tau) when
	// tau is short: extrapolate the contrast to t = 0 (at most 10x).
	a = clamp(a*math.Min(10, math.Exp(2*th/tau)), b[0].Lo, b[0].Hi)
	p[0], p[di] = a, d
	if pr.model.double() {
		p[1], p[2], p[3], p[4], p[5] = tau/3, 1, tau*3, 1, 0.5
	} else {
		p[1], p[2] = tau, 1
	}
	for i := range p {
		if pr.fixed[i] {
			p[i] = pr.full[i]
		} else {
			p[i] = clamp(p[i], b[i].Lo, b[i].Hi)
		}
	}
	return p
}

// starts returns the starting points in internal coordinates: opt.Init,
// the best point of the time-scale scan (scan), the data-driven guess, then
// the guess with its time scales times 0.1 and 10, then times 0.01 and 100,
// ... up to opt.Starts points.
func (pr *problem) starts() [][]float64 {
	n := pr.opt.Starts
	if n <= 0 {
		n = DefaultStarts
	}
	var out [][]float64
	add := func(p []float64) {
		x := make([]float64, len(pr.free))
		pr.toX(p, x)
		out = append(out, x)
	}
	if pr.opt.Init != nil {
		p := slices.Clone(pr.opt.Init)
		for i := range p {
			if pr.fixed[i] {
				p[i] = pr.full[i]
			}
		}
		add(p)
	}
	g := pr.guess()
	if sc := pr.scan(g); sc != nil {
		add(sc)
	}
	add(g)
	for f := 10.0; len(out) < n; f *= 10 {
		for _, s := range []float64{1 / f, f} {
			if len(out) >= n {
				break
			}
			p := slices.Clone(g)
			for i := range p {
				if pr.model.isScale(i) && !pr.fixed[i] {
					p[i] = clamp(p[i]*s, pr.bounds[i].Lo, pr.bounds[i].Hi)
				}
			}
			add(p)
		}
		if f > 1e8 {
			break
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

type startResult struct {
	x         []float64
	cost      float64
	iters     int
	converged bool
}

func (pr *problem) solve() (Result, error) {
	k := len(pr.free)
	res := Result{
		Model: pr.model, Method: pr.opt.Method, Names: pr.model.Params(),
		Fixed: slices.Clone(pr.fixed), N: len(pr.t), Skipped: pr.skipped, DOF: len(pr.t) - k,
	}
	best := startResult{cost: math.Inf(1)}
	var lastErr error
	for _, x0 := range pr.starts() {
		var sr startResult
		var err error
		if k == 0 {
			sr = startResult{x: x0, cost: pr.cost(x0), converged: true}
		} else if pr.opt.Method == LM {
			sr = pr.lm(x0)
		} else {
			sr, err = pr.gonum(x0)
		}
		if err != nil {
			lastErr = err
			continue
		}
		res.Iterations += sr.iters
		if sr.cost < best.cost {
			best = sr
		}
		if !pr.opt.AllStarts && pr.good(best) {
			break
		}
	}
	res.Evaluations = pr.nfev
	if best.x == nil {
		return res, fmt.Errorf("fit: model %v method %v: no start succeeded: %w", pr.model, pr.opt.Method, lastErr)
	}
	pr.setX(best.x)
	res.Params = slices.Clone(pr.full)
	res.Converged = best.converged
	res.Chi2 = 2 * pr.cost(best.x)
	res.RedChi2 = math.NaN()
	if res.DOF > 0 {
		res.RedChi2 = res.Chi2 / float64(res.DOF)
	}
	res.AtBound = make([]bool, pr.np)
	for j, i := range pr.free {
		res.AtBound[i] = best.x[j] <= pr.lo[j] || best.x[j] >= pr.hi[j]
	}
	res.Errors = pr.errors(res.Params, res.RedChi2)
	return res, nil
}

// good reports whether a start result ends the multi-start: converged,
// strictly inside the bounds, reduced chi2 at most GoodRedChi2.
func (pr *problem) good(sr startResult) bool {
	if !sr.converged {
		return false
	}
	dof := len(pr.t) - len(pr.free)
	if dof <= 0 || 2*sr.cost/float64(dof) > GoodRedChi2 {
		return false
	}
	for j, x := range sr.x {
		if x <= pr.lo[j] || x >= pr.hi[j] {
			return false
		}
	}
	return true
}

// errors returns the standard errors sqrt(diag((J^T W J)^-1) * redChi2) of
// the natural parameters p (0 for fixed ones, NaN when singular).
func (pr *problem) errors(p []float64, redChi2 float64) []float64 {
	out := make([]float64, pr.np)
	k := len(pr.free)
	if k == 0 {
		return out
	}
	copy(pr.full, p)
	a := mat.NewSymDense(k, nil)
	for i, t := range pr.t {
		pr.model.evalJac(pr.full, t, pr.jrow)
		w2 := pr.w[i] * pr.w[i]
		for j1, p1 := range pr.free {
			for j2 := j1; j2 < k; j2++ {
				a.SetSym(j1, j2, a.At(j1, j2)+pr.jrow[p1]*pr.jrow[pr.free[j2]]*w2)
			}
		}
	}
	var chol mat.Cholesky
	var cov mat.SymDense
	if !chol.Factorize(a) || chol.InverseTo(&cov) != nil {
		for _, i := range pr.free {
			out[i] = math.NaN()
		}
		return out
	}
	for j, i := range pr.free {
		out[i] = math.Sqrt(cov.At(j, j) * redChi2)
	}
	return out
}
