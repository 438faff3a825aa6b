package fit

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Tolerances of the Levenberg-Marquardt iteration (as MINPACK's lmder
// defaults, which scipy's curve_fit uses: ftol = xtol = 1.49e-8; a smaller
// gradient tolerance as gtol = 0 would never trigger on noisy data).
const (
	lmFtol = 1.49e-8
	lmXtol = 1.49e-8
	lmGtol = 1e-12
)

// lm minimises 0.5*|r(x)|^2 from x0 within [lo, hi] by a projected
// Levenberg-Marquardt:
//
//	(A + mu D) delta = g,  A = J^T J,  g = J^T r,  D = max-to-date diag(A)
//
// with Nielsen's damping update (mu *= max(1/3, 1-(2 rho-1)^3) on success,
// mu *= nu, nu *= 2 on failure), rho the ratio of actual to predicted
// reduction. A parameter on a bound whose gradient points outward is held
// (its row and column replaced by the identity, its step 0); the trial point
// is projected into the bounds and the predicted reduction
// g.delta - 0.5 delta.A.delta is computed for the projected step.
func (pr *problem) lm(x0 []float64) startResult {
	k := len(pr.free)
	n := len(pr.t)
	maxIter := pr.opt.MaxIter
	if maxIter <= 0 {
		maxIter = 200
	}
	x := slices.Clone(x0)
	xt := make([]float64, k)
	step := make([]float64, k)
	g := make([]float64, k)
	diag := make([]float64, k)
	held := make([]bool, k)
	a := mat.NewSymDense(k, nil)
	m := mat.NewSymDense(k, nil)
	gv := mat.NewVecDense(k, g)
	dv := mat.NewVecDense(k, step)
	var chol mat.Cholesky

	cost := pr.jacobian(x)
	buildNormal := func() {
		for j1 := 0; j1 < k; j1++ {
			var s float64
			for i := 0; i < n; i++ {
				s += pr.jac[i*k+j1] * pr.r[i]
			}
			g[j1] = s
			for j2 := j1; j2 < k; j2++ {
				var s float64
				for i := 0; i < n; i++ {
					s += pr.jac[i*k+j1] * pr.jac[i*k+j2]
				}
				a.SetSym(j1, j2, s)
			}
			diag[j1] = math.Max(diag[j1], a.At(j1, j1))
		}
	}
	buildNormal()
	// The damping is scaled by D (Marquardt), so mu is dimensionless.
	mu := 1e-3
	nu := 2.0
	out := startResult{}
	iter := 0
	for ; iter < maxIter; iter++ {
		// Active set: hold parameters on a bound pushed outward.
		gmax := 0.0
		for j := 0; j < k; j++ {
			held[j] = (x[j] <= pr.lo[j] && g[j] < 0) || (x[j] >= pr.hi[j] && g[j] > 0) || pr.lo[j] == pr.hi[j]
			if !held[j] {
				gmax = math.Max(gmax, math.Abs(g[j])/math.Sqrt(math.Max(diag[j], 1e-300)))
			}
		}
		if gmax <= lmGtol*math.Sqrt(2*cost+1e-300) {
			out.converged = true
			break
		}
		for j1 := 0; j1 < k; j1++ {
			for j2 := j1; j2 < k; j2++ {
				v := a.At(j1, j2)
				if held[j1] || held[j2] {
					v = 0
				}
				if j1 == j2 {
					if held[j1] {
						v = 1
					} else {
						v += mu * math.Max(diag[j1], 1e-12)
					}
				}
				m.SetSym(j1, j2, v)
			}
		}
		if !chol.Factorize(m) {
			mu *= nu
			nu *= 2
			continue
		}
		if err := chol.SolveVecTo(dv, gv); err != nil {
			mu *= nu
			nu *= 2
			continue
		}
		var xnorm, snorm float64
		for j := 0; j < k; j++ {
			if held[j] {
				step[j] = 0
			}
			xt[j] = clamp(x[j]+step[j], pr.lo[j], pr.hi[j])
			step[j] = xt[j] - x[j]
			xnorm += x[j] * x[j] * diag[j]
			snorm += step[j] * step[j] * diag[j]
		}
		// Predicted reduction of the Gauss-Newton model for the projected step.
		pred := 0.0
		for j1 := 0; j1 < k; j1++ {
			var s float64
			for j2 := 0; j2 < k; j2++ {
				s += a.At(j1, j2) * step[j2]
			}
			pred += g[j1]*step[j1] - 0.5*step[j1]*s
		}
		if snorm == 0 {
			// Projection killed the step: nothing more to gain here.
			out.converged = true
			break
		}
		ct := pr.cost(xt)
		actual := cost - ct
		rho := -1.0
		if pred > 0 {
			rho = actual / pred
		}
		if actual > 0 && rho > 0 {
			copy(x, xt)
			small := math.Sqrt(snorm) <= lmXtol*(math.Sqrt(xnorm)+lmXtol)
			tiny := actual <= lmFtol*cost && pred <= lmFtol*cost
			cost = pr.jacobian(x)
			buildNormal()
			mu *= math.Max(1.0/3, 1-math.Pow(2*rho-1, 3))
			nu = 2
			if small || tiny {
				out.converged = true
				iter++
				break
			}
		} else {
			mu *= nu
			nu *= 2
			if mu > 1e30 {
				// No downhill step even with a tiny step length: converged
				// to within the precision of the cost.
				out.converged = true
				break
			}
		}
	}
	out.x, out.cost, out.iters = x, cost, iter
	return out
}
