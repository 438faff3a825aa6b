package xpcs

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// WholeStack is implemented by frame sources that hold every frame in
// memory at once: an in-memory Stack, or the memory-mapped uncompressed
// frames of an HDF5 file (h5/aps). Correlate then correlates pixel-major
// (correlateStack) instead of streaming blocks of frames through a
// correlator state of every pixel.
type WholeStack interface {
	// AllFrames returns a view of the whole stack, or false when the
	// source cannot give one or frames were already read from it. The
	// view is read-only and valid until the source is closed.
	AllFrames() (StackView, bool)
}

// StackView is a whole stack of little-endian uint16 pixels in memory:
// frame t is the 2·pixels bytes at Data[Off[t]:] (Off nil: at
// Data[2·t·pixels:]). Off lets the frames of a chunked HDF5 dataset,
// mapped where the file stores them, be used in place; they may start at
// odd offsets (libhdf5 aligns nothing by default), which only the C
// kernels read (Correlate streams such a view on the Go paths).
type StackView struct {
	Data []byte
	Off  []int64
}

// ViewOf returns the view of an in-memory stack's frames.
func ViewOf(frames []uint16) StackView { return StackView{Data: u16Bytes(frames)} }

// u16Bytes returns the bytes of s in the host's order: little-endian on
// amd64, where the C kernels read them; the Go paths read them back as
// native uint16 (u16), so a view of an in-memory stack is right on any
// host. Mapped files hold little-endian bytes: h5/aps maps them on
// little-endian hosts only.
func u16Bytes(s []uint16) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), 2*len(s))
}

// offset returns the byte offset of frame t.
func (v StackView) offset(t, np int) int64 {
	if v.Off == nil {
		return int64(2 * t * np)
	}
	return v.Off[t]
}

// check reports whether v holds n frames of np pixels.
func (v StackView) check(n, np int) error {
	if v.Off == nil {
		if len(v.Data) < 2*n*np {
			return fmt.Errorf("xpcs: stack view of %d bytes holds less than %d frames of %d pixels", len(v.Data), n, np)
		}
		return nil
	}
	if len(v.Off) < n {
		return fmt.Errorf("xpcs: stack view has %d frame offsets, want %d", len(v.Off), n)
	}
	for t, o := range v.Off[:n] {
		if o < 0 || o > int64(len(v.Data)-2*np) {
			return fmt.Errorf("xpcs: stack view: frame %d at byte %d lies outside its %d bytes", t, o, len(v.Data))
		}
	}
	return nil
}

// strided returns the view of every stride-th of its frames (frames of
// np pixels), starting with the first, as Options.Stride keeps them.
func (v StackView) strided(frames, np, stride int) (StackView, error) {
	if stride <= 1 {
		return v, nil
	}
	if err := v.check(frames, np); err != nil {
		return v, err
	}
	out := StackView{Data: v.Data, Off: make([]int64, 0, (frames+stride-1)/stride)}
	for t := 0; t < frames; t += stride {
		out.Off = append(out.Off, v.offset(t, np))
	}
	return out, nil
}

// aligned reports whether every frame starts at an even address, so that
// the view can be read as []uint16 (u16).
func (v StackView) aligned(n, np int) bool {
	if len(v.Data) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(v.Data)))%2 != 0 {
		return false
	}
	for t := range n {
		if v.offset(t, np)%2 != 0 {
			return false
		}
	}
	return true
}

// u16 returns an aligned view as uint16 values and element offsets.
func (v StackView) u16() ([]uint16, []int64) {
	u := unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(v.Data))), len(v.Data)/2)
	if v.Off == nil {
		return u, nil
	}
	off := make([]int64, len(v.Off))
	for t, o := range v.Off {
		off[t] = o / 2
	}
	return u, off
}

// maxCountFrames is the most frames whose uint16 counts a uint32 sums
// exactly: 65537 * 65535 < 2^32.
const maxCountFrames = 65537

// sumRuns adds the first n frames' values of the pixels in the runs [lo,
// hi) to sum (the C loop with the C kernels, as the streaming path).
func (v StackView) sumRuns(n, np int, runs [][2]int, sum []float64, k kernelID) {
	if isCKernel(k) {
		if n > maxCountFrames {
			cSumRunsU16(v.Data, v.Off, np, n, runs, sum, nil)
			return
		}
		acc := make([]uint32, np)
		cCountRunsU16(v.Data, v.Off, np, n, runs, acc)
		for _, r := range runs {
			for p := r[0]; p < r[1]; p++ {
				sum[p] += float64(acc[p])
			}
		}
		return
	}
	u, off := v.u16()
	for t := range n {
		o := int64(t * np)
		if off != nil {
			o = off[t]
		}
		accumulate(sum, nil, u[o:o+int64(np)], np, runs, false)
	}
}

// Pixel-major blocking of correlateStack: each worker takes stackPixels
// active pixels at a time through every frame, stackFrames frames at a
// time. The block's correlator state (stackPixels·208·levels bytes, 213 KB
// at 1000 frames) and series buffer (8·stackPixels·(stackFrames+9) bytes,
// 271 KB) stay in the core's L2 cache (2 MB on the CPUs seen here) for the
// whole stack, where the streaming path cycles a state of every pixel
// (110 MB at 256x256 pixels and 1000 frames) through memory once per read
// block and must have the OS zero it first.
const (
	stackPixels = pixelBlock // a multiple of 8 (the C kernels' widest vector)
	stackFrames = 256
)

// frameSpan is a run of frames correlated on its own: frames [f0, f0+n).
type frameSpan struct{ f0, n int }

// spanResult is what correlateStack computes for one frameSpan: g2, Σ_t
// I(t) of every pixel over the span (sum), and the per-frame sums over the
// active pixels (frameSum, Correlator.frameSum).
type spanResult struct {
	g2            *G2
	sum, frameSum []float64
}

// correlateStack is multi-tau of an in-memory uint16 stack (np pixels per
// frame) over the active pixels of qm, for each span of frames on its own
// (the whole run, and time segments), pixel-major: the workers take the
// active pixels stackPixels at a time through every span's frames, each
// with a small state of its own, then turn the state into per-pixel
// moments (groupMoments). Each worker range of pixels (workerRanges) adds
// its blocks' moments to its accumulator in pixel order (merger). The
// state evolves exactly as in the streaming Correlator (same operations in
// the same order per pixel, whatever the blocking of frames), and the
// accumulators split and merge as in Result: each span's G2 is bitwise
// identical to AddFrames of its frames followed by Result with the same
// workers and kernel.
//
// Each span's sum holds every pixel: the active ones from their state,
// those of the runs inactive by counting. With the C kernels each block
// counts the inactive pixels between its first active pixel and the next
// block's, frame block by frame block, right after the transpose has
// brought those rows into cache, in 32-bit integers (exact up to
// maxCountFrames frames); otherwise one more goroutine sums them
// (StackView.sumRuns).
func correlateStack(v StackView, np int, spans []frameSpan, qm *QMap, active []int32, inactive [][2]int, workers int, kern kernelID) ([]spanResult, error) {
	last := 0
	for _, sp := range spans {
		if sp.f0 < 0 || sp.n < 2 {
			return nil, fmt.Errorf("xpcs: frames %d..%d: multi-tau needs at least 2", sp.f0, sp.f0+sp.n-1)
		}
		last = max(last, sp.f0+sp.n)
	}
	if err := v.check(last, np); err != nil {
		return nil, err
	}
	if !isCKernel(kern) && !v.aligned(last, np) {
		return nil, fmt.Errorf("xpcs: the %s path needs frames at even offsets", kern)
	}
	var u []uint16
	var uoff []int64
	if !isCKernel(kern) {
		u, uoff = v.u16()
	}
	ranges := workerRanges(len(active), workers)
	// The pixel blocks, in order: those of range 0, then of range 1, ...
	// Workers take them in that order as they become free (a worker that
	// loses its core to another process holds back one block, not half
	// the stack); each range's accumulator takes its blocks' moments in
	// pixel order, whoever computed them (merger).
	var blocks []pixelSpan
	for r, rg := range ranges {
		for k, b0 := 0, rg[0]; b0 < rg[1]; k, b0 = k+1, b0+stackPixels {
			blocks = append(blocks, pixelSpan{r, k, b0, min(b0+stackPixels, rg[1])})
		}
	}
	// Per span: the result plan, the mergers of the worker ranges, a pool
	// of moments buffers (at most one per worker waits in a merger).
	type spanWork struct {
		rp     *resultPlan
		merges []merger
		pool   sync.Pool
		counts []uint32 // C kernels: the inactive pixels' counts
	}
	work := make([]*spanWork, len(spans))
	out := make([]spanResult, len(spans))
	maxLev := 0
	for i, sp := range spans {
		rp, err := newResultPlan(qm, active, sp.n)
		if err != nil {
			return nil, err
		}
		sw := &spanWork{rp: rp, merges: make([]merger, len(ranges))}
		for r := range ranges {
			sw.merges[r] = merger{acc: rp.newAcc(), pending: map[int]pixelSpanMoments{}}
		}
		w := stackPixels * recWords * rp.nl
		sw.pool.New = func() any { return make([]float64, w) }
		work[i] = sw
		out[i] = spanResult{sum: make([]float64, np), frameSum: make([]float64, sp.n)}
		maxLev = max(maxLev, numLevels(sp.n))
	}
	// Uncorrelated pixels: counted by the blocks (blockRuns[j]: the runs
	// between block j's first active pixel and block j+1's), or summed
	// beside the workers.
	var blockRuns [][][2]int
	var sumDone chan struct{}
	counting := len(inactive) > 0 && isCKernel(kern) && last <= maxCountFrames
	if counting {
		blockRuns = splitRuns(inactive, active, blocks, np)
		for _, sw := range work {
			sw.counts = make([]uint32, np)
		}
	} else if len(inactive) > 0 {
		sumDone = make(chan struct{})
		go func() {
			defer close(sumDone)
			for i, sp := range spans {
				sv := v
				if sv.Off == nil {
					sv.Data = v.Data[2*sp.f0*np:]
				} else {
					sv.Off = v.Off[sp.f0:]
				}
				sv.sumRuns(sp.n, np, inactive, out[i].sum, kern)
			}
		}()
	}
	var next atomic.Int64
	fsums := make([][][]float64, len(ranges)) // worker, span -> per-frame sums
	var wg sync.WaitGroup
	for w := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A correlator of one pixel block, re-aimed at each block
			// and span.
			bc := &Correlator{qm: qm, npix: np, workers: 1, kern: kern,
				count: make([]int, maxLev), carry: make([]bool, maxLev),
				state: make([]float64, stackPixels/lanes*maxLev*groupLevel)}
			var sc scratch
			fsums[w] = make([][]float64, len(spans))
			for i, sp := range spans {
				fsums[w][i] = make([]float64, sp.n)
			}
			for {
				j := int(next.Add(1)) - 1
				if j >= len(blocks) {
					break
				}
				pb := blocks[j]
				b0, b1 := pb.b0, pb.b1
				bc.active = active[b0:b1]
				for i, sp := range spans {
					sw, fsum := work[i], fsums[w][i]
					nlev := numLevels(sp.n)
					bc.nlev, bc.expect = nlev, sp.n
					bc.count, bc.carry = bc.count[:nlev], bc.carry[:nlev]
					bc.state = bc.state[:stackPixels/lanes*nlev*groupLevel]
					bc.Reset()
					for f := 0; f < sp.n; f += stackFrames {
						k, f0 := min(stackFrames, sp.n-f), sp.f0+f
						plan := bc.plan(k)
						var s []float64
						switch {
						case isCKernel(kern):
							data, off := v.Data, []int64(nil)
							if v.Off == nil {
								data = v.Data[2*f0*np : 2*(f0+k)*np]
							} else {
								off = v.Off[f0 : f0+k]
							}
							s = cBlock(bc, &sc, data, off, k, plan, 0, b1-b0)
							if counting {
								cCountRunsU16(data, off, np, k, blockRuns[j], sw.counts)
							}
						case uoff == nil:
							s = correlateBlock(bc, &sc, u[f0*np:(f0+k)*np], nil, k, plan, 0, b1-b0)
						default:
							s = correlateBlock(bc, &sc, u, uoff[f0:f0+k], k, plan, 0, b1-b0)
						}
						for t, x := range s {
							fsum[f+t] += x
						}
					}
					// The block's moments records, group by group.
					nl := sw.rp.nl
					buf := sw.pool.Get().([]float64)
					for g0 := b0; g0 < b1; g0 += lanes {
						st := bc.groupState(g0 - b0)
						sw.rp.groupMoments(st, bc.count, kern, buf[(g0-b0)*recWords*nl:])
						for p := g0; p < min(g0+lanes, b1); p++ {
							out[i].sum[active[p]] = st[oSum*lanes+p%lanes]
						}
					}
					sw.merges[pb.r].put(sw.rp, pb, buf[:(b1-b0)*recWords*nl], &sw.pool)
				}
			}
		}()
	}
	wg.Wait()
	if sumDone != nil {
		<-sumDone
	}
	for i, sw := range work {
		if counting {
			for _, r := range inactive {
				for p := r[0]; p < r[1]; p++ {
					out[i].sum[p] = float64(sw.counts[p])
				}
			}
		}
		for w := range fsums {
			for t, x := range fsums[w][i] {
				out[i].frameSum[t] += x
			}
		}
		accs := make([]g2Acc, len(ranges))
		for r := range sw.merges {
			accs[r] = sw.merges[r].acc
		}
		out[i].g2 = sw.rp.finish(accs)
	}
	return out, nil
}

// splitRuns clips the runs of uncorrelated pixels to the blocks: block j
// takes the pixels from its first active pixel (0 for the first block) to
// the next block's first (np for the last), so that it counts the
// uncorrelated pixels in the stretch of each frame row it reads anyway.
// Every run's pixels go to exactly one block.
func splitRuns(runs [][2]int, active []int32, blocks []pixelSpan, np int) [][][2]int {
	out := make([][][2]int, len(blocks))
	i := 0 // runs and blocks ascend: one walk
	for j, b := range blocks {
		lo, hi := 0, np
		if j > 0 {
			lo = int(active[b.b0])
		}
		if j+1 < len(blocks) {
			hi = int(active[blocks[j+1].b0])
		}
		for i < len(runs) && runs[i][1] <= lo {
			i++
		}
		for k := i; k < len(runs) && runs[k][0] < hi; k++ {
			if a, e := max(runs[k][0], lo), min(runs[k][1], hi); a < e {
				out[j] = append(out[j], [2]int{a, e})
			}
		}
	}
	return out
}

// pixelSpan is pixel block k of worker range r: active pixels [b0, b1).
type pixelSpan struct{ r, k, b0, b1 int }

// pixelSpanMoments is a finished block: its first pixel and the moments
// records of its pixels (groupMoments).
type pixelSpanMoments struct {
	b0  int
	mom []float64
}

// merger adds the moments of a range's pixel blocks to the range's
// accumulator in block order, as blocks finish in any order: the sums
// are those of Result, pixel by pixel in order.
type merger struct {
	mu      sync.Mutex
	acc     g2Acc
	next    int                      // next block of the range to add
	pending map[int]pixelSpanMoments // finished blocks waiting for earlier ones
}

// put hands over the moments of block pb and adds every block that is now
// next in order. Blocks are handed out in order, so at most one block per
// worker waits.
// Added blocks' buffers go back to pool (nil: none).
func (m *merger) put(rp *resultPlan, pb pixelSpan, mom []float64, pool *sync.Pool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[pb.k] = pixelSpanMoments{pb.b0, mom}
	nl := rp.nl
	for {
		p, ok := m.pending[m.next]
		if !ok {
			return
		}
		delete(m.pending, m.next)
		m.next++
		w := recWords * nl
		for j := range len(p.mom) / w {
			rp.add(&m.acc, p.b0+j, p.mom[j*w:(j+1)*w])
		}
		if pool != nil {
			pool.Put(p.mom[:cap(p.mom)])
		}
	}
}

// inactiveRuns lists the pixels of qm in no dynamic bin (masked, outside
// the q range) as runs [lo, hi) of consecutive pixels, ascending: the
// corners and masked rows come in long runs, which a gather per pixel
// would waste (it cost as much as the correlation with the C kernels).
func inactiveRuns(qm *QMap) [][2]int {
	var runs [][2]int
	for p, d := range qm.Dynamic {
		if d < 0 {
			if k := len(runs); k > 0 && runs[k-1][1] == p {
				runs[k-1][1]++
			} else {
				runs = append(runs, [2]int{p, p + 1})
			}
		}
	}
	return runs
}

// activePixels lists the pixels of qm in a dynamic bin, ascending.
func activePixels(qm *QMap) []int32 {
	var active []int32
	for i, d := range qm.Dynamic {
		if d >= 0 {
			active = append(active, int32(i))
		}
	}
	return active
}
