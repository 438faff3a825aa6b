package xpcs

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
)

// SAXS1D returns the mean of img over the pixels of each of n bins:
// out[b] = Σ_{labels[p]=b} img[p] / #{p : labels[p]=b}. Pixels labelled -1
// (or >= n) are ignored. An empty bin, or a bin holding a NaN pixel, gives
// NaN (mask NaN pixels to leave them out). This is the APS
// /xpcs/temporal_mean/scattering_1d of the time-averaged image.
func SAXS1D[T ~float32 | ~float64](img []T, labels []int32, n int) ([]float64, error) {
	if len(img) != len(labels) {
		return nil, fmt.Errorf("xpcs: SAXS 1D: image of %d pixels but %d labels", len(img), len(labels))
	}
	if n <= 0 {
		return nil, fmt.Errorf("xpcs: SAXS 1D needs at least one bin, got %d", n)
	}
	// Two workers at most: the loop is bound by memory bandwidth.
	nw := min(runtime.GOMAXPROCS(0), 2, max(1, len(img)/(1<<18)))
	sums := make([][]float64, nw)
	cnts := make([][]int64, nw)
	var wg sync.WaitGroup
	for w := range nw {
		lo, hi := w*len(img)/nw, (w+1)*len(img)/nw
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Four interleaved histograms: neighbouring pixels mostly
			// share a bin, and one histogram would chain every add
			// through the previous store to the same slot (store
			// forwarding latency); four break the chain. Slot n collects
			// the labels -1 and >= n.
			w1 := n + 1
			s := make([]float64, 4*w1)
			c := make([]int64, 4*w1)
			lab := labels[lo:hi]
			im := img[lo:hi]
			im = im[:len(lab)]
			bin := func(l int32) int {
				if uint32(l) >= uint32(n) {
					return n
				}
				return int(l)
			}
			i := 0
			for ; i+4 <= len(lab); i += 4 {
				l4 := lab[i : i+4 : i+4]
				v4 := im[i : i+4 : i+4]
				b0, b1, b2, b3 := bin(l4[0]), w1+bin(l4[1]), 2*w1+bin(l4[2]), 3*w1+bin(l4[3])
				s[b0] += float64(v4[0])
				s[b1] += float64(v4[1])
				s[b2] += float64(v4[2])
				s[b3] += float64(v4[3])
				c[b0]++
				c[b1]++
				c[b2]++
				c[b3]++
			}
			for ; i < len(lab); i++ {
				b := bin(lab[i])
				s[b] += float64(im[i])
				c[b]++
			}
			for k := 1; k < 4; k++ {
				for b := range w1 {
					s[b] += s[k*w1+b]
					c[b] += c[k*w1+b]
				}
			}
			sums[w], cnts[w] = s[:w1], c[:w1]
		}()
	}
	wg.Wait()
	out := make([]float64, n)
	for b := range n {
		var s float64
		var c int64
		for w := range nw {
			s += sums[w][b]
			c += cnts[w][b]
		}
		if c == 0 {
			out[b] = math.NaN()
		} else {
			out[b] = s / float64(c)
		}
	}
	return out, nil
}

// TimeAverage streams src and returns the mean of every pixel over all
// frames (counts per pixel per frame, row-major) and the mean of every frame
// over all pixels (intensity vs time).
func TimeAverage(src FrameSource) (img, perFrame []float64, err error) {
	sh := src.Shape()
	if err := sh.Validate(); err != nil {
		return nil, nil, err
	}
	np := sh.Pixels()
	img = make([]float64, np)
	block := max(1, (1<<22)/np)
	buf := make([]uint16, block*np)
	n := 0
	for {
		k, rerr := src.ReadFrames(buf)
		for f := range k {
			fr := buf[f*np : (f+1)*np]
			var s float64
			for p, v := range fr {
				img[p] += float64(v)
				s += float64(v)
			}
			perFrame = append(perFrame, s/float64(np))
		}
		n += k
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return nil, nil, fmt.Errorf("xpcs: time average of %s stack, frame %d: %w", sh, n, rerr)
		}
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("xpcs: time average of %s stack: no frames", sh)
	}
	for p := range img {
		img[p] /= float64(n)
	}
	return img, perFrame, nil
}

// Peak is a local maximum of a 1D curve.
type Peak struct {
	// Index is the sample index of the maximum; Position its x.
	Index    int
	Position float64
	// Height is y at the maximum.
	Height float64
	// Prominence is Height minus the higher of the two lowest points
	// separating the peak from higher terrain on each side (the
	// topographic prominence, as scipy.signal.peak_prominences).
	Prominence float64
	// Width is the full width in x at half prominence (Height -
	// Prominence/2), with linear interpolation between samples.
	Width float64
}

// FindPeaks returns the local maxima of y(x) whose prominence is at least
// minProminence, in order of x. x must be increasing and as long as y (nil:
// x = index). NaN samples split the curve: they are never peaks nor bases. A
// flat top counts once, at its middle sample. Hand-written: gonum has no
// peak finder.
func FindPeaks(x, y []float64, minProminence float64) ([]Peak, error) {
	if x == nil {
		x = make([]float64, len(y))
		for i := range x {
			x[i] = float64(i)
		}
	}
	if len(x) != len(y) {
		return nil, fmt.Errorf("xpcs: peak finding: %d x values for %d y values", len(x), len(y))
	}
	var peaks []Peak
	n := len(y)
	for i := 1; i < n-1; i++ {
		if math.IsNaN(y[i]) || !(y[i] > y[i-1]) {
			continue
		}
		// Walk a plateau.
		j := i
		for j+1 < n && y[j+1] == y[i] {
			j++
		}
		if j+1 >= n || !(y[j+1] < y[i]) {
			i = j
			continue
		}
		mid := (i + j) / 2
		h := y[mid]
		// Bases: minimum on each side until higher terrain or the end.
		lmin, rmin := h, h
		for k := i - 1; k >= 0 && !math.IsNaN(y[k]) && y[k] <= h; k-- {
			lmin = min(lmin, y[k])
		}
		for k := j + 1; k < n && !math.IsNaN(y[k]) && y[k] <= h; k++ {
			rmin = min(rmin, y[k])
		}
		prom := h - max(lmin, rmin)
		if prom >= minProminence && prom > 0 {
			half := h - prom/2
			left := crossing(x, y, mid, -1, half)
			right := crossing(x, y, mid, +1, half)
			peaks = append(peaks, Peak{Index: mid, Position: x[mid], Height: h, Prominence: prom, Width: right - left})
		}
		i = j
	}
	return peaks, nil
}

// crossing walks from i in direction dir until y drops below level and
// returns the interpolated x of the crossing (the end sample if none).
func crossing(x, y []float64, i, dir int, level float64) float64 {
	for k := i + dir; k >= 0 && k < len(y); k += dir {
		if math.IsNaN(y[k]) {
			return x[k-dir]
		}
		if y[k] <= level {
			prev := k - dir
			f := (y[prev] - level) / (y[prev] - y[k])
			return x[prev] + f*(x[k]-x[prev])
		}
	}
	if dir < 0 {
		return x[0]
	}
	return x[len(x)-1]
}
