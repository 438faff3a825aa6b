package suite

import (
	"fmt"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

// The scientific category: g2 extraction from a result file, g2 fitting
// (models, methods, robustness), multi-tau per size, SAXS 2D and 1D (radial
// average), peak finding, two-time per size and in parallel.
func scientificCategory(r *runner.Registry) {
	const cat = "scientific"
	for _, nq := range []int{10, 20, 50} {
		r.Register(&runner.Benchmark{Category: cat, Group: "g2_extraction", Name: "read_result_file",
			Params: map[string]string{"n_q": strconv.Itoa(nq)}, Markers: ioBound(),
			Extra: map[string]any{"what": "open an APS 8-ID-I result file and split /xpcs/multitau/normalized_g2 into per-q curves"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				path := filepath.Join(env.TempDir, "result.hdf")
				ntau := 61
				if err := writeResultFile(path, ntau, nq); err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					curves, err := extractG2(path)
					if err == nil && (len(curves) != nq || len(curves[0]) != ntau) {
						err = fmt.Errorf("extracted %d curves, want %d", len(curves), nq)
					}
					return err
				}}, nil
			}})
	}
	for _, m := range []fit.Model{fit.Single, fit.Double} {
		r.Register(&runner.Benchmark{Category: cat, Group: "fitting", Name: "fit_" + m.String(),
			Params: map[string]string{"method": fit.LM.String()},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				t, g2, e := g2Curve(m == fit.Double, 0.005, 1)
				return &runner.Op{Run: func() error {
					_, err := fit.Fit(t, g2, e, fit.Options{Model: m, Method: fit.LM})
					return err
				}}, nil
			}})
	}
	for _, meth := range fit.Methods {
		r.Register(&runner.Benchmark{Category: cat, Group: "fit_methods", Name: "fit_single",
			Params: map[string]string{"method": meth.String()},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				t, g2, e := g2Curve(false, 0.005, 2)
				return &runner.Op{Run: func() error {
					_, err := fit.Fit(t, g2, e, fit.Options{Model: fit.Single, Method: meth})
					return err
				}}, nil
			}})
	}
	for _, noise := range []string{"0.001", "0.02", "0.05"} {
		r.Register(&runner.Benchmark{Category: cat, Group: "fit_robustness", Name: "fit_single_noisy",
			Params: map[string]string{"noise": noise},
			Extra:  map[string]any{"what": "single-exponential LM fit of a curve with Gaussian noise of this sigma; extra reports the recovered tau"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sigma, _ := strconv.ParseFloat(noise, 64)
				t, g2, e := g2Curve(false, sigma, 3)
				r, err := fit.Fit(t, g2, e, fit.Options{Model: fit.Single})
				if err != nil {
					return nil, err
				}
				env.SetExtra("tau_true_s", 0.01)
				env.SetExtra("tau_fit_s", r.Params[1])
				return &runner.Op{Run: func() error {
					_, err := fit.Fit(t, g2, e, fit.Options{Model: fit.Single})
					return err
				}}, nil
			}})
	}
	for _, size := range sizesUpTo("large") {
		p := map[string]string{"size": size}
		mk := heavyMarkers(size)
		r.Register(&runner.Benchmark{Category: cat, Group: "multitau", Name: "correlate", Params: p, Markers: parallel(mk...),
			Setup: func(env *runner.Env) (*runner.Op, error) {
				return correlateOp(synthStack(env.Size))
			}})
		// What `xpcs-perf correlate` does with a raw file, from open to g2:
		// an uncompressed stack is memory-mapped and correlated
		// pixel-major, an LZF one streamed through its decoder (extra
		// "path" says which ran).
		for _, comp := range []h5.Compression{h5.None, h5.LZF} {
			fp := map[string]string{"size": size, "compression": comp.String()}
			r.Register(&runner.Benchmark{Category: cat, Group: "multitau", Name: "correlate_file", Params: fp, Markers: ioBound(parallel(mk...)...),
				Extra: map[string]any{"what": "open the HDF5 raw stack (h5/aps) and xpcs.Correlate it: g2, time average, SAXS 1D"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					return correlateFileOp(env, comp)
				}})
		}
		r.Register(&runner.Benchmark{Category: cat, Group: "saxs", Name: "time_average_2d", Params: p, Markers: mk,
			Extra: map[string]any{"what": "SAXS 2D: the time-averaged image (float64 per pixel)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				_, st, err := synthStack(env.Size)
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
	for _, size := range []string{"tiny", "small"} {
		p := map[string]string{"size": size}
		r.Register(&runner.Benchmark{Category: cat, Group: "saxs", Name: "radial_average_1d", Params: p,
			Extra: map[string]any{"what": "SAXS 1D: per-static-bin mean of the time-averaged image (xpcs.SAXS1D)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				img, qm, err := timeAveraged(env.Size)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					_, err := xpcs.SAXS1D(img, qm.Static, qm.NStatic())
					return err
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "saxs", Name: "find_peaks", Params: p,
			Extra: map[string]any{"what": "peaks of the SAXS 1D curve (xpcs.FindPeaks); extra reports how many"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				img, qm, err := timeAveraged(env.Size)
				if err != nil {
					return nil, err
				}
				prof, err := xpcs.SAXS1D(img, qm.Static, qm.NStatic())
				if err != nil {
					return nil, err
				}
				peaks, err := xpcs.FindPeaks(qm.StaticQ, prof, 0.01)
				if err != nil {
					return nil, err
				}
				env.SetExtra("peaks", len(peaks))
				return &runner.Op{Run: func() error {
					_, err := xpcs.FindPeaks(qm.StaticQ, prof, 0.01)
					return err
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "twotime", Name: "all_bins", Params: p, Markers: parallel(), // OpenBLAS threads
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sy, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				qm := sy.QMap()
				return &runner.Op{Run: func() error {
					_, err := twotime.Compute(st.Source(), qm, twotime.Options{})
					return err
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "twotime", Name: "bins_in_parallel", Markers: parallel(),
			Params: map[string]string{"size": size, "workers": "2"},
			Extra:  map[string]any{"what": "dynamic bins split between 2 goroutines, each its own Compute"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sy, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				qm := sy.QMap()
				return &runner.Op{Run: func() error {
					var wg sync.WaitGroup
					errs := make([]error, 2)
					for w := range 2 {
						var bins []int
						for b := w; b < qm.NDynamic(); b += 2 {
							bins = append(bins, b)
						}
						wg.Go(func() {
							_, errs[w] = twotime.Compute(st.Source(), qm, twotime.Options{Bins: bins})
						})
					}
					wg.Wait()
					if errs[0] != nil {
						return errs[0]
					}
					return errs[1]
				}}, nil
			}})
	}
}

// timeAverage writes the mean of every pixel over the frames into img.
func timeAverage(st *xpcs.Stack, img []float64) {
	clear(img)
	for f := range st.Frames {
		for p, v := range st.Frame(f) {
			img[p] += float64(v)
		}
	}
	inv := 1 / float64(st.Frames)
	for p := range img {
		img[p] *= inv
	}
}

// g2Curve returns a multi-tau-spaced g2 curve (61 delays of 1 ms frames)
// with contrast 0.2, tau 10 ms (double: a 50/50 mix of 10 ms and 0.5 s),
// baseline 1 and Gaussian noise sigma, deterministic in seed.
func g2Curve(double bool, sigma float64, seed uint64) (t, g2, e []float64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	for _, d := range xpcs.Delays(100000) {
		x := float64(d) * 1e-3
		var y float64
		if double {
			f := 0.5*math.Exp(-x/0.01) + 0.5*math.Exp(-x/0.5)
			y = 1 + 0.2*f*f
		} else {
			y = 1 + 0.2*math.Exp(-2*x/0.01)
		}
		t = append(t, x)
		g2 = append(g2, y+sigma*rng.NormFloat64())
		e = append(e, sigma)
	}
	return t, g2, e
}

// writeResultFile writes the multitau part of an APS 8-ID-I result file
// with ntau delays and nq q bins.
func writeResultFile(path string, ntau, nq int) error {
	f, err := h5.Create(path)
	if err != nil {
		return err
	}
	delays := xpcs.Delays(100000)[:ntau]
	g2 := make([]float32, ntau*nq)
	for i := range ntau {
		for q := range nq {
			g2[i*nq+q] = float32(1 + 0.2*math.Exp(-2*float64(delays[i])/float64(5+q)))
		}
	}
	err = f.Write("/xpcs/multitau/delay_list", []int{ntau}, delays, nil)
	if err == nil {
		err = f.Write("/xpcs/multitau/normalized_g2", []int{ntau, nq}, g2, nil)
	}
	if err == nil {
		err = f.Write("/xpcs/multitau/normalized_g2_err", []int{ntau, nq}, make([]float32, ntau*nq), nil)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write result file %s: %w", path, err)
	}
	return nil
}

// extractG2 reads normalized_g2 of a result file and returns one curve per q.
func extractG2(path string) ([][]float64, error) {
	f, err := h5.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g2, shape, err := h5.ReadAs[float32](f, "/xpcs/multitau/normalized_g2")
	if err != nil {
		return nil, err
	}
	if _, _, err := h5.ReadAs[int64](f, "/xpcs/multitau/delay_list"); err != nil {
		return nil, err
	}
	if len(shape) != 2 {
		return nil, fmt.Errorf("%s: normalized_g2 has shape %v, want (n_tau, n_q)", path, shape)
	}
	ntau, nq := shape[0], shape[1]
	out := make([][]float64, nq)
	for q := range nq {
		out[q] = make([]float64, ntau)
		for i := range ntau {
			out[q][i] = float64(g2[i*nq+q])
		}
	}
	return out, nil
}
