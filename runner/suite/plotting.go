package suite

import (
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"image"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

// The plotting category (the seed's GUI row, headless): g2 curves with fits,
// a SAXS image with a colormap and a two-time map rendered to PNG and SVG
// with gonum/plot, re-rendering with new data, and memory per plot (the
// engine's B/op and allocs/op of each benchmark).
func plottingCategory(r *runner.Registry) {
	const cat = "plotting"
	for _, format := range []string{"png", "svg"} {
		f := map[string]string{"format": format}
		r.Register(&runner.Benchmark{Category: cat, Group: "g2", Name: "curves_with_fits", Params: f,
			Extra: map[string]any{"what": "9 g2 curves (61 delays, log time axis) with their single-exponential fits"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				curves, fits, err := g2PlotData(9)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					p, err := g2Plot(curves, fits)
					if err != nil {
						return err
					}
					return render(p, format)
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "g2", Name: "rerender_new_data", Params: f,
			Extra: map[string]any{"what": "one plot kept; its curve data replaced in place and the plot rendered again"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				curves, fits, err := g2PlotData(9)
				if err != nil {
					return nil, err
				}
				p, err := g2Plot(curves, fits)
				if err != nil {
					return nil, err
				}
				k := 0
				return &runner.Op{Run: func() error {
					k++
					for _, c := range curves { // new data: a shifted baseline
						for i := range c {
							c[i].Y += 0.001 * math.Sin(float64(k+i))
						}
					}
					return render(p, format)
				}}, nil
			}})
		for _, size := range []string{"tiny", "small"} {
			p := map[string]string{"format": format, "size": size}
			r.Register(&runner.Benchmark{Category: cat, Group: "saxs", Name: "image_colormap", Params: p,
				Extra: map[string]any{"what": "log10 of the time-averaged SAXS image through a Moreland colormap"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					_, st, err := synthStack(env.Size)
					if err != nil {
						return nil, err
					}
					img := make([]float64, st.Pixels())
					timeAverage(st, img)
					for i, v := range img {
						img[i] = math.Log10(v + 1e-3)
					}
					return &runner.Op{Run: func() error {
						return render(imagePlot("SAXS 2D (log10 counts)", img, st.Rows, st.Cols), format)
					}}, nil
				}})
			r.Register(&runner.Benchmark{Category: cat, Group: "twotime", Name: "map", Params: p, Markers: parallel(), // OpenBLAS threads
				Extra: map[string]any{"what": "the two-time matrix C(t1,t2) of the first dynamic bin as an image"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					sy, st, err := synthStack(env.Size)
					if err != nil {
						return nil, err
					}
					bins, err := twotime.Compute(st.Source(), sy.QMap(), twotime.Options{Bins: []int{0}})
					if err != nil {
						return nil, err
					}
					n := bins[0].Frames
					c := make([]float64, n*n)
					for i, v := range bins[0].C {
						c[i] = float64(v)
					}
					return &runner.Op{Run: func() error {
						return render(imagePlot("two-time C(t1,t2)", c, n, n), format)
					}}, nil
				}})
		}
	}
}

// render writes p as a 6x4 inch image of format to io.Discard.
func render(p *plot.Plot, format string) error {
	w, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, format)
	if err != nil {
		return err
	}
	_, err = w.WriteTo(io.Discard)
	return err
}

// g2PlotData returns nq synthetic g2 curves (multi-tau delays, 1 ms frames)
// and their fitted model curves.
func g2PlotData(nq int) (curves, fits []plotter.XYs, err error) {
	for q := range nq {
		t, g2, e := g2Curve(false, 0.003, uint64(q+10))
		r, err := fit.Fit(t, g2, e, fit.Options{Model: fit.Single})
		if err != nil {
			return nil, nil, err
		}
		c, f := make(plotter.XYs, len(t)), make(plotter.XYs, len(t))
		for i := range t {
			c[i] = plotter.XY{X: t[i], Y: g2[i]}
			a, b, cc, d := r.Params[0], r.Params[1], 1.0, r.Params[len(r.Params)-1]
			if len(r.Params) >= 4 {
				cc = r.Params[2]
			}
			f[i] = plotter.XY{X: t[i], Y: a*math.Exp(-2*math.Pow(t[i]/b, cc)) + d}
		}
		curves, fits = append(curves, c), append(fits, f)
	}
	return curves, fits, nil
}

func g2Plot(curves, fits []plotter.XYs) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "g2(q, t)"
	p.X.Label.Text = "t (s)"
	p.Y.Label.Text = "g2"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	for i := range curves {
		s, err := plotter.NewScatter(curves[i])
		if err != nil {
			return nil, err
		}
		col := palette.Rainbow(len(curves), 0, 0.8, 1, 1, 1).Colors()[i]
		s.Color = col
		s.Radius = vg.Points(1.5)
		l, err := plotter.NewLine(fits[i])
		if err != nil {
			return nil, err
		}
		l.Color = col
		p.Add(s, l)
	}
	return p, nil
}

// imagePlot renders values (rows x cols, row-major) through a Moreland
// colormap between their finite min and max.
func imagePlot(title string, values []float64, rows, cols int) *plot.Plot {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(lo)
	cm.SetMax(math.Max(hi, lo+1e-12))
	img := image.NewRGBA(image.Rect(0, 0, cols, rows))
	for r := range rows {
		for c := range cols {
			v := values[r*cols+c]
			col, err := cm.At(v)
			if err != nil {
				col = color.Black
			}
			img.Set(c, rows-1-r, col)
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.Add(plotter.NewImage(img, 0, 0, float64(cols), float64(rows)))
	return p
}
