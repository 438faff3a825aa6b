package twotime

import (
	"fmt"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// BenchmarkMatrix times one two-time bin of 1000 frames x 10000 pixels
// (float32) on every back end but Naive: the size numpy's X @ X.T is
// compared at (scripts/fit/twotime_numpy.py).
func BenchmarkMatrix(b *testing.B) {
	const n, k = 1000, 10000
	x := poissonish(n, k, 1)
	dst := make([]float32, n*n)
	for _, be := range Backends {
		if be == Naive || !be.Available() {
			continue
		}
		b.Run(fmt.Sprintf("backend=%v/frames=%d/pixels=%d", be, n, k), func(b *testing.B) {
			b.SetBytes(int64(4 * n * k))
			for b.Loop() {
				if _, err := Matrix(dst, x, n, k, be); err != nil {
					b.Fatal(err)
				}
			}
			// Useful flops of X X^T: n^2 k multiply-adds (SYRK does half).
			b.ReportMetric(float64(n)*float64(n)*float64(k)*2/1e9*float64(b.N)/b.Elapsed().Seconds(), "GFLOP/s")
		})
	}
}

// BenchmarkComputeSmall is the whole two-time path on the synthetic 'small'
// stack (500 x 128 x 128, 9 dynamic bins, read from memory): gather the
// pixels of every bin, then one product per bin.
func BenchmarkComputeSmall(b *testing.B) {
	syn, err := xpcs.NewSynth(xpcs.DefaultSynth(xpcs.Sizes["small"], 1))
	if err != nil {
		b.Fatal(err)
	}
	st, err := xpcs.ReadAll(syn)
	if err != nil {
		b.Fatal(err)
	}
	for _, be := range []Backend{OpenBLAS, Gonum} {
		if !be.Available() {
			continue
		}
		b.Run("backend="+be.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compute(st.Source(), syn.QMap(), Options{Backend: be}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
