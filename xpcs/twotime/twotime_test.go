package twotime

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// bruteC is the definition, in float64, straight from the formula:
// C(i,j) = mean_p(x_ip x_jp) / (mean_p x_ip * mean_p x_jp).
func bruteC(x []float32, n, k int) []float64 {
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var sij, si, sj float64
			for p := 0; p < k; p++ {
				a, b := float64(x[i*k+p]), float64(x[j*k+p])
				sij += a * b
				si += a
				sj += b
			}
			c[i*n+j] = (sij / float64(k)) / ((si / float64(k)) * (sj / float64(k)))
		}
	}
	return c
}

func poissonish(n, k int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n*k)
	for i := range x {
		x[i] = float32(rng.IntN(20))
	}
	return x
}

func TestMatrixMatchesDefinition(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ n, k int }{{1, 1}, {7, 3}, {53, 301}, {130, 70}} {
		x := poissonish(size.n, size.k, uint64(size.n))
		want := bruteC(x, size.n, size.k)
		for _, b := range append([]Backend{Auto}, Backends...) {
			if !b.Available() {
				continue
			}
			got, err := Matrix(nil, x, size.n, size.k, b)
			if err != nil {
				t.Fatalf("%v: %v", b, err)
			}
			for i := range want {
				if d := math.Abs(float64(got[i]) - want[i]); d > 2e-6*math.Abs(want[i]) {
					t.Fatalf("%v %dx%d: C[%d,%d] = %.9g, want %.9g", b, size.n, size.k, i/size.n, i%size.n, got[i], want[i])
				}
			}
		}
	}
}

func TestMatrixZeroFrameIsNaN(t *testing.T) {
	t.Parallel()
	x := poissonish(5, 4, 1)
	for p := 0; p < 4; p++ {
		x[2*4+p] = 0
	}
	c, err := Matrix(nil, x, 5, 4, Auto)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if !math.IsNaN(float64(c[2*5+i])) || !math.IsNaN(float64(c[i*5+2])) {
			t.Errorf("C[2,%d] = %g, C[%d,2] = %g: want NaN", i, c[2*5+i], i, c[i*5+2])
		}
	}
	if g := DiagonalG2(c, 5); math.IsNaN(g[0]) || math.IsNaN(g[1]) {
		t.Errorf("DiagonalG2 = %v: NaN frames must be left out", g)
	}
}

func TestMatrixErrors(t *testing.T) {
	t.Parallel()
	if _, err := Matrix(nil, make([]float32, 5), 2, 3, Auto); err == nil || !strings.Contains(err.Error(), "5 values for 2 frames x 3 pixels") {
		t.Errorf("err = %v", err)
	}
	nan := poissonish(3, 2, 1)
	nan[5] = float32(math.NaN())
	if _, err := Matrix(nil, nan, 3, 2, Auto); err == nil || !strings.Contains(err.Error(), "frame 2 holds NaN") {
		t.Errorf("NaN: err = %v", err)
	}
	if _, err := Matrix(nil, nil, 0, 3, Auto); err == nil {
		t.Error("0 frames: no error")
	}
	if _, err := ParseBackend("mkl"); err == nil {
		t.Error("ParseBackend(mkl): no error")
	}
	for _, b := range Backends {
		if got, err := ParseBackend(b.String()); err != nil || got != b {
			t.Errorf("ParseBackend(%q) = %v, %v", b, got, err)
		}
	}
}

// expC is C(t1,t2) = 1 + beta exp(-2|t1-t2|/tau) with a different beta in
// the second half (a non-stationary sample).
func expC(n int, tau float64) []float32 {
	c := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			beta := 0.2
			if i >= n/2 && j >= n/2 {
				beta = 0.4
			}
			c[i*n+j] = float32(1 + beta*math.Exp(-2*math.Abs(float64(i-j))/tau))
		}
	}
	return c
}

func TestDiagonalAndSegmentG2(t *testing.T) {
	t.Parallel()
	const n, tau = 40, 5.0
	c := expC(n, tau)
	segs, err := SegmentG2(c, n, 2)
	if err != nil {
		t.Fatal(err)
	}
	for s, beta := range []float64{0.2, 0.4} {
		if len(segs[s]) != n/2 {
			t.Fatalf("segment %d has %d lags, want %d", s, len(segs[s]), n/2)
		}
		for lag, got := range segs[s] {
			if want := 1 + beta*math.Exp(-2*float64(lag)/tau); math.Abs(got-want) > 1e-6 {
				t.Errorf("segment %d lag %d: g2 = %g, want %g", s, lag, got, want)
			}
		}
	}
	g := DiagonalG2(c, n)
	// Lag 0: half the diagonal has beta 0.2, half 0.4.
	if got, want := g[0], 1.3; math.Abs(got-want) > 1e-6 {
		t.Errorf("g2(0) = %g, want %g", got, want)
	}
	if got, want := g[n-1], 1+0.2*math.Exp(-2*float64(n-1)/tau); math.Abs(got-want) > 1e-6 {
		t.Errorf("g2(%d) = %g, want %g", n-1, got, want)
	}
	if _, err := SegmentG2(c, n, 0); err == nil {
		t.Error("0 segments: no error")
	}
	if _, err := SegmentG2(c[:3], n, 2); err == nil {
		t.Error("short matrix: no error")
	}
}

// speckle returns a stack whose pixels carry a complex Gaussian field with
// AR(1) correlation exp(-t/tauC) (intensity g2 = 1 + exp(-2t/tauC)) scaled to
// mean counts mean, with Poisson noise; every pixel has the same tauC.
func speckle(frames, rows, cols int, tauC, mean float64, seed uint64) *xpcs.Stack {
	rng := rand.New(rand.NewPCG(seed, 11))
	s, _ := xpcs.NewStack(xpcs.Shape{Frames: frames, Rows: rows, Cols: cols})
	np := rows * cols
	re, im := make([]float64, np), make([]float64, np)
	rho := math.Exp(-1 / tauC)
	sd := math.Sqrt(1 - rho*rho)
	for p := range re {
		re[p], im[p] = rng.NormFloat64()/math.Sqrt2, rng.NormFloat64()/math.Sqrt2
	}
	for f := 0; f < frames; f++ {
		fr := s.Frame(f)
		for p := range re {
			if f > 0 {
				re[p] = rho*re[p] + sd*rng.NormFloat64()/math.Sqrt2
				im[p] = rho*im[p] + sd*rng.NormFloat64()/math.Sqrt2
			}
			lam := mean * (re[p]*re[p] + im[p]*im[p])
			fr[p] = uint16(poisson(rng, lam))
		}
	}
	return s
}

func poisson(rng *rand.Rand, lam float64) int {
	if lam > 30 {
		return max(0, int(math.Round(lam+math.Sqrt(lam)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lam), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// twoBins labels the left half of a rows x cols detector bin 0 and the
// right half bin 1 (static = dynamic), with the first column masked.
func twoBins(t *testing.T, rows, cols int) *xpcs.QMap {
	lab := make([]int32, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			switch {
			case c == 0:
				lab[r*cols+c] = -1
			case c < cols/2:
				lab[r*cols+c] = 0
			default:
				lab[r*cols+c] = 1
			}
		}
	}
	qm, err := xpcs.QMapFromLabels(rows, cols, lab, lab, []float64{0.01, 0.02}, []float64{0.01, 0.02})
	if err != nil {
		t.Fatal(err)
	}
	return qm
}

func TestComputeGathersBins(t *testing.T) {
	t.Parallel()
	const frames, rows, cols = 30, 6, 8
	s := speckle(frames, rows, cols, 5, 3, 1)
	qm := twoBins(t, rows, cols)
	got, err := Compute(s.Source(), qm, Options{Backend: Naive})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Pixels != rows*(cols/2-1) || got[1].Pixels != rows*cols/2 || got[1].Q != 0.02 {
		t.Fatalf("bins: %+v", got)
	}
	for _, b := range got {
		var x []float32
		for f := 0; f < frames; f++ {
			for p, d := range qm.Dynamic {
				if int(d) == b.Bin {
					x = append(x, float32(s.Frame(f)[p]))
				}
			}
		}
		want := bruteC(x, frames, b.Pixels)
		for i := range want {
			if math.Abs(float64(b.C[i])-want[i]) > 2e-6*want[i] {
				t.Fatalf("bin %d C[%d] = %g, want %g", b.Bin, i, b.C[i], want[i])
			}
		}
	}
}

func TestComputeErrors(t *testing.T) {
	t.Parallel()
	s := speckle(4, 6, 8, 5, 3, 1)
	qm := twoBins(t, 6, 8)
	bad := twoBins(t, 6, 6)
	cases := []struct {
		name string
		qm   *xpcs.QMap
		opt  Options
		want string
	}{
		{"shape", bad, Options{}, "twotime:"},
		{"range", qm, Options{Bins: []int{2}}, "out of range"},
		{"twice", qm, Options{Bins: []int{1, 1}}, "selected twice"},
		{"large", qm, Options{MaxBytes: 10}, "too large"},
	}
	for _, c := range cases {
		_, err := Compute(s.Source(), c.qm, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Compute(s.Source(), qm, Options{MaxBytes: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: %v is not ErrTooLarge", err)
	}
	empty := make([]int32, 48)
	for i := range empty {
		empty[i] = -1
	}
	empty[5] = 1 // bin 0 has no pixel
	qe, err := xpcs.QMapFromLabels(6, 8, empty, empty, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(s.Source(), qe, Options{Bins: []int{0}}); err == nil || !strings.Contains(err.Error(), "has no pixels") {
		t.Errorf("empty bin: %v", err)
	}
}

// TestDiagonalMatchesMultiTau: on stationary speckle the diagonal average of
// C estimates the same g2 as the multi-tau correlator at the shared lags.
// The run is long compared with tauC: multi-tau normalises each pixel by its
// own time average, which lowers g2 by about 2 tauC/T (0.1 at T = 20 tauC
// here before this test was made long), while two-time normalises by the
// ensemble average of each frame.
func TestDiagonalMatchesMultiTau(t *testing.T) {
	t.Parallel()
	const frames, rows, cols, tauC = 2000, 16, 16, 3.0
	s := speckle(frames, rows, cols, tauC, 4, 3)
	qm := twoBins(t, rows, cols)
	bins, err := Compute(s.Source(), qm, Options{})
	if err != nil {
		t.Fatal(err)
	}
	corr, err := xpcs.NewCorrelator(qm, frames, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := xpcs.AddFrames(corr, s.Data); err != nil {
		t.Fatal(err)
	}
	g2, err := corr.Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bins {
		diag := DiagonalG2(b.C, b.Frames)
		for i, d := range g2.Delays {
			if d > 16 {
				// Folded levels average pairs of frames, which lowers the
				// correlation of fast pixels; the unfolded definition is
				// compared at levels 0 and 1.
				break
			}
			mt, e := g2.At(i, b.Bin)
			tt := diag[d]
			if d <= 2 {
				t.Logf("bin %d lag %d: two-time %.4f, multi-tau %.4f ± %.4f, truth %.4f", b.Bin, d, tt, mt, e, 1+math.Exp(-2*float64(d)/tauC))
			}
			if math.Abs(mt-tt) > 3*e+0.01 {
				t.Errorf("bin %d lag %d: two-time %g, multi-tau %g ± %g", b.Bin, d, tt, mt, e)
			}
		}
	}
}
