package xpcs

import (
	"fmt"
	"math"
)

// hcKeVÅ is h*c in keV·Å (CODATA 2018): wavelength λ[Å] = hcKeVÅ / E[keV].
const hcKeVÅ = 12.398419843320026

// Geometry is a flat detector perpendicular to the direct beam.
type Geometry struct {
	// BeamCenterX and BeamCenterY are the direct-beam position in pixels:
	// X along columns, Y along rows (pixel centres at integer positions).
	BeamCenterX, BeamCenterY float64
	// PixelSize is the (square) pixel pitch in metres, e.g. 75e-6.
	PixelSize float64
	// Distance is the sample-detector distance in metres.
	Distance float64
	// Energy is the X-ray photon energy in keV.
	Energy float64
}

// Validate reports an error for a non-positive pixel size, distance or energy,
// or a non-finite beam centre.
func (g Geometry) Validate() error {
	switch {
	case !(g.PixelSize > 0) || math.IsInf(g.PixelSize, 0):
		return fmt.Errorf("xpcs: geometry pixel size %g m must be positive", g.PixelSize)
	case !(g.Distance > 0) || math.IsInf(g.Distance, 0):
		return fmt.Errorf("xpcs: geometry detector distance %g m must be positive", g.Distance)
	case !(g.Energy > 0) || math.IsInf(g.Energy, 0):
		return fmt.Errorf("xpcs: geometry energy %g keV must be positive", g.Energy)
	case math.IsNaN(g.BeamCenterX) || math.IsNaN(g.BeamCenterY) || math.IsInf(g.BeamCenterX, 0) || math.IsInf(g.BeamCenterY, 0):
		return fmt.Errorf("xpcs: geometry beam centre (%g, %g) must be finite", g.BeamCenterX, g.BeamCenterY)
	}
	return nil
}

// Wavelength returns λ = hc/E in ångström.
func (g Geometry) Wavelength() float64 { return hcKeVÅ / g.Energy }

// Q returns the magnitude of the scattering vector at pixel (row, col) in 1/Å:
// q = 4π/λ · sin(θ), with the scattering angle 2θ = atan(r/D) and r the
// distance from the beam centre on the detector in metres.
func (g Geometry) Q(row, col float64) float64 {
	dx := (col - g.BeamCenterX) * g.PixelSize
	dy := (row - g.BeamCenterY) * g.PixelSize
	twoTheta := math.Atan2(math.Hypot(dx, dy), g.Distance)
	return 4 * math.Pi / g.Wavelength() * math.Sin(twoTheta/2)
}

// Mask marks the pixels to use: Valid[r*Cols+c] is true for a good pixel.
type Mask struct {
	Rows, Cols int
	Valid      []bool
}

// NewMask returns a mask of rows x cols with every pixel valid.
func NewMask(rows, cols int) Mask {
	v := make([]bool, rows*cols)
	for i := range v {
		v[i] = true
	}
	return Mask{Rows: rows, Cols: cols, Valid: v}
}

// Spacing is how partition edges are spaced in q.
type Spacing int

const (
	// Linear spaces bin edges evenly in q.
	Linear Spacing = iota
	// Log spaces bin edges evenly in log q (QMin must be positive).
	Log
)

// String returns "linear" or "log".
func (s Spacing) String() string {
	if s == Log {
		return "log"
	}
	return "linear"
}

// ParseSpacing parses "linear" or "log".
func ParseSpacing(s string) (Spacing, error) {
	switch s {
	case "linear", "lin":
		return Linear, nil
	case "log":
		return Log, nil
	}
	return 0, fmt.Errorf("xpcs: unknown partition spacing %q (want linear or log)", s)
}

// Partition configures the static and dynamic q partitions.
type Partition struct {
	// NStatic is the number of static bins (SAXS 1D points), NDynamic the
	// number of dynamic bins (g2 curves). NStatic must be a multiple of
	// NDynamic: dynamic bin d is the group of static bins
	// [d*NStatic/NDynamic, (d+1)*NStatic/NDynamic).
	NStatic, NDynamic int
	// QMin and QMax bound the partition in 1/Å; pixels outside [QMin, QMax]
	// belong to no bin. When both are zero, the range of the valid pixels'
	// q is used.
	QMin, QMax float64
	Spacing    Spacing
}

// QMap is the per-pixel q and the static and dynamic partitions of a
// detector. Labels are 0-based; -1 marks a pixel in no bin (masked or outside
// the q range). In APS result files the labels are stored 1-based with 0 for
// "no bin": see APSLabels.
type QMap struct {
	Rows, Cols int
	Geometry   Geometry
	// Q is |q| of every pixel in 1/Å (row-major, Rows*Cols). It may be nil
	// for a map built from labels alone.
	Q    []float64
	Mask Mask
	// Static and Dynamic are the per-pixel bin labels (row-major).
	Static, Dynamic []int32
	// StaticQ and DynamicQ are the bin centres in 1/Å (midpoint of the
	// edges; geometric midpoint for Log spacing).
	StaticQ, DynamicQ []float64
	// StaticEdges and DynamicEdges are the NStatic+1 and NDynamic+1 bin
	// edges in 1/Å; nil for maps built from labels.
	StaticEdges, DynamicEdges []float64
}

// NStatic returns the number of static bins.
func (m *QMap) NStatic() int { return len(m.StaticQ) }

// NDynamic returns the number of dynamic bins.
func (m *QMap) NDynamic() int { return len(m.DynamicQ) }

// Pixels returns Rows*Cols.
func (m *QMap) Pixels() int { return m.Rows * m.Cols }

// NewQMap computes q for every pixel of a rows x cols detector from g, and
// partitions the pixels valid in mask (all pixels when mask.Valid is nil)
// into static and dynamic q bins.
func NewQMap(rows, cols int, g Geometry, mask Mask, p Partition) (*QMap, error) {
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("xpcs: q-map shape %dx%d must be positive", rows, cols)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if mask.Valid == nil {
		mask = NewMask(rows, cols)
	}
	if mask.Rows != rows || mask.Cols != cols || len(mask.Valid) != rows*cols {
		return nil, fmt.Errorf("xpcs: mask shape %dx%d (%d values) does not match the %dx%d detector", mask.Rows, mask.Cols, len(mask.Valid), rows, cols)
	}
	if p.NStatic <= 0 || p.NDynamic <= 0 || p.NStatic%p.NDynamic != 0 {
		return nil, fmt.Errorf("xpcs: partition needs NStatic (%d) a positive multiple of NDynamic (%d)", p.NStatic, p.NDynamic)
	}
	q := make([]float64, rows*cols)
	qlo, qhi := math.Inf(1), math.Inf(-1)
	for r := range rows {
		for c := range cols {
			v := g.Q(float64(r), float64(c))
			q[r*cols+c] = v
			if mask.Valid[r*cols+c] {
				qlo, qhi = min(qlo, v), max(qhi, v)
			}
		}
	}
	if math.IsInf(qlo, 1) {
		return nil, fmt.Errorf("xpcs: mask of %dx%d detector has no valid pixel", rows, cols)
	}
	if p.QMin == 0 && p.QMax == 0 {
		p.QMin, p.QMax = qlo, qhi
		if p.Spacing == Log && p.QMin <= 0 {
			// The beam-centre pixel has q = 0; start at the smallest
			// positive q instead.
			p.QMin = math.Inf(1)
			for i, v := range q {
				if mask.Valid[i] && v > 0 {
					p.QMin = min(p.QMin, v)
				}
			}
		}
	}
	if !(p.QMax > p.QMin) || (p.Spacing == Log && !(p.QMin > 0)) {
		return nil, fmt.Errorf("xpcs: partition q range [%g, %g] 1/Å is empty (or not positive for log spacing)", p.QMin, p.QMax)
	}
	m := &QMap{Rows: rows, Cols: cols, Geometry: g, Q: q, Mask: mask}
	m.StaticEdges, m.StaticQ = edges(p.QMin, p.QMax, p.NStatic, p.Spacing)
	m.DynamicEdges, m.DynamicQ = edges(p.QMin, p.QMax, p.NDynamic, p.Spacing)
	m.Static = make([]int32, rows*cols)
	m.Dynamic = make([]int32, rows*cols)
	per := p.NStatic / p.NDynamic
	for i, v := range q {
		s := int32(-1)
		if mask.Valid[i] {
			s = int32(binOf(v, p.QMin, p.QMax, p.NStatic, p.Spacing))
		}
		m.Static[i] = s
		if s >= 0 {
			m.Dynamic[i] = s / int32(per)
		} else {
			m.Dynamic[i] = -1
		}
	}
	return m, nil
}

// edges returns n+1 bin edges and n centres over [lo, hi].
func edges(lo, hi float64, n int, sp Spacing) (e, c []float64) {
	e = make([]float64, n+1)
	c = make([]float64, n)
	for i := range e {
		f := float64(i) / float64(n)
		if sp == Log {
			e[i] = lo * math.Pow(hi/lo, f)
		} else {
			e[i] = lo + (hi-lo)*f
		}
	}
	e[n] = hi
	for i := range c {
		if sp == Log {
			c[i] = math.Sqrt(e[i] * e[i+1])
		} else {
			c[i] = (e[i] + e[i+1]) / 2
		}
	}
	return e, c
}

// binOf returns the bin of q in [lo, hi] split in n bins, or -1 outside. The
// last bin includes hi.
func binOf(q, lo, hi float64, n int, sp Spacing) int {
	if !(q >= lo && q <= hi) {
		return -1
	}
	var f float64
	if sp == Log {
		f = math.Log(q/lo) / math.Log(hi/lo)
	} else {
		f = (q - lo) / (hi - lo)
	}
	b := int(f * float64(n))
	return min(max(b, 0), n-1)
}

// QMapFromLabels builds a q-map from per-pixel labels, as read from an APS
// result file. static and dynamic are 0-based with -1 for "no bin" (convert
// APS 1-based maps with FromAPSLabels). The bin counts are the largest label
// plus one, or len(staticQ)/len(dynamicQ) when given (nil: centres 0..n-1).
// A pixel with a static label but no dynamic label (or the reverse) is an
// error: it would be counted in SAXS but not in g2.
func QMapFromLabels(rows, cols int, static, dynamic []int32, staticQ, dynamicQ []float64) (*QMap, error) {
	n := rows * cols
	if rows <= 0 || cols <= 0 || len(static) != n || len(dynamic) != n {
		return nil, fmt.Errorf("xpcs: q-map labels of %d and %d values do not match the %dx%d detector", len(static), len(dynamic), rows, cols)
	}
	ns, nd := int32(len(staticQ)), int32(len(dynamicQ))
	var maxS, maxD int32 = -1, -1
	for i := range n {
		s, d := static[i], dynamic[i]
		if s < -1 || d < -1 {
			return nil, fmt.Errorf("xpcs: q-map pixel %d has negative label (static %d, dynamic %d)", i, s, d)
		}
		if (s < 0) != (d < 0) {
			return nil, fmt.Errorf("xpcs: q-map pixel (%d, %d) is in static bin %d but dynamic bin %d: both or neither must be set", i/cols, i%cols, s, d)
		}
		maxS, maxD = max(maxS, s), max(maxD, d)
	}
	if staticQ == nil {
		ns = maxS + 1
	}
	if dynamicQ == nil {
		nd = maxD + 1
	}
	if maxS >= ns || maxD >= nd {
		return nil, fmt.Errorf("xpcs: q-map labels go up to static %d / dynamic %d but only %d / %d bin centres are given", maxS, maxD, ns, nd)
	}
	m := &QMap{Rows: rows, Cols: cols, Static: static, Dynamic: dynamic, Mask: Mask{Rows: rows, Cols: cols, Valid: make([]bool, n)}}
	for i, s := range static {
		m.Mask.Valid[i] = s >= 0
	}
	m.StaticQ, m.DynamicQ = staticQ, dynamicQ
	if m.StaticQ == nil {
		m.StaticQ = make([]float64, ns)
		for i := range m.StaticQ {
			m.StaticQ[i] = float64(i)
		}
	}
	if m.DynamicQ == nil {
		m.DynamicQ = make([]float64, nd)
		for i := range m.DynamicQ {
			m.DynamicQ[i] = float64(i)
		}
	}
	return m, nil
}

// FromAPSLabels converts an APS roi map (1-based, 0 = no bin) to 0-based
// labels with -1 for no bin.
func FromAPSLabels[T ~uint8 | ~uint16 | ~uint32 | ~int32 | ~int64](aps []T) []int32 {
	out := make([]int32, len(aps))
	for i, v := range aps {
		out[i] = int32(v) - 1
	}
	return out
}

// APSLabels converts 0-based labels (-1 = no bin) to the APS convention
// (1-based, 0 = no bin), as stored in /xpcs/qmap/static_roi_map and
// dynamic_roi_map.
func APSLabels(labels []int32) []int32 {
	out := make([]int32, len(labels))
	for i, v := range labels {
		out[i] = v + 1
	}
	return out
}

// Counts returns the number of pixels in each bin of labels (n bins).
func Counts(labels []int32, n int) []int {
	c := make([]int, n)
	for _, l := range labels {
		if l >= 0 && int(l) < n {
			c[l]++
		}
	}
	return c
}

// CheckShape reports an error when the q-map does not match a stack shape.
func (m *QMap) CheckShape(s Shape) error {
	if m.Rows != s.Rows || m.Cols != s.Cols {
		return fmt.Errorf("xpcs: q-map is %dx%d but the frames are %dx%d", m.Rows, m.Cols, s.Rows, s.Cols)
	}
	if len(m.Static) != m.Pixels() || len(m.Dynamic) != m.Pixels() {
		return fmt.Errorf("xpcs: q-map labels have %d/%d values for %dx%d pixels", len(m.Static), len(m.Dynamic), m.Rows, m.Cols)
	}
	return nil
}
