package suite

import (
	"fmt"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"math/rand/v2"
	"strconv"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/twotime"
)

// The optimization category: paired before/after benchmarks run interleaved
// in the same rounds (Op.Before = the unoptimised variant, Op.Run = the
// optimised one). Each result carries the speed-up with its bootstrap 95%
// CI in extra (speedup, speedup_ci_low/high, improvement_pct) and
// "slower": true when the optimisation makes things slower.
func optimizationCategory(r *runner.Registry) {
	const cat = "optimization"
	// Groups whose operations read the HDF5 stack file.
	ioGroups := map[string]bool{"handles": true, "reads": true, "correlation": true}
	pair := func(group, name, what string, params map[string]string, setup func(env *runner.Env) (*runner.Op, error)) {
		var mk []string
		if ioGroups[group] {
			mk = ioBound()
		}
		r.Register(&runner.Benchmark{Category: cat, Group: group, Name: name, Params: params, Markers: mk,
			Extra: map[string]any{"what": what}, Setup: setup})
	}
	for _, size := range []string{"tiny", "small"} {
		p := map[string]string{"size": size}
		pair("handles", "pooled_vs_unpooled", "before: open the file and dataset, read one frame, close; after: the same read through an h5.Pool handle", p,
			func(env *runner.Env) (*runner.Op, error) {
				path, err := stackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				pl, err := h5.NewPool(path, 4)
				if err != nil {
					return nil, err
				}
				buf := make([]uint16, env.Size.Pixels())
				i := 0
				return &runner.Op{Teardown: pl.Close,
					Before: func() error {
						s, err := h5.OpenStack(path)
						if err != nil {
							return err
						}
						i++
						err = s.ReadFrames(i%s.Frames, 1, buf)
						if cerr := s.Close(); err == nil {
							err = cerr
						}
						return err
					},
					Run: func() error {
						i++
						return readPooledFrame(env, pl, i%env.Size.Frames, buf)
					}}, nil
			})
		pair("reads", "batched_vs_single", "before: 64 frames read one ReadFrames call each; after: one call for the 64", p,
			func(env *runner.Env) (*runner.Op, error) {
				s, buf, err := openStackBuf(env.Size, h5.None, 64)
				if err != nil {
					return nil, err
				}
				px := s.Rows * s.Cols
				return &runner.Op{Teardown: s.Close,
					Before: func() error {
						for f := range 64 {
							if err := s.ReadFrames(f, 1, buf[f*px:(f+1)*px]); err != nil {
								return err
							}
						}
						return nil
					},
					Run: func() error { return s.ReadFrames(0, 64, buf) }}, nil
			})
		pair("correlation", "streaming_vs_whole_stack", "before: read the whole HDF5 stack, then correlate; after: 16-frame blocks streamed from the file into the correlator", p,
			func(env *runner.Env) (*runner.Op, error) {
				sy, _, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				s, buf, err := openStackBuf(env.Size, h5.None, env.Size.Frames)
				if err != nil {
					return nil, err
				}
				c, err := xpcs.NewCorrelator(sy.QMap(), s.Frames, 0)
				if err != nil {
					s.Close()
					return nil, err
				}
				block := make([]uint16, 16*s.Rows*s.Cols)
				px := s.Rows * s.Cols
				return &runner.Op{Teardown: s.Close,
					Before: func() error {
						c.Reset()
						if err := s.ReadFrames(0, s.Frames, buf); err != nil {
							return err
						}
						if err := xpcs.AddFrames(c, buf); err != nil {
							return err
						}
						_, err := c.Result()
						return err
					},
					Run: func() error {
						c.Reset()
						for start := 0; start < s.Frames; start += 16 {
							n := min(16, s.Frames-start)
							if err := s.ReadFrames(start, n, block[:n*px]); err != nil {
								return err
							}
							if err := xpcs.AddFrames(c, block[:n*px]); err != nil {
								return err
							}
						}
						_, err := c.Result()
						return err
					}}, nil
			})
		pair("qmap", "cached_vs_recomputed", "before: build the q-map (geometry, partitions) every time; after: look it up in a cache", p,
			func(env *runner.Env) (*runner.Op, error) {
				cfg := xpcs.DefaultSynth(shapeOf(env.Size), 1)
				build := func() (*xpcs.QMap, error) {
					return xpcs.NewQMap(env.Size.Rows, env.Size.Cols, cfg.Geometry, xpcs.NewMask(env.Size.Rows, env.Size.Cols), cfg.Partition)
				}
				cache := map[string]*xpcs.QMap{}
				key := fmt.Sprint(env.Size)
				return &runner.Op{
					Before: func() error { _, err := build(); return err },
					Run: func() error {
						if _, ok := cache[key]; ok {
							return nil
						}
						qm, err := build()
						cache[key] = qm
						return err
					}}, nil
			})
		pair("multitau", "parallel_vs_sequential", "before: correlator with 1 worker; after: GOMAXPROCS workers", p,
			func(env *runner.Env) (*runner.Op, error) {
				sy, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				seq, err := xpcs.NewCorrelator(sy.QMap(), st.Frames, 1)
				if err != nil {
					return nil, err
				}
				par, err := xpcs.NewCorrelator(sy.QMap(), st.Frames, 0)
				if err != nil {
					return nil, err
				}
				run := func(c *xpcs.Correlator) func() error {
					return func() error {
						c.Reset()
						if err := xpcs.AddFrames(c, st.Data); err != nil {
							return err
						}
						_, err := c.Result()
						return err
					}
				}
				return &runner.Op{Before: run(seq), Run: run(par)}, nil
			})
	}
	for _, n := range []int{100, 500} {
		p := map[string]string{"frames": strconv.Itoa(n), "pixels": "1000"}
		pair("twotime", "blocked_vs_naive", "before: naive triple loop X X^T; after: blocked BLAS (twotime.Auto: OpenBLAS SYRK with cgo, else gonum)", p,
			func(env *runner.Env) (*runner.Op, error) {
				k := 1000
				x := make([]float32, n*k)
				rng := rand.New(rand.NewPCG(5, 5))
				for i := range x {
					x[i] = float32(rng.IntN(5)) // counts 0..4
				}
				var d1, d2 []float32
				return &runner.Op{
					Before: func() error { var err error; d1, err = twotime.Matrix(d1, x, n, k, twotime.Naive); return err },
					Run:    func() error { var err error; d2, err = twotime.Matrix(d2, x, n, k, twotime.Auto); return err },
				}, nil
			})
	}
}
