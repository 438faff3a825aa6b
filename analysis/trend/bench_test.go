package trend

import (
	"bytes"
	"testing"
)

// BenchmarkAnalyzeAll1000x100: a full history (1,000 nightly runs) of 100
// benchmarks, a third with a +20% step, a fifth drifting.
func BenchmarkAnalyzeAll1000x100(b *testing.B) {
	es := benchHistory(1000, 100, 1)
	b.ResetTimer()
	for b.Loop() {
		if got := AnalyzeAll(es, Options{}); len(got) != 100 {
			b.Fatalf("%d trends", len(got))
		}
	}
}

// BenchmarkReadHistory1000x100 decodes the same history from JSON Lines.
func BenchmarkReadHistory1000x100(b *testing.B) {
	var buf bytes.Buffer
	if err := Write(&buf, benchHistory(1000, 100, 1)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if es, err := Read(bytes.NewReader(buf.Bytes())); err != nil || len(es) != 1000 {
			b.Fatal(err, len(es))
		}
	}
}
