// Command repeatcv compares two results.json files of the same category run
// back to back: per benchmark the CV of wall time and of CPU time (metric
// cpu-s/op) in each run, and the ratio of medians run 2 / run 1. The last
// line gives the medians over benchmarks. Used by `make bench-runner-repeat`.
//
//	go run ./runner/internal/repeatcv run1.json run2.json
package main

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "repeatcv:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: repeatcv run1.json run2.json")
	}
	a, err := analysis.ReadResultsFile(args[0])
	if err != nil {
		return err
	}
	b, err := analysis.ReadResultsFile(args[1])
	if err != nil {
		return err
	}
	second := map[string]analysis.Benchmark{}
	for _, x := range b.Benchmarks {
		second[x.ID] = x
	}
	fmt.Fprintf(w, "%-64s %8s %8s %7s | %8s %8s %7s\n", "benchmark", "wallCV1", "wallCV2", "m2/m1", "cpuCV1", "cpuCV2", "m2/m1")
	var cvW, cvC, lrW, lrC []float64
	for _, x := range a.Benchmarks {
		y, ok := second[x.ID]
		if !ok || x.Error != "" || y.Error != "" || len(x.Samples) == 0 || len(y.Samples) == 0 {
			continue
		}
		sx, sy := analysis.Describe(x.Samples, ""), analysis.Describe(y.Samples, "")
		cx := analysis.Describe(x.Metrics[runner.CPUMetric].Samples, "")
		cy := analysis.Describe(y.Metrics[runner.CPUMetric].Samples, "")
		rw, rc := sy.Median/sx.Median, cy.Median/cx.Median
		fmt.Fprintf(w, "%-64s %7.1f%% %7.1f%% %7.2f | %7.1f%% %7.1f%% %7.2f\n", x.ID, 100*sx.CV, 100*sy.CV, rw, 100*cx.CV, 100*cy.CV, rc)
		cvW = append(cvW, sx.CV, sy.CV)
		cvC = append(cvC, cx.CV, cy.CV)
		lrW = append(lrW, math.Abs(math.Log(rw)))
		lrC = append(lrC, math.Abs(math.Log(rc)))
	}
	if len(cvW) == 0 {
		return fmt.Errorf("no benchmark measured in both %s and %s", args[0], args[1])
	}
	med := func(x []float64) float64 { return analysis.Describe(x, "").Median }
	fmt.Fprintf(w, "median over benchmarks: wall CV %.1f%%, cpu CV %.1f%%; |log(m2/m1)| wall %.3f, cpu %.3f\n",
		100*med(cvW), 100*med(cvC), med(lrW), med(lrC))
	return nil
}
