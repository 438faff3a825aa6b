//go:build !(goexperiment.simd && amd64)

package xpcs

// Kernels of builds without GOEXPERIMENT=simd: the portable Go kernels
// (the simd argument is always false here).

const haveGoSIMD = false

func corr8x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64, _ bool) {
	corr8x4Go(ext, c, sum)
}

func corr4x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64, _ bool) {
	corr4x4Go(ext, c, sum)
}

func fold4(in, out []float64, _ bool) { fold4Go(in, out) }
