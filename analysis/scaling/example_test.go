package scaling_test

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/scaling"
)

// A multi-tau correlator timed at five frame counts: 2 µs of set-up plus
// 40 ns per frame.
func ExampleFit() {
	var pts []analysis.ScalingPoint
	for _, n := range []float64{100, 500, 1000, 2000, 5000} {
		pts = append(pts, analysis.ScalingPoint{N: n, Value: 2e-6 + 40e-9*n})
	}
	info, err := scaling.Fit("xpcs/g2/multitau", pts, "s")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The power law bends the fixed cost into a lower exponent; the
	// linear model with an intercept describes the kernel exactly.
	fmt.Printf("best %s, exponent %.2f\n", info.Best, info.Exponent)
	for _, m := range info.Models {
		if m.Name == info.Best {
			fmt.Printf("value = %.3g + %.3g n; at n=10000: %.3g s\n", m.Intercept, m.Coef, m.Value(1e4))
		}
	}
	// Output:
	// best linear, exponent 0.90
	// value = 2e-06 + 4e-08 n; at n=10000: 0.000402 s
}
