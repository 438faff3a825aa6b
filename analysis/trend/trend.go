package trend

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Options configure Analyze. Zero fields take the defaults in brackets.
type Options struct {
	// Sensitivity is the |robust z| above which a point is an anomaly [2.0].
	Sensitivity float64
	// MinPoints is the number of points below which no anomaly is reported
	// (a median and MAD of fewer points are not robust) [10].
	MinPoints int
	// Alpha is the significance level of each change-point test [0.05].
	Alpha float64
	// MinSegment is the fewest points on each side of a change point [5].
	MinSegment int
	// Permutations is the number of permutations of each test [999]; the
	// smallest p-value reported is 1/(Permutations+1).
	Permutations int
	// Seed seeds the permutations (with a hash of the benchmark id, so a
	// series gives the same answer alone, in any order and in parallel) [0].
	Seed uint64
	// MaxChangePoints bounds the change points of one series [20].
	MaxChangePoints int
	// MinShift drops change points whose relative shift |after/before - 1|
	// between the medians of the segments on each side is below it [0: off].
	// Significance alone flags tiny real shifts in long histories and, with
	// night-to-night correlated runner noise, spurious ones; a magnitude
	// floor (as Hunter / Otava's min-magnitude) keeps the report to shifts
	// that matter.
	MinShift float64
}

func (o Options) withDefaults() Options {
	if o.Sensitivity <= 0 {
		o.Sensitivity = 2.0
	}
	if o.MinPoints <= 0 {
		o.MinPoints = 10
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.05
	}
	if o.MinSegment <= 0 {
		o.MinSegment = 5
	}
	if o.Permutations <= 0 {
		o.Permutations = 999
	}
	if o.MaxChangePoints <= 0 {
		o.MaxChangePoints = 20
	}
	return o
}

// Detail is a trend with the notes that explain what was not computed
// (too few points for anomalies, no change-point test, mixed units...).
type Detail struct {
	analysis.TrendInfo
	Notes []string `json:"notes,omitempty"`
}

// Analyze returns the trend of benchmark id over entries (any order; they
// are sorted by time). See AnalyzeDetail for the notes.
func Analyze(entries []Entry, id string, opts Options) analysis.TrendInfo {
	return AnalyzeDetail(entries, id, opts).TrendInfo
}

// AnalyzeDetail is Analyze with the explanatory notes.
func AnalyzeDetail(entries []Entry, id string, opts Options) Detail {
	s := &series{}
	for _, i := range timeOrder(entries) {
		if sum, ok := entries[i].Benchmarks[id]; ok {
			s.add(&entries[i], sum)
		}
	}
	return analyzeSeries(id, s, opts.withDefaults())
}

// AnalyzeAll returns the trend of every benchmark id of entries, sorted by
// id, computed in parallel (GOMAXPROCS workers).
func AnalyzeAll(entries []Entry, opts Options) []analysis.TrendInfo {
	ds := AnalyzeAllDetail(entries, opts)
	out := make([]analysis.TrendInfo, len(ds))
	for i := range ds {
		out[i] = ds[i].TrendInfo
	}
	return out
}

// AnalyzeAllDetail is AnalyzeAll with the explanatory notes.
func AnalyzeAllDetail(entries []Entry, opts Options) []Detail {
	opts = opts.withDefaults()
	byID := map[string]*series{}
	for _, i := range timeOrder(entries) {
		for id, sum := range entries[i].Benchmarks {
			s := byID[id]
			if s == nil {
				s = &series{}
				byID[id] = s
			}
			s.add(&entries[i], sum)
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Detail, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(ids), 1)) {
		wg.Go(func() {
			for i := range next {
				out[i] = analyzeSeries(ids[i], byID[ids[i]], opts)
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// timeOrder returns the indices of entries sorted by time (stable).
func timeOrder(entries []Entry) []int {
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return entries[a].Time.Compare(entries[b].Time) })
	return idx
}

// series is one benchmark's points in time order.
type series struct {
	points   []analysis.TrendPoint
	units    []string
	machines []Machine
}

func (s *series) add(e *Entry, sum Summary) {
	s.points = append(s.points, analysis.TrendPoint{Time: e.Time, Commit: e.Commit, Value: sum.Median})
	s.units = append(s.units, sum.Unit)
	s.machines = append(s.machines, e.Machine)
}

func analyzeSeries(id string, s *series, o Options) Detail {
	d := Detail{TrendInfo: analysis.TrendInfo{ID: id}}
	if len(s.points) == 0 {
		d.Points = []analysis.TrendPoint{}
		d.Notes = append(d.Notes, "no point in the history")
		return d
	}
	// Mixed units cannot share a trend: keep the latest unit's points.
	unit := s.units[len(s.units)-1]
	d.Unit = unit
	pts := make([]analysis.TrendPoint, 0, len(s.points))
	var machines []Machine
	dropped := 0
	for i, p := range s.points {
		if s.units[i] != unit {
			dropped++
			continue
		}
		pts = append(pts, p)
		machines = append(machines, s.machines[i])
	}
	if dropped > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%d points in another unit than the latest (%q) left out", dropped, unit))
	}
	d.Points = pts
	// Hosted runners change CPU model often: name the first three changes
	// and count the rest.
	changes := 0
	for i := 1; i < len(machines); i++ {
		if machines[i] != machines[i-1] {
			changes++
			if changes <= 3 {
				d.Notes = append(d.Notes, fmt.Sprintf("machine changed at point %d (%s): %s -> %s",
					i, pts[i].Time.UTC().Format(time.DateOnly), machineString(machines[i-1]), machineString(machines[i])))
			}
		}
	}
	if changes > 3 {
		d.Notes = append(d.Notes, fmt.Sprintf("machine changed %d times in all: compare runs of one machine before trusting a change point", changes))
	}
	values := make([]float64, len(pts))
	for i, p := range pts {
		values[i] = p.Value
	}

	d.slope(o)
	d.changePoints(values, o)
	d.anomalies(values, o)
	d.sanitize()
	return d
}

// sanitize replaces statistics that overflowed (values near ±1.8e308 make
// sums infinite) with 0 and says so: a report must encode as JSON.
func (d *Detail) sanitize() {
	bad := false
	fix := func(v *float64) {
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			*v = 0
			bad = true
		}
	}
	fix(&d.SlopePerDay)
	fix(&d.SlopeCILow)
	fix(&d.SlopeCIHigh)
	fix(&d.RelSlopeDay)
	for i := range d.Points {
		fix(&d.Points[i].Robust)
	}
	for i := range d.ChangePoints {
		fix(&d.ChangePoints[i].Before)
		fix(&d.ChangePoints[i].After)
	}
	if bad {
		d.Notes = append(d.Notes, "values too large for floating-point statistics: overflowed results set to 0")
	}
}

func machineString(m Machine) string {
	if m.CPUModel == "" && m.Cores == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%s x%d", m.CPUModel, m.Cores)
}

// slope fits value = a + b·t by least squares, t in days since the first
// point, and sets b with its 95% CI b ± t(0.975, n-2)·se(b),
// se(b)² = RSS/(n-2) / Σ(tᵢ - mean t)².
func (d *Detail) slope(o Options) {
	n := len(d.Points)
	if n < 2 {
		d.Notes = append(d.Notes, "one point: no slope")
		return
	}
	t0 := d.Points[0].Time
	x := make([]float64, n)
	y := make([]float64, n)
	for i, p := range d.Points {
		x[i] = p.Time.Sub(t0).Hours() / 24
		y[i] = p.Value
	}
	mx := stat.Mean(x, nil)
	var sxx float64
	for _, v := range x {
		sxx += (v - mx) * (v - mx)
	}
	if sxx == 0 {
		d.Notes = append(d.Notes, "all points at the same time: no slope")
		return
	}
	a, b := stat.LinearRegression(x, y, nil, false)
	d.SlopePerDay = b
	if med := median(y); med != 0 {
		d.RelSlopeDay = b / med
	}
	if n < 3 {
		d.Notes = append(d.Notes, "2 points: slope without confidence interval")
		return
	}
	var rss float64
	for i := range x {
		r := y[i] - a - b*x[i]
		rss += r * r
	}
	se := math.Sqrt(rss / float64(n-2) / sxx)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.975)
	d.SlopeCILow, d.SlopeCIHigh = b-t*se, b+t*se
}

// anomalies sets the robust z-score of every point and flags |z| above the
// sensitivity. The location is the median of the point's segment between
// change points (a step is not a run of anomalies), the scale 1.4826·MAD of
// all residuals from those medians (MAD = median absolute deviation; when it
// is 0, 1.2533·mean absolute deviation, as Iglewicz and Hoaglin's modified z).
func (d *Detail) anomalies(values []float64, o Options) {
	n := len(values)
	if n < o.MinPoints {
		d.Notes = append(d.Notes, fmt.Sprintf("%d points: anomalies need at least %d", n, o.MinPoints))
		return
	}
	bounds := []int{0}
	for _, cp := range d.ChangePoints {
		bounds = append(bounds, cp.Index)
	}
	bounds = append(bounds, n)
	resid := make([]float64, n)
	for s := 0; s+1 < len(bounds); s++ {
		seg := values[bounds[s]:bounds[s+1]]
		m := median(seg)
		for i := range seg {
			resid[bounds[s]+i] = seg[i] - m
		}
	}
	center := median(resid)
	dev := make([]float64, n)
	for i, r := range resid {
		dev[i] = math.Abs(r - center)
	}
	scale := 1.4826 * median(dev)
	if scale == 0 {
		scale = 1.2533 * stat.Mean(dev, nil)
	}
	if scale == 0 {
		return // every residual is equal: no anomaly
	}
	for i := range d.Points {
		z := (resid[i] - center) / scale
		d.Points[i].Robust = z
		if math.Abs(z) > o.Sensitivity {
			d.Anomalies = append(d.Anomalies, i)
		}
	}
}

// changePoints runs binary segmentation with the permutation test of
// maxRankShift and sets ChangePoints sorted by index, with the medians of
// the final segments on each side.
func (d *Detail) changePoints(values []float64, o Options) {
	n := len(values)
	if n < 2*o.MinSegment {
		d.Notes = append(d.Notes, fmt.Sprintf("%d points: change points need at least %d (min segment %d)", n, 2*o.MinSegment, o.MinSegment))
		return
	}
	h := fnv.New64a()
	h.Write([]byte(d.ID))
	src := rand.NewPCG(o.Seed, h.Sum64())
	var cps []analysis.ChangePoint
	var split func(lo, hi int)
	split = func(lo, hi int) {
		if len(cps) >= o.MaxChangePoints || hi-lo < 2*o.MinSegment {
			return
		}
		k, p := permutationTest(values[lo:hi], o, src)
		if p > o.Alpha {
			return
		}
		cps = append(cps, analysis.ChangePoint{Index: lo + k, P: p})
		split(lo, lo+k)
		split(lo+k, hi)
	}
	split(0, n)
	slices.SortFunc(cps, func(a, b analysis.ChangePoint) int { return cmp.Compare(a.Index, b.Index) })
	refine(cps, values, o.MinSegment)
	for {
		setMedians(cps, values)
		// Merge away the smallest shift below MinShift, then re-measure.
		drop, smallest := -1, o.MinShift
		for i, cp := range cps {
			if r := relShift(cp); r < smallest {
				drop, smallest = i, r
			}
		}
		if drop < 0 {
			break
		}
		cps = slices.Delete(cps, drop, drop+1)
	}
	if len(cps) > 0 {
		d.ChangePoints = cps
	}
}

// refine re-locates each change point between its neighbours, where it is
// the only change: binary segmentation places the first split of a series
// with several steps by a statistic that also feels the other steps and can
// miss by a few runs (a +4% then +25% staircase puts the +25% three runs
// early). Two passes of the same standardised rank statistic on the local
// segment put it back. The p-values stay those of the detection.
func refine(cps []analysis.ChangePoint, values []float64, minSeg int) {
	for range 2 {
		for i := range cps {
			lo, hi := 0, len(values)
			if i > 0 {
				lo = cps[i-1].Index
			}
			if i+1 < len(cps) {
				hi = cps[i+1].Index
			}
			m := hi - lo
			if m < 2*minSeg {
				continue
			}
			_, k := maxRankShift(midranks(values[lo:hi]), invSD(m, minSeg), minSeg)
			cps[i].Index = lo + k
		}
	}
}

// setMedians sets Before and After of each change point to the medians of
// the segments between its neighbours.
func setMedians(cps []analysis.ChangePoint, values []float64) {
	for i := range cps {
		lo, hi := 0, len(values)
		if i > 0 {
			lo = cps[i-1].Index
		}
		if i+1 < len(cps) {
			hi = cps[i+1].Index
		}
		cps[i].Before = median(values[lo:cps[i].Index])
		cps[i].After = median(values[cps[i].Index:hi])
	}
}

// relShift is |after/before - 1|, +Inf when before is 0 and after is not.
func relShift(cp analysis.ChangePoint) float64 {
	if cp.Before == 0 {
		if cp.After == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(cp.After/cp.Before - 1)
}

// permutationTest returns the best split k of x (first index of the second
// part, MinSegment <= k <= len(x)-MinSegment) by the largest standardised
// Mann-Whitney rank-sum statistic
//
//	Z_k = |S_k - k(m+1)/2| / sqrt(k(m-k)(m+1)/12),  S_k = sum of the first k midranks,
//
// and its permutation p-value (1 + #{permutations with max_k Z_k >= observed}) /
// (1 + b). Permuting the ranks is permuting the data, and the maximum over k
// is in the null distribution, so the p-value accounts for the choice of
// the split. The tie correction of the variance is the same factor for every
// k and permutation, so it is left out.
//
// The permutations stop early when the decision at Alpha is settled
// (Besag and Clifford's sequential p-value): as soon as 1+count exceeds
// Alpha·(B+1), p > Alpha for sure (p is then a lower bound above Alpha);
// and after at least minPerms permutations, when (1+count)/(1+b) <= Alpha/10
// (a clear change: with no exceedance in 199 shuffles, a true p above 0.05
// has probability 0.95^199 < 1e-4). Borderline cases run all B.
func permutationTest(x []float64, o Options, src *rand.PCG) (int, float64) {
	m := len(x)
	ranks := midranks(x)
	inv := invSD(m, o.MinSegment)
	obs, best := maxRankShift(ranks, inv, o.MinSegment)
	thresh := obs * (1 - 1e-12)
	limit := o.Alpha * float64(o.Permutations+1) // p > alpha once 1+count exceeds this
	minPerms := min(o.Permutations, 199)
	count := 0
	perm := slices.Clone(ranks)
	b := 0
	for b < o.Permutations {
		// Fisher-Yates, inline: the hot loop. The index is Lemire's
		// multiply-shift of a 64-bit PCG output (bias below 2^-50 for any
		// series length here).
		for j := m - 1; j > 0; j-- {
			r, _ := bits.Mul64(src.Uint64(), uint64(j+1))
			perm[j], perm[r] = perm[r], perm[j]
		}
		b++
		if z, _ := maxRankShift(perm, inv, o.MinSegment); z >= thresh {
			count++
			if float64(1+count) > limit {
				break
			}
		}
		if b >= minPerms && float64(1+count)/float64(1+b) <= o.Alpha/10 {
			break
		}
	}
	return best, float64(1+count) / float64(1+b)
}

// invSD returns 1/sd(S_k) = 1/sqrt(k(m-k)(m+1)/12) for the splits k of a
// segment of m points that leave minSeg on each side (0 elsewhere).
func invSD(m, minSeg int) []float64 {
	inv := make([]float64, m)
	for k := minSeg; k <= m-minSeg; k++ {
		inv[k] = 1 / math.Sqrt(float64(k)*float64(m-k)*float64(m+1)/12)
	}
	return inv
}

// maxRankShift returns max_k Z_k and its k (see permutationTest).
func maxRankShift(ranks, inv []float64, minSeg int) (float64, int) {
	m := len(ranks)
	half := float64(m+1) / 2
	var s, best float64
	bestK := minSeg
	for k := 1; k <= m-minSeg; k++ {
		s += ranks[k-1]
		if k < minSeg {
			continue
		}
		if z := math.Abs(s-float64(k)*half) * inv[k]; z > best {
			best, bestK = z, k
		}
	}
	return best, bestK
}

// midranks returns the 1-based ranks of x, ties sharing their mean rank.
func midranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1 .. j
		for k := i; k < j; k++ {
			r[idx[k]] = mid
		}
		i = j
	}
	return r
}

// median of x (not modified); 0 for an empty x.
func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return analysis.Quantile(s, 0.5)
}
