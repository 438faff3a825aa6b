package twotime_test

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

// Two frames of three pixels: C(t1,t2) = <I1 I2>/(<I1><I2>).
func ExampleMatrix() {
	x := []float32{
		1, 2, 3, // frame 0
		2, 2, 2, // frame 1
	}
	c, err := twotime.Matrix(nil, x, 2, 3, twotime.Naive)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f %.4f\n%.4f %.4f\n", c[0], c[1], c[2], c[3])
	fmt.Printf("g2(0) %.4f, g2(1) %.4f\n", twotime.DiagonalG2(c, 2)[0], twotime.DiagonalG2(c, 2)[1])
	// Output:
	// 1.1667 1.0000
	// 1.0000 1.0000
	// g2(0) 1.0833, g2(1) 1.0000
}
