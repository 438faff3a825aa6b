package aps

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// ReadQMap reads /xpcs/qmap of an APS-layout q-map file. The file's
// /entry, if any, is not used: metadata comes from the raw file.
func ReadQMap(path string) (*xpcs.QMap, error) {
	f, err := h5.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !f.Exists("/xpcs/qmap/static_roi_map") || !f.Exists("/xpcs/qmap/dynamic_roi_map") {
		return nil, fmt.Errorf("%s has no /xpcs/qmap/static_roi_map and dynamic_roi_map", path)
	}
	r, err := f.ReadResult()
	if err != nil {
		return nil, fmt.Errorf("reading q-map of %s: %w", path, err)
	}
	qm, err := QMapFromAPS(r.QMap)
	if err != nil {
		return nil, fmt.Errorf("q-map of %s: %w", path, err)
	}
	return qm, nil
}

// QMapFromAPS converts an APS /xpcs/qmap (1-based roi maps, 0 = no bin;
// mask 0 = bad pixel) to an xpcs.QMap. Masked pixels are taken out of both
// partitions.
func QMapFromAPS(a h5.QMap) (*xpcs.QMap, error) {
	n := a.Rows * a.Cols
	if len(a.StaticROIMap) != n || len(a.DynamicROIMap) != n {
		return nil, fmt.Errorf("roi maps of %d/%d values for a %dx%d detector", len(a.StaticROIMap), len(a.DynamicROIMap), a.Rows, a.Cols)
	}
	st := xpcs.FromAPSLabels(a.StaticROIMap)
	dy := xpcs.FromAPSLabels(a.DynamicROIMap)
	if len(a.Mask) == n {
		for i, m := range a.Mask {
			if m == 0 {
				st[i], dy[i] = -1, -1
			}
		}
	}
	var sq, dq []float64
	if len(a.StaticVListDim0) > 0 {
		sq = a.StaticVListDim0
	}
	if len(a.DynamicVListDim0) > 0 {
		dq = a.DynamicVListDim0
	}
	qm, err := xpcs.QMapFromLabels(a.Rows, a.Cols, st, dy, sq, dq)
	if err != nil {
		return nil, err
	}
	qm.Geometry = xpcs.Geometry{BeamCenterX: a.BeamCenterX, BeamCenterY: a.BeamCenterY, PixelSize: a.PixelSize, Distance: a.DetectorDistance, Energy: a.Energy}
	return qm, nil
}

// QMapToAPS converts an xpcs.QMap to the APS /xpcs/qmap layout (one phi bin).
func QMapToAPS(qm *xpcs.QMap) h5.QMap {
	n := qm.Pixels()
	mask := make([]int8, n)
	for i := range mask {
		if qm.Mask.Valid == nil || qm.Mask.Valid[i] {
			mask[i] = 1
		}
	}
	seq := func(k int) []int32 {
		s := make([]int32, k)
		for i := range s {
			s[i] = int32(i)
		}
		return s
	}
	g := qm.Geometry
	return h5.QMap{
		Rows: qm.Rows, Cols: qm.Cols, Mask: mask,
		DynamicROIMap: xpcs.APSLabels(qm.Dynamic), StaticROIMap: xpcs.APSLabels(qm.Static),
		DynamicVListDim0: qm.DynamicQ, StaticVListDim0: qm.StaticQ,
		DynamicVListDim1: []float64{0}, StaticVListDim1: []float64{0},
		DynamicIndexMapping: seq(qm.NDynamic()), StaticIndexMapping: seq(qm.NStatic()),
		DynamicNumPts: []int64{int64(qm.NDynamic()), 1}, StaticNumPts: []int64{int64(qm.NStatic()), 1},
		BeamCenterX: g.BeamCenterX, BeamCenterY: g.BeamCenterY, DetectorDistance: g.Distance, Energy: g.Energy, PixelSize: g.PixelSize,
		MapNames: []string{"q", "phi"}, MapUnits: []string{"Å⁻¹", "deg"},
	}
}

// ResultToAPS converts a correlation result to the APS result layout.
// intensity_vs_time row 0 holds the effective frame index, as in the real
// files (E0173: 0, 1, 2, ...); multiply by the effective frame time for
// seconds.
func ResultToAPS(r *xpcs.Result) *h5.Result {
	f32 := func(v []float64) []float32 {
		o := make([]float32, len(v))
		for i, x := range v {
			o[i] = float32(x)
		}
		return o
	}
	g := r.G2
	ivt := make([]float32, 2*len(r.IntensityVsTime))
	for i, v := range r.IntensityVsTime {
		ivt[i] = float32(i)
		ivt[len(r.IntensityVsTime)+i] = float32(v)
	}
	return &h5.Result{
		DelayList:       g.Delays,
		G2:              h5.Matrix32{Rows: len(g.Delays), Cols: g.NQ, Data: f32(g.G2)},
		G2Err:           h5.Matrix32{Rows: len(g.Delays), Cols: g.NQ, Data: f32(g.Err)},
		Scattering2D:    h5.Matrix32{Rows: r.QMap.Rows, Cols: r.QMap.Cols, Data: f32(r.TimeAverage)},
		Scattering1D:    f32(r.SAXS1D),
		IntensityVsTime: h5.Matrix32{Rows: 2, Cols: len(r.IntensityVsTime), Data: ivt},
		QMap:            QMapToAPS(r.QMap),
	}
}
