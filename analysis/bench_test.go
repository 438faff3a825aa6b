package analysis

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
)

// BenchmarkCompare10k compares 10,000 benchmarks of 20 samples per side,
// Mann-Whitney, BH, Welch, Cohen's d and the 2000-resample bootstrap
// included (issue 5 item 4: under 5 s on 2 cores).
func BenchmarkCompare10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n = 10000
	base, cur := make([]Benchmark, n), make([]Benchmark, n)
	for i := range n {
		id := fmt.Sprintf("cat/group/bench-%05d", i)
		shift := 1.0
		if i%10 == 0 {
			shift = 1.3
		}
		base[i] = bench(id, noisy(rng, 20, 1e-3, 0.05))
		cur[i] = bench(id, noisy(rng, 20, shift*1e-3, 0.05))
	}
	bres, cres := res(base...), res(cur...)
	cfg := DefaultConfig()
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for b.Loop() {
		c, err := Compare(bres, cres, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if c.Summary.Benchmarks != n {
			b.Fatalf("rows %d", c.Summary.Benchmarks)
		}
	}
	// CPU seconds (user+sys) per op: on a shared, overloaded machine the wall
	// time measures the neighbours; CPU time / GOMAXPROCS bounds the wall
	// time on idle cores.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkCompare150kRounds compares one benchmark with 150,000 rounds per
// side (a fast function under pytest-benchmark): the Hodges-Lehmann shift
// and its interval are counted implicitly, so memory is O(rounds), not
// O(rounds²). Target: < 2 s and < 300 MB (docs/PERFORMANCE.md).
func BenchmarkCompare150kRounds(b *testing.B) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 150_000
	base := res(bench("fast/func", noisy(rng, n, 4e-6, 0.3)))
	cur := res(bench("fast/func", noisy(rng, n, 4.4e-6, 0.3)))
	cfg := DefaultConfig()
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for b.Loop() {
		c, err := Compare(base, cur, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if c.Summary.Benchmarks != 1 {
			b.Fatalf("benchmarks %d", c.Summary.Benchmarks)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)*1024, "peak-rss-B")
	}
}
