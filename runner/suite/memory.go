package suite

import (
	"container/list"
	"fmt"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// The memory category: allocation, GC, caches (weak, LRU, pool), memory
// pressure, leak detection, concurrent use, worker-pool scaling,
// producer-consumer and synchronisation primitives.
func memoryCategory(r *runner.Registry) {
	const cat = "memory"
	for _, size := range sizesUpTo("xlarge") {
		p := map[string]string{"size": size}
		r.Register(&runner.Benchmark{Category: cat, Group: "allocation", Name: "frame_stack", Params: p, Markers: heavyMarkers(size),
			Extra: map[string]any{"what": "make([]uint16, frames*rows*cols) and touch every page"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				n := env.Size.Elements()
				return &runner.Op{Bytes: int64(2 * n), Run: func() error {
					a := make([]uint16, n)
					for i := 0; i < len(a); i += 2048 { // one write per 4 KiB page
						a[i] = 1
					}
					sinkU16 = a
					return nil
				}, Teardown: func() error { sinkU16 = nil; return nil }}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "gc", Name: "full_gc_live_stack", Params: p, Markers: heavyMarkers(size),
			Extra: map[string]any{"what": "runtime.GC with one frame stack of the size live (pointer-free) plus 10^4 small objects"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				live := make([]uint16, env.Size.Elements())
				objs := make([]*[4]int, 10000)
				for i := range objs {
					objs[i] = new([4]int)
				}
				return &runner.Op{Run: func() error { runtime.GC(); runtime.KeepAlive(live); runtime.KeepAlive(objs); return nil }}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "pressure", Name: "alloc_release_frames", Params: p, Markers: heavyMarkers(size),
			Extra: map[string]any{"what": "allocate every frame of the stack, fill it, drop it (GC under steady churn)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				fr, px := env.Size.Frames, env.Size.Pixels()
				return &runner.Op{Bytes: int64(2 * fr * px), Run: func() error {
					for range fr {
						b := make([]uint16, px)
						for i := range b {
							b[i] = uint16(i)
						}
						sinkU16 = b
					}
					return nil
				}}, nil
			}})
	}
	for _, size := range []string{"tiny", "small"} {
		p := map[string]string{"size": size}
		// Caches of decoded frames, keyed by frame index: hit path after warm-up.
		r.Register(&runner.Benchmark{Category: cat, Group: "cache", Name: "weak_cache_get", Params: p,
			Extra: map[string]any{"what": "frame cache of weak.Pointer values (Go weak package); entries live while a caller holds them"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				_, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				c := newWeakCache()
				held := make([]*[]uint16, st.Frames) // keep entries alive: hit path
				i := 0
				return &runner.Op{Run: func() error {
					f := i % st.Frames
					i++
					v := c.get(f, func() *[]uint16 { s := append([]uint16(nil), st.Frame(f)...); return &s })
					held[f] = v
					return nil
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "cache", Name: "lru_cache_get", Params: p,
			Extra: map[string]any{"what": "LRU cache of frames (capacity frames/2, cyclic access => hits and evictions)"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				_, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				c := newLRU(st.Frames / 2)
				i := 0
				return &runner.Op{Run: func() error {
					f := (i * 7) % st.Frames
					i++
					c.get(f, func() []uint16 { return append([]uint16(nil), st.Frame(f)...) })
					return nil
				}}, nil
			}})
		for _, pooled := range []bool{false, true} {
			name := "frame_buffer_make"
			if pooled {
				name = "frame_buffer_pool"
			}
			r.Register(&runner.Benchmark{Category: cat, Group: "cache", Name: name, Params: p,
				Extra: map[string]any{"what": "get a frame-sized buffer, copy a frame into it, release it (sync.Pool vs make)"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					_, st, err := synthStack(env.Size)
					if err != nil {
						return nil, err
					}
					px := st.Pixels()
					pool := sync.Pool{New: func() any { b := make([]uint16, px); return &b }}
					i := 0
					return &runner.Op{Run: func() error {
						f := st.Frame(i % st.Frames)
						i++
						if pooled {
							b := pool.Get().(*[]uint16)
							copy(*b, f)
							pool.Put(b)
						} else {
							b := make([]uint16, px)
							copy(b, f)
							sinkU16 = b
						}
						return nil
					}}, nil
				}})
		}
		r.Register(&runner.Benchmark{Category: cat, Group: "leak", Name: "correlator_reuse", Params: p,
			Extra: map[string]any{"what": "reset and reuse one multi-tau correlator per round; heap_growth_bytes must stay ~0"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sy, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				c, err := xpcs.NewCorrelator(sy.QMap(), st.Frames, 1)
				if err != nil {
					return nil, err
				}
				n := min(st.Frames, 64) * st.Pixels()
				return &runner.Op{Run: func() error {
					c.Reset()
					if err := xpcs.AddFrames(c, st.Data[:n]); err != nil {
						return err
					}
					_, err := c.Result()
					return err
				}}, nil
			}})
		r.Register(&runner.Benchmark{Category: cat, Group: "concurrency", Name: "shared_lru_4_goroutines", Params: p, Markers: parallel(),
			Extra: map[string]any{"what": "4 goroutines share one mutex-guarded LRU; one op = 4x256 lookups"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				_, st, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				c := newLRU(st.Frames / 2)
				var mu sync.Mutex
				return &runner.Op{Run: func() error {
					var wg sync.WaitGroup
					for g := range 4 {
						wg.Go(func() {
							for k := range 256 {
								f := (g*131 + k*7) % st.Frames
								mu.Lock()
								c.get(f, func() []uint16 { return append([]uint16(nil), st.Frame(f)...) })
								mu.Unlock()
							}
						})
					}
					wg.Wait()
					return nil
				}}, nil
			}})
		for _, w := range []int{1, 2, 4, 8} {
			wp := map[string]string{"size": size, "workers": strconv.Itoa(w)}
			r.Register(&runner.Benchmark{Category: cat, Group: "workers", Name: "frame_sums", Params: wp,
				Extra: map[string]any{"what": "worker pool: per-frame intensity sums of the stack over a channel of frame indices"},
				Setup: func(env *runner.Env) (*runner.Op, error) {
					_, st, err := synthStack(env.Size)
					if err != nil {
						return nil, err
					}
					sums := make([]uint64, st.Frames)
					return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
						frameSums(st, sums, w)
						return nil
					}}, nil
				}})
		}
		r.Register(&runner.Benchmark{Category: cat, Group: "producer_consumer", Name: "hdf5_reader_to_correlator", Params: p, Markers: parallel(),
			Extra: map[string]any{"what": "one goroutine reads 16-frame blocks from an HDF5 stack and feeds a multi-tau correlator through a channel of 4 buffers"},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				sy, _, err := synthStack(env.Size)
				if err != nil {
					return nil, err
				}
				path, err := stackFile(env.Size, h5.None)
				if err != nil {
					return nil, err
				}
				s, err := h5.OpenStack(path)
				if err != nil {
					return nil, err
				}
				c, err := xpcs.NewCorrelator(sy.QMap(), s.Frames, 0)
				if err != nil {
					s.Close()
					return nil, err
				}
				return &runner.Op{Bytes: int64(s.Frames * s.FrameBytes()), Teardown: s.Close, Run: func() error {
					c.Reset()
					return produceConsume(s, c, 16)
				}}, nil
			}})
	}
	// Synchronisation primitives: one op = one uncontended lock/unlock,
	// atomic add, buffered channel send+receive or WaitGroup add/done.
	prims := map[string]func() func() error{
		"mutex": func() func() error {
			var mu sync.Mutex
			return func() error { mu.Lock(); counter++; mu.Unlock(); return nil }
		},
		"rwmutex_read": func() func() error {
			var mu sync.RWMutex
			return func() error { mu.RLock(); _ = counter; mu.RUnlock(); return nil }
		},
		"atomic_add": func() func() error {
			var n atomic.Int64
			return func() error { n.Add(1); return nil }
		},
		"channel_send_recv": func() func() error {
			ch := make(chan int, 1)
			return func() error { ch <- 1; <-ch; return nil }
		},
		"waitgroup": func() func() error {
			var wg sync.WaitGroup
			return func() error { wg.Add(1); wg.Done(); wg.Wait(); return nil }
		},
	}
	for name, mk := range prims {
		r.Register(&runner.Benchmark{Category: cat, Group: "sync", Name: name,
			Setup: func(*runner.Env) (*runner.Op, error) { return &runner.Op{Run: mk()}, nil }})
	}
}

var (
	sinkU16 []uint16
	counter int
)

// frameSums computes the intensity sum of every frame with w workers.
func frameSums(st *xpcs.Stack, sums []uint64, w int) {
	jobs := make(chan int, w)
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for f := range jobs {
				var s uint64
				for _, v := range st.Frame(f) {
					s += uint64(v)
				}
				sums[f] = s
			}
		})
	}
	for f := range st.Frames {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
}

// produceConsume reads s in blocks of block frames on a producer goroutine
// and correlates them on the calling one (double buffering with 4 buffers).
func produceConsume(s *h5.Stack, c *xpcs.Correlator, block int) error {
	px := s.Rows * s.Cols
	free := make(chan []uint16, 4)
	for range 4 {
		free <- make([]uint16, block*px)
	}
	type item struct {
		buf []uint16
		n   int
	}
	full := make(chan item, 4)
	errc := make(chan error, 1)
	go func() {
		defer close(full)
		for start := 0; start < s.Frames; start += block {
			n := min(block, s.Frames-start)
			buf := <-free
			if err := s.ReadFrames(start, n, buf[:n*px]); err != nil {
				errc <- fmt.Errorf("read frames %d..%d: %w", start, start+n, err)
				return
			}
			full <- item{buf, n}
		}
	}()
	var err error
	for it := range full {
		if err == nil {
			err = xpcs.AddFrames(c, it.buf[:it.n*px])
		}
		free <- it.buf
	}
	select {
	case e := <-errc:
		return e
	default:
	}
	if err != nil {
		return err
	}
	_, err = c.Result()
	return err
}

// weakCache maps keys to weak pointers: an entry survives as long as someone
// holds the value (Go 1.24 weak package; the analogue of Python's
// WeakValueDictionary the seed used).
type weakCache struct {
	mu sync.Mutex
	m  map[int]weak.Pointer[[]uint16]
}

func newWeakCache() *weakCache { return &weakCache{m: map[int]weak.Pointer[[]uint16]{}} }

func (c *weakCache) get(k int, load func() *[]uint16) *[]uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wp, ok := c.m[k]; ok {
		if v := wp.Value(); v != nil {
			return v
		}
	}
	v := load()
	c.m[k] = weak.Make(v)
	return v
}

// lru is a fixed-capacity least-recently-used cache. Hand-written (a map plus
// container/list) because the standard library has none and the benchmark
// must not depend on a third-party cache.
type lru struct {
	cap int
	ll  *list.List
	m   map[int]*list.Element
}

type lruEntry struct {
	k int
	v []uint16
}

func newLRU(capacity int) *lru {
	return &lru{cap: max(capacity, 1), ll: list.New(), m: map[int]*list.Element{}}
}

func (c *lru) get(k int, load func() []uint16) []uint16 {
	if e, ok := c.m[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry).v
	}
	v := load()
	c.m[k] = c.ll.PushFront(&lruEntry{k, v})
	if c.ll.Len() > c.cap {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*lruEntry).k)
	}
	return v
}

// LeakThreshold is the live-heap growth across a benchmark's rounds above
// which the memory category's leak group flags "leak_suspected" (bytes).
const LeakThreshold = 1 << 20

// flagLeaks marks the memory category's leak benchmarks whose live heap grew
// by more than LeakThreshold ("leak_suspected").
func flagLeaks(res *analysis.Results) {
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		if b.Category != "memory" || b.Group != "leak" || b.Memory == nil || b.Error != "" {
			continue
		}
		if b.Extra == nil {
			b.Extra = map[string]any{}
		}
		b.Extra["leak_suspected"] = b.Memory.HeapGrowthBytes > LeakThreshold
	}
}
