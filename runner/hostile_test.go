package runner

import (
	"context"
	"testing"
)

// TestGoroutineLeakRecorded: a benchmark that leaves a goroutine behind on
// every operation is measured to the end (no hang, no crash) and its result
// records the goroutine growth, so the leak is visible in results.json.
func TestGoroutineLeakRecorded(t *testing.T) {
	c := fastConfig()
	stop := make(chan struct{})
	defer close(stop) // release the leaked goroutines
	leaky := bench("goroutine_leak", func() error {
		go func() { <-stop }()
		return nil
	})
	clean := bench("clean", work)
	res := newTestRunner(t, c).Run(context.Background(), []*Benchmark{leaky, clean})
	if len(res.Benchmarks) != 2 {
		t.Fatalf("got %d results, want 2", len(res.Benchmarks))
	}
	l, k := res.Benchmarks[0], res.Benchmarks[1]
	if l.Error != "" || l.Memory == nil {
		t.Fatalf("goroutine_leak: error %q, memory %v", l.Error, l.Memory)
	}
	if got, want := l.Memory.GoroutineGrowth, l.Rounds*l.Iterations/2; got < want {
		t.Errorf("goroutine_leak: goroutine growth %d, want >= %d (%d rounds x %d iterations)", got, want, l.Rounds, l.Iterations)
	}
	if k.Memory != nil && k.Memory.GoroutineGrowth != 0 {
		t.Errorf("clean: goroutine growth %d, want 0", k.Memory.GoroutineGrowth)
	}
}
