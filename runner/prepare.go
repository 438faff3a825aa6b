package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"time"
)

// Prepared is one benchmark set up outside the engine's own rounds, for a
// caller that decides when each round runs: the A/B worker (package
// runner/worker) times rounds on its orchestrator's request so that base and
// head alternate. The operation is slowed as the engine would slow it
// (Config.Slowdown, [SlowdownEnv]).
type Prepared struct {
	ID     string
	Bench  *Benchmark
	Factor float64 // injected slowdown factor (1: none)
	op     *Op
	fn     func() error
	env    *Env
	tmp    string
}

// Prepare runs b's Setup (untimed) in a fresh temporary folder. Close
// releases what it acquired. A Setup declining with [ErrSkip] returns an
// error wrapping ErrSkip.
func (r *Runner) Prepare(ctx context.Context, b *Benchmark) (_ *Prepared, err error) {
	id := b.ID()
	tmp, err := os.MkdirTemp("", "xpcs-perf-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("setup panic: %v\n%s", p, firstLines(debug.Stack(), 12))
		}
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	logf := func(format string, args ...any) { r.logf(id+": "+format, args...) }
	env := &Env{Ctx: ctx, Params: maps.Clone(b.Params), TempDir: tmp, Data: r.Config.Data, Logf: logf}
	if s, ok := Sizes[b.Params["size"]]; ok {
		env.Size = s
	}
	op, err := b.Setup(env)
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	if op == nil || op.Run == nil {
		return nil, errors.New("setup returned no operation")
	}
	f := slowdownFactor(r.slowdown, id)
	return &Prepared{ID: id, Bench: b, Factor: f, op: op, fn: slowed(op.Run, f), env: env, tmp: tmp}, nil
}

// Round runs the operation n times (after the pedantic per-round setup, if
// any) and returns the elapsed wall-clock and process CPU time (cpu < 0 when
// unavailable). A panic of the operation is returned as an error.
func (p *Prepared) Round(n int) (wall, cpu time.Duration, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, firstLines(debug.Stack(), 12))
		}
	}()
	if ps := p.op.Pedantic; ps != nil && ps.Setup != nil {
		if err := ps.Setup(); err != nil {
			return 0, 0, fmt.Errorf("round setup: %w", err)
		}
	}
	c0 := processCPUTime()
	start := time.Now()
	for range n {
		if err := p.fn(); err != nil {
			return 0, 0, err
		}
	}
	wall = time.Since(start)
	c1 := processCPUTime()
	cpu = -1
	if c0 >= 0 && c1 >= c0 {
		cpu = c1 - c0
	}
	return wall, cpu, nil
}

// Extra returns the benchmark's extra (registered and recorded by Setup).
func (p *Prepared) Extra() map[string]any {
	extra := maps.Clone(p.Bench.Extra)
	if extra == nil {
		extra = map[string]any{}
	}
	p.env.mu.Lock()
	maps.Copy(extra, p.env.extra)
	p.env.mu.Unlock()
	return extra
}

// Close runs the teardown and removes the temporary folder.
func (p *Prepared) Close() error {
	defer os.RemoveAll(p.tmp)
	if p.op.Teardown != nil {
		if err := p.op.Teardown(); err != nil {
			return fmt.Errorf("teardown: %w", err)
		}
	}
	return nil
}
