package xpcs

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Sizes are the seed stack sizes (frames x rows x cols).
var Sizes = map[string]Shape{
	"tiny":   {Frames: 100, Rows: 64, Cols: 64},
	"small":  {Frames: 500, Rows: 128, Cols: 128},
	"medium": {Frames: 1000, Rows: 256, Cols: 256},
	"large":  {Frames: 2000, Rows: 512, Cols: 512},
	"xlarge": {Frames: 5000, Rows: 1024, Cols: 1024},
}

// SizeNames returns the names of Sizes from smallest to largest.
func SizeNames() []string {
	names := make([]string, 0, len(Sizes))
	for n := range Sizes {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return Sizes[names[i]].Len() < Sizes[names[j]].Len() })
	return names
}

// SynthConfig describes a synthetic speckle stack with a known answer.
//
// Every pixel carries an independent complex Gaussian field E (unit mean
// |E|^2) following an AR(1) process frame to frame,
//
//	E(t+1) = ρ·E(t) + sqrt(1-ρ²)·w(t),  w ~ CN(0, 1),  ρ = exp(-1/τc(q)),
//
// so that |<E(t)E*(t+τ)>|² = exp(-2τ/τc). The expected count rate of a pixel
// is the coherent speckle mixed with an incoherent constant part,
//
//	λ(t) = R(q)·(√β·|E(t)|² + 1 - √β),
//
// and the frame holds Poisson(λ(t)) counts (clipped at 65535). For a doubly
// stochastic Poisson process <n(t)n(t+τ)> = <λ(t)λ(t+τ)> at τ ≥ 1, hence
//
//	g2(τ) = 1 + β·exp(-2τ/τc(q))    (τ in frames, τ ≥ 1)
//
// exactly in expectation. τc(q) = Tau0·(q/QRef)^TauExponent is evaluated at
// the centre of the pixel's dynamic bin, so every dynamic bin has a single
// τc (pixels in no bin use their own q). The mean rate profile is
// R(q) = Rate·(1 + PeakAmp·exp(-(q-PeakQ)²/(2·PeakWidth²))).
//
// The stack is a deterministic function of the configuration: detector row
// r draws from its own PCG stream seeded with (Seed, r), whatever the number
// of goroutines.
type SynthConfig struct {
	Shape    Shape
	Seed     uint64
	Geometry Geometry
	// Partition of the q-map; zero value: 36 static, 9 dynamic bins, linear.
	// QMin = QMax = 0 selects the full rings between radii 0.3R and R, R
	// half the smaller detector side (pixels outside are in no bin).
	Partition Partition
	// Rate is the mean counts per pixel per frame away from the peak
	// (sparse data down to 1e-4 works).
	Rate float64
	// Beta is the speckle contrast in [0, 1].
	Beta float64
	// Tau0 is τc in frames at QRef (QRef 0: the middle of the partition's
	// q range); TauExponent is the power law exponent (0: -2, diffusion).
	Tau0, QRef, TauExponent float64
	// PeakQ (1/Å), PeakWidth (1/Å) and PeakAmp add a Gaussian peak to the
	// mean intensity profile; PeakAmp 0 means none.
	PeakQ, PeakWidth, PeakAmp float64
	// Workers generating rows in parallel (<= 0: GOMAXPROCS).
	Workers int
}

// DefaultSynth returns the configuration used by `xpcs-perf synth` for a
// shape: a 75 µm pixel detector 5 m from the sample at 10 keV, beam centre
// in the middle, 36 static / 9 dynamic linear bins over radii 0.3R..R,
// 1 count/pixel/frame, contrast 0.2, τc = 5 frames at the middle of the q
// range (so about 23 frames in the first and 2.1 in the last dynamic bin),
// and a peak at 0.6 of the q range.
func DefaultSynth(s Shape, seed uint64) SynthConfig {
	return SynthConfig{
		Shape: s, Seed: seed,
		Geometry:  Geometry{BeamCenterX: float64(s.Cols-1) / 2, BeamCenterY: float64(s.Rows-1) / 2, PixelSize: 75e-6, Distance: 5, Energy: 10},
		Partition: Partition{NStatic: 36, NDynamic: 9},
		Rate:      1, Beta: 0.2, Tau0: 5, TauExponent: -2,
		PeakAmp: 1, // PeakQ and PeakWidth are set from the q range by NewSynth
	}
}

// Synth generates a synthetic stack frame by frame; it is a FrameSource.
// Memory is O(pixels), independent of the number of frames.
type Synth struct {
	cfg  SynthConfig
	qmap *QMap
	tau  []float64 // per dynamic bin τc in frames
	next int       // next frame

	re, im    []float64 // field per pixel
	rho, innv []float64 // ρ and sqrt((1-ρ²)/2) per pixel
	coh, inc  []float64 // R·√β and R·(1-√β) per pixel
	rngs      []*rand.Rand
}

var _ FrameSource = (*Synth)(nil)

// NewSynth validates cfg, builds its q-map and draws the initial field.
func NewSynth(cfg SynthConfig) (*Synth, error) {
	if err := cfg.Shape.Validate(); err != nil {
		return nil, err
	}
	switch {
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0):
		return nil, fmt.Errorf("xpcs: synth rate %g counts/pixel/frame must be positive", cfg.Rate)
	case !(cfg.Beta >= 0 && cfg.Beta <= 1):
		return nil, fmt.Errorf("xpcs: synth contrast beta %g must be in [0, 1]", cfg.Beta)
	case !(cfg.Tau0 > 0):
		return nil, fmt.Errorf("xpcs: synth tau0 %g frames must be positive", cfg.Tau0)
	case cfg.PeakAmp < 0:
		return nil, fmt.Errorf("xpcs: synth peak amplitude %g must not be negative", cfg.PeakAmp)
	}
	if cfg.Partition.NStatic == 0 {
		cfg.Partition = Partition{NStatic: 36, NDynamic: 9}
	}
	if cfg.TauExponent == 0 {
		cfg.TauExponent = -2
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	sh := cfg.Shape
	if p := &cfg.Partition; p.QMin == 0 && p.QMax == 0 {
		// Full rings only, outside a beam stop: radii 0.3R..R with R half
		// the smaller detector side.
		if err := cfg.Geometry.Validate(); err != nil {
			return nil, err
		}
		r := float64(min(sh.Rows, sh.Cols)) / 2
		g := cfg.Geometry
		p.QMin, p.QMax = g.Q(g.BeamCenterY, g.BeamCenterX+0.3*r), g.Q(g.BeamCenterY, g.BeamCenterX+r)
	}
	qm, err := NewQMap(sh.Rows, sh.Cols, cfg.Geometry, Mask{}, cfg.Partition)
	if err != nil {
		return nil, fmt.Errorf("xpcs: synth q-map: %w", err)
	}
	qlo, qhi := qm.StaticEdges[0], qm.StaticEdges[len(qm.StaticEdges)-1]
	if cfg.QRef == 0 {
		cfg.QRef = (qlo + qhi) / 2
	}
	if cfg.PeakQ == 0 {
		cfg.PeakQ = qlo + 0.6*(qhi-qlo)
	}
	if cfg.PeakWidth == 0 {
		cfg.PeakWidth = 0.05 * (qhi - qlo)
	}
	s := &Synth{cfg: cfg, qmap: qm}
	s.tau = make([]float64, qm.NDynamic())
	for d, q := range qm.DynamicQ {
		s.tau[d] = cfg.TauC(q)
	}
	n := sh.Pixels()
	s.re, s.im = make([]float64, n), make([]float64, n)
	s.rho, s.innv = make([]float64, n), make([]float64, n)
	s.coh, s.inc = make([]float64, n), make([]float64, n)
	sb := math.Sqrt(cfg.Beta)
	for p := range n {
		tau := cfg.TauC(qm.Q[p])
		if d := qm.Dynamic[p]; d >= 0 {
			tau = s.tau[d]
		}
		rho := math.Exp(-1 / tau) // τ = +Inf at q = 0 gives a frozen speckle
		s.rho[p] = rho
		s.innv[p] = math.Sqrt((1 - rho*rho) / 2)
		r := cfg.RateAt(qm.Q[p])
		s.coh[p], s.inc[p] = r*sb, r*(1-sb)
	}
	s.rngs = make([]*rand.Rand, sh.Rows)
	for r := range sh.Rows {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(r)))
		s.rngs[r] = rng
		for c := range sh.Cols {
			p := r*sh.Cols + c
			s.re[p] = rng.NormFloat64() / math.Sqrt2
			s.im[p] = rng.NormFloat64() / math.Sqrt2
		}
	}
	return s, nil
}

// TauC returns τc(q) = Tau0·(q/QRef)^TauExponent in frames.
func (c SynthConfig) TauC(q float64) float64 {
	return c.Tau0 * math.Pow(q/c.QRef, c.TauExponent)
}

// RateAt returns the mean counts per pixel per frame R(q).
func (c SynthConfig) RateAt(q float64) float64 {
	d := (q - c.PeakQ) / c.PeakWidth
	return c.Rate * (1 + c.PeakAmp*math.Exp(-d*d/2))
}

// Config returns the configuration with defaults filled in.
func (s *Synth) Config() SynthConfig { return s.cfg }

// QMap returns the q-map the stack was generated for.
func (s *Synth) QMap() *QMap { return s.qmap }

// TauC returns τc in frames of every dynamic bin.
func (s *Synth) TauC() []float64 { return s.tau }

// Shape implements FrameSource.
func (s *Synth) Shape() Shape { return s.cfg.Shape }

// ReadFrames implements FrameSource: it generates the next frames into dst.
func (s *Synth) ReadFrames(dst []uint16) (int, error) {
	sh := s.cfg.Shape
	np := sh.Pixels()
	if len(dst) < np {
		return 0, fmt.Errorf("xpcs: synth ReadFrames buffer of %d values is smaller than one %dx%d frame", len(dst), sh.Rows, sh.Cols)
	}
	n := min(len(dst)/np, sh.Frames-s.next)
	if n == 0 {
		return 0, io.EOF
	}
	nw := min(s.cfg.Workers, sh.Rows)
	var wg sync.WaitGroup
	for w := range nw {
		lo, hi := w*sh.Rows/nw, (w+1)*sh.Rows/nw
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := lo; r < hi; r++ {
				s.row(r, dst, n)
			}
		}()
	}
	wg.Wait()
	s.next += n
	return n, nil
}

// row generates n frames of detector row r into dst.
func (s *Synth) row(r int, dst []uint16, n int) {
	sh := s.cfg.Shape
	np := sh.Pixels()
	rng := s.rngs[r]
	for f := range n {
		// The first frame uses the initial (stationary) field.
		first := s.next+f == 0
		out := dst[f*np+r*sh.Cols : f*np+(r+1)*sh.Cols]
		for c := range out {
			p := r*sh.Cols + c
			re, im := s.re[p], s.im[p]
			if !first {
				rho, a := s.rho[p], s.innv[p]
				re = rho*re + a*rng.NormFloat64()
				im = rho*im + a*rng.NormFloat64()
				s.re[p], s.im[p] = re, im
			}
			lambda := s.coh[p]*(re*re+im*im) + s.inc[p]
			out[c] = poisson(rng, lambda)
		}
	}
}

// poisson draws a Poisson(lambda) count clipped to 65535. For lambda < 10 it
// counts unit-rate exponential arrivals before lambda (the method gonum's
// distuv.Poisson uses too), inlined because distuv wraps its source in a new
// rand.Rand on every call, which dominated the generator's time; larger
// lambdas go to distuv.Poisson (transformed rejection).
func poisson(rng *rand.Rand, lambda float64) uint16 {
	if lambda < 10 {
		var k uint16
		for t := rng.ExpFloat64(); t < lambda; t += rng.ExpFloat64() {
			k++
		}
		return k
	}
	v := distuv.Poisson{Lambda: lambda, Src: rngSource{rng}}.Rand()
	return uint16(min(v, math.MaxUint16))
}

// rngSource adapts *rand.Rand to rand.Source for distuv.
type rngSource struct{ r *rand.Rand }

func (s rngSource) Uint64() uint64 { return s.r.Uint64() }

// G2Model returns the exact expected multi-tau g2 of the synthetic stack for
// dynamic bin d at lag (level L, k folded frames) including the effect of
// folding: level-L frames are sums of w = 2^L frames, so
//
//	g2 = 1 + β·r^{kw}·(Σ_{i<w} r^i)(Σ_{j<w} r^{-j})/w²,   r = exp(-2/τc),
//
// (every pair of raw frames in two bins kw apart is at a lag ≥ 1 since k ≥ 1,
// and Poisson noise does not correlate across distinct frames).
func (s *Synth) G2Model(d int, lag Lag) float64 {
	r := math.Exp(-2 / s.tau[d])
	w := 1 << lag.Level
	var a, b float64
	for i := range w {
		a += math.Pow(r, float64(i))
		b += math.Pow(r, -float64(i))
	}
	return 1 + s.cfg.Beta*math.Pow(r, float64(lag.K*w))*a*b/float64(w*w)
}
