package twotime

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// Backend selects the implementation of the product X X^T.
type Backend int

const (
	// Auto is OpenBLAS SYRK when built with cgo, else Gonum.
	Auto Backend = iota
	// OpenBLAS is cblas_ssyrk (upper triangle only) through cgo.
	OpenBLAS
	// OpenBLASGemm is cblas_sgemm (both triangles, twice the flops; for comparison).
	OpenBLASGemm
	// Gonum is gonum's pure-Go Sgemm (parallel over blocks).
	Gonum
	// GonumSyrk is gonum's pure-Go Ssyrk (serial; for comparison).
	GonumSyrk
	// Naive is a float64 triple loop: the reference.
	Naive
)

var backendNames = [...]string{"auto", "openblas", "openblas-gemm", "gonum", "gonum-syrk", "naive"}

// Backends lists every back end but Auto.
var Backends = []Backend{OpenBLAS, OpenBLASGemm, Gonum, GonumSyrk, Naive}

func (b Backend) String() string {
	if b < 0 || int(b) >= len(backendNames) {
		return fmt.Sprintf("Backend(%d)", int(b))
	}
	return backendNames[b]
}

// ParseBackend returns the back end called s.
func ParseBackend(s string) (Backend, error) {
	for i, n := range backendNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Backend(i), nil
		}
	}
	return 0, fmt.Errorf("twotime: unknown backend %q (want one of %s)", s, strings.Join(backendNames[:], ", "))
}

// Available reports whether b can run in this binary (OpenBLAS needs cgo
// and the library, loaded on first use).
func (b Backend) Available() bool {
	return (b != OpenBLAS && b != OpenBLASGemm) || haveOpenBLAS()
}

func (b Backend) resolve() Backend {
	if b == Auto {
		if haveOpenBLAS() {
			return OpenBLAS
		}
		return Gonum
	}
	return b
}

// Matrix computes the two-time correlation C (n x n, row-major, symmetric)
// of one bin from x, its n frames x k pixels intensities (row-major), with
// back end b. dst is reused when it has room for n*n values. A frame whose
// mean is zero gives NaN in its row and column; a frame holding NaN or ±Inf
// is an error.
func Matrix(dst, x []float32, n, k int, b Backend) ([]float32, error) {
	if n < 1 || k < 1 {
		return nil, fmt.Errorf("twotime: %d frames x %d pixels: need at least one of each", n, k)
	}
	if len(x) != n*k {
		return nil, fmt.Errorf("twotime: %d values for %d frames x %d pixels", len(x), n, k)
	}
	b = b.resolve()
	if !b.Available() {
		return nil, fmt.Errorf("backend %v: %w", b, loadOpenBLAS())
	}
	inv, err := invMeans(x, n, k)
	if err != nil {
		return nil, err
	}
	if cap(dst) < n*n {
		dst = make([]float32, n*n)
	}
	c := dst[:n*n]
	switch b {
	case OpenBLAS:
		openblasSyrk(x, n, k, c)
	case OpenBLASGemm:
		openblasGemm(x, n, k, c)
	case Gonum:
		gonum.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, n, n, k, 1, x, k, x, k, 0, c, n)
	case GonumSyrk:
		gonum.Implementation{}.Ssyrk(blas.Upper, blas.NoTrans, n, k, 1, x, k, 0, c, n)
	case Naive:
		naive(x, n, k, c)
	default:
		return nil, fmt.Errorf("twotime: unknown backend %v", b)
	}
	normalise(c, n, inv)
	return c, nil
}

// naive is the reference product in float64: the upper triangle of x x^T.
func naive(x []float32, n, k int, c []float32) {
	for i := 0; i < n; i++ {
		xi := x[i*k : (i+1)*k]
		for j := i; j < n; j++ {
			xj := x[j*k : (j+1)*k]
			var s float64
			for p := range xi {
				s += float64(xi[p]) * float64(xj[p])
			}
			c[i*n+j] = float32(s)
		}
	}
}

// invMeans returns 1/(m_i sqrt(k)) for the row means m_i of x (NaN for a
// zero mean), or an error naming the first frame holding NaN or ±Inf.
func invMeans(x []float32, n, k int) ([]float64, error) {
	inv := make([]float64, n)
	sk := math.Sqrt(float64(k))
	for i := 0; i < n; i++ {
		var s float64
		for _, v := range x[i*k : (i+1)*k] {
			s += float64(v)
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("twotime: frame %d holds NaN or Inf", i)
		}
		m := s / float64(k)
		inv[i] = 1 / (m * sk)
		if m == 0 {
			inv[i] = math.NaN()
		}
	}
	return inv, nil
}

// normalise turns G = X X^T (at least its upper triangle) into
// C = (G/k) / (m m^T) = G_ij inv_i inv_j, and mirrors the upper triangle
// (SYRK leaves the lower one untouched).
func normalise(c []float32, n int, inv []float64) {
	for i := 0; i < n; i++ {
		row := c[i*n : (i+1)*n]
		for j := i; j < n; j++ {
			v := float32(float64(row[j]) * inv[i] * inv[j])
			row[j] = v
			c[j*n+i] = v
		}
	}
}

// DiagonalG2 returns g2(tau) = mean over t of C(t, t+tau) for tau = 0..n-1
// (tau in frames) of an n x n two-time matrix c. NaN entries (zero-intensity
// frames) are left out of the means; a lag with none left gets NaN.
func DiagonalG2(c []float32, n int) []float64 {
	return blockG2(c, n, 0, n)
}

func blockG2(c []float32, n, lo, hi int) []float64 {
	m := hi - lo
	g := make([]float64, m)
	for tau := 0; tau < m; tau++ {
		var s float64
		cnt := 0
		for t := lo; t+tau < hi; t++ {
			v := c[t*n+t+tau]
			if v == v {
				s += float64(v)
				cnt++
			}
		}
		g[tau] = math.NaN()
		if cnt > 0 {
			g[tau] = s / float64(cnt)
		}
	}
	return g
}

// SegmentG2 splits the n frames into segments consecutive segments of
// L = n/segments frames (the last n mod segments frames are dropped) and
// returns the diagonal-averaged g2 of each (lags 0..L-1): g[s][tau] =
// mean_{t in segment s, t+tau in segment s} C(t, t+tau).
func SegmentG2(c []float32, n, segments int) ([][]float64, error) {
	if segments < 1 || segments > n {
		return nil, fmt.Errorf("twotime: %d segments of %d frames", segments, n)
	}
	if len(c) != n*n {
		return nil, fmt.Errorf("twotime: %d values for a %d x %d matrix", len(c), n, n)
	}
	l := n / segments
	out := make([][]float64, segments)
	for s := range out {
		out[s] = blockG2(c, n, s*l, (s+1)*l)
	}
	return out, nil
}

// Options configure Compute.
type Options struct {
	Backend Backend
	// Bins are the dynamic bins to correlate (0-based); nil means every
	// dynamic bin holding at least one pixel.
	Bins []int
	// MaxBytes bounds the memory of the gathered intensities plus the
	// matrices (4 bytes a value); 0 means 4 GiB.
	MaxBytes int64
	// Smooth normalises the intensities before the product (boost_corr's
	// twotime "smooth"; APS 8-ID-I runs it with SmoothStatic). Zero value:
	// SmoothNone.
	Smooth Smooth
}

// Smooth is the per-frame normalisation of the intensities that Compute
// applies before forming C, as boost_corr's twotime does.
type Smooth int

const (
	// SmoothNone correlates the raw counts:
	// C(t1,t2) = <I(t1)I(t2)>_p / (<I(t1)>_p <I(t2)>_p).
	SmoothNone Smooth = iota
	// SmoothStatic (boost_corr "sqmap", its default) first divides each
	// pixel's count at frame t by the mean count at t over the pixels of its
	// static bin (within the dynamic bin); a mean <= 0 is taken as 1. C is
	// then formed from Ĩ = I/<I(t)>_s as above. This removes frame-to-frame
	// intensity changes (beam, sample) that are common to a static bin.
	SmoothStatic
	// SmoothDynamic ("dqmap") is SmoothStatic over the whole dynamic bin.
	SmoothDynamic
)

var smoothNames = [...]string{"none", "sqmap", "dqmap"}

func (s Smooth) String() string {
	if s < 0 || int(s) >= len(smoothNames) {
		return fmt.Sprintf("Smooth(%d)", int(s))
	}
	return smoothNames[s]
}

// ParseSmooth returns the smoothing called s (none, sqmap or dqmap).
func ParseSmooth(s string) (Smooth, error) {
	for i, n := range smoothNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Smooth(i), nil
		}
	}
	return 0, fmt.Errorf("twotime: unknown smoothing %q (want one of %s)", s, strings.Join(smoothNames[:], ", "))
}

// smooth divides, frame by frame, the intensities x (n frames x len(labels)
// pixels, row-major) by the mean over the pixels sharing a label; a mean
// <= 0 is taken as 1 (boost_corr).
func smooth(x []float32, n int, labels []int32) {
	k := len(labels)
	idx := map[int32]int{}
	group := make([]int, k)
	for p, l := range labels {
		g, ok := idx[l]
		if !ok {
			g = len(idx)
			idx[l] = g
		}
		group[p] = g
	}
	cnt := make([]float64, len(idx))
	for _, g := range group {
		cnt[g]++
	}
	sum := make([]float64, len(idx))
	for t := range n {
		row := x[t*k : (t+1)*k]
		clear(sum)
		for p, v := range row {
			sum[group[p]] += float64(v)
		}
		for g := range sum {
			if m := sum[g] / cnt[g]; m > 0 {
				sum[g] = m
			} else {
				sum[g] = 1
			}
		}
		for p := range row {
			row[p] = float32(float64(row[p]) / sum[group[p]])
		}
	}
}

// Bin is the two-time correlation of one dynamic bin.
type Bin struct {
	Bin    int       // dynamic bin (0-based)
	Q      float64   // its q in 1/Å
	Pixels int       // pixels in the bin
	Frames int       // n: C is n x n
	C      []float32 // row-major n x n
}

// ErrTooLarge is returned (wrapped) when Compute would need more than
// Options.MaxBytes.
var ErrTooLarge = errors.New("two-time correlation too large")

// Compute reads every frame of src and returns the two-time correlation of
// the selected dynamic bins of qm. It holds the intensities of the selected
// pixels for all frames (4 bytes each) plus one n x n matrix per bin.
func Compute(src xpcs.FrameSource, qm *xpcs.QMap, opt Options) ([]Bin, error) {
	shape := src.Shape()
	if err := qm.CheckShape(shape); err != nil {
		return nil, fmt.Errorf("twotime: %w", err)
	}
	nd := qm.NDynamic()
	counts := xpcs.Counts(qm.Dynamic, nd)
	bins := opt.Bins
	if bins == nil {
		for b, c := range counts {
			if c > 0 {
				bins = append(bins, b)
			}
		}
	}
	if len(bins) == 0 {
		return nil, errors.New("twotime: the q-map has no dynamic bin with pixels")
	}
	slot := make([]int, nd) // position of a bin in bins, -1 when not selected
	for i := range slot {
		slot[i] = -1
	}
	n := shape.Frames
	var total int64
	for i, b := range bins {
		if b < 0 || b >= nd {
			return nil, fmt.Errorf("twotime: dynamic bin %d out of range [0, %d)", b, nd)
		}
		if counts[b] == 0 {
			return nil, fmt.Errorf("twotime: dynamic bin %d has no pixels (all masked?)", b)
		}
		if slot[b] >= 0 {
			return nil, fmt.Errorf("twotime: dynamic bin %d selected twice", b)
		}
		slot[b] = i
		total += 4 * (int64(n)*int64(counts[b]) + int64(n)*int64(n))
	}
	maxBytes := opt.MaxBytes
	if maxBytes <= 0 {
		maxBytes = 4 << 30
	}
	if total > maxBytes {
		return nil, fmt.Errorf("twotime: %w: %d frames x %d bins need %d MB, limit %d MB", ErrTooLarge, n, len(bins), total>>20, maxBytes>>20)
	}
	// Gather: pixel lists per selected bin, then X_b (frames x pixels).
	pix := make([][]int, len(bins))
	for p, d := range qm.Dynamic {
		if d >= 0 && slot[d] >= 0 {
			pix[slot[d]] = append(pix[slot[d]], p)
		}
	}
	xs := make([][]float32, len(bins))
	for i := range bins {
		xs[i] = make([]float32, n*len(pix[i]))
	}
	np := shape.Pixels()
	block := max(1, min(n, (8<<20)/(2*np)))
	buf := make([]uint16, block*np)
	f := 0
	for f < n {
		got, err := src.ReadFrames(buf)
		if got > 0 {
			if f+got > n {
				return nil, fmt.Errorf("twotime: source delivered more than its %d frames", n)
			}
			for j := 0; j < got; j++ {
				frame := buf[j*np : (j+1)*np]
				for i, list := range pix {
					row := xs[i][(f+j)*len(list) : (f+j+1)*len(list)]
					for q, p := range list {
						row[q] = float32(frame[p])
					}
				}
			}
			f += got
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("twotime: reading frame %d: %w", f, err)
		}
		if got == 0 {
			return nil, fmt.Errorf("twotime: source returned no frames at frame %d of %d", f, n)
		}
	}
	if f != n {
		return nil, fmt.Errorf("twotime: source ended after %d of %d frames", f, n)
	}
	if opt.Smooth != SmoothNone {
		for i, list := range pix {
			labels := make([]int32, len(list))
			if opt.Smooth == SmoothStatic {
				for q, p := range list {
					labels[q] = qm.Static[p]
				}
			} else if opt.Smooth != SmoothDynamic {
				return nil, fmt.Errorf("twotime: unknown smoothing %v", opt.Smooth)
			}
			smooth(xs[i], n, labels)
		}
	}
	out := make([]Bin, len(bins))
	for i, b := range bins {
		c, err := Matrix(nil, xs[i], n, len(pix[i]), opt.Backend)
		if err != nil {
			return nil, fmt.Errorf("twotime: dynamic bin %d: %w", b, err)
		}
		xs[i] = nil
		q := math.NaN()
		if b < len(qm.DynamicQ) {
			q = qm.DynamicQ[b]
		}
		out[i] = Bin{Bin: b, Q: q, Pixels: len(pix[i]), Frames: n, C: c}
	}
	return out, nil
}
