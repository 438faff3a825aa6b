package reliability

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

// TestLeakReported: the runner records a benchmark's live-heap growth and
// goroutine growth across its rounds (runner/hostile_test.go proves it for
// goroutines, runner/engine_test.go for the heap). A user only reads the
// comment and the reports, so a benchmark that leaks 512 MB and 1,000
// goroutines must be named there, not only in results.json.
func TestLeakReported(t *testing.T) {
	t.Parallel()
	base, cur := SynthResults(4, 10, 1, 0, 1), SynthResults(4, 10, 2, 0, 1)
	for _, r := range []*analysis.Results{base, cur} {
		for i := range r.Benchmarks {
			r.Benchmarks[i].Memory = &analysis.Memory{BytesPerOp: 1024, AllocsPerOp: 1}
		}
	}
	leaky := &cur.Benchmarks[2]
	leaky.Memory.HeapGrowthBytes, leaky.Memory.GoroutineGrowth = 512<<20, 1000
	cmp, err := analysis.Compare(base, cur, analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	md := comment.Markdown(cmp, comment.Options{})
	var js, html bytes.Buffer
	if err := comment.WriteJSON(&js, cmp, comment.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := comment.WriteHTML(&html, cmp, comment.Options{}, 10); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"comment": md, "report.json": js.String(), "report.html": html.String()} {
		low := strings.ToLower(text)
		if !strings.Contains(low, "leak") && !strings.Contains(low, "goroutine") {
			flaw(t, "leak-not-reported", "%s does not mention the leak of %s (heap +512 MB, +1000 goroutines)", name, leaky.ID)
		}
	}
}
