package xpcs

import (
	"errors"
	"fmt"
	"io"
	"runtime"
)

// Options configure Correlate.
type Options struct {
	// Stride keeps every Stride-th raw frame (0 or 1: all). Average then
	// sums groups of Average kept frames into one effective frame (0 or 1:
	// none); an incomplete last group is dropped. Lags are in effective
	// frames.
	Stride, Average int
	// Segments > 1 also computes g2 and SAXS 1D of that many equal,
	// consecutive time segments of the effective frames (floor(N/Segments)
	// frames each; the remainder belongs to no segment). It doubles the
	// correlation work.
	Segments int
	// Workers is the number of goroutines (<= 0: GOMAXPROCS).
	Workers int
	// BlockFrames is the number of raw frames read at a time (<= 0: about
	// 32 MB of uint16 frames, at least 16 and at most 512 frames).
	BlockFrames int
	// Stream reads and correlates block by block even when the source
	// holds the whole stack in memory (WholeStack), where Correlate
	// otherwise correlates pixel-major. Both give the same result; the
	// pixel-major path needs no correlator state of every pixel.
	Stream bool
}

// EffectiveFrames returns the number of frames correlated from n raw frames.
func (o Options) EffectiveFrames(n int) int {
	s, a := max(o.Stride, 1), max(o.Average, 1)
	kept := (n + s - 1) / s
	return kept / a
}

// Result is everything Correlate computes: the content of an APS 8-ID-I
// result file.
type Result struct {
	// Raw is the shape of the input stack; Frames the number of effective
	// frames correlated.
	Raw    Shape
	Frames int
	QMap   *QMap
	// G2 is multi-tau g2 over all frames; SegmentG2 over each segment.
	G2        *G2
	SegmentG2 []*G2
	// TimeAverage is the mean of every pixel over the effective frames,
	// divided by Average (counts per pixel per raw frame), row-major.
	TimeAverage []float64
	// SAXS1D is the per-static-bin mean of TimeAverage;
	// SegmentSAXS1D the same for each segment.
	SAXS1D        []float64
	SegmentSAXS1D [][]float64
	// IntensityVsTime is the mean over the correlated pixels of each
	// effective frame, divided by Average.
	IntensityVsTime []float64
	Options         Options
	// PixelMajor is true when the source held the whole stack in memory
	// (WholeStack) and it was correlated pixel-major; false when it was
	// streamed block by block, for StreamReason.
	PixelMajor   bool
	StreamReason string
}

// Correlate computes multi-tau g2 per dynamic bin, the time-averaged image,
// SAXS 1D, intensity vs time and, when asked, the same per time segment.
//
// When src holds the whole stack in memory (WholeStack: an in-memory Stack,
// an uncompressed HDF5 stack mapped by h5/aps) and no averaging is asked
// (a stride only picks frames of the view), it correlates pixel-major
// (correlateStack): memory is a few MB per worker beyond the stack itself.
// Otherwise it streams every frame of src once: reading runs in its own
// goroutine, overlapping the correlation; memory is the correlator state
// (see Correlator), two read blocks and O(pixels) images, and nothing grows
// with the number of frames except IntensityVsTime (8 bytes per frame).
// Both ways give the same result bit for bit; Result.PixelMajor and
// Result.StreamReason say which ran.
func Correlate(src FrameSource, qm *QMap, opt Options) (*Result, error) {
	sh := src.Shape()
	if err := sh.Validate(); err != nil {
		return nil, err
	}
	if qm == nil {
		return nil, fmt.Errorf("xpcs: correlate %s stack: no q-map", sh)
	}
	if err := qm.CheckShape(sh); err != nil {
		return nil, err
	}
	if opt.Stride < 0 || opt.Average < 0 || opt.Segments < 0 {
		return nil, fmt.Errorf("xpcs: stride %d, average %d and segments %d must not be negative", opt.Stride, opt.Average, opt.Segments)
	}
	stride, avg := max(opt.Stride, 1), max(opt.Average, 1)
	n := opt.EffectiveFrames(sh.Frames)
	if n < 2 {
		return nil, fmt.Errorf("xpcs: %d raw frames with stride %d and average %d leave %d frames: multi-tau needs at least 2", sh.Frames, stride, avg, n)
	}
	nseg := max(opt.Segments, 1)
	segLen := n / nseg
	if nseg > 1 && segLen < 2 {
		return nil, fmt.Errorf("xpcs: %d segments of %d frames leave %d frames per segment: at least 2 needed", nseg, n, segLen)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	np := sh.Pixels()
	block := opt.BlockFrames
	if block <= 0 {
		block = min(512, max(16, (32<<20)/(2*np)))
	}
	res := &Result{Raw: sh, Frames: n, QMap: qm, Options: opt}
	// The correlators sum the frames of the pixels they correlate; only the
	// other pixels are summed here.
	inactive := inactiveRuns(qm)
	direct := stride == 1 && avg == 1
	ws, whole := src.(WholeStack)
	var v StackView
	switch {
	case !whole:
		res.StreamReason = "the source reads frames block by block"
	case opt.Stream:
		res.StreamReason = "asked to stream"
	case avg > 1:
		res.StreamReason = "averaging"
	default:
		var ok bool
		var err error
		if v, ok = ws.AllFrames(); !ok {
			res.StreamReason = "the source cannot give the whole stack"
			if e, ok := src.(interface{ MapError() error }); ok && e.MapError() != nil {
				res.StreamReason = e.MapError().Error()
			}
		} else if v, err = v.strided(sh.Frames, np, stride); err != nil {
			res.StreamReason = err.Error()
		} else if err := v.check(n, np); err != nil {
			res.StreamReason = err.Error()
		} else if !isCKernel(defaultKernel) && !v.aligned(n, np) {
			res.StreamReason = fmt.Sprintf("the %s path reads frames at even offsets only", defaultKernel)
		}
	}
	if res.StreamReason == "" {
		// The whole stack is in memory (or mapped): pixel-major.
		active := activePixels(qm)
		if len(active) == 0 {
			return nil, fmt.Errorf("xpcs: q-map %dx%d has no pixel in any dynamic bin (all masked?)", qm.Rows, qm.Cols)
		}
		spans := []frameSpan{{0, n}}
		for s := 0; nseg > 1 && s < nseg; s++ {
			spans = append(spans, frameSpan{s * segLen, segLen})
		}
		out, err := correlateStack(v, np, spans, qm, active, inactive, workers, defaultKernel)
		if err != nil {
			return nil, err
		}
		res.G2, res.PixelMajor = out[0].g2, true
		var segImgs [][]float64
		for _, o := range out[1:] {
			res.SegmentG2 = append(res.SegmentG2, o.g2)
			img := make([]float64, np)
			for p := range img {
				img[p] = o.sum[p] / float64(segLen*avg)
			}
			segImgs = append(segImgs, img)
		}
		if err := res.finish(out[0].sum, out[0].frameSum, len(active), segImgs); err != nil {
			return nil, err
		}
		return res, nil
	}
	full, err := NewCorrelator(qm, n, workers)
	if err != nil {
		return nil, err
	}
	var seg *Correlator
	if nseg > 1 {
		if seg, err = NewCorrelator(qm, segLen, workers); err != nil {
			return nil, err
		}
	}
	sum := make([]float64, np)    // Σ effective frames, whole run
	segSum := make([]float64, np) // Σ effective frames, current segment
	var segImgs [][]float64

	// Reader goroutine: two buffers in flight.
	type blk struct {
		data []uint16
		n    int
		err  error
	}
	free := make(chan []uint16, 2)
	for range 2 {
		b := make([]uint16, block*np)
		adviseHuge(b)
		free <- b
	}
	filled := make(chan blk, 2)
	done := make(chan struct{})
	readerExited := make(chan struct{})
	defer func() {
		// Stop the reader and wait for it, so that the caller may close
		// src as soon as Correlate returns, even on an error.
		close(done)
		<-readerExited
	}()
	go func() {
		defer close(readerExited)
		defer close(filled)
		for {
			var buf []uint16
			select {
			case buf = <-free:
			case <-done:
				return
			}
			k, err := src.ReadFrames(buf)
			select {
			case filled <- blk{buf, k, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	// Effective frames are produced into eff (float64 when averaging or
	// striding, else the raw block is passed through).
	var eff []float64
	var acc []float64 // running sum of the current average group
	inGroup := 0
	raw := 0   // raw frames seen
	done2 := 0 // effective frames correlated
	emit := func(frames any, k int) error {
		// Feed k effective frames to the correlators, splitting at
		// segment boundaries, and to the time averages.
		for off := 0; off < k; {
			take := k - off
			if nseg > 1 {
				s := done2 / segLen
				if s < nseg {
					take = min(take, (s+1)*segLen-done2)
				}
			}
			var err error
			switch fr := frames.(type) {
			case []uint16:
				part := fr[off*np : (off+take)*np]
				// The sums of the other pixels run beside the correlation
				// (they touch only those pixels of sum and segSum).
				inSeg := seg != nil && done2/segLen < nseg
				accDone := make(chan struct{})
				go func() {
					defer close(accDone)
					if full.kern == kernAVX2 || full.kern == kernAVX512 {
						var ss []float64
						if inSeg {
							ss = segSum
						}
						cSumRunsU16(u16Bytes(part), nil, np, take, inactive, sum, ss)
						return
					}
					accumulate(sum, segSum, part, np, inactive, inSeg)
				}()
				err = AddFrames(full, part)
				if err == nil && seg != nil && done2/segLen < nseg {
					err = AddFrames(seg, part)
				}
				<-accDone
			case []float64:
				part := fr[off*np : (off+take)*np]
				err = AddFrames(full, part)
				if err == nil && seg != nil && done2/segLen < nseg {
					err = AddFrames(seg, part)
				}
				accumulate(sum, segSum, part, np, inactive, seg != nil && done2/segLen < nseg)
			}
			if err != nil {
				return err
			}
			done2 += take
			off += take
			if seg != nil && done2%segLen == 0 && done2/segLen <= nseg && seg.Frames() == segLen {
				g, err := seg.Result()
				if err != nil {
					return fmt.Errorf("segment %d: %w", len(res.SegmentG2), err)
				}
				res.SegmentG2 = append(res.SegmentG2, g)
				seg.Sums(segSum)
				img := make([]float64, np)
				for p := range img {
					img[p] = segSum[p] / float64(segLen*avg)
				}
				segImgs = append(segImgs, img)
				clear(segSum)
				seg.Reset()
			}
		}
		return nil
	}
	for b := range filled {
		if b.n > 0 && done2 < n {
			if direct {
				k := min(b.n, n-done2)
				if err := emit(b.data[:k*np], k); err != nil {
					return nil, fmt.Errorf("xpcs: correlating frames %d-%d: %w", raw, raw+k-1, err)
				}
			} else {
				if eff == nil {
					eff = make([]float64, block*np)
					acc = make([]float64, np)
				}
				k := 0
				for f := range b.n {
					if (raw+f)%stride != 0 {
						continue
					}
					fr := b.data[f*np : (f+1)*np]
					for p, v := range fr {
						acc[p] += float64(v)
					}
					inGroup++
					if inGroup == avg {
						copy(eff[k*np:(k+1)*np], acc)
						clear(acc)
						inGroup = 0
						k++
					}
				}
				k = min(k, n-done2)
				if err := emit(eff[:k*np], k); err != nil {
					return nil, fmt.Errorf("xpcs: correlating effective frames from raw frame %d: %w", raw, err)
				}
			}
		}
		raw += b.n
		if b.err != nil && !errors.Is(b.err, io.EOF) {
			return nil, fmt.Errorf("xpcs: reading %s stack at frame %d: %w", sh, raw, b.err)
		}
		if b.n > 0 {
			free <- b.data
		}
	}
	if done2 != n {
		return nil, fmt.Errorf("xpcs: %s stack ended after %d raw frames (%d effective of %d)", sh, raw, done2, n)
	}
	if res.G2, err = full.Result(); err != nil {
		return nil, err
	}
	full.Sums(sum)
	if err := res.finish(sum, full.frameSum, len(full.active), segImgs); err != nil {
		return nil, err
	}
	return res, nil
}

// finish fills the time average, SAXS 1D (also per segment) and the
// intensity vs time of res from the per-pixel sums over the run's
// effective frames, the per-frame sums over nActive correlated pixels and
// the segments' time averages.
func (res *Result) finish(sum, frameSum []float64, nActive int, segImgs [][]float64) error {
	n, avg, qm := res.Frames, max(res.Options.Average, 1), res.QMap
	res.TimeAverage = make([]float64, len(sum))
	for p := range sum {
		res.TimeAverage[p] = sum[p] / float64(n*avg)
	}
	var err error
	if res.SAXS1D, err = SAXS1D(res.TimeAverage, qm.Static, qm.NStatic()); err != nil {
		return err
	}
	for _, img := range segImgs {
		s1, err := SAXS1D(img, qm.Static, qm.NStatic())
		if err != nil {
			return err
		}
		res.SegmentSAXS1D = append(res.SegmentSAXS1D, s1)
	}
	res.IntensityVsTime = make([]float64, len(frameSum))
	for t, s := range frameSum {
		res.IntensityVsTime[t] = s / float64(nActive) / float64(avg)
	}
	return nil
}

// accumulate adds the frames' values of the pixels in the runs [lo, hi)
// to sum (and to segSum when inSeg).
func accumulate[T Pixel](sum, segSum []float64, frames []T, np int, runs [][2]int, inSeg bool) {
	for f := range len(frames) / np {
		fr := frames[f*np : (f+1)*np]
		for _, r := range runs {
			src := fr[r[0]:r[1]]
			dst := sum[r[0]:r[1]]
			dst = dst[:len(src)]
			for i, v := range src {
				dst[i] += float64(v)
			}
			if inSeg {
				dst := segSum[r[0]:r[1]]
				dst = dst[:len(src)]
				for i, v := range src {
					dst[i] += float64(v)
				}
			}
		}
	}
}
