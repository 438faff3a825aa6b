// Package fit fits XPCS intensity autocorrelation curves g2(t) and the
// power law of their relaxation times tau(q).
//
// Models (t and the time scales b in seconds, contrast a and baseline d
// dimensionless):
//
//	single     g2(t) = a exp(-2 (t/b)^c) + d                        c fixed at 1
//	stretched  g2(t) = a exp(-2 (t/b)^c) + d                        c free
//	double     g2(t) = a [f e^{-(t/b1)^c1} + (1-f) e^{-(t/b2)^c2}]^2 + d   c1 = c2 = 1
//	double-stretched   as double with c1 and c2 free
//
// Default bounds, wide enough for real data: a in [0.01, 1] (E0173's
// low-q bins have contrast 0.018-0.03, single-pixel speckle 1), b in
// [1e-5, 100] s, c in [0.5, 2], d in [0.9, 1.1], f in [0, 1]. Any parameter may be fixed (Options.Fixed).
//
// The fit minimises chi2 = sum_i ((g2_i - m(t_i)) / sigma_i)^2 with sigma_i the
// g2 error bars (unweighted when none are given). Methods:
//
//   - LM: a bounded Levenberg-Marquardt, hand-written on gonum/mat because
//     gonum/optimize has no least-squares or bound-constrained method. Time
//     scales are solved for in log space, bounds are honoured by projection
//     with an active set (parameters held at a bound while the gradient
//     pushes outward), and the damping follows Nielsen's update.
//   - LBFGS, BFGS, NelderMead: gonum/optimize on the unconstrained problem
//     obtained with the smooth map p = lo + (hi-lo) sigmoid(u) (on log p for
//     time scales), with the analytic gradient.
//
// Every method starts from a data-driven guess (d from the tail, a from the
// head extrapolated to t = 0, b from the 1/e crossing) and, when that start
// does not end converged inside the bounds with a reduced chi2 <= 2, from a
// few more points spread in b (multi-start); the lowest chi2 wins. Parameter errors are
// sqrt(diag((J^T W J)^-1) * chi2/(n-k)) at the solution, as scipy's
// curve_fit reports them with absolute_sigma=False.
//
// PowerLaw fits tau = A q^alpha by weighted linear regression of log tau on
// log q and reports the exponent with a Student-t confidence interval.
package fit
