package xpcs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bitsEqual reports whether a and b hold the same float64 bit patterns.
func bitsEqual(a, b []float64) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i, false
		}
	}
	return 0, true
}

// TestStackPathMatchesStreaming runs the pixel-major path (correlateStack)
// and the streaming Correlator (AddFrames in blocks, Result) over the same
// uint16 stacks on every kernel path the CPU runs, and compares g2, its
// error, the excluded counts, the per-pixel sums and the per-frame sums bit
// for bit. The cases cover masked pixels (partial groups, pixel blocks
// that are not full), frame counts that are not multiples of stackFrames,
// several pixel blocks per worker, one and three workers, and dark pixels.
func TestStackPathMatchesStreaming(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		frames, rows, cols int
		workers, block     int
		maskFrac           float64
		maxCount           int
	}{
		{"small", 40, 12, 13, 2, 7, 0.1, 5},
		{"odd-frames", 601, 24, 24, 2, 64, 0.2, 3},
		{"blocks", 300, 40, 40, 3, 100, 0.05, 40},
		{"one-worker", 257, 33, 17, 1, 256, 0.3, 1},
		{"dark", 90, 16, 16, 2, 30, 0, 0},
	} {
		for _, k := range availableKernels() {
			t.Run(fmt.Sprintf("%s/%s", tc.name, k), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tc.frames), uint64(tc.rows)))
				qm := randomMaskQMap(t, rng, tc.rows, tc.cols, tc.maskFrac)
				st := randStack(t, Shape{Frames: tc.frames, Rows: tc.rows, Cols: tc.cols}, uint64(tc.cols), tc.maxCount)
				np := qm.Pixels()

				c, err := NewCorrelator(qm, tc.frames, tc.workers)
				if err != nil {
					t.Fatal(err)
				}
				c.kern = k
				for f := 0; f < tc.frames; f += tc.block {
					if err := AddFrames(c, st.Data[f*np:min(f+tc.block, tc.frames)*np]); err != nil {
						t.Fatal(err)
					}
				}
				want, err := c.Result()
				if err != nil {
					t.Fatal(err)
				}
				wantSum := make([]float64, np)
				c.Sums(wantSum)
				for p, d := range qm.Dynamic {
					for f := 0; d < 0 && f < tc.frames; f++ {
						wantSum[p] += float64(st.Data[f*np+p])
					}
				}

				for _, view := range []struct {
					name string
					v    StackView
				}{
					{"contiguous", ViewOf(st.Data)},
					{"scattered", scatter(st.Data, np, rng, false)},
					{"odd offsets", scatter(st.Data, np, rng, true)},
				} {
					var got *G2
					var gotSum, frameSum []float64
					out, err := correlateStack(view.v, np, []frameSpan{{0, tc.frames}}, qm, activePixels(qm), inactiveRuns(qm), tc.workers, k)
					if err == nil {
						got, gotSum, frameSum = out[0].g2, out[0].sum, out[0].frameSum
					}
					if usable := isCKernel(k) || view.v.aligned(tc.frames, np); usable != (err == nil) {
						t.Fatalf("%s: usable %v, error %v", view.name, usable, err)
					}
					if err != nil {
						if isCKernel(k) || view.name != "odd offsets" {
							t.Fatalf("%s: %v", view.name, err)
						}
						continue // the Go paths read aligned frames only
					}
					for _, f := range []struct {
						name      string
						got, want []float64
					}{
						{"g2", got.G2, want.G2}, {"err", got.Err, want.Err},
						{"sums", gotSum, wantSum}, {"frame sums", frameSum, c.frameSum},
					} {
						if i, ok := bitsEqual(f.got, f.want); !ok {
							t.Fatalf("%s: %s differ at %d (len %d, %d)", view.name, f.name, i, len(f.got), len(f.want))
						}
					}
					if !slices.Equal(got.Excluded, want.Excluded) || !slices.Equal(got.Pixels, want.Pixels) || !slices.Equal(got.Delays, want.Delays) {
						t.Fatalf("%s: counts differ: excluded %v / %v", view.name, got.Excluded, want.Excluded)
					}
					// A span inside the run, with the whole run beside it,
					// equals a correlator of those frames alone.
					f0, m := tc.frames/3, tc.frames/2
					out, err = correlateStack(view.v, np, []frameSpan{{0, tc.frames}, {f0, m}}, qm, activePixels(qm), inactiveRuns(qm), tc.workers, k)
					if err != nil {
						t.Fatal(err)
					}
					cs, err := NewCorrelator(qm, m, tc.workers)
					if err != nil {
						t.Fatal(err)
					}
					cs.kern = k
					if err := AddFrames(cs, st.Data[f0*np:(f0+m)*np]); err != nil {
						t.Fatal(err)
					}
					ws, err := cs.Result()
					if err != nil {
						t.Fatal(err)
					}
					spanSum := make([]float64, np)
					cs.Sums(spanSum)
					for p, d := range qm.Dynamic {
						for f := f0; d < 0 && f < f0+m; f++ {
							spanSum[p] += float64(st.Data[f*np+p])
						}
					}
					for _, f := range []struct {
						name      string
						got, want []float64
					}{
						{"whole g2", out[0].g2.G2, want.G2}, {"span g2", out[1].g2.G2, ws.G2}, {"span err", out[1].g2.Err, ws.Err},
						{"span sums", out[1].sum, spanSum}, {"span frame sums", out[1].frameSum, cs.frameSum},
					} {
						if i, ok := bitsEqual(f.got, f.want); !ok {
							t.Fatalf("%s: %s differ at %d", view.name, f.name, i)
						}
					}
				}
			})
		}
	}
}

// scatter copies the frames of data into a larger byte buffer in a
// shuffled order with gaps between them (odd: at odd offsets), as the
// chunks of an HDF5 file lie, and returns the view with their offsets.
func scatter(data []uint16, np int, rng *rand.Rand, odd bool) StackView {
	n := len(data) / np
	slot := 2*np + 6
	start := 10
	if odd {
		start = 11
	}
	buf := make([]byte, n*slot+start)
	for i := range buf {
		buf[i] = 0xff // gaps: values no frame holds here
	}
	off := make([]int64, n)
	for t, s := range rng.Perm(n) {
		off[t] = int64(s*slot + start)
		copy(buf[off[t]:], u16Bytes(data[t*np:(t+1)*np]))
	}
	return StackView{Data: buf, Off: off}
}

// hideStack hides the WholeStack method of a source: Correlate streams.
type hideStack struct{ FrameSource }

// TestCorrelateStackPath checks that Correlate takes the pixel-major path
// for an in-memory source and gives the streaming path's Result bit for
// bit (Options.Stream and a source without AllFrames), and streams when
// frames were already read.
func TestCorrelateStackPath(t *testing.T) {
	t.Parallel()
	sh := Shape{Frames: 333, Rows: 32, Cols: 30}
	st := randStack(t, sh, 7, 9)
	qm := testQMap(t, sh.Rows, sh.Cols, 6, 3)
	got, err := Correlate(st.Source(), qm, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]struct {
		src FrameSource
		opt Options
	}{
		"Stream option":    {st.Source(), Options{Workers: 2, Stream: true}},
		"plain source":     {hideStack{st.Source()}, Options{Workers: 2}},
		"small blocks":     {hideStack{st.Source()}, Options{Workers: 2, BlockFrames: 50}},
		"one-frame blocks": {st.Source(), Options{Workers: 2, Stream: true, BlockFrames: 1}},
	} {
		want, err := Correlate(src.src, qm, src.opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name      string
			got, want []float64
		}{
			{"g2", got.G2.G2, want.G2.G2}, {"err", got.G2.Err, want.G2.Err},
			{"time average", got.TimeAverage, want.TimeAverage}, {"saxs", got.SAXS1D, want.SAXS1D},
			{"intensity", got.IntensityVsTime, want.IntensityVsTime},
		} {
			if i, ok := bitsEqual(f.got, f.want); !ok {
				t.Errorf("%s: %s differ at %d", name, f.name, i)
			}
		}
	}
	// Time segments: pixel-major too, each segment bit for bit.
	gotSeg, err := Correlate(st.Source(), qm, Options{Workers: 2, Segments: 3})
	if err != nil || !gotSeg.PixelMajor {
		t.Fatalf("segments: %v, pixel-major %v", err, gotSeg != nil && gotSeg.PixelMajor)
	}
	wantSeg, err := Correlate(st.Source(), qm, Options{Workers: 2, Segments: 3, Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(gotSeg.SegmentG2) != 3 || len(wantSeg.SegmentG2) != 3 || len(gotSeg.SegmentSAXS1D) != 3 {
		t.Fatalf("segments: %d g2 and %d SAXS pixel-major, %d g2 streamed", len(gotSeg.SegmentG2), len(gotSeg.SegmentSAXS1D), len(wantSeg.SegmentG2))
	}
	for i := range 3 {
		for _, f := range []struct {
			name      string
			got, want []float64
		}{
			{"g2", gotSeg.SegmentG2[i].G2, wantSeg.SegmentG2[i].G2}, {"err", gotSeg.SegmentG2[i].Err, wantSeg.SegmentG2[i].Err},
			{"saxs", gotSeg.SegmentSAXS1D[i], wantSeg.SegmentSAXS1D[i]},
		} {
			if j, ok := bitsEqual(f.got, f.want); !ok {
				t.Errorf("segment %d: %s differ at %d", i, f.name, j)
			}
		}
	}
	if j, ok := bitsEqual(gotSeg.G2.G2, got.G2.G2); !ok {
		t.Errorf("whole-run g2 with segments differs at %d", j)
	}

	// A stride picks frames of the view: pixel-major too, with and without
	// segments; averaging streams.
	for _, opt := range []Options{{Workers: 2, Stride: 3}, {Workers: 2, Stride: 2, Segments: 2}, {Workers: 2, Stride: 2, Average: 2}} {
		got, err := Correlate(st.Source(), qm, opt)
		if err != nil {
			t.Fatal(err)
		}
		if got.PixelMajor != (opt.Average == 0) {
			t.Errorf("%+v: pixel-major %v (%s)", opt, got.PixelMajor, got.StreamReason)
		}
		sopt := opt
		sopt.Stream = true
		want, err := Correlate(st.Source(), qm, sopt)
		if err != nil {
			t.Fatal(err)
		}
		if got.Frames != want.Frames || len(got.SegmentG2) != len(want.SegmentG2) {
			t.Fatalf("%+v: %d frames, %d segments; streamed %d, %d", opt, got.Frames, len(got.SegmentG2), want.Frames, len(want.SegmentG2))
		}
		cmp := []struct {
			name      string
			got, want []float64
		}{
			{"g2", got.G2.G2, want.G2.G2}, {"err", got.G2.Err, want.G2.Err},
			{"time average", got.TimeAverage, want.TimeAverage}, {"intensity", got.IntensityVsTime, want.IntensityVsTime},
		}
		for i := range got.SegmentG2 {
			cmp = append(cmp, struct {
				name      string
				got, want []float64
			}{fmt.Sprintf("segment %d g2", i), got.SegmentG2[i].G2, want.SegmentG2[i].G2})
		}
		for _, f := range cmp {
			if i, ok := bitsEqual(f.got, f.want); !ok {
				t.Errorf("%+v: %s differ at %d", opt, f.name, i)
			}
		}
	}

	src := st.Source()
	buf := make([]uint16, sh.Pixels())
	if _, err := src.ReadFrames(buf); err != nil {
		t.Fatal(err)
	}
	if v, ok := src.(WholeStack).AllFrames(); ok {
		t.Fatalf("AllFrames after a read returned %d values, want none", len(v.Data))
	}
}

// TestMergerOrder hands a range's blocks to a merger in a shuffled order
// and checks that its accumulator equals adding every pixel in order, bit
// for bit (the order of the floating-point sums is what makes the
// pixel-major g2 identical to Result's).
func TestMergerOrder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	qm := randomMaskQMap(t, rng, 20, 20, 0.1)
	active := activePixels(qm)
	rp, err := newResultPlan(qm, active, 100)
	if err != nil {
		t.Fatal(err)
	}
	nl := rp.nl
	w := recWords * nl
	mom := make([]float64, len(active)*w)
	for i := range mom {
		mom[i] = rng.Float64() * 10 // G, IP, IF, R of every pixel
	}
	want := rp.newAcc()
	for i := range active {
		rp.add(&want, i, mom[i*w:(i+1)*w])
	}
	const size = 7
	var spans []pixelSpan
	for k, b0 := 0, 0; b0 < len(active); k, b0 = k+1, b0+size {
		spans = append(spans, pixelSpan{0, k, b0, min(b0+size, len(active))})
	}
	m := merger{acc: rp.newAcc(), pending: map[int]pixelSpanMoments{}}
	for _, j := range rng.Perm(len(spans)) {
		s := spans[j]
		m.put(rp, s, mom[s.b0*w:s.b1*w], nil)
	}
	if m.next != len(spans) || len(m.pending) != 0 {
		t.Fatalf("merger added %d of %d blocks, %d pending", m.next, len(spans), len(m.pending))
	}
	for _, f := range []struct {
		name      string
		got, want []float64
	}{{"moments", m.acc.mom, want.mom}, {"ratio sums", m.acc.rsum, want.rsum}, {"ratio squares", m.acc.rsq, want.rsq}} {
		if i, ok := bitsEqual(f.got, f.want); !ok {
			t.Fatalf("%s differ at %d", f.name, i)
		}
	}
	if !slices.Equal(m.acc.rcnt, want.rcnt) {
		t.Fatal("ratio counts differ")
	}
}

// TestStackPathFullScaleSums checks the pixel-major path's integer sums of
// the uncorrelated pixels at full scale (every count 65535) against the
// streaming path's float64 sums, bit for bit.
func TestStackPathFullScaleSums(t *testing.T) {
	t.Parallel()
	sh := Shape{Frames: 257, Rows: 40, Cols: 40}
	st, err := NewStack(sh)
	if err != nil {
		t.Fatal(err)
	}
	for i := range st.Data {
		st.Data[i] = 65535
	}
	// Masked rows 5-9 and columns 0-10: runs of 40 and of 11 uncorrelated
	// pixels (the 8-wide loop and its tail).
	mask := NewMask(sh.Rows, sh.Cols)
	for p := range mask.Valid {
		if r, c := p/sh.Cols, p%sh.Cols; (r >= 5 && r <= 9) || c <= 10 {
			mask.Valid[p] = false
		}
	}
	g := Geometry{BeamCenterX: 20, BeamCenterY: 20, PixelSize: 75e-6, Distance: 5, Energy: 10}
	qm, err := NewQMap(sh.Rows, sh.Cols, g, mask, Partition{NStatic: 6, NDynamic: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(qm.Dynamic) - len(activePixels(qm)); n < 40 {
		t.Fatalf("only %d uncorrelated pixels: the test needs runs of them", n)
	}
	got, err := Correlate(st.Source(), qm, Options{Workers: 2})
	if err != nil || !got.PixelMajor {
		t.Fatalf("pixel-major: %v (pixel-major %v)", err, got != nil && got.PixelMajor)
	}
	want, err := Correlate(st.Source(), qm, Options{Workers: 2, Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if i, ok := bitsEqual(got.TimeAverage, want.TimeAverage); !ok {
		t.Fatalf("time average differs at %d: %g, streamed %g", i, got.TimeAverage[i], want.TimeAverage[i])
	}
	for p, v := range got.TimeAverage {
		if v != 65535 {
			t.Fatalf("pixel %d: time average %g, want 65535", p, v)
		}
	}
}

// TestSplitRuns: every uncorrelated pixel goes to exactly one block, and
// within the stretch of the frame that block reads.
func TestSplitRuns(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 99))
		qm := randomMaskQMap(t, rng, 10+rng.IntN(40), 10+rng.IntN(40), rng.Float64()*0.6)
		active, runs := activePixels(qm), inactiveRuns(qm)
		var blocks []pixelSpan
		size := 4 * (1 + rng.IntN(8))
		for b0 := 0; b0 < len(active); b0 += size {
			blocks = append(blocks, pixelSpan{0, len(blocks), b0, min(b0+size, len(active))})
		}
		seen := make([]int, qm.Pixels())
		for j, br := range splitRuns(runs, active, blocks, qm.Pixels()) {
			for _, r := range br {
				if j > 0 && r[0] < int(active[blocks[j].b0]) {
					t.Fatalf("seed %d: block %d takes run %v before its first pixel %d", seed, j, r, active[blocks[j].b0])
				}
				for p := r[0]; p < r[1]; p++ {
					seen[p]++
				}
			}
		}
		for p, d := range qm.Dynamic {
			if want := map[bool]int{true: 1, false: 0}[d < 0]; seen[p] != want {
				t.Fatalf("seed %d: pixel %d (bin %d) counted %d times, want %d", seed, p, d, seen[p], want)
			}
		}
	}
}

// TestGroupMoments compares the C moments of a group's 4 lanes with the Go
// loop (pixelMoments and the ratio) bit for bit, on states the kernels
// built from random and full-scale counts, and dark pixels (0/0 ratios).
func TestGroupMoments(t *testing.T) {
	t.Parallel()
	if !isCKernel(defaultKernel) {
		t.Skip("no C kernel on this machine")
	}
	for _, maxCount := range []int{0, 3, 65535} {
		sh := Shape{Frames: 777, Rows: 8, Cols: 8}
		st := randStack(t, sh, uint64(maxCount), maxCount)
		qm := testQMap(t, sh.Rows, sh.Cols, 4, 2)
		c, err := NewCorrelator(qm, sh.Frames, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := AddFrames(c, st.Data); err != nil {
			t.Fatal(err)
		}
		rp, err := newResultPlan(qm, c.active, sh.Frames)
		if err != nil {
			t.Fatal(err)
		}
		w := lanes * recWords * rp.nl
		got, want := make([]float64, w), make([]float64, w)
		for g0 := 0; g0 < len(c.active); g0 += lanes {
			rp.groupMoments(c.groupState(g0), c.count, defaultKernel, got)
			rp.groupMoments(c.groupState(g0), c.count, kernPortable, want)
			if i, ok := bitsEqual(got, want); !ok {
				t.Fatalf("max count %d, group at %d: record value %d: C %g, Go %g", maxCount, g0, i, got[i], want[i])
			}
		}
	}
}
