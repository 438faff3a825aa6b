package analysis_test

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func ExampleRule_Check() {
	r, _ := analysis.ParseRule("mean:10%")
	base := analysis.Stats{Mean: 0.000200}
	cur := analysis.Stats{Mean: 0.000230}
	fmt.Println(r.Check(base, cur))
	// Output: Field 'mean' has failed PercentageRegressionCheck: 15.000000000 > 10.000000000
}

func ExampleParseGate() {
	g, _ := analysis.ParseGate(analysis.DefaultGate)
	fail, reasons, _ := g.Eval(map[string]float64{"critical": 0, "major": 4, "regressed_pct": 12.5})
	fmt.Println(fail, reasons)
	// Output: true [major=4 > 3]
}

func ExampleCompare() {
	base := &analysis.Results{Benchmarks: []analysis.Benchmark{
		{ID: "hdf5/read", Unit: "s", Samples: []float64{1.00, 1.02, 0.99, 1.01, 1.00, 0.98}},
	}}
	cur := &analysis.Results{Benchmarks: []analysis.Benchmark{
		{ID: "hdf5/read", Unit: "s", Samples: []float64{1.61, 1.58, 1.60, 1.63, 1.59, 1.62}},
	}}
	// Base and head measured side by side (A/B): no run-to-run drift between
	// them. With the default allowance for separate runs without history
	// (±200%), the same +60% would be inconclusive, naming the drift.
	cfg := analysis.DefaultConfig()
	cfg.DriftAllowance = 0
	c, _ := analysis.Compare(base, cur, cfg)
	r := c.Rows[0]
	fmt.Printf("%s %s ratio=%.3f p=%.4f gate pass=%v\n", r.Verdict, r.Severity, r.Ratio, r.P, c.Gate.Pass)
	c, _ = analysis.Compare(base, cur, analysis.DefaultConfig())
	fmt.Printf("separate runs: %s, past the threshold: %v\n", c.Rows[0].Verdict, c.Rows[0].PastThreshold)
	// Output:
	// regression major ratio=1.605 p=0.0022 gate pass=false
	// separate runs: inconclusive, past the threshold: true
}
