package fit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// PowerLawResult is tau = A q^Alpha fitted to relaxation times.
type PowerLawResult struct {
	A, AErr         float64    // prefactor (units of tau per unit q^Alpha) and its error
	Alpha, AlphaErr float64    // exponent and its standard error
	AlphaCI         [2]float64 // Level confidence interval of Alpha (Student t, N-2 dof)
	Level           float64    // confidence level of AlphaCI (0.95)
	N               int        // points used
	RedChi2         float64    // reduced chi2 of the log-log fit (NaN when N = 2)
}

// PowerLaw fits tau = A q^alpha by weighted least squares of log tau on
// log q: weights (tau/tauErr)^2 (the error of log tau is tauErr/tau), or
// equal weights when tauErr is nil. Points with q <= 0, tau <= 0 or
// non-finite values (or a non-positive, non-finite error) are skipped. The
// standard errors are scaled by the reduced chi2 (as curve_fit does with
// absolute_sigma=False); the 95% interval of alpha uses Student's t with
// N-2 degrees of freedom (and is the point itself when N = 2).
func PowerLaw(q, tau, tauErr []float64) (PowerLawResult, error) {
	if len(q) != len(tau) || (tauErr != nil && len(tauErr) != len(tau)) {
		return PowerLawResult{}, fmt.Errorf("fit: power law: %d q values, %d tau values, %d errors", len(q), len(tau), len(tauErr))
	}
	var x, y, w []float64
	for i := range q {
		if !(q[i] > 0 && tau[i] > 0 && finite(q[i]) && finite(tau[i])) {
			continue
		}
		wi := 1.0
		if tauErr != nil {
			e := tauErr[i]
			if !(e > 0 && finite(e)) {
				continue
			}
			wi = (tau[i] / e) * (tau[i] / e)
		}
		x = append(x, math.Log(q[i]))
		y = append(y, math.Log(tau[i]))
		w = append(w, wi)
	}
	n := len(x)
	if n < 2 {
		return PowerLawResult{}, fmt.Errorf("fit: power law: %w: %d usable (q, tau) points, need 2", ErrTooFewPoints, n)
	}
	var s, sx, sxx float64
	for i := range x {
		s += w[i]
		sx += w[i] * x[i]
		sxx += w[i] * x[i] * x[i]
	}
	delta := s*sxx - sx*sx
	if !(delta > 1e-12*s*sxx) { // all log q equal (to rounding): no slope
		return PowerLawResult{}, fmt.Errorf("fit: power law: all %d points share one q", n)
	}
	logA, alpha := stat.LinearRegression(x, y, w, false)
	var chi2 float64
	for i := range x {
		r := y[i] - logA - alpha*x[i]
		chi2 += w[i] * r * r
	}
	res := PowerLawResult{Alpha: alpha, A: math.Exp(logA), N: n, Level: 0.95, RedChi2: math.NaN()}
	scale := 1.0
	if n > 2 {
		res.RedChi2 = chi2 / float64(n-2)
		scale = res.RedChi2
	}
	res.AlphaErr = math.Sqrt(s / delta * scale)
	res.AErr = res.A * math.Sqrt(sxx/delta*scale)
	half := 0.0
	if n > 2 {
		tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.5 + res.Level/2)
		half = tq * res.AlphaErr
	} else {
		res.AlphaErr = math.NaN()
	}
	res.AlphaCI = [2]float64{alpha - half, alpha + half}
	return res, nil
}
