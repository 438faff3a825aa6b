package comment

import (
	"fmt"
	"io"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// The renderers run once per action run; these benchmarks make sure a
// 10,000-row comparison stays well under a second.

func BenchmarkMarkdown10k(b *testing.B) {
	c := largeComparison(10000)
	b.ReportAllocs()
	for b.Loop() {
		if md := Markdown(c, Options{}); len(md) > DefaultMaxChars {
			b.Fatal("cap exceeded")
		}
	}
}

func BenchmarkMarkdown1k(b *testing.B) {
	c := largeComparison(1000)
	b.ReportAllocs()
	for b.Loop() {
		Markdown(c, Options{})
	}
}

func BenchmarkJSON10k(b *testing.B) {
	c := largeComparison(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJUnit10k(b *testing.B) {
	c := largeComparison(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJUnit(io.Discard, c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTML10k(b *testing.B) {
	c := largeComparison(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, c, Options{}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// countWriter counts the bytes written to it.
type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

// BenchmarkReportTrends writes report.json and report.html for 1,000 trends
// of 1,000 points (the reliability load scenario), with the default cap of
// DefaultMaxTrendPoints and without a cap (max=all); "MB" is the output size.
func BenchmarkReportTrends(b *testing.B) {
	c := &analysis.Comparison{Category: "load", Gate: analysis.Gate{Pass: true}}
	for i := range 1000 {
		tr := longTrend(1000)
		tr.ID = fmt.Sprintf("load/g/b%04d", i)
		c.Trends = append(c.Trends, tr)
	}
	for _, max := range []int{0, -1} {
		name := "max=default"
		if max < 0 {
			name = "max=all"
		}
		opt := Options{MaxTrendPoints: max}
		b.Run("json/"+name, func(b *testing.B) {
			var n countWriter
			for b.Loop() {
				n = 0
				if err := WriteJSON(&n, c, opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/1e6, "MB")
		})
		b.Run("html/"+name, func(b *testing.B) {
			var n countWriter
			for b.Loop() {
				n = 0
				if err := WriteHTML(&n, c, opt, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/1e6, "MB")
		})
	}
}
