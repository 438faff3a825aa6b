package xpcs

import (
	"fmt"
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

// BenchmarkMultiTau correlates an in-memory synthetic stack in blocks of 256
// frames and reports throughput in Mpixel-frames/s (pixels x frames / s).
func BenchmarkMultiTau(b *testing.B) {
	for _, sh := range []Shape{{Frames: 1000, Rows: 256, Cols: 256}, {Frames: 500, Rows: 128, Cols: 128}} {
		for _, workers := range []int{1, 0} {
			b.Run(fmt.Sprintf("%s/workers=%d", sh, workers), func(b *testing.B) {
				st := benchStack(b, sh)
				qm := fullQMap(b, sh.Rows, sh.Cols)
				np := sh.Pixels()
				b.ResetTimer()
				cpu0 := processCPU()
				for b.Loop() {
					c, err := NewCorrelator(qm, sh.Frames, workers)
					if err != nil {
						b.Fatal(err)
					}
					for f := 0; f < sh.Frames; f += 256 {
						e := min(f+256, sh.Frames)
						if err := AddFrames(c, st.Data[f*np:e*np]); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := c.Result(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(sh.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixel-frames/s")
				b.ReportMetric(float64(sh.Len())*float64(b.N)/(processCPU()-cpu0).Seconds()/1e6, "Mpixel-frames/cpu-s")
			})
		}
	}
}

// BenchmarkKernel times the level-0 kernel alone on one group of 4 pixels
// and 256 frames in L1 cache: the arithmetic ceiling of the correlator (8
// multiply-adds per pixel-frame). KernelISA tells which build ran.
func BenchmarkKernel(b *testing.B) {
	m := 256
	ext := make([]float64, (histLen+m)*lanes)
	for i := range ext {
		ext[i] = float64(i % 13)
	}
	var c [histLen * lanes]float64
	var s [lanes]float64
	b.Run("corr8x4/"+KernelISA(), func(b *testing.B) {
		for b.Loop() {
			corr8x4(ext, &c, &s, defaultKernel == kernSIMD)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m*lanes), "ns/pixel-frame")
	})
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
