package suite

import (
	"errors"
	"fmt"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
)

// compressions are the stack codecs of the compression group, by the names
// h5.ParseCompression reads.
var compressions = []string{"none", "deflate", "lzf", "bitshuffle-lz4"}

// The hdf5 category: open/close, metadata, dataset info, full / hyperslab /
// chunked reads, a handle pool (creation, acquisition, concurrent use),
// bounded-memory streaming, cleanup cost and compression variants.
func hdf5Category(r *runner.Registry) {
	const cat = "hdf5"
	for _, size := range sizesUpTo("large") {
		p := map[string]string{"size": size}
		mk := heavyMarkers(size)
		r.Register(&runner.Benchmark{Category: cat, Group: "file", Name: "open_close", Params: p, Markers: mk,
			Setup: func(env *runner.Env) (*runner.Op, error) {
				path, err := stackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					f, err := h5.Open(path)
					if err != nil {
						return err
					}
					return f.Close()
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "dataset", Name: "info", Params: p, Markers: mk,
			Extra: map[string]any{"what": "open the stack dataset on an open file: shape, dtype, chunks, filters"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				f, err := openStackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Teardown: f.Close, Run: func() error {
					s, err := f.OpenStack(h5.StackPath)
					if err != nil {
						return err
					}
					if s.Frames != env.Size.Frames || len(s.Chunk) != 3 {
						s.Close()
						return fmt.Errorf("dataset info: got %d frames chunk %v, want %d frames, 3-d chunks", s.Frames, s.Chunk, env.Size.Frames)
					}
					return s.Close()
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "read", Name: "full", Params: p, Markers: mk,
			Setup: func(env *runner.Env) (*runner.Op, error) {
				s, buf, err := openStackBuf(env.Size, h5.None, env.Size.Frames)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Bytes: int64(len(buf) * 2), Teardown: s.Close, Run: func() error {
					return s.ReadFrames(0, s.Frames, buf)
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "read", Name: "hyperslab_32x32", Params: p, Markers: mk,
			Extra: map[string]any{"what": "a 32x32 pixel window of every frame (partial read)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				s, _, err := openStackBuf(env.Size, h5.None, 0)
				if err != nil {
					return nil, err
				}
				buf := make([]uint16, s.Frames*32*32)
				r0, c0 := s.Rows/2-16, s.Cols/2-16
				return &runner.Op{Bytes: int64(len(buf) * 2), Teardown: s.Close, Run: func() error {
					return s.ReadWindow(0, s.Frames, r0, c0, 32, 32, buf)
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "read", Name: "chunk_per_frame", Params: p, Markers: mk,
			Extra: map[string]any{"what": "one frame (= one chunk) per operation, cycling through the stack"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				s, buf, err := openStackBuf(env.Size, h5.None, 1)
				if err != nil {
					return nil, err
				}
				i := 0
				return &runner.Op{Bytes: int64(len(buf) * 2), Teardown: s.Close, Run: func() error {
					f := i % s.Frames
					i++
					return s.ReadFrames(f, 1, buf)
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "bounded", Name: "stream_16_frame_blocks", Params: p, Markers: mk,
			Extra: map[string]any{"what": "whole stack through one 16-frame buffer: memory bounded by the block, not the stack (see peak_rss_bytes)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				s, buf, err := openStackBuf(env.Size, h5.None, 16)
				if err != nil {
					return nil, err
				}
				px := s.Rows * s.Cols
				return &runner.Op{Bytes: int64(s.Frames * px * 2), Teardown: s.Close, Run: func() error {
					for start := 0; start < s.Frames; start += 16 {
						n := min(16, s.Frames-start)
						if err := s.ReadFrames(start, n, buf[:n*px]); err != nil {
							return err
						}
					}
					return nil
				}}, nil
			}})
	}
	for _, size := range []string{"tiny", "small"} {
		p := map[string]string{"size": size}
		r.Register(&runner.Benchmark{Category: cat, Group: "metadata", Name: "attributes_20", Params: p,
			Extra: map[string]any{"what": "read 20 scalar attributes of /entry (instrument metadata)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				path := filepath.Join(env.TempDir, "meta.h5")
				f, err := h5.Create(path)
				if err != nil {
					return nil, err
				}
				if err := f.CreateGroup("/entry"); err != nil {
					f.Close()
					return nil, err
				}
				for i := range 20 {
					if err := f.SetAttr("/entry", "attr_"+strconv.Itoa(i), float64(i)); err != nil {
						f.Close()
						return nil, err
					}
				}
				if err := f.Close(); err != nil {
					return nil, err
				}
				if f, err = h5.Open(path); err != nil {
					return nil, err
				}
				return &runner.Op{Teardown: f.Close, Run: func() error {
					a, err := f.Attrs("/entry")
					if err == nil && len(a) != 20 {
						err = fmt.Errorf("got %d attributes, want 20", len(a))
					}
					return err
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "pool", Name: "create_4_handles", Params: p,
			Extra: map[string]any{"what": "h5.NewPool, acquire and release 4 handles of the stack, Close"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				path, err := stackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Run: func() error {
					pl, err := h5.NewPool(path, 4)
					if err != nil {
						return err
					}
					var hs []*h5.Handle
					for range 4 {
						h, err := pl.Acquire(env.Ctx, h5.StackPath)
						if err != nil {
							pl.Close()
							return err
						}
						hs = append(hs, h)
					}
					for _, h := range hs {
						h.Release()
					}
					return pl.Close()
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "pool", Name: "acquire_release", Params: p,
			Extra: map[string]any{"what": "h5.Pool Acquire + Release of an idle stack handle"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				pl, err := stackPool(env.Size, 4)
				if err != nil {
					return nil, err
				}
				return &runner.Op{Teardown: pl.Close, Run: func() error {
					h, err := pl.Acquire(env.Ctx, h5.StackPath)
					if err != nil {
						return err
					}
					h.Release()
					return nil
				}}, nil
			}})
		for _, g := range []int{1, 2, 4} {
			gp := map[string]string{"size": size, "goroutines": strconv.Itoa(g)}
			r.Register(&runner.Benchmark{Category: cat, Group: "pool", Name: "concurrent_frame_reads", Params: gp,
				Extra: map[string]any{"what": "goroutines share an h5.Pool (max 4 handles); one op = 64 frame reads split among them"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					pl, err := stackPool(env.Size, 4)
					if err != nil {
						return nil, err
					}
					s := env.Size
					bufs := make([][]uint16, g)
					for i := range bufs {
						bufs[i] = make([]uint16, s.Pixels())
					}
					return &runner.Op{Bytes: int64(64 * s.Pixels() * 2), Teardown: pl.Close, Run: func() error {
						var wg sync.WaitGroup
						errs := make([]error, g)
						for w := range g {
							wg.Go(func() {
								for k := w; k < 64; k += g {
									if errs[w] = readPooledFrame(env, pl, k%s.Frames, bufs[w]); errs[w] != nil {
										return
									}
								}
							})
						}
						wg.Wait()
						return errors.Join(errs...)
					}}, nil
				}})
		}
		r.Register(&runner.Benchmark{Category: cat, Group: "cleanup", Name: "close_8_handles", Params: p,
			Extra: map[string]any{"what": "close 8 open stack handles (opening them is round setup, untimed; pedantic mode)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				path, err := stackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				var open []*h5.Stack
				return &runner.Op{
					Pedantic: &runner.Pedantic{Rounds: 10, Iterations: 1, WarmupRounds: 1, Setup: func() error {
						for range 8 {
							s, err := h5.OpenStack(path)
							if err != nil {
								return err
							}
							open = append(open, s)
						}
						return nil
					}},
					Run: func() error {
						var errs []error
						for _, s := range open {
							errs = append(errs, s.Close())
						}
						open = open[:0]
						if n := h5.OpenObjects(); n < 0 {
							errs = append(errs, fmt.Errorf("open objects %d", n))
						}
						return errors.Join(errs...)
					}}, nil
			}})
		for _, codec := range compressions {
			cp := map[string]string{"size": size, "compression": codec}
			r.Register(&runner.Benchmark{Category: cat, Group: "compression", Name: "read_full", Params: cp,
				Setup: func(env *runner.Env) (*runner.Op, error) {
					c, err := h5.ParseCompression(codec)
					if err != nil {
						return nil, err
					}
					s, buf, err := openStackBuf(env.Size, c, env.Size.Frames)
					if errors.Is(err, h5.ErrFilterUnavailable) {
						return nil, fmt.Errorf("%w: %v", runner.ErrSkip, err)
					}
					if err != nil {
						return nil, err
					}
					return &runner.Op{Bytes: int64(len(buf) * 2), Teardown: s.Close, Run: func() error {
						return s.ReadFrames(0, s.Frames, buf)
					}}, nil
				}})
		}
	}
	r.Register(&runner.Benchmark{Category: cat, Group: "user_data", Name: "read_stacks",
		Extra: map[string]any{"what": "read the leading frames (up to 256 MiB) of the /entry/data/data stack of each --data file"},
		Setup: userDataSetup})
	for _, codec := range compressions {
		cp := map[string]string{"size": "tiny", "compression": codec}
		r.Register(&runner.Benchmark{Category: cat, Group: "compression", Name: "write_full", Params: cp,
			Setup: func(env *runner.Env) (*runner.Op, error) {
				c, err := h5.ParseCompression(codec)
				if err != nil {
					return nil, err
				}
				_, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				path := filepath.Join(env.TempDir, "w.h5")
				opt := h5.StackOptions{Compression: c, FramesPerChunk: 1}
				if err := h5.WriteStack(path, st.Data, st.Frames, st.Rows, st.Cols, opt); errors.Is(err, h5.ErrFilterUnavailable) {
					return nil, fmt.Errorf("%w: %v", runner.ErrSkip, err)
				}
				return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
					return h5.WriteStack(path, st.Data, st.Frames, st.Rows, st.Cols, opt)
				}}, nil
			}})
	}
}

// openStackFile opens the shared stack file of size s and codec c.
func openStackFile(s runner.Size, c h5.Compression) (*h5.File, error) {
	path, err := stackFile(s, c)
	if err != nil {
		return nil, err
	}
	return h5.Open(path)
}

// openStackBuf opens the shared stack and allocates a buffer of frames
// frames.
func openStackBuf(s runner.Size, c h5.Compression, frames int) (*h5.Stack, []uint16, error) {
	path, err := stackFile(s, c)
	if err != nil {
		return nil, nil, err
	}
	st, err := h5.OpenStack(path)
	if err != nil {
		return nil, nil, err
	}
	return st, make([]uint16, frames*st.Rows*st.Cols), nil
}

// stackPool opens an h5.Pool (at most max handles out) on the shared stack
// file of size s.
func stackPool(s runner.Size, max int) (*h5.Pool, error) {
	path, err := stackFile(s, h5.None)
	if err != nil {
		return nil, err
	}
	return h5.NewPool(path, max)
}

// readPooledFrame reads frame f into buf through a handle of pl.
func readPooledFrame(env *runner.Env, pl *h5.Pool, f int, buf []uint16) error {
	h, err := pl.Acquire(env.Ctx, h5.StackPath)
	if err != nil {
		return err
	}
	defer h.Release()
	return h.ReadSlab([]int{f, 0, 0}, []int{1, env.Size.Rows, env.Size.Cols}, buf)
}
