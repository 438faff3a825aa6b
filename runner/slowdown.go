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

// slowed wraps fn so that each call really takes factor times as long: the
// operation runs, then the goroutine busy-waits (factor-1) times the
// operation's own duration. A busy wait, not time.Sleep, because sleep
// granularity (~50 µs+) would distort microsecond operations and because a
// slower kernel also burns CPU.
func slowed(fn func() error, factor float64) func() error {
	if factor <= 1 {
		return fn
	}
	return func() error {
		start := time.Now()
		err := fn()
		d := time.Since(start)
		until := start.Add(time.Duration(float64(d) * factor))
		for time.Now().Before(until) {
		}
		return err
	}
}
