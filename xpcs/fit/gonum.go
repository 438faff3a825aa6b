package fit

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// sigmoid maps u in R onto (0, 1).
func sigmoid(u float64) float64 { return 1 / (1 + math.Exp(-u)) }

// gonum minimises 0.5*|r|^2 with a gonum/optimize method on unconstrained
// variables u, x = lo + (hi-lo) sigmoid(u), with the analytic gradient
// dF/du = -(J^T r) (hi-lo) s (1-s).
func (pr *problem) gonum(x0 []float64) (startResult, error) {
	k := len(pr.free)
	x := make([]float64, k)
	toX := func(u []float64) {
		for j := range u {
			x[j] = pr.lo[j] + (pr.hi[j]-pr.lo[j])*sigmoid(u[j])
		}
	}
	u0 := make([]float64, k)
	for j := range x0 {
		w := pr.hi[j] - pr.lo[j]
		if w == 0 {
			continue
		}
		// Keep the start off the bounds, where the sigmoid's slope vanishes
		// and a gradient method would not move.
		f := math.Max(1e-3, math.Min(1-1e-3, (x0[j]-pr.lo[j])/w))
		u0[j] = math.Log(f / (1 - f))
	}
	p := optimize.Problem{
		Func: func(u []float64) float64 {
			toX(u)
			return pr.cost(x)
		},
		Grad: func(grad, u []float64) {
			toX(u)
			pr.jacobian(x)
			n := len(pr.t)
			for j := 0; j < k; j++ {
				var s float64
				for i := 0; i < n; i++ {
					s += pr.jac[i*k+j] * pr.r[i]
				}
				sg := sigmoid(u[j])
				grad[j] = -s * (pr.hi[j] - pr.lo[j]) * sg * (1 - sg)
			}
		},
	}
	maxIter := pr.opt.MaxIter
	if maxIter <= 0 {
		maxIter = 1000
	}
	settings := &optimize.Settings{
		MajorIterations:   maxIter,
		GradientThreshold: 1e-10,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-10, Iterations: 50},
	}
	var method optimize.Method
	switch pr.opt.Method {
	case LBFGS:
		method = &optimize.LBFGS{}
	case BFGS:
		method = &optimize.BFGS{}
	case NelderMead:
		method = &optimize.NelderMead{}
	default:
		return startResult{}, fmt.Errorf("fit: method %v is not a gonum method", pr.opt.Method)
	}
	res, err := optimize.Minimize(p, u0, settings, method)
	if res == nil || res.X == nil {
		return startResult{}, fmt.Errorf("fit: %v: %w", pr.opt.Method, err)
	}
	toX(res.X)
	sr := startResult{x: slices.Clone(x), cost: pr.cost(x), iters: res.Stats.MajorIterations}
	// gonum reports a line search that can make no more progress as an
	// error; the location is still the best found. Accept it when finite.
	if !finite(sr.cost) {
		return startResult{}, fmt.Errorf("fit: %v ended at a non-finite cost: %v", pr.opt.Method, err)
	}
	switch {
	case res.Status == optimize.IterationLimit || res.Status == optimize.FunctionEvaluationLimit:
	case err == nil:
		sr.converged = true
	case res.Gradient != nil:
		// A line search that fails at the optimum (the cost cannot drop
		// below its rounding) is convergence when the gradient is small.
		sr.converged = floats.Norm(res.Gradient, math.Inf(1)) <= 1e-6*math.Max(1, sr.cost)
	}
	return sr, nil
}
