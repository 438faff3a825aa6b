package xpcs

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
)

// State of the streaming correlator, per group of 4 pixels (lanes) and per
// level: words of 4 float64 each (one per lane), so that every word of a
// group is one 256-bit vector and the kernels read and write the state in
// place:
//
//	hist[8]  the last 8 frames of the level, oldest first (zeros before the
//	         level has seen 8 frames, which add nothing to the sums)
//	corr[8]  Σ_t I(t)·I(t-k) for k = 1..8 (levels >= 1 use k = 5..8)
//	sum      Σ_t I(t)
//	carry    the unpaired frame waiting to be folded into the next level
//	head[8]  the first 8 frames of the level
//
// Lanes of the last group beyond the pixel count hold zeros throughout.
const (
	oHist  = 0
	oCorr  = oHist + histLen
	oSum   = oCorr + histLen
	oCarry = oSum + 1
	oHead  = oCarry + 1
	words  = oHead + histLen
	// groupLevel is the number of float64 of one group at one level.
	groupLevel = words * lanes
)

// Correlator is a streaming multi-tau correlator over the pixels of a q-map.
// Frames are added in order, in blocks (AddFrames); memory is
// 8·26·levels bytes per correlated pixel (levels ≈ log2(frames/5)), plus per
// worker scratch of about 40·BlockFrames bytes per pixel of a 32-pixel block,
// independent of the number of frames beyond that logarithm, and no frame is
// kept. Work is split over Workers goroutines by blocks of pixels.
//
// For each pixel and lag τ (in frames of the level, n frames at that level)
//
//	G(τ)  = Σ_{t=τ}^{n-1} I(t)·I(t-τ) / (n-τ)
//	IP(τ) = Σ_{t=0}^{n-1-τ} I(t) / (n-τ)          ("past")
//	IF(τ) = Σ_{t=τ}^{n-1} I(t) / (n-τ)            ("future")
//
// (I in counts per frame of the level: frames are summed in pairs from one
// level to the next). g2 of a bin is formed from these moments by Result,
// the APS 8-ID-I way: moments averaged over each static bin first, then
// divided (see Result for the formulas, the error and dark pixels).
type Correlator struct {
	qm      *QMap
	npix    int     // pixels per frame
	active  []int32 // pixels correlated (dynamic label >= 0), ascending
	nlev    int
	expect  int       // frames the correlator was sized for
	count   []int     // frames seen per level
	carry   []bool    // level holds an unpaired frame
	state   []float64 // groups*nlev*groupLevel, see above
	workers int
	scratch []scratch // per worker, reused across blocks
	kern    kernelID  // hot-loop path (defaultKernel; tests set it)

	// frameSum[t] is Σ over active pixels of frame t (intensity vs time).
	frameSum []float64
}

// NewCorrelator sizes a correlator for up to frames frames of the q-map's
// detector, using workers goroutines (<= 0: GOMAXPROCS).
func NewCorrelator(qm *QMap, frames, workers int) (*Correlator, error) {
	if qm == nil {
		return nil, fmt.Errorf("xpcs: correlator needs a q-map")
	}
	if err := qm.CheckShape(Shape{Frames: max(frames, 1), Rows: qm.Rows, Cols: qm.Cols}); err != nil {
		return nil, err
	}
	if frames < 2 {
		return nil, fmt.Errorf("xpcs: multi-tau needs at least 2 frames, have %d", frames)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	c := &Correlator{qm: qm, npix: qm.Pixels(), nlev: numLevels(frames), expect: frames, workers: workers}
	c.active = activePixels(qm)
	if len(c.active) == 0 {
		return nil, fmt.Errorf("xpcs: q-map %dx%d has no pixel in any dynamic bin (all masked?)", qm.Rows, qm.Cols)
	}
	c.count = make([]int, c.nlev)
	c.carry = make([]bool, c.nlev)
	c.state = make([]float64, (len(c.active)+lanes-1)/lanes*c.nlev*groupLevel)
	adviseHuge(c.state)
	c.scratch = make([]scratch, workers)
	c.kern = defaultKernel
	return c, nil
}

// Frames returns the number of frames added so far.
func (c *Correlator) Frames() int { return c.count[0] }

// Reset forgets every frame added, keeping the allocation.
func (c *Correlator) Reset() {
	clear(c.count)
	clear(c.carry)
	clear(c.state)
	c.frameSum = c.frameSum[:0]
}

// levelPlan is what one block of frames does at one level.
type levelPlan struct {
	m       int  // frames entering the level in this block
	carryIn bool // the level holds an unpaired frame before the block
	count   int  // frames the level had before the block
}

// plan computes the per-level frame counts for a block of m frames and
// advances the correlator's counters.
func (c *Correlator) plan(m int) []levelPlan {
	p := make([]levelPlan, c.nlev)
	for l := 0; l < c.nlev; l++ {
		p[l] = levelPlan{m: m, carryIn: c.carry[l], count: c.count[l]}
		c.count[l] += m
		tot := m
		if c.carry[l] {
			tot++
		}
		c.carry[l] = tot%2 == 1
		m = tot / 2
	}
	return p
}

// AddFrames correlates the next frames (len(frames) a multiple of the frame
// size, frame-major). Floating-point frames holding NaN or ±Inf are rejected
// before any state changes.
func AddFrames[T Pixel](c *Correlator, frames []T) error {
	if len(frames)%c.npix != 0 {
		return fmt.Errorf("xpcs: %d values are not whole %dx%d frames", len(frames), c.qm.Rows, c.qm.Cols)
	}
	m := len(frames) / c.npix
	if m == 0 {
		return nil
	}
	if c.count[0]+m > c.expect {
		return fmt.Errorf("xpcs: correlator sized for %d frames got %d", c.expect, c.count[0]+m)
	}
	if err := checkFinite(frames, c.npix, c.count[0]); err != nil {
		return err
	}
	plan := c.plan(m)
	ranges := workerRanges(len(c.active), c.workers)
	sums := make([][]float64, len(ranges))
	var wg sync.WaitGroup
	for w, r := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[w] = correlateBlock(c, &c.scratch[w], frames, nil, m, plan, r[0], r[1])
		}()
	}
	wg.Wait()
	base := len(c.frameSum)
	c.frameSum = append(c.frameSum, make([]float64, m)...)
	for _, s := range sums {
		for t, v := range s {
			c.frameSum[base+t] += v
		}
	}
	return nil
}

// checkFinite rejects NaN and ±Inf in floating-point frames.
func checkFinite[T Pixel](frames []T, npix, first int) error {
	var z T
	switch any(z).(type) {
	case float32, float64:
	default:
		return nil
	}
	for i, v := range frames {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("xpcs: frame %d pixel %d is %v: non-finite intensities are not allowed (mask the pixel or drop the frame)", first+i/npix, i%npix, f)
		}
	}
	return nil
}

// pixelBlock is the number of pixels transposed together: their frames are
// gathered frame by frame (short contiguous reads) into per-group series.
// A multiple of 8 (the C kernels' widest vector). The series buffer is
// 8·pixelBlock·(m+9) bytes for a block of m frames: 533 KB at m = 512,
// within the L2 cache of the CPUs seen here (1 MB per core).
const pixelBlock = 128

// lanes is the number of pixels correlated together: their series are
// interleaved (value of pixel j at time t at index t*lanes+j) so that one
// 256-bit vector holds one time step of a group (see kernels_simd.go).
const lanes = 4

// scratch is one worker's reusable buffers.
type scratch struct {
	buf, b, fsum []float64
	z            []float64 // C kernels: stand-in state of a missing group
	plan         []int64   // C kernels: levelPlan as (m, carryIn, count)
}

// useFMA lets the C paths use their fused multiply-add twins (exactFMA);
// XPCS_NOFMA=1 turns them off (for comparisons). fmaAlways (tests) skips
// the exactness bound.
var (
	useFMA    = os.Getenv("XPCS_NOFMA") == ""
	fmaAlways bool
)

// exactFMA reports whether the fused multiply-add kernels give the state
// of the unfused ones bit for bit for any uint16 frames: a correlator of
// frames frames and nlev levels sums at level l at most frames/2^l
// products of two values below 65536·2^l, so every product and partial
// sum is an integer below frames·2^(nlev-1)·65535², which must stay below
// 2^53 (1000 frames: 5.5e14; the bound holds to about 4000 frames). Both
// roundings of an exact integer below 2^53 are exact.
func exactFMA(frames, nlev int) bool {
	return float64(frames)*math.Ldexp(1, nlev-1)*65535*65535 < math.Ldexp(1, 53)
}

// setPlan stores plan for the C kernels as (m, carryIn, count) triples.
func (sc *scratch) setPlan(plan []levelPlan) {
	sc.plan = sc.plan[:0]
	for _, p := range plan {
		ci := int64(0)
		if p.carryIn {
			ci = 1
		}
		sc.plan = append(sc.plan, int64(p.m), ci, int64(p.count))
	}
}

// cBlock is correlateBlock of uint16 frames by the C kernels (c.kern is
// kernAVX2 or kernAVX512): frame t is the 2·npix little-endian bytes at
// data[off[t]:] (off nil: data[2·t·npix:]), at any alignment.
func cBlock(c *Correlator, sc *scratch, data []byte, off []int64, m int, plan []levelPlan, lo, hi int) []float64 {
	fsum := sc.frameSums(m)
	sc.buf = grow(sc.buf, pixelBlock/lanes*(histLen+m+1)*lanes)
	sc.b = grow(sc.b, (histLen+m/2+2)*8) // 8: room for the C kernels' widest vector
	sc.z = grow(sc.z, c.nlev*groupLevel)
	sc.setPlan(plan)
	gs := c.nlev * groupLevel
	cBlockU16(c.kern, useFMA && (fmaAlways || exactFMA(c.expect, c.nlev)), data, off, c.npix, m, c.active[lo:hi], c.state[lo/lanes*gs:], c.nlev, sc.plan, sc.buf, sc.b, fsum, sc.z, pixelBlock)
	return fsum
}

// frameSums returns the scratch per-frame sums of a block of m frames,
// zeroed: valid until the next call with sc. Reused rather than allocated
// per block: a fresh heap page that the kernel first reads (fsum[t] += s)
// maps the zero page and then faults again on the write, and that second
// fault flushes the TLB of every core running the process (3.5% of
// correlate's CPU in a profile when every block allocated its sums).
func (sc *scratch) frameSums(m int) []float64 {
	sc.fsum = grow(sc.fsum, m)
	clear(sc.fsum)
	return sc.fsum
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// correlateBlock runs active pixels [lo, hi) (lo a multiple of lanes)
// through every level for a block of m frames and returns the per-frame
// sums of those pixels (in sc: valid until the next call with sc). Frame t
// of the block is frames[off[t]:off[t]+npix], or frames[t*npix:(t+1)*npix]
// when off is nil.
func correlateBlock[T Pixel](c *Correlator, sc *scratch, frames []T, off []int64, m int, plan []levelPlan, lo, hi int) []float64 {
	cpath := c.kern == kernAVX2 || c.kern == kernAVX512
	if u, ok := any(frames).([]uint16); ok && cpath && hi > lo && off == nil {
		// Contiguous uint16 frames (the detectors' type, streamed):
		// transpose and levels in C. (Views with offsets take cBlock
		// directly in correlateStack.)
		return cBlock(c, sc, u16Bytes(u), nil, m, plan, lo, hi)
	}
	fsum := sc.frameSums(m)
	stride := (histLen + m + 1) * lanes // per group: history, m frames, one spare
	sc.buf = grow(sc.buf, pixelBlock/lanes*stride)
	sc.b = grow(sc.b, (histLen+m/2+2)*8) // 8: room for the C kernels' widest vector
	buf, b := sc.buf, sc.b
	npix := c.npix
	if cpath {
		sc.setPlan(plan)
	}
	for i0 := lo; i0 < hi; i0 += pixelBlock {
		idx := c.active[i0:min(i0+pixelBlock, hi)]
		full := len(idx) / lanes
		// Transpose: frame-major input to interleaved per-group series.
		for t := range m {
			o0 := t * npix
			if off != nil {
				o0 = int(off[t])
			}
			row := frames[o0 : o0+npix]
			o := (histLen + t) * lanes
			var s float64
			for g := range full {
				q := idx[g*lanes : g*lanes+lanes : g*lanes+lanes]
				d := buf[g*stride+o : g*stride+o+lanes : g*stride+o+lanes]
				v0, v1, v2, v3 := float64(row[q[0]]), float64(row[q[1]]), float64(row[q[2]]), float64(row[q[3]])
				d[0], d[1], d[2], d[3] = v0, v1, v2, v3
				s += (v0 + v1) + (v2 + v3)
			}
			if r := len(idx) - full*lanes; r > 0 {
				d := buf[full*stride+o : full*stride+o+lanes]
				for j := range lanes {
					d[j] = 0 // unused lanes read zeros
					if j < r {
						v := float64(row[idx[full*lanes+j]])
						d[j] = v
						s += v
					}
				}
			}
			fsum[t] += s
		}
		ng := (len(idx) + lanes - 1) / lanes
		if cpath {
			cGroups4(c.state[i0/lanes*c.nlev*groupLevel:], ng, c.nlev, sc.plan, buf, stride, b)
			continue
		}
		for g := range ng {
			gi := (i0 / lanes) + g
			st := c.state[gi*c.nlev*groupLevel : (gi+1)*c.nlev*groupLevel]
			correlateGroup(st, buf[g*stride:(g+1)*stride], b, plan, c.kern == kernSIMD)
		}
	}
	return fsum
}

// correlateGroup advances the state st of one group of 4 pixels through
// every level. a holds the interleaved level-0 frames at a[histLen*lanes:];
// b is scratch of at least (histLen+plan[0].m/2+2)*lanes values. simd
// selects the GOEXPERIMENT=simd kernels (ignored in other builds). The C
// kernels (multitau_kernel.h, group) are a line-by-line port of it.
func correlateGroup(st, a, b []float64, plan []levelPlan, simd bool) {
	for l := range plan {
		pl := plan[l]
		m := pl.m
		if m == 0 {
			return
		}
		s := st[l*groupLevel : (l+1)*groupLevel : (l+1)*groupLevel]
		copy(a[:histLen*lanes], s[oHist*lanes:(oHist+histLen)*lanes])
		ext := a[:(histLen+m)*lanes]
		acc := (*[histLen * lanes]float64)(s[oCorr*lanes : (oCorr+histLen)*lanes])
		sum := (*[lanes]float64)(s[oSum*lanes : (oSum+1)*lanes])
		if l == 0 {
			corr8x4(ext, acc, sum, simd)
		} else {
			corr4x4(ext, acc, sum, simd)
		}
		copy(s[oHist*lanes:(oHist+histLen)*lanes], ext[m*lanes:(m+histLen)*lanes])
		if pl.count < histLen {
			k := min(histLen-pl.count, m)
			copy(s[(oHead+pl.count)*lanes:(oHead+pl.count+k)*lanes], ext[histLen*lanes:(histLen+k)*lanes])
		}
		if l+1 == len(plan) {
			return
		}
		// Fold pairs of frames into the next level.
		in := ext[histLen*lanes:]
		out := b[histLen*lanes:]
		carry := s[oCarry*lanes : (oCarry+1)*lanes : (oCarry+1)*lanes]
		i, o := 0, 0
		if pl.carryIn {
			for j := range lanes {
				out[j] = carry[j] + in[j]
			}
			i, o = 1, 1
		}
		np := (m - i) / 2
		fold4(in[i*lanes:(i+2*np)*lanes], out[o*lanes:(o+np)*lanes], simd)
		i += 2 * np
		if i < m {
			copy(carry, in[i*lanes:(i+1)*lanes])
		}
		a, b = b, a
	}
}

// corr8x4Go is the portable corr8x4: for each lane j it accumulates
// Σ v(t)·v(t-k), k = 1..8, over t >= 8 of the interleaved series ext into
// c[(k-1)*lanes+j] and Σ v(t) into sum[j]. Hand-written as two passes of 4
// lags with independent accumulators in registers: 8 accumulators plus the
// window do not fit the amd64 float registers, and spilling made one pass
// 2.5x slower than two.
func corr8x4Go(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64) {
	n := len(ext) / lanes
	for j := range lanes {
		c1, c2, c3, c4 := c[0*lanes+j], c[1*lanes+j], c[2*lanes+j], c[3*lanes+j]
		for t := histLen; t < n; t++ {
			w := ext[(t-4)*lanes+j : t*lanes+j+1]
			v := w[4*lanes]
			c1 += v * w[3*lanes]
			c2 += v * w[2*lanes]
			c3 += v * w[1*lanes]
			c4 += v * w[0]
		}
		c[0*lanes+j], c[1*lanes+j], c[2*lanes+j], c[3*lanes+j] = c1, c2, c3, c4
	}
	corr4x4Go(ext, c, sum)
}

// corr4x4Go is corr8x4Go for the lags 5..8 of levels >= 1 (it also forms
// the sums).
func corr4x4Go(ext []float64, c *[histLen * lanes]float64, sum *[lanes]float64) {
	n := len(ext) / lanes
	for j := range lanes {
		c5, c6, c7, c8 := c[4*lanes+j], c[5*lanes+j], c[6*lanes+j], c[7*lanes+j]
		s := sum[j]
		for t := histLen; t < n; t++ {
			w := ext[(t-8)*lanes+j : t*lanes+j+1]
			v := w[8*lanes]
			s += v
			c5 += v * w[3*lanes]
			c6 += v * w[2*lanes]
			c7 += v * w[1*lanes]
			c8 += v * w[0]
		}
		c[4*lanes+j], c[5*lanes+j], c[6*lanes+j], c[7*lanes+j] = c5, c6, c7, c8
		sum[j] = s
	}
}

// fold4Go sums consecutive interleaved frames in pairs: out[i] = in[2i] +
// in[2i+1] per lane.
func fold4Go(in, out []float64) {
	for i := 0; i < len(out)/lanes; i++ {
		x := in[2*i*lanes : (2*i+2)*lanes : (2*i+2)*lanes]
		o := out[i*lanes : (i+1)*lanes : (i+1)*lanes]
		o[0] = x[0] + x[4]
		o[1] = x[1] + x[5]
		o[2] = x[2] + x[6]
		o[3] = x[3] + x[7]
	}
}

// G2 is multi-tau g2 of every dynamic bin.
type G2 struct {
	// Delays are the lags in frames (APS delay_list).
	Delays []int64
	// NQ is the number of dynamic bins.
	NQ int
	// G2 and Err are row-major (len(Delays), NQ): G2[i*NQ+q] is g2 of
	// dynamic bin q at Delays[i] (APS normalized_g2 and normalized_g2_err).
	G2, Err []float64
	// Pixels[q] is the number of pixels of dynamic bin q.
	Pixels []int
	// Excluded[i*NQ+q] counts pixels left out at lag i because their
	// past or future mean intensity is zero.
	Excluded []int
	// Frames is the number of frames correlated.
	Frames int
}

// At returns g2 and its error for lag index i and dynamic bin q.
func (g *G2) At(i, q int) (g2, err float64) { return g.G2[i*g.NQ+q], g.Err[i*g.NQ+q] }

// pixelMoments writes the three multi-tau moments of lane j of a group
// state at every lag: G[i] = <I(t)I(t+τ)>, IP[i] = <I>past, IF[i] =
// <I>future (counts² and counts per frame of the lag's level, see
// Correlator). count is the number of frames seen per level. It only reads
// the accumulated state: the normalisation (Result) is kept apart from the
// accumulation hot loop (correlateGroup).
func pixelMoments(st []float64, j int, lags []Lag, count []int, G, IP, IF []float64) {
	level, k := -1, 0
	var s []float64
	var past, fut float64
	for i, lag := range lags {
		if lag.Level != level {
			level, k = lag.Level, 0
			s = st[level*groupLevel : (level+1)*groupLevel]
			past = s[oSum*lanes+j]
			fut = past
		}
		// Remove the last and the first frames up to lag.K.
		for ; k < lag.K; k++ {
			past -= s[(oHist+histLen-1-k)*lanes+j]
			fut -= s[(oHead+k)*lanes+j]
		}
		n := float64(count[level] - lag.K)
		G[i] = s[(oCorr+lag.K-1)*lanes+j] / n
		IP[i] = past / n
		IF[i] = fut / n
	}
}

// Result computes g2 from the frames added so far. It can be called at any
// time and does not change the correlator.
//
// Normalisation (APS 8-ID-I, boost_corr's compute_g2): with G, IP and IF
// the per-pixel moments of Correlator and <.>_s the mean over the correlated
// pixels of static bin s (precisely: of each static-and-dynamic bin
// intersection, which is the static bin when static bins nest in dynamic
// ones),
//
//	g2_s(τ) = <G(τ)>_s / (<IP(τ)>_s · <IF(τ)>_s)
//	g2_q(τ) = mean of g2_s(τ) over the static bins s of dynamic bin q
//	err_q(τ) = std_p(G/(IP·IF)) / sqrt(N_q)
//
// where std_p is the standard deviation (ddof 0) of the per-pixel ratio
// over the N_q pixels of dynamic bin q whose IP·IF is not zero. Dark pixels
// (no photon in the past or future window) still count in the static-bin
// means, as at APS; they are left out of the error only and counted in
// G2.Excluded. A static bin whose <IP>_s·<IF>_s is zero is left out of the
// dynamic mean (boost_corr would give it g2_s = 0); a dynamic bin with no
// static bin left, or no pixel left for the error, gets NaN.
//
// Averaging the moments before dividing is what APS does, and it matters:
// the mean of per-pixel ratios is biased low on short series (lag-1 g2 of
// 400 frames of speckle with τc = 20 frames: 1.81 instead of 1.90).
//
// The error uses one pass with sums of (r-1) and (r-1)² for the per-pixel
// ratios r: r is close to 1, so the shift keeps the variance free of
// cancellation.
func (c *Correlator) Result() (*G2, error) {
	n := c.count[0]
	rp, err := newResultPlan(c.qm, c.active, n)
	if err != nil {
		return nil, err
	}
	ranges := workerRanges(len(c.active), c.workers)
	accs := make([]g2Acc, len(ranges))
	var wg sync.WaitGroup
	for w, r := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := rp.newAcc()
			w4 := recWords * rp.nl
			rec := make([]float64, lanes*w4)
			for g0 := r[0]; g0 < r[1]; g0 += lanes {
				rp.groupMoments(c.groupState(g0), c.count, c.kern, rec)
				for i := g0; i < min(g0+lanes, r[1]); i++ {
					rp.add(&a, i, rec[(i-g0)*w4:(i-g0+1)*w4])
				}
			}
			accs[w] = a
		}()
	}
	wg.Wait()
	return rp.finish(accs), nil
}

// workerRanges splits n active pixels into at most workers ranges [lo, hi)
// of whole groups (lo a multiple of lanes), in order. AddFrames, Result and
// the in-memory stack path (correlateStack) split alike, so that Result
// sums the per-pixel ratios in the same order whichever path ran.
func workerRanges(n, workers int) [][2]int {
	ng := (n + lanes - 1) / lanes
	nw := min(workers, ng)
	r := make([][2]int, nw)
	for w := range nw {
		r[w] = [2]int{w * ng / nw * lanes, min((w+1)*ng/nw*lanes, n)}
	}
	return r
}

// resultPlan is what Result needs to turn per-pixel moments into g2: the
// lags, the static-and-dynamic groups of the active pixels, and the pixel
// counts.
type resultPlan struct {
	qm       *QMap
	active   []int32
	frames   int
	lags     []Lag
	lagLev   []int64 // level of each lag (C kernels)
	lagK     []int64 // K of each lag
	nl, nq   int
	group    []int32 // group of active pixel i
	groupDyn []int32 // dynamic bin of each group
	gcount   []int   // active pixels per group
}

func newResultPlan(qm *QMap, active []int32, n int) (*resultPlan, error) {
	lags := Lags(n)
	if len(lags) == 0 {
		return nil, fmt.Errorf("xpcs: %d frames correlated: multi-tau needs at least 2", n)
	}
	rp := &resultPlan{qm: qm, active: active, frames: n, lags: lags, nl: len(lags), nq: qm.NDynamic(), group: make([]int32, len(active))}
	for _, l := range lags {
		rp.lagLev = append(rp.lagLev, int64(l.Level))
		rp.lagK = append(rp.lagK, int64(l.K))
	}
	// Groups: static-and-dynamic intersections.
	gid := map[[2]int32]int{}
	for i, p := range active {
		key := [2]int32{qm.Static[p], qm.Dynamic[p]}
		g, ok := gid[key]
		if !ok {
			g = len(rp.groupDyn)
			gid[key] = g
			rp.groupDyn = append(rp.groupDyn, qm.Dynamic[p])
			rp.gcount = append(rp.gcount, 0)
		}
		rp.group[i] = int32(g)
		rp.gcount[g]++
	}
	return rp, nil
}

// g2Acc accumulates, over a range of active pixels, what Result needs.
type g2Acc struct {
	// ng*nl*3: Σ G, Σ IP, Σ IF over the pixels of each group.
	mom []float64
	// nl*nq: Σ (r-1), Σ (r-1)² and count of the per-pixel ratios r.
	rsum, rsq []float64
	rcnt      []int
}

func (rp *resultPlan) newAcc() g2Acc {
	ng, nl, nq := len(rp.groupDyn), rp.nl, rp.nq
	return g2Acc{mom: make([]float64, ng*nl*3), rsum: make([]float64, nl*nq), rsq: make([]float64, nl*nq), rcnt: make([]int, nl*nq)}
}

// A moments record is one pixel's G, IP, IF and R = G/(IP·IF) - 1 at
// every lag, in that order: 4·nl float64 (recWords·nl).
const recWords = 4

// groupMoments writes the moments records of the lanes of group state st
// into rec (lane j at rec[j·4·nl:]): pixelMoments and the ratio, for the 4
// lanes at once in C with the C kernels (the same IEEE operations per lane:
// bitwise equal to the Go loop, TestGroupMoments). count is the number of
// frames seen per level.
func (rp *resultPlan) groupMoments(st []float64, count []int, kern kernelID, rec []float64) {
	nl := rp.nl
	if isCKernel(kern) {
		cMoments4(st, rp.lagLev, rp.lagK, count, nl, rec[:lanes*recWords*nl])
		return
	}
	for j := range lanes {
		x := rec[j*recWords*nl : (j+1)*recWords*nl]
		G, IP, IF, R := x[:nl], x[nl:2*nl], x[2*nl:3*nl], x[3*nl:]
		pixelMoments(st, j, rp.lags, count, G, IP, IF)
		for li := range nl {
			R[li] = G[li]/(IP[li]*IF[li]) - 1
		}
	}
}

// add adds the moments record x (groupMoments) of active pixel i to a.
func (rp *resultPlan) add(a *g2Acc, i int, x []float64) {
	nl, nq := rp.nl, rp.nq
	G, IP, IF, R := x[:nl], x[nl:2*nl], x[2*nl:3*nl], x[3*nl:4*nl]
	mom := a.mom[int(rp.group[i])*nl*3 : (int(rp.group[i])+1)*nl*3]
	q := int(rp.qm.Dynamic[rp.active[i]])
	for li := range nl {
		mom[li*3] += G[li]
		mom[li*3+1] += IP[li]
		mom[li*3+2] += IF[li]
		if IP[li]*IF[li] != 0 {
			r := R[li]
			a.rsum[li*nq+q] += r
			a.rsq[li*nq+q] += r * r
			a.rcnt[li*nq+q]++
		}
	}
}

// finish merges the accumulators of consecutive pixel ranges, in order,
// and forms g2 and its error (see Result).
func (rp *resultPlan) finish(accs []g2Acc) *G2 {
	n, nl, nq, ng := rp.frames, rp.nl, rp.nq, len(rp.groupDyn)
	res := &G2{Delays: Delays(n), NQ: nq, G2: make([]float64, nl*nq), Err: make([]float64, nl*nq),
		Pixels: make([]int, nq), Excluded: make([]int, nl*nq), Frames: n}
	for _, p := range rp.active {
		res.Pixels[rp.qm.Dynamic[p]]++
	}
	tot := rp.newAcc()
	for _, a := range accs {
		for j := range tot.mom {
			tot.mom[j] += a.mom[j]
		}
		for j := range tot.rsum {
			tot.rsum[j] += a.rsum[j]
			tot.rsq[j] += a.rsq[j]
			tot.rcnt[j] += a.rcnt[j]
		}
	}
	// Dynamic-bin means of the static-bin ratios of means. The pixel counts
	// of a group cancel in ΣG/(ΣIP·ΣIF)·count, kept explicit for clarity.
	dsum := make([]float64, nl*nq)
	dgroups := make([]int, nl*nq)
	for g := range ng {
		d := int(rp.groupDyn[g])
		np := float64(rp.gcount[g])
		for li := range nl {
			m := tot.mom[(g*nl+li)*3 : (g*nl+li)*3+3]
			den := (m[1] / np) * (m[2] / np)
			if den == 0 {
				continue
			}
			dsum[li*nq+d] += (m[0] / np) / den
			dgroups[li*nq+d]++
		}
	}
	for j := range res.G2 {
		res.Excluded[j] = res.Pixels[j%nq] - tot.rcnt[j]
		if dgroups[j] == 0 {
			res.G2[j] = math.NaN()
		} else {
			res.G2[j] = dsum[j] / float64(dgroups[j])
		}
		if tot.rcnt[j] == 0 {
			res.Err[j] = math.NaN()
			continue
		}
		np := float64(tot.rcnt[j])
		m1 := tot.rsum[j] / np // mean of r-1
		v := max(tot.rsq[j]/np-m1*m1, 0)
		res.Err[j] = math.Sqrt(v) / math.Sqrt(np)
	}
	return res
}

// groupState returns the state of the group holding active pixel i.
func (c *Correlator) groupState(i int) []float64 {
	g := i / lanes
	return c.state[g*c.nlev*groupLevel : (g+1)*c.nlev*groupLevel]
}

// Sums stores Σ_t I(t) over the frames added of every correlated pixel into
// dst[pixel] (len(dst) = pixels per frame); other pixels are left alone.
func (c *Correlator) Sums(dst []float64) {
	for i, p := range c.active {
		dst[p] = c.groupState(i)[oSum*lanes+i%lanes]
	}
}

// IntensityVsTime returns, for every frame added, the mean intensity of the
// correlated pixels (counts per pixel per frame).
func (c *Correlator) IntensityVsTime() []float64 {
	out := make([]float64, len(c.frameSum))
	for t, s := range c.frameSum {
		out[t] = s / float64(len(c.active))
	}
	return out
}
