package runner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// SlowdownEnv is the environment variable read by the CLI for [ParseSlowdown]:
// XPCS_PERF_INJECT_SLOWDOWN="REGEX=FACTOR[;REGEX=FACTOR...]". It is a testing
// aid for the action's demo and end-to-end tests: it makes a real regression
// appear without changing the code under test.
const SlowdownEnv = "XPCS_PERF_INJECT_SLOWDOWN"

// Slowdown is one injected slowdown rule: benchmarks whose ID matches Re take
// Factor times as long.
type Slowdown struct {
	Re     *regexp.Regexp
	Factor float64
}

// ParseSlowdown parses "REGEX=FACTOR" rules separated by ";". The split is at
// the last "=" so that regexps may contain "=" (size=tiny). FACTOR must be
// >= 1.
func ParseSlowdown(s string) ([]Slowdown, error) {
	var out []Slowdown
	for _, rule := range strings.Split(s, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		i := strings.LastIndexByte(rule, '=')
		if i <= 0 {
			return nil, fmt.Errorf("inject slowdown %q: want REGEX=FACTOR", rule)
		}
		re, err := regexp.Compile(rule[:i])
		if err != nil {
			return nil, fmt.Errorf("inject slowdown %q: %w", rule, err)
		}
		f, err := strconv.ParseFloat(rule[i+1:], 64)
		if err != nil || f < 1 {
			return nil, fmt.Errorf("inject slowdown %q: factor must be a number >= 1", rule)
		}
		out = append(out, Slowdown{re, f})
	}
	return out, nil
}

// slowdownFactor returns the factor of the first rule matching id (1 if none).
func slowdownFactor(rules []Slowdown, id string) float64 {
	for _, r := range rules {
		if r.Re.MatchString(id) {
			return r.Factor
		}
	}
	return 1
}

// spinSink keeps spin's result alive.
var spinSink atomic.Uint64

// spin runs n iterations of a xorshift step: extra work whose instruction
// count is a fixed number per iteration for a given build. It is the
// slowdown injected when counting instructions (a busy wait on the clock
// would count whatever the clock's speed under Valgrind allows).
//
//go:noinline
func spin(n uint64) {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	spinSink.Add(x)
}

// slowed wraps fn so that each call really takes factor times as long, on
// both clocks the comparison may judge: the operation runs, then the
// goroutine busy-waits until (factor-1) times the operation's wall time has
// passed AND it has burnt (factor-1) times the operation's process CPU time
// (at most its wall time: a parallel operation's extra time is spent on one
// thread). The CPU condition matters on busy cores, where a spin on the
// wall clock alone is descheduled for much of its wait and would add far
// less CPU time than the factor says (a benchmark judged on CPU time would
// then hardly slow down). A busy wait, not time.Sleep, because sleep
// granularity (~50 µs+) would distort microsecond operations and because a
// slower kernel also burns CPU. Operations under minCPUSpin are slowed on
// the wall clock only: reading the process CPU clock (a system call that
// sums every thread: microseconds in a busy process) would distort them.
func slowed(fn func() error, factor float64) func() error {
	if factor <= 1 {
		return fn
	}
	return func() error {
		start := time.Now()
		cpu0 := processCPUTime()
		err := fn()
		d := time.Since(start)
		until := start.Add(time.Duration(float64(d) * factor))
		if d < minCPUSpin || cpu0 < 0 {
			for time.Now().Before(until) {
			}
			return err
		}
		cpu1 := processCPUTime()
		want := cpu1 + time.Duration(float64(min(cpu1-cpu0, d))*(factor-1))
		for {
			for time.Now().Before(until) {
			}
			left := want - processCPUTime()
			if left <= 0 {
				return err
			}
			until = time.Now().Add(left)
		}
	}
}

// minCPUSpin is the shortest operation whose injected slowdown also
// follows the CPU clock (see slowed).
const minCPUSpin = 200 * time.Microsecond
