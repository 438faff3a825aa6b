package fit

import (
	"fmt"
	"testing"
)

// BenchmarkFitCurves fits the 36 curves of testdata/curves.json (61 lags
// each) once per op; the "s/bin" metric is the time per q bin, the figure
// scripts/fit/curvefit_scipy.py reports for scipy's curve_fit. starts=3 is
// the adaptive multi-start (the default), starts=3-all runs every start.
func BenchmarkFitCurves(b *testing.B) {
	cs := loadCurveSet(b)
	for _, m := range []Model{Single, Stretched} {
		for _, method := range Methods {
			for _, v := range []struct {
				starts int
				all    bool
			}{{1, false}, {DefaultStarts, false}, {DefaultStarts, true}} {
				name := fmt.Sprintf("model=%v/method=%v/starts=%d", m, method, v.starts)
				if v.all {
					name += "-all"
				}
				b.Run(name, func(b *testing.B) {
					opt := Options{Model: m, Method: method, Starts: v.starts, AllStarts: v.all}
					for b.Loop() {
						for i := range cs.G2 {
							if _, err := Fit(cs.T, cs.G2[i], cs.Err[i], opt); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(len(cs.G2)), "s/bin")
				})
			}
		}
	}
}
