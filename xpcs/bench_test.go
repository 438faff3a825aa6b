package xpcs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// processCPU returns the user+system CPU time of the whole process. The
// machines here are shared and noisy: throughput per CPU-second is reported
// beside wall-clock throughput, as it does not count time spent waiting for
// a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var benchStacks sync.Map // Shape -> *Stack

// benchStack returns a synthetic stack of shape s, generated once.
func benchStack(b *testing.B, s Shape) *Stack {
	b.Helper()
	if v, ok := benchStacks.Load(s); ok {
		return v.(*Stack)
	}
	syn, err := NewSynth(DefaultSynth(s, 1))
	if err != nil {
		b.Fatal(err)
	}
	st, err := ReadAll(syn)
	if err != nil {
		b.Fatal(err)
	}
	benchStacks.Store(s, st)
	return st
}

// fullQMap bins every pixel (no mask, q range of the whole detector), so
// throughput counts every pixel of the frame, as numpy's reference does.
func fullQMap(b testing.TB, rows, cols int) *QMap {
	g := Geometry{BeamCenterX: float64(cols-1) / 2, BeamCenterY: float64(rows-1) / 2, PixelSize: 75e-6, Distance: 5, Energy: 10}
	qm, err := NewQMap(rows, cols, g, Mask{}, Partition{NStatic: 360, NDynamic: 36})
	if err != nil {
		b.Fatal(err)
	}
	return qm
}

// benchKernels are the paths the benchmarks run: every path available here,
// or only XPCS_KERNEL's when it is set.
func benchKernels() []kernelID {
	if os.Getenv("XPCS_KERNEL") != "" {
		return []kernelID{defaultKernel}
	}
	return availableKernels()
}

// limitMACs is the arithmetic work of multi-tau per pixel-frame: 8 lags at
// level 0, 4 lags on half as many frames at each level above (4·(1/2+1/4+...)
// -> 4): ~12 multiply-adds, plus one add for the sum per level (~2).
const limitMACs = 12

// multiTauCases runs op as sub-benchmarks over the stacks, paths and
// worker counts of the multi-tau benchmarks (workers 0: GOMAXPROCS) and
// reports throughput in Mpixel-frames/s (pixels x frames / s) and per
// CPU-second (user+system of the process).
func multiTauCases(b *testing.B, op func(b *testing.B, st *Stack, qm *QMap, k kernelID, workers int)) {
	for _, sh := range []Shape{{Frames: 1000, Rows: 256, Cols: 256}, {Frames: 500, Rows: 128, Cols: 128}} {
		for _, k := range benchKernels() {
			for _, workers := range []int{1, 0} {
				b.Run(fmt.Sprintf("%s/%s/workers=%d", sh, k, workers), func(b *testing.B) {
					st := benchStack(b, sh)
					qm := fullQMap(b, sh.Rows, sh.Cols)
					if workers == 0 {
						workers = runtime.GOMAXPROCS(0)
					}
					b.ResetTimer()
					cpu0 := processCPU()
					for b.Loop() {
						op(b, st, qm, k, workers)
					}
					b.ReportMetric(float64(sh.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixel-frames/s")
					b.ReportMetric(float64(sh.Len())*float64(b.N)/(processCPU()-cpu0).Seconds()/1e6, "Mpixel-frames/cpu-s")
				})
			}
		}
	}
}

// BenchmarkMultiTau correlates an in-memory synthetic stack with the
// streaming correlator, in blocks of 256 frames, then g2.
func BenchmarkMultiTau(b *testing.B) {
	multiTauCases(b, func(b *testing.B, st *Stack, qm *QMap, k kernelID, workers int) {
		c, err := NewCorrelator(qm, st.Frames, workers)
		if err != nil {
			b.Fatal(err)
		}
		c.kern = k
		np := st.Pixels()
		for f := 0; f < st.Frames; f += 256 {
			if err := AddFrames(c, st.Data[f*np:min(f+256, st.Frames)*np]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := c.Result(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPixelMajor is BenchmarkMultiTau on the pixel-major path of
// whole stacks (correlateStack, what Correlate does with an in-memory or
// memory-mapped stack): every pixel through all frames with an L2-sized
// state, then g2.
func BenchmarkPixelMajor(b *testing.B) {
	multiTauCases(b, func(b *testing.B, st *Stack, qm *QMap, k kernelID, workers int) {
		spans := []frameSpan{{0, st.Frames}}
		if _, err := correlateStack(ViewOf(st.Data), st.Pixels(), spans, qm, activePixels(qm), inactiveRuns(qm), workers, k); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkKernel times the correlator alone with everything in cache: 64
// pixels (a full 8x8 q-map), one worker, blocks of 256 uint16 frames,
// every level, the correlator reset every 2048 frames (so that the C paths
// run their fused multiply-add twins, exact at that length; the "-unfused"
// sub-benchmarks turn them off): the path's arithmetic ceiling (~12
// multiply-adds per pixel-frame, limitMACs). Reports ns and CPU-ns per
// pixel-frame and GMAC per CPU-second.
func BenchmarkKernel(b *testing.B) {
	const m, rows, cols, per = 256, 8, 8, 8
	np := rows * cols
	frames := make([]uint16, m*np)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range frames {
		frames[i] = uint16(rng.IntN(8))
	}
	qm := fullQMap(b, rows, cols)
	for _, k := range benchKernels() {
		for _, fused := range []bool{true, false} {
			name := k.String()
			if !fused {
				if !isCKernel(k) {
					continue
				}
				name += "-unfused"
			}
			b.Run(name, func(b *testing.B) {
				defer func(u bool) { useFMA = u }(useFMA)
				useFMA = useFMA && fused
				c, err := NewCorrelator(qm, m*per, 1)
				if err != nil {
					b.Fatal(err)
				}
				c.kern = k
				b.ResetTimer()
				cpu0 := processCPU()
				for range b.N {
					if c.Frames() == m*per {
						c.Reset()
					}
					if err := AddFrames(c, frames); err != nil {
						b.Fatal(err)
					}
				}
				pf := float64(b.N * m * np)
				cpu := (processCPU() - cpu0).Seconds()
				b.ReportMetric(b.Elapsed().Seconds()*1e9/pf, "ns/pixel-frame")
				b.ReportMetric(cpu*1e9/pf, "cpu-ns/pixel-frame")
				b.ReportMetric(pf*limitMACs/cpu/1e9, "GMAC/cpu-s")
			})
		}
	}
}

// BenchmarkSAXS1D bins a 1676x2100 image (the Rigaku 3M of E0173) into 360
// static bins, the case numpy's bincount does in 9.5 ms here.
func BenchmarkSAXS1D(b *testing.B) {
	rows, cols := 1676, 2100
	g := Geometry{BeamCenterX: 1677.5, BeamCenterY: 900, PixelSize: 75e-6, Distance: 11.6, Energy: 12.34}
	qm, err := NewQMap(rows, cols, g, Mask{}, Partition{NStatic: 360, NDynamic: 36})
	if err != nil {
		b.Fatal(err)
	}
	img := make([]float32, rows*cols)
	for i := range img {
		img[i] = float32(i%97) * 1e-3
	}
	b.SetBytes(int64(len(img)) * 8) // 4 B of image and 4 B of labels per pixel
	cpu0 := processCPU()
	defer func() { b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op") }()
	for b.Loop() {
		if _, err := SAXS1D(img, qm.Static, qm.NStatic()); err != nil {
			b.Fatal(err)
		}
	}
}
