//go:build !(goexperiment.simd && amd64)

package xpcs

// Kernels of the portable build (no GOEXPERIMENT=simd).

func corr8x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64) {
	corr8x4Go(ext, c, sum)
}

func corr4x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64) {
	corr4x4Go(ext, c, sum)
}

func fold4(in, out []float64) { fold4Go(in, out) }

// KernelISA names the instruction set of the multi-tau kernels in use.
func KernelISA() string { return "scalar (portable Go)" }
