package fit_test

import (
	"fmt"
	"math"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
)

// Fit a single-exponential g2 sampled on multi-tau lags (1 ms frames).
func ExampleFit() {
	var t, g2, e []float64
	for _, lag := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128} {
		ti := lag * 1e-3
		t = append(t, ti)
		g2 = append(g2, 1+0.25*math.Exp(-2*ti/0.02))
		e = append(e, 1e-3)
	}
	res, err := fit.Fit(t, g2, e, fit.Options{Model: fit.Single, Method: fit.LM})
	if err != nil {
		fmt.Println(err)
		return
	}
	tau, _ := res.Tau()
	fmt.Printf("contrast %.3f, tau %.4f s, baseline %.3f, converged %v\n", res.Params[0], tau, res.Params[3], res.Converged)
	// Output: contrast 0.250, tau 0.0200 s, baseline 1.000, converged true
}

// Fit the relaxation times of diffusion, tau = 1/(D q^2).
func ExamplePowerLaw() {
	q := []float64{0.002, 0.003, 0.004, 0.005}
	var tau []float64
	for _, v := range q {
		tau = append(tau, 1e-6*math.Pow(v, -2))
	}
	pl, err := fit.PowerLaw(q, tau, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("alpha %.3f, A %.3g\n", pl.Alpha, pl.A)
	// Output: alpha -2.000, A 1e-06
}
