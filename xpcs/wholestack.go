package xpcs

import (
	"fmt"
	"sync"
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

// u16Bytes returns the bytes of s (little-endian on the machines the
// module builds for).
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

// usable reports whether correlateStack can run kernel k over n frames of
// np pixels of v.
func (v StackView) usable(n, np int, k kernelID) bool {
	return v.check(n, np) == nil && (isCKernel(k) || v.aligned(n, np))
}

// sumRuns adds the first n frames' values of the pixels in the runs [lo,
// hi) to sum (the C loop with the C kernels, as the streaming path).
func (v StackView) sumRuns(n, np int, runs [][2]int, sum []float64, k kernelID) {
	if isCKernel(k) {
		cSumRunsU16(v.Data, v.Off, np, n, runs, sum, nil)
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

// correlateStack is multi-tau of the first n frames of an in-memory uint16
// stack (frame-major, np pixels per frame) over the active pixels of qm,
// pixel-major: each worker runs the pixels of its range (workerRanges),
// stackPixels at a time, through all n frames with a small state of its
// own, then turns their state into per-pixel moments (pixelMoments) and
// adds them to its accumulator in pixel order. The state evolves exactly
// as in the streaming Correlator (same operations in the same order per
// pixel, whatever the blocking of frames), and the accumulators split and
// merge as in Result: the G2 is bitwise identical to AddFrames of the same
// frames followed by Result with the same workers and kernel.
//
// It also stores Σ_t I(t) of every active pixel into sum[pixel] and
// returns the per-frame sums over the active pixels (Correlator.frameSum).
func correlateStack(v StackView, np, n int, qm *QMap, active []int32, workers int, kern kernelID, sum []float64) (*G2, []float64, error) {
	if err := v.check(n, np); err != nil {
		return nil, nil, err
	}
	if !isCKernel(kern) && !v.aligned(n, np) {
		return nil, nil, fmt.Errorf("xpcs: the %s path needs frames at even offsets", kern)
	}
	var u []uint16
	var uoff []int64
	if !isCKernel(kern) {
		u, uoff = v.u16()
	}
	rp, err := newResultPlan(qm, active, n)
	if err != nil {
		return nil, nil, err
	}
	nlev := numLevels(n)
	ranges := workerRanges(len(active), workers)
	accs := make([]g2Acc, len(ranges))
	fsums := make([][]float64, len(ranges))
	var wg sync.WaitGroup
	for w, r := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A correlator of one pixel block, re-aimed at each block.
			bc := &Correlator{qm: qm, npix: np, nlev: nlev, expect: n, workers: 1, kern: kern,
				count: make([]int, nlev), carry: make([]bool, nlev),
				state: make([]float64, stackPixels/lanes*nlev*groupLevel)}
			var sc scratch
			a := rp.newAcc()
			m := rp.newMoments()
			fsum := make([]float64, n)
			for b0 := r[0]; b0 < r[1]; b0 += stackPixels {
				b1 := min(b0+stackPixels, r[1])
				bc.active = active[b0:b1]
				bc.Reset()
				for f0 := 0; f0 < n; f0 += stackFrames {
					k := min(stackFrames, n-f0)
					plan := bc.plan(k)
					var s []float64
					switch {
					case isCKernel(kern) && v.Off == nil:
						s = cBlock(bc, &sc, v.Data[2*f0*np:2*(f0+k)*np], nil, k, plan, 0, b1-b0)
					case isCKernel(kern):
						s = cBlock(bc, &sc, v.Data, v.Off[f0:f0+k], k, plan, 0, b1-b0)
					case uoff == nil:
						s = correlateBlock(bc, &sc, u[f0*np:(f0+k)*np], nil, k, plan, 0, b1-b0)
					default:
						s = correlateBlock(bc, &sc, u, uoff[f0:f0+k], k, plan, 0, b1-b0)
					}
					for t, v := range s {
						fsum[f0+t] += v
					}
				}
				for i := b0; i < b1; i++ {
					st := bc.groupState(i - b0)
					pixelMoments(st, i%lanes, rp.lags, bc.count, m.G, m.IP, m.IF)
					rp.add(&a, i, m)
					sum[active[i]] = st[oSum*lanes+i%lanes]
				}
			}
			accs[w], fsums[w] = a, fsum
		}()
	}
	wg.Wait()
	frameSum := make([]float64, n)
	for _, s := range fsums {
		for t, v := range s {
			frameSum[t] += v
		}
	}
	return rp.finish(accs), frameSum, nil
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
