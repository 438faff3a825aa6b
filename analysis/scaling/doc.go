// Package scaling fits complexity models to (size, value) measurements of one
// benchmark family and picks the best one by an information criterion.
//
// Models (f is the natural-log based basis, as analysis.ScalingModel.Value evaluates):
//
//	constant   value = c                       (1 coefficient)
//	log        value = a + b ln n              (2)
//	linear     value = a + b n                 (2)
//	nlogn      value = a + b n ln n            (2)
//	quadratic  value = a + b n²                (2)
//	power      value = c n^k                   (2), fitted by ordinary least
//	                                           squares on (ln n, ln value)
//
// The four a + b f(n) models keep an intercept a (a fixed cost per call:
// set-up, allocation, dispatch) and are fitted by weighted linear least
// squares with weights 1/value², that is they minimise the sum of squared
// relative residuals Σ((yᵢ - ŷᵢ)/yᵢ)². Timing noise is multiplicative (a
// roughly constant CV across sizes), and sizes usually span orders of
// magnitude; unweighted least squares would let the largest size alone decide
// the fit. The power law minimises Σ(ln yᵢ - ln ŷᵢ)², which is the same
// criterion to first order, so every model is scored on the same scale: its
// relative residual sum of squares RSS = Σ((yᵢ - ŷᵢ)/yᵢ)² (the RSS field).
//
// Model choice: Akaike's criterion under Gaussian relative errors,
// AIC = n ln(RSS/n) + 2k with k = coefficients + 1 (the error variance).
// With n ≥ 5 points the small-sample correction AICc = AIC + 2k(k+1)/(n-k-1)
// is used for every model (it tends to AIC as n grows, so it is always the
// safer choice); with 3 or 4 points AICc is undefined for the 2-coefficient
// models and plain AIC is used. The AIC field of each model holds the
// criterion actually used. RSS is floored at n·(1e-10)² so that fits exact
// to machine precision tie instead of racing to -Inf; ties (within 1e-9) go to
// the earlier model of the list above, so an exact c·n is "linear", not
// "power".
//
// The exponent reported (ScalingInfo.Exponent) is always the power-law
// exponent k with its 95% confidence interval from the log-log regression:
// k ± t(0.975, n-2) · se(k), se(k)² = RSS_log/(n-2) / Σ(ln nᵢ - mean)². It
// describes the measured growth whichever model wins.
package scaling
