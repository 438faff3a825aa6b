//go:build goexperiment.simd && amd64

package xpcs

import "simd/archsimd"

// Kernels with AVX2+FMA when built with GOEXPERIMENT=simd, the CPU has
// both (checked once at start) and the correlator's path is kernSIMD
// (argument simd); the portable kernels otherwise. One
// Float64x4 holds one time step of a group of 4 pixels, so a frame of a group
// costs 8 fused multiply-adds at level 0 instead of 32 scalar operations.

var haveGoSIMD = archsimd.X86.AVX2() && archsimd.X86.FMA()

// corr8x4 runs lags 1..4 here and lags 5..8 (with the sum) in corr4x4: one
// pass over 8 lags needs 8 accumulators + the sum + the current frame + a
// load, more than the 15 vector registers Go allocates, and the spills made
// it slower than two passes.
func corr8x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64, simd bool) {
	if !simd {
		corr8x4Go(ext, c, sum)
		return
	}
	c1 := archsimd.LoadFloat64x4((*[4]float64)(c[0:4]))
	c2 := archsimd.LoadFloat64x4((*[4]float64)(c[4:8]))
	c3 := archsimd.LoadFloat64x4((*[4]float64)(c[8:12]))
	c4 := archsimd.LoadFloat64x4((*[4]float64)(c[12:16]))
	n := len(ext) / lanes
	for t := histLen; t < n; t++ {
		w := ext[(t-4)*lanes : (t+1)*lanes : (t+1)*lanes]
		v := archsimd.LoadFloat64x4((*[4]float64)(w[16:20]))
		c1 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[12:16])), c1)
		c2 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[8:12])), c2)
		c3 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[4:8])), c3)
		c4 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[0:4])), c4)
	}
	c1.Store((*[4]float64)(c[0:4]))
	c2.Store((*[4]float64)(c[4:8]))
	c3.Store((*[4]float64)(c[8:12]))
	c4.Store((*[4]float64)(c[12:16]))
	corr4x4(ext, c, sum, true)
}

func corr4x4(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64, simd bool) {
	if !simd {
		corr4x4Go(ext, c, sum)
		return
	}
	c5 := archsimd.LoadFloat64x4((*[4]float64)(c[16:20]))
	c6 := archsimd.LoadFloat64x4((*[4]float64)(c[20:24]))
	c7 := archsimd.LoadFloat64x4((*[4]float64)(c[24:28]))
	c8 := archsimd.LoadFloat64x4((*[4]float64)(c[28:32]))
	s := archsimd.LoadFloat64x4(sum)
	n := len(ext) / lanes
	for t := histLen; t < n; t++ {
		w := ext[(t-8)*lanes : (t+1)*lanes : (t+1)*lanes]
		v := archsimd.LoadFloat64x4((*[4]float64)(w[32:36]))
		s = s.Add(v)
		c5 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[12:16])), c5)
		c6 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[8:12])), c6)
		c7 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[4:8])), c7)
		c8 = v.MulAdd(archsimd.LoadFloat64x4((*[4]float64)(w[0:4])), c8)
	}
	c5.Store((*[4]float64)(c[16:20]))
	c6.Store((*[4]float64)(c[20:24]))
	c7.Store((*[4]float64)(c[24:28]))
	c8.Store((*[4]float64)(c[28:32]))
	s.Store(sum)
}

func fold4(in, out []float64, simd bool) {
	if !simd {
		fold4Go(in, out)
		return
	}
	for i := 0; i < len(out)/lanes; i++ {
		x := in[2*i*lanes : (2*i+2)*lanes : (2*i+2)*lanes]
		a := archsimd.LoadFloat64x4((*[4]float64)(x[0:4]))
		b := archsimd.LoadFloat64x4((*[4]float64)(x[4:8]))
		a.Add(b).Store((*[4]float64)(out[i*lanes : (i+1)*lanes]))
	}
}
