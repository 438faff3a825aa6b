package suite

import (
	"fmt"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"strconv"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/scaling"
	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
)

// The scalability category: time and memory versus data size (tiny..large)
// for read, multi-tau, SAXS and fit, and concurrency scaling with parallel
// efficiency. Every size benchmark records extra "scaling_family" (its ID
// without the size) and "scaling_n" (the size variable: pixels x frames, or
// curves for fits) so that analysis/scaling can fit the complexity
// (constant, log, linear, n log n, quadratic, power law) from results.json.
func scalabilityCategory(r *runner.Registry) {
	const cat = "scalability"
	sized := func(group, name string, n func(runner.Size) int, setup func(env *runner.Env) (*runner.Op, error)) {
		for _, size := range sizesUpTo("large") {
			s := runner.Sizes[size]
			b := &runner.Benchmark{Category: cat, Group: group, Name: name, Params: map[string]string{"size": size},
				Markers: heavyMarkers(size), Setup: setup}
			if group == "read" { // reads the HDF5 stack file
				b.Markers = ioBound(b.Markers...)
			}
			b.Extra = map[string]any{"scaling_family": runner.FormatID(cat, group, name, nil), "scaling_n": n(s), "scaling_var": "elements"}
			r.Register(b)
		}
	}
	elements := func(s runner.Size) int { return s.Elements() }
	sized("read", "full_stack", elements, func(env *runner.Env) (*runner.Op, error) {
		s, buf, err := openStackBuf(env.Size, h5.None, env.Size.Frames)
		if err != nil {
			return nil, err
		}
		return &runner.Op{Bytes: int64(2 * len(buf)), Teardown: s.Close, Run: func() error { return s.ReadFrames(0, s.Frames, buf) }}, nil
	})
	sized("multitau", "correlate", elements, func(env *runner.Env) (*runner.Op, error) {
		return correlateOp(synthStack(env.Size))
	})
	sized("saxs", "time_average_and_1d", elements, func(env *runner.Env) (*runner.Op, error) {
		sy, st, err := synthStack(env.Size)
		if err != nil {
			return nil, err
		}
		qm := sy.QMap()
		img := make([]float64, st.Pixels())
		return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
			timeAverage(st, img)
			_, err := xpcs.SAXS1D(img, qm.Static, qm.NStatic())
			return err
		}}, nil
	})
	curves := func(s runner.Size) int { return s.Frames / 10 }
	for _, size := range sizesUpTo("large") {
		nq := curves(runner.Sizes[size])
		r.Register(&runner.Benchmark{Category: cat, Group: "fit", Name: "fit_all_curves", Params: map[string]string{"size": size},
			Markers: heavyMarkers(size),
			Extra:   map[string]any{"scaling_family": runner.FormatID(cat, "fit", "fit_all_curves", nil), "scaling_n": nq, "scaling_var": "curves (frames/10)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				t, _, _ := g2Curve(false, 0, 1)
				g2 := make([][]float64, nq)
				e := make([][]float64, nq)
				q := make([]float64, nq)
				for i := range nq {
					_, g2[i], e[i] = g2Curve(false, 0.005, uint64(i+1))
					q[i] = 0.001 * float64(i+1)
				}
				return &runner.Op{Run: func() error {
					rows := fit.FitAll(t, g2, e, q, fit.Options{Model: fit.Single}, 1)
					_ = rows
					return nil
				}}, nil
			}})
	}
	// A frames sweep at 64x64 pixels: cheap enough to run by default and with
	// enough points (4) for the complexity fit; tiny..large give at most 2
	// points on tiny+small.
	// Each multi-tau sweep runs twice: the streaming correlator
	// (correlate_*_sweep: blocks of frames through a state of every pixel)
	// and the pixel-major path of whole stacks in memory or mapped
	// (pixel_major_*_sweep, what `correlate` does with an uncompressed
	// raw file).
	sweep := func(name string, shape xpcs.Shape, params map[string]string, n int, unit string) {
		for _, v := range []struct {
			name string
			op   func(*xpcs.Synth, *xpcs.Stack, error) (*runner.Op, error)
		}{{"correlate_" + name, correlateOp}, {"pixel_major_" + name, correlateStackOp}} {
			r.Register(&runner.Benchmark{Category: cat, Group: "multitau", Name: v.name, Params: params, Markers: parallel(),
				Extra: map[string]any{"scaling_family": runner.FormatID(cat, "multitau", v.name, nil), "scaling_n": n, "scaling_var": unit,
					"kernel": xpcs.KernelISA()},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					return v.op(synthShape(shape))
				}})
		}
	}
	for _, frames := range []int{100, 200, 400, 800} {
		shape := xpcs.Shape{Frames: frames, Rows: 64, Cols: 64}
		fp := map[string]string{"frames": strconv.Itoa(frames), "pixels": "4096"}
		sweep("frames_sweep", shape, fp, frames, "frames (64x64 pixels)")
		r.Register(&runner.Benchmark{Category: cat, Group: "saxs", Name: "time_average_frames_sweep", Params: fp,
			Extra: map[string]any{"scaling_family": runner.FormatID(cat, "saxs", "time_average_frames_sweep", nil), "scaling_n": frames, "scaling_var": "frames (64x64 pixels)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				_, st, err := synthShape(shape)
				if err != nil {
					return nil, err
				}
				img := make([]float64, st.Pixels())
				return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
					timeAverage(st, img)
					return nil
				}}, nil
			}})
	}
	// A pixels sweep at 200 frames (32x32 .. 256x256), the other axis of
	// the multi-tau cost, on the hot-loop path in use (extra "kernel":
	// xpcs.KernelISA(), set with XPCS_KERNEL=portable|simd|avx2|avx512).
	for _, side := range []int{32, 64, 128, 256} {
		shape := xpcs.Shape{Frames: 200, Rows: side, Cols: side}
		pp := map[string]string{"frames": "200", "pixels": strconv.Itoa(side * side)}
		sweep("pixels_sweep", shape, pp, side*side, "pixels (200 frames)")
	}
	for _, w := range []int{1, 2, 4} {
		r.Register(&runner.Benchmark{Category: cat, Group: "concurrency", Name: "multitau_workers",
			Params: map[string]string{"size": "small", "workers": strconv.Itoa(w)},
			Extra:  map[string]any{"what": "multi-tau correlation with w workers; extra parallel_speedup = T1/Tw and parallel_efficiency = T1/(w Tw)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sy, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				c, err := xpcs.NewCorrelator(sy.QMap(), st.Frames, w)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					c.Reset()
					if err := xpcs.AddFrames(c, st.Data); err != nil {
						return err
					}
					_, err := c.Result()
					return err
				}}, nil
			}})
	}
}

// fitScaling fits the complexity models of analysis/scaling to every
// scaling family with at least scaling.MinPoints measured points (median
// time versus extra "scaling_n"), records the best model and the power-law
// exponent with its 95% CI in each member's extra (scaling_best,
// scaling_exponent, scaling_exponent_ci) and one line per family in the
// notes.
func fitScaling(res *analysis.Results) {
	type member struct {
		i int
		n float64
	}
	fams := map[string][]member{}
	var order []string
	for i, b := range res.Benchmarks {
		fam, _ := b.Extra["scaling_family"].(string)
		n, ok := toFloat(b.Extra["scaling_n"])
		if fam == "" || !ok || b.Error != "" || b.Stats == nil {
			continue
		}
		if _, seen := fams[fam]; !seen {
			order = append(order, fam)
		}
		fams[fam] = append(fams[fam], member{i, n})
	}
	for _, fam := range order {
		ms := fams[fam]
		if len(ms) < scaling.MinPoints {
			continue
		}
		pts := make([]analysis.ScalingPoint, len(ms))
		for k, m := range ms {
			pts[k] = analysis.ScalingPoint{N: m.n, Value: res.Benchmarks[m.i].Stats.Median}
		}
		info, err := scaling.Fit(fam, pts, "s")
		if err != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("scaling %s: %v", fam, err))
			continue
		}
		for _, m := range ms {
			e := res.Benchmarks[m.i].Extra
			e["scaling_best"] = info.Best
			e["scaling_exponent"] = info.Exponent
			e["scaling_exponent_ci"] = []float64{info.ExpCILow, info.ExpCIHi}
		}
		res.Notes = append(res.Notes, fmt.Sprintf("scaling %s: best %s, time ~ n^%.2f [%.2f, %.2f] over %d sizes",
			fam, info.Best, info.Exponent, info.ExpCILow, info.ExpCIHi, len(ms)))
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// parallelEfficiency adds parallel_speedup and parallel_efficiency to every
// benchmark with a "workers" param whose workers=1 sibling (same ID but the
// workers param) was measured: speedup = median(T1)/median(Tw), efficiency =
// speedup / w.
func parallelEfficiency(res *analysis.Results) {
	base := map[string]float64{}
	key := func(b *analysis.Benchmark) string {
		p := map[string]string{}
		for k, v := range b.Params {
			if k != "workers" {
				p[k] = v
			}
		}
		return runner.FormatID(b.Category, b.Group, b.Name, p)
	}
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		if b.Params["workers"] == "1" && b.Error == "" && b.Stats != nil {
			base[key(b)] = b.Stats.Median
		}
	}
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		w, err := strconv.Atoi(b.Params["workers"])
		t1, ok := base[key(b)]
		if err != nil || !ok || b.Error != "" || b.Stats == nil || b.Stats.Median <= 0 || strings.HasPrefix(b.Category, "optimization") {
			continue
		}
		if b.Extra == nil {
			b.Extra = map[string]any{}
		}
		sp := t1 / b.Stats.Median
		b.Extra["parallel_speedup"] = sp
		b.Extra["parallel_efficiency"] = sp / float64(w)
	}
}
