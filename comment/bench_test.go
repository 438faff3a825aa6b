package comment

import (
	"io"
	"testing"
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
