package xpcs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKernelLayout(t *testing.T) {
	want := [6]int{groupLevel / lanes, oHist, oCorr, oSum, oCarry, oHead}
	if got := cLayout(); got != want {
		t.Fatalf("C state layout %v, Go %v", got, want)
	}
	if pixelBlock%8 != 0 {
		t.Fatalf("pixelBlock %d is not a multiple of 8", pixelBlock)
	}
}

func TestSelectKernel(t *testing.T) {
	ks := availableKernels()
	if ks[0] != kernPortable {
		t.Fatalf("portable path missing: %v", ks)
	}
	if k, err := selectKernel(""); err != nil || k != ks[len(ks)-1] {
		t.Errorf("default: %v %v, want the fastest %v", k, err, ks[len(ks)-1])
	}
	if k, err := selectKernel(" Portable "); err != nil || k != kernPortable {
		t.Errorf("portable: %v %v", k, err)
	}
	if _, err := selectKernel("avx1024"); err == nil {
		t.Errorf("unknown kernel accepted")
	}
	t.Logf("paths here: %v; default %s", Kernels(), KernelISA())
}

// kernelCase is one input of TestKernelPaths.
type kernelCase struct {
	name               string
	frames, rows, cols int
	block, workers     int
	maskFrac           float64                // fraction of pixels masked at random
	count              func(r *rand.Rand) int // uint16 counts
}

// TestKernelPaths correlates the same stacks on every path the binary can
// run here and compares the whole correlator state (every moment of every
// pixel and level, the history, head and carry words) and the per-frame
// sums with the portable path: bitwise for the C paths, and for the
// GOEXPERIMENT=simd path whenever the sums are exact integers (its fused
// multiply-adds round differently otherwise). Float frames (the averaging
// path of Correlate) are compared within 1e-12 relative. Edge counts (0,
// 65535), masked pixels (non-contiguous pixel runs, partial groups, an odd
// number of groups for the 8-wide path), odd block sizes, one-frame blocks
// and a long series at full scale (levels up to 10, sums near 2^53) are
// covered.
func TestKernelPaths(t *testing.T) {
	t.Parallel()
	small := func(r *rand.Rand) int { return r.IntN(20) }
	edge := func(r *rand.Rand) int {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return 65535
		case 2:
			return 1
		}
		return r.IntN(65536)
	}
	cases := []kernelCase{
		{"small-counts", 300, 16, 24, 64, 2, 0, small},
		{"masked-odd-blocks", 257, 13, 11, 37, 3, 0.3, small},
		{"edge-values", 200, 12, 12, 50, 2, 0.1, edge},
		{"all-65535", 130, 8, 8, 130, 1, 0, func(*rand.Rand) int { return 65535 }},
		{"all-zero", 40, 8, 8, 7, 2, 0, func(*rand.Rand) int { return 0 }},
		{"one-frame-blocks", 30, 9, 7, 1, 2, 0.2, edge},
		{"long-full-scale", 4100, 4, 6, 512, 2, 0, func(r *rand.Rand) int { return 65535 - r.IntN(16) }},
		{"wide-block", 100, 40, 40, 100, 1, 0.05, small}, // 1600 pixels: several pixel blocks
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.frames*tc.rows)))
			qm := randomMaskQMap(t, rng, tc.rows, tc.cols, tc.maskFrac)
			np := tc.rows * tc.cols
			data := make([]uint16, tc.frames*np)
			for i := range data {
				data[i] = uint16(tc.count(rng))
			}
			fdata := make([]float64, len(data))
			for i := range fdata {
				fdata[i] = float64(data[i]) + rng.Float64() // non-integer: exercises rounding
			}
			ref := runKernel(t, kernPortable, qm, data, tc)
			fref := runKernel(t, kernPortable, qm, fdata, tc)
			exact := tc.name != "long-full-scale" && tc.name != "all-65535" && tc.name != "edge-values"
			for _, k := range availableKernels()[1:] {
				got := runKernel(t, k, qm, data, tc)
				if k == kernSIMD && !exact {
					statesClose(t, k.String()+" uint16", got, ref, 1e-12)
				} else {
					statesEqual(t, k.String()+" uint16", got, ref)
				}
				statesClose(t, k.String()+" float64", runKernel(t, k, qm, fdata, tc), fref, 1e-12)
				g, err := got.Result()
				if err != nil {
					t.Fatal(err)
				}
				w, _ := ref.Result()
				for i := range w.G2 {
					if !sameOrClose(g.G2[i], w.G2[i]) || !sameOrClose(g.Err[i], w.Err[i]) || g.Excluded[i] != w.Excluded[i] {
						t.Fatalf("%s: g2 value %d: %v ± %v, portable %v ± %v", k, i, g.G2[i], g.Err[i], w.G2[i], w.Err[i])
					}
				}
			}
		})
	}
}

func sameOrClose(a, b float64) bool {
	return (math.IsNaN(a) && math.IsNaN(b)) || relClose(a, b, 1e-12)
}

func randomMaskQMap(t *testing.T, rng *rand.Rand, rows, cols int, frac float64) *QMap {
	t.Helper()
	mask := NewMask(rows, cols)
	for i := range mask.Valid {
		if rng.Float64() < frac {
			mask.Valid[i] = false
		}
	}
	g := Geometry{BeamCenterX: float64(cols) / 2, BeamCenterY: float64(rows) / 2, PixelSize: 75e-6, Distance: 5, Energy: 10}
	qm, err := NewQMap(rows, cols, g, mask, Partition{NStatic: 6, NDynamic: 3})
	if err != nil {
		t.Fatal(err)
	}
	return qm
}

func runKernel[T Pixel](t *testing.T, k kernelID, qm *QMap, data []T, tc kernelCase) *Correlator {
	t.Helper()
	c, err := NewCorrelator(qm, tc.frames, tc.workers)
	if err != nil {
		t.Fatal(err)
	}
	c.kern = k
	np := qm.Pixels()
	for f := 0; f < tc.frames; f += tc.block {
		if err := AddFrames(c, data[f*np:min(f+tc.block, tc.frames)*np]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func statesEqual(t *testing.T, name string, got, want *Correlator) {
	t.Helper()
	for i := range want.state {
		if math.Float64bits(got.state[i]) != math.Float64bits(want.state[i]) {
			t.Fatalf("%s: %s = %v, portable %v", name, stateWord(want, i), got.state[i], want.state[i])
		}
	}
	for i := range want.frameSum {
		if got.frameSum[i] != want.frameSum[i] {
			t.Fatalf("%s: frame %d sum %v, portable %v", name, i, got.frameSum[i], want.frameSum[i])
		}
	}
}

func statesClose(t *testing.T, name string, got, want *Correlator, rel float64) {
	t.Helper()
	for i := range want.state {
		if !relClose(got.state[i], want.state[i], rel) {
			t.Fatalf("%s: %s = %v, portable %v", name, stateWord(want, i), got.state[i], want.state[i])
		}
	}
	for i := range want.frameSum {
		if !relClose(got.frameSum[i], want.frameSum[i], rel) {
			t.Fatalf("%s: frame %d sum %v, portable %v", name, i, got.frameSum[i], want.frameSum[i])
		}
	}
}

// stateWord describes state index i (group, level, word, lane).
func stateWord(c *Correlator, i int) string {
	g, r := i/(c.nlev*groupLevel), i%(c.nlev*groupLevel)
	return fmt.Sprintf("group %d level %d word %d lane %d", g, r/groupLevel, r%groupLevel/lanes, r%lanes)
}

// TestFMABound shows why the fused multiply-add kernels are used only
// within exactFMA: 20000 frames of counts near 65535 make the top levels'
// sums of products exceed 2^53, where a fused multiply-add rounds
// differently from a multiply then an add. With the bound the C paths stay
// bitwise equal to the portable one; without it (fmaAlways) they do not.
// The test is not parallel: it sets fmaAlways.
func TestFMABound(t *testing.T) {
	if !haveFMA || !isCKernel(defaultKernel) {
		t.Skip("no FMA C kernel on this machine")
	}
	const frames, rows, cols = 20000, 2, 4
	if exactFMA(frames, numLevels(frames)) {
		t.Fatalf("exactFMA(%d frames) holds: the test needs inexact sums", frames)
	}
	if !exactFMA(1000, numLevels(1000)) {
		t.Fatalf("exactFMA(1000 frames) fails: the benchmark size would not use FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]uint16, frames*rows*cols)
	for i := range data {
		data[i] = uint16(60000 + rng.IntN(5536))
	}
	g := Geometry{BeamCenterX: 1.5, BeamCenterY: 0.5, PixelSize: 75e-6, Distance: 5, Energy: 10}
	qm, err := NewQMap(rows, cols, g, Mask{}, Partition{NStatic: 1, NDynamic: 1})
	if err != nil {
		t.Fatal(err)
	}
	tc := kernelCase{frames: frames, rows: rows, cols: cols, block: 512, workers: 1}
	want := runKernel(t, kernPortable, qm, data, tc).state
	for _, k := range availableKernels() {
		if !isCKernel(k) {
			continue
		}
		if got := runKernel(t, k, qm, data, tc).state; !slices.Equal(got, want) {
			t.Errorf("%s within the bound: state differs from the portable path", k)
		}
		fmaAlways = true
		got := runKernel(t, k, qm, data, tc).state
		fmaAlways = false
		if slices.Equal(got, want) {
			t.Errorf("%s with FMA beyond the bound: state equals the portable path's; the test no longer shows why the bound is needed", k)
		}
	}
}
