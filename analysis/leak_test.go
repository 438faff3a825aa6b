package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// TestLeakWarnings: Compare names every current benchmark with goroutines
// left running or a live-heap growth above max(1 MiB, 4 × B/op), and only
// those (regression: the growth was recorded but never shown).
func TestLeakWarnings(t *testing.T) {
	t.Parallel()
	mk := func(id string, m *Memory, errText string) Benchmark {
		b := bench(id, []float64{1, 1.01, 0.99, 1, 1.02})
		b.Memory, b.Error = m, errText
		return b
	}
	cur := res(
		mk("clean", &Memory{BytesPerOp: 1024, HeapGrowthBytes: 4096}, ""),
		mk("heap", &Memory{BytesPerOp: 1024, HeapGrowthBytes: 512 << 20}, ""),
		mk("goroutines", &Memory{BytesPerOp: 1024, GoroutineGrowth: 3}, ""),
		mk("bigops", &Memory{BytesPerOp: 64 << 20, HeapGrowthBytes: 128 << 20}, ""), // 2 ops' worth: a cache
		mk("bigleak", &Memory{BytesPerOp: 64 << 20, HeapGrowthBytes: 1 << 30}, ""),
		mk("floor", &Memory{BytesPerOp: 10, HeapGrowthBytes: 1 << 19}, ""), // under 1 MiB
		mk("errored", &Memory{GoroutineGrowth: 1}, "timeout"),
		mk("nomem", nil, ""),
	)
	c, err := Compare(nil, cur, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Warnings {
		if strings.HasPrefix(w, "possible leak in ") {
			got = append(got, strings.SplitN(strings.TrimPrefix(w, "possible leak in "), ":", 2)[0])
		}
	}
	if want := "heap goroutines bigleak"; strings.Join(got, " ") != want {
		t.Errorf("leak warnings name %q, want %q (warnings %q)", got, want, c.Warnings)
	}
	for _, sub := range []string{"512.0 MiB", "3 goroutine(s) left running", "1024.0 MiB"} {
		if !strings.Contains(strings.Join(c.Warnings, "\n"), sub) {
			t.Errorf("warnings %q do not say %q", c.Warnings, sub)
		}
	}

	var many []Benchmark
	for i := range maxLeakWarnings + 3 {
		many = append(many, mk(fmt.Sprintf("b%02d", i), &Memory{GoroutineGrowth: 1}, ""))
	}
	if got, want := LeakWarnings(many), maxLeakWarnings+1; len(got) != want || !strings.Contains(got[want-1], "3 more") {
		t.Errorf("LeakWarnings of %d leaky benchmarks: %d warnings (last %q), want %d ending with a count of 3 more", len(many), len(got), got[len(got)-1], want)
	}
}
