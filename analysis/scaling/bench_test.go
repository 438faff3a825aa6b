package scaling

import (
	"math"
	"testing"
)

// BenchmarkFit: one family of 8 sizes, all six models.
func BenchmarkFit(b *testing.B) {
	pts := gen(func(n float64) float64 { return 1e-4 + 1e-7*n*math.Log(n)*(1+0.01*math.Sin(n)) }, sizes)
	for b.Loop() {
		if _, err := Fit("fam", pts, "s"); err != nil {
			b.Fatal(err)
		}
	}
}
