package xpcs_test

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

func ExampleDelays() {
	// 4 delays per level: 1..8, then 5..8 x 2^L while the level has more
	// folded frames than the lag.
	fmt.Println(xpcs.Delays(40))
	fmt.Println(len(xpcs.Delays(100000)), xpcs.Delays(100000)[60])
	// Output:
	// [1 2 3 4 5 6 7 8 10 12 14 16 20 24 28 32]
	// 61 81920
}

func ExampleGeometry_Q() {
	g := xpcs.Geometry{BeamCenterX: 0, BeamCenterY: 0, PixelSize: 75e-6, Distance: 5, Energy: 10}
	// 100 pixels (7.5 mm) from the beam at 5 m and 10 keV.
	fmt.Printf("λ = %.4f Å, q = %.5f 1/Å\n", g.Wavelength(), g.Q(0, 100))
	// Output:
	// λ = 1.2398 Å, q = 0.00760 1/Å
}
