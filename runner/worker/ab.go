package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Extra keys of an A/B result (both sides carry the same pairing).
const (
	// ExtraPairs is the pair index of every sample: sample i of the base
	// and sample i of the head were measured back to back in pair
	// ExtraPairs[i]. analysis compares such rows with a paired test.
	ExtraPairs = analysis.ExtraABPairs
	// ExtraOrder is the order of each pair: "AB" (base first) or "BA".
	ExtraOrder = "ab_order"
	// ExtraSide is "base" or "head".
	ExtraSide = "ab_side"
)

// Plan is how an A/B session measures each benchmark.
type Plan struct {
	Rounds       int           // timed pairs per benchmark
	Warmup       int           // untimed rounds per side before the pairs
	MinTime      time.Duration // minimum duration of one round (calibration target)
	RoundTimeout time.Duration // per request (0: none)
	Seed         uint64        // of the pair orders
}

// Session measures base and head side by side: per benchmark, iterations
// calibrated once on the base (the same for both), warm-up on both, then
// Plan.Rounds pairs in ABBA blocks whose orientation is drawn from Seed.
type Session struct {
	Base, Head *Client
	Plan       Plan
	// Progress receives one line per step (nil: none).
	Progress io.Writer
	// Checkpoint, when set, is called after every benchmark with the
	// results so far.
	Checkpoint func(base, head *analysis.Results)

	filter string // tests: a regexp on IDs (the CLI passes --filter to the workers instead)
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Orders returns the orders of n pairs: ABBA blocks (AB,BA or BA,AB), each
// block's orientation drawn from rng, so that each side goes first equally
// often (n even).
func Orders(n int, rng *rand.Rand) []string {
	out := make([]string, 0, n)
	for len(out) < n {
		blk := []string{"AB", "BA"}
		if rng.IntN(2) == 1 {
			blk = []string{"BA", "AB"}
		}
		out = append(out, blk...)
	}
	return out[:n]
}

// Fatal reports whether err ended a worker (exited, timed out, killed):
// the session cannot go on.
func (s *Session) fatal() bool { return s.Base.Exited() || s.Head.Exited() }

func (s *Session) logf(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, format+"\n", args...)
	}
}

// Run lists both sides and measures every benchmark of either. Benchmarks
// only one side offers are measured on that side alone (the comparison
// shows them as new or missing). base and head hold the results measured so
// far even when err is not nil (a worker that could not start, crashed,
// hung or speaks another protocol version; the error names the side).
func (s *Session) Run(ctx context.Context, base, head *analysis.Results) error {
	startT := max(s.Plan.RoundTimeout, 60*time.Second)
	for _, c := range []*Client{s.Base, s.Head} {
		r, err := c.Call(ctx, Request{Op: "hello", Version: Version}, startT)
		if err != nil {
			return err
		}
		if r.Version != Version {
			return fmt.Errorf("%s worker: protocol version %d, want %d", c.Side, r.Version, Version)
		}
	}
	lb, err := s.Base.Call(ctx, Request{Op: "list"}, startT)
	if err != nil {
		return err
	}
	lh, err := s.Head.Call(ctx, Request{Op: "list"}, startT)
	if err != nil {
		return err
	}
	type entry struct {
		info     Info
		inB, inH bool
	}
	var all []*entry
	idx := map[string]*entry{}
	for _, b := range lb.Benchmarks {
		e := &entry{info: b, inB: true}
		idx[b.ID] = e
		all = append(all, e)
	}
	for _, b := range lh.Benchmarks {
		if e, ok := idx[b.ID]; ok {
			e.inH = true
			continue
		}
		e := &entry{info: b, inH: true}
		idx[b.ID] = e
		all = append(all, e)
	}
	if len(all) == 0 {
		return errors.New("ab: neither side offers a benchmark matching the selection")
	}
	rng := newRand(s.Plan.Seed)
	var re *regexp.Regexp
	if s.filter != "" {
		re = regexp.MustCompile(s.filter)
	}
	if re != nil {
		var kept []*entry
		for _, e := range all {
			if re.MatchString(e.info.ID) {
				kept = append(kept, e)
			}
		}
		all = kept
	}
	for i, e := range all {
		if ctx.Err() != nil {
			note := fmt.Sprintf("not measured %s: %v", e.info.ID, context.Cause(ctx))
			base.Notes = append(base.Notes, note)
			head.Notes = append(head.Notes, note)
			continue
		}
		var only string
		switch {
		case !e.inH:
			only = "base"
		case !e.inB:
			only = "head"
		}
		s.logf("ab [%d/%d] %s%s", i+1, len(all), e.info.ID, map[string]string{"": "", "base": " (base only)", "head": " (head only)"}[only])
		rb, rh, err := s.one(ctx, e.info, e.inB, e.inH, Orders(s.Plan.Rounds, rng))
		if e.inB {
			base.Benchmarks = append(base.Benchmarks, rb)
		}
		if e.inH {
			head.Benchmarks = append(head.Benchmarks, rh)
		}
		if rb.Error == "" && rh.Error == "" && e.inB && e.inH && rb.Stats != nil && rh.Stats != nil && rb.Stats.Median > 0 {
			s.logf("ab [%d/%d] %s: base %.4g s, head %.4g s (head/base %.3f, %d pairs)", i+1, len(all), e.info.ID, rb.Stats.Median, rh.Stats.Median, rh.Stats.Median/rb.Stats.Median, len(rb.Samples))
		}
		if s.Checkpoint != nil {
			s.Checkpoint(base, head)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// side is one side's record of one benchmark while it is measured.
type side struct {
	c   *Client
	rec analysis.Benchmark
	cpu []float64
	ok  bool
}

// one measures one benchmark. It returns a non-nil error only when a worker
// is gone (the session must stop); a benchmark's own failure is recorded in
// its Error.
func (s *Session) one(ctx context.Context, info Info, inB, inH bool, orders []string) (analysis.Benchmark, analysis.Benchmark, error) {
	sides := []*side{{c: s.Base, rec: info.Skeleton(), ok: inB}, {c: s.Head, rec: info.Skeleton(), ok: inH}}
	t := s.Plan.RoundTimeout
	paired := false // set when both sides reach the timed pairs
	// finish fills stats and extra; err (a dead worker) passes through.
	finish := func(err error) (analysis.Benchmark, analysis.Benchmark, error) {
		n := max(len(sides[0].rec.Samples), len(sides[1].rec.Samples))
		if paired {
			n = min(len(sides[0].rec.Samples), len(sides[1].rec.Samples))
		}
		for k, sd := range sides {
			r := &sd.rec
			if len(r.Samples) > n { // an unpaired last sample
				r.Samples = r.Samples[:n]
			}
			if len(sd.cpu) > n {
				sd.cpu = sd.cpu[:n]
			}
			r.Rounds = len(r.Samples)
			if r.Extra == nil {
				r.Extra = map[string]any{}
			}
			r.Extra[ExtraSide] = []string{"base", "head"}[k]
			r.Extra["ab_seed"] = s.Plan.Seed
			if len(r.Samples) > 0 {
				st := analysis.Describe(r.Samples, r.Unit)
				r.Stats = &st
				pairs := make([]int, len(r.Samples))
				for i := range pairs {
					pairs[i] = i
				}
				if paired {
					r.Extra[ExtraPairs] = pairs
					r.Extra[ExtraOrder] = orders[:len(r.Samples)]
				}
				if len(sd.cpu) == len(r.Samples) {
					r.Metrics = map[string]analysis.Metric{analysis.MetricCPU: {Unit: analysis.MetricCPU, Direction: analysis.LowerIsBetter, Samples: sd.cpu}}
				}
			}
		}
		return sides[0].rec, sides[1].rec, err
	}
	// failed records a request's error on sd; it returns the session's
	// error when the worker is gone.
	failed := func(sd *side, err error) error {
		sd.ok = false
		if sd.rec.Error == "" {
			sd.rec.Error = err.Error()
		}
		if s.fatal() || errors.Is(err, ErrTimeout) || ctx.Err() != nil {
			return err
		}
		return nil
	}
	for _, sd := range sides {
		if !sd.ok {
			continue
		}
		r, err := sd.c.Call(ctx, Request{Op: "prepare", ID: info.ID}, t)
		if err != nil {
			if ferr := failed(sd, err); ferr != nil {
				return finish(ferr)
			}
			continue
		}
		sd.rec.Extra = r.Extra
		if r.Slowdown > 1 {
			if sd.rec.Extra == nil {
				sd.rec.Extra = map[string]any{}
			}
			sd.rec.Extra["injected_slowdown"] = r.Slowdown
		}
	}
	cal := sides[0]
	if !cal.ok {
		cal = sides[1]
	}
	if !cal.ok {
		return finish(nil)
	}
	iters, err := s.calibrate(ctx, cal, info.ID)
	if err != nil {
		if ferr := failed(cal, err); ferr != nil {
			return finish(ferr)
		}
		return finish(nil)
	}
	for _, sd := range sides {
		sd.rec.Iterations = iters
		if sd.rec.Extra == nil {
			sd.rec.Extra = map[string]any{}
		}
		sd.rec.Extra["warmup_rounds"] = s.Plan.Warmup
		sd.rec.Extra["min_round_time_s"] = s.Plan.MinTime.Seconds()
	}
	if s.Plan.Warmup > 0 {
		for _, sd := range sides {
			if !sd.ok {
				continue
			}
			if _, err := sd.c.Call(ctx, Request{Op: "run", ID: info.ID, Iterations: iters, Rounds: s.Plan.Warmup}, scale(t, s.Plan.Warmup)); err != nil {
				if ferr := failed(sd, fmt.Errorf("warm-up: %w", err)); ferr != nil {
					return finish(ferr)
				}
			}
		}
	}
	paired = sides[0].ok && sides[1].ok // else one side alone, unpaired
	for _, o := range orders {
		if !sides[0].ok && !sides[1].ok {
			break
		}
		if paired && !(sides[0].ok && sides[1].ok) {
			break // a pair needs both
		}
		seq := []*side{sides[0], sides[1]}
		if o == "BA" {
			seq = []*side{sides[1], sides[0]}
		}
		for _, sd := range seq {
			if !sd.ok {
				continue
			}
			r, err := sd.c.Call(ctx, Request{Op: "run", ID: info.ID, Iterations: iters, Rounds: 1}, t)
			if err != nil {
				if ferr := failed(sd, err); ferr != nil {
					return finish(ferr)
				}
				break
			}
			sd.rec.Samples = append(sd.rec.Samples, r.Samples...)
			if len(r.CPU) == len(r.Samples) {
				sd.cpu = append(sd.cpu, r.CPU...)
			}
		}
	}
	return finish(nil)
}

// calibrate finds the iterations per round on one side: one untimed first
// call, then ceil(1.2 × min_time × n / d), at most 100× per step, until a
// round lasts min_time (the engine's rule).
func (s *Session) calibrate(ctx context.Context, sd *side, id string) (int, error) {
	t := s.Plan.RoundTimeout
	if _, err := sd.c.Call(ctx, Request{Op: "run", ID: id, Iterations: 1, Rounds: 1}, t); err != nil {
		return 0, fmt.Errorf("first call: %w", err)
	}
	n := 1
	for range 30 {
		r, err := sd.c.Call(ctx, Request{Op: "run", ID: id, Iterations: n, Rounds: 1}, t)
		if err != nil {
			return 0, fmt.Errorf("calibration: %w", err)
		}
		d := r.Samples[0] * float64(n)
		if d >= s.Plan.MinTime.Seconds() {
			return n, nil
		}
		next := n * 100
		if d > 0 {
			next = min(next, int(math.Ceil(1.2*s.Plan.MinTime.Seconds()*float64(n)/d)))
		}
		n = max(next, n+1)
	}
	return n, nil
}

func scale(d time.Duration, k int) time.Duration {
	if d <= 0 {
		return 0
	}
	return d * time.Duration(max(k, 1))
}
