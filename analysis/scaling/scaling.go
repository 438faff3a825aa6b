package scaling

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Model names, in the order used to break ties (simplest first, power last).
const (
	Constant  = "constant"
	Log       = "log"
	Linear    = "linear"
	NLogN     = "nlogn"
	Quadratic = "quadratic"
	Power     = "power"
)

// Models lists every model Fit tries, in tie-breaking order.
var Models = []string{Constant, Log, Linear, NLogN, Quadratic, Power}

// MinPoints is the smallest number of points (and of distinct sizes) Fit accepts.
const MinPoints = 3

// ErrInput reports points Fit cannot use.
var ErrInput = errors.New("scaling: bad input")

// rssFloor is the smallest relative residual per point that counts: fits
// exact to machine precision tie instead of reaching ln(0) = -Inf.
const rssFloor = 1e-10

// basis returns f(n) of the a + b f(n) models (natural log).
func basis(model string, n float64) float64 {
	switch model {
	case Constant:
		return 1
	case Log:
		return math.Log(n)
	case Linear:
		return n
	case NLogN:
		return n * math.Log(n)
	case Quadratic:
		return n * n
	}
	panic("scaling: no basis for model " + model)
}

// Fit fits every model of the package documentation to pts (sizes n and
// values, e.g. seconds per operation, in unit) and picks the best by AICc
// (AIC with fewer than 5 points). family names the benchmark family in
// errors and in the result. The returned points are sorted by n.
//
// Errors (wrapping ErrInput, naming the family and the point): fewer than 3
// points or distinct sizes, and sizes or values that are not finite and
// positive.
func Fit(family string, pts []analysis.ScalingPoint, unit string) (analysis.ScalingInfo, error) {
	if len(pts) < MinPoints {
		return analysis.ScalingInfo{}, fmt.Errorf("%w: %s: %d points, need at least %d", ErrInput, family, len(pts), MinPoints)
	}
	sorted := slices.Clone(pts)
	slices.SortStableFunc(sorted, func(a, b analysis.ScalingPoint) int {
		switch {
		case a.N < b.N:
			return -1
		case a.N > b.N:
			return 1
		}
		return 0
	})
	distinct := 0
	for i, p := range sorted {
		if !(p.N > 0) || math.IsInf(p.N, 0) {
			return analysis.ScalingInfo{}, fmt.Errorf("%w: %s: size n=%g is not finite and positive", ErrInput, family, p.N)
		}
		if !(p.Value > 0) || math.IsInf(p.Value, 0) {
			return analysis.ScalingInfo{}, fmt.Errorf("%w: %s: value %g at n=%g is not finite and positive", ErrInput, family, p.Value, p.N)
		}
		if i == 0 || p.N != sorted[i-1].N {
			distinct++
		}
	}
	if distinct < MinPoints {
		return analysis.ScalingInfo{}, fmt.Errorf("%w: %s: %d distinct sizes, need at least %d", ErrInput, family, distinct, MinPoints)
	}

	nPts := len(sorted)
	y := make([]float64, nPts)
	w := make([]float64, nPts)
	lnN := make([]float64, nPts)
	lnY := make([]float64, nPts)
	for i, p := range sorted {
		y[i] = p.Value
		w[i] = 1 / (p.Value * p.Value)
		lnN[i] = math.Log(p.N)
		lnY[i] = math.Log(p.Value)
	}
	useAICc := nPts >= 5

	info := analysis.ScalingInfo{Family: family, Unit: unit, Points: sorted}
	x := make([]float64, nPts)
	for _, name := range Models {
		var m analysis.ScalingModel
		coefs := 2
		switch name {
		case Constant:
			// Weighted mean minimising Σ((y-c)/y)²: c = Σ(1/y) / Σ(1/y²).
			var num, den float64
			for i := range y {
				num += w[i] * y[i]
				den += w[i]
			}
			m = analysis.ScalingModel{Name: name, Coef: num / den}
			coefs = 1
		case Power:
			a, b := stat.LinearRegression(lnN, lnY, nil, false)
			m = analysis.ScalingModel{Name: name, Coef: math.Exp(a), Exponent: b}
		default:
			for i, p := range sorted {
				x[i] = basis(name, p.N)
			}
			a, b := stat.LinearRegression(x, y, w, false)
			m = analysis.ScalingModel{Name: name, Coef: b, Intercept: a}
		}
		var rss float64
		for i, p := range sorted {
			r := (y[i] - m.Value(p.N)) / y[i]
			rss += r * r
		}
		m.RSS = rss
		m.AIC = criterion(rss, nPts, coefs+1, useAICc)
		info.Models = append(info.Models, m)
	}

	best := 0
	for i, m := range info.Models {
		if m.AIC < info.Models[best].AIC-1e-9*math.Max(1, math.Abs(info.Models[best].AIC)) {
			best = i
		}
	}
	info.Best = info.Models[best].Name
	info.Exponent, info.ExpCILow, info.ExpCIHi = exponentCI(lnN, lnY, info.Models[len(info.Models)-1])
	return info, nil
}

// criterion is AIC = n ln(RSS/n) + 2k, plus 2k(k+1)/(n-k-1) when aicc.
func criterion(rss float64, n, k int, aicc bool) float64 {
	fn := float64(n)
	rss = math.Max(rss, fn*rssFloor*rssFloor)
	aic := fn*math.Log(rss/fn) + 2*float64(k)
	if aicc {
		aic += 2 * float64(k*(k+1)) / float64(n-k-1)
	}
	return aic
}

// exponentCI returns the power-law exponent and its 95% confidence interval
// from the log-log regression (t distribution with n-2 degrees of freedom).
func exponentCI(lnN, lnY []float64, pow analysis.ScalingModel) (k, lo, hi float64) {
	n := len(lnN)
	k = pow.Exponent
	a := math.Log(pow.Coef)
	mean := stat.Mean(lnN, nil)
	var sxx, rss float64
	for i := range lnN {
		d := lnN[i] - mean
		sxx += d * d
		r := lnY[i] - a - k*lnN[i]
		rss += r * r
	}
	se := math.Sqrt(rss / float64(n-2) / sxx)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.975)
	return k, k - t*se, k + t*se
}
