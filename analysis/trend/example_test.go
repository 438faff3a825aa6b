package trend_test

import (
	"fmt"
	"math"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
)

// Thirty nightly runs of a benchmark that got 15% slower from the 20th on.
func ExampleAnalyze() {
	t0 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	var history []trend.Entry
	for i := range 30 {
		v := 0.010 * (1 + 0.02*math.Sin(float64(i)*2.3)) // 2% wiggle
		if i >= 20 {
			v *= 1.15
		}
		history = trend.Append(history, trend.Entry{
			Time:       t0.AddDate(0, 0, i),
			Commit:     fmt.Sprintf("c%02d", i),
			Benchmarks: map[string]trend.Summary{"xpcs/g2/multitau": {Median: v, N: 10, Unit: "s"}},
		}, 0)
	}
	tr := trend.Analyze(history, "xpcs/g2/multitau", trend.Options{})
	for _, cp := range tr.ChangePoints {
		fmt.Printf("change at run %d (%s): %.2f ms -> %.2f ms, p=%.3f\n",
			cp.Index, tr.Points[cp.Index].Commit, cp.Before*1e3, cp.After*1e3, cp.P)
	}
	fmt.Printf("slope %+.2f%%/day\n", 100*tr.RelSlopeDay)
	// Output:
	// change at run 20 (c20): 10.01 ms -> 11.53 ms, p=0.005
	// slope +0.65%/day
}
