package ingest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// genResults writes an xpcs-perf results.json of about size bytes: many
// benchmarks of 20 samples each.
func genResults(w io.Writer, size int64) error {
	bw := bufio.NewWriter(w)
	cw := &countWriter{w: bw}
	fmt.Fprint(cw, `{"schema":"xpcs-perf/results/v1","run":{"commit":"abc"},"benchmarks":[`)
	for i := 0; cw.n < size; i++ {
		if i > 0 {
			fmt.Fprint(cw, ",")
		}
		fmt.Fprintf(cw, "\n  {\"id\":\"scientific/g2/multitau[size=%d]\",\"name\":\"multitau\",\"unit\":\"s\",\"direction\":\"lower\",\"samples\":[", i)
		for j := 0; j < 20; j++ {
			if j > 0 {
				fmt.Fprint(cw, ",")
			}
			fmt.Fprint(cw, strconv.FormatFloat(0.0123456789+float64(i%97+j)*1e-5, 'g', -1, 64))
		}
		fmt.Fprint(cw, "]}")
	}
	fmt.Fprint(cw, "\n]}\n")
	return bw.Flush()
}

// genPytest writes a pytest-benchmark file of about size bytes: 50
// benchmarks whose stats.data hold the raw rounds.
func genPytest(w io.Writer, size int64) error {
	bw := bufio.NewWriter(w)
	cw := &countWriter{w: bw}
	const nb = 50
	per := size / nb / 22 // ~22 bytes per sample
	fmt.Fprint(cw, `{"machine_info":{"system":"Linux"},"commit_info":{"id":"abc"},"benchmarks":[`)
	for i := 0; i < nb; i++ {
		if i > 0 {
			fmt.Fprint(cw, ",")
		}
		fmt.Fprintf(cw, "\n{\"group\":null,\"name\":\"test_%d\",\"fullname\":\"t.py::test_%d\",\"params\":null,\"stats\":{\"min\":1,\"max\":2,\"mean\":1.5,\"stddev\":0.1,\"rounds\":%d,\"median\":1.5,\"iqr\":0.1,\"q1\":1.4,\"q3\":1.6,\"iterations\":1,\"data\":[", i, i, per)
		for j := int64(0); j < per; j++ {
			if j > 0 {
				fmt.Fprint(cw, ",\n")
			}
			fmt.Fprint(cw, strconv.FormatFloat(1+float64(j%1000)*1.2345678e-4, 'g', -1, 64))
		}
		fmt.Fprint(cw, "]}}")
	}
	fmt.Fprint(cw, "\n],\"datetime\":\"2026-01-01T00:00:00\",\"version\":\"5.2.3\"}\n")
	return bw.Flush()
}

// genGobench writes `go test -bench` text of about size bytes: 1000
// benchmarks repeated until the size is reached.
func genGobench(w io.Writer, size int64) error {
	bw := bufio.NewWriter(w)
	cw := &countWriter{w: bw}
	fmt.Fprint(cw, "goos: linux\ngoarch: amd64\npkg: example.com/m\n")
	for r := 0; cw.n < size; r++ {
		for i := 0; i < 1000; i++ {
			fmt.Fprintf(cw, "BenchmarkX/size=%d-2 \t 1000 \t %d ns/op \t %d B/op \t 3 allocs/op\n", i, 1000+r%17, 64*i)
		}
	}
	return bw.Flush()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// peakHeap runs fn and returns the peak of heap objects (live and not yet
// collected) above the level before fn, sampled every 100 µs from
// runtime/metrics (an approximation from below: a peak between two samples
// can be missed), and live, the heap still held by fn's result after a GC.
func peakHeap(fn func() any) (peakBytes, liveBytes uint64) {
	const name = "/memory/classes/heap/objects:bytes"
	sample := []metrics.Sample{{Name: name}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s := []metrics.Sample{{Name: name}}
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	kept := fn()
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	close(done)
	<-stopped
	runtime.GC()
	live := read()
	runtime.KeepAlive(kept)
	sub := func(v uint64) uint64 {
		if v > base {
			return v - base
		}
		return 0
	}
	return sub(peak.Load()), sub(live)
}

var generators = []struct {
	name string
	gen  func(io.Writer, int64) error
}{
	{"results", genResults},
	{"pytest", genPytest},
	{"gobench", genGobench},
}

func writeGenerated(tb testing.TB, dir string, gen func(io.Writer, int64) error, size int64) (string, int64) {
	tb.Helper()
	p := filepath.Join(dir, "big")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if err := gen(f, size); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		tb.Fatal(err)
	}
	return p, st.Size()
}

// TestStreamingMemory checks that reading does not hold the file in memory:
// the peak heap (live plus not yet collected garbage) stays under 5x the file
// size. The decoded Results alone are 0.4x (pytest data) to 1.5x (many small
// results.json benchmarks) of the file; the brief's limit is 10x.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes 3 x 8 MB; heap figures are meaningless under -race")
	}
	for _, g := range generators {
		t.Run(g.name, func(t *testing.T) {
			p, size := writeGenerated(t, t.TempDir(), g.gen, 8<<20)
			var n int
			peak, live := peakHeap(func() any {
				res, _, err := ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				n = len(res.Benchmarks)
				return res
			})
			t.Logf("%s: %.1f MB file, %d benchmarks, peak heap %.1f MB (%.2fx the file), result %.1f MB", g.name, float64(size)/1e6, n, float64(peak)/1e6, float64(peak)/float64(size), float64(live)/1e6)
			if limit := uint64(5 * size); peak > limit {
				t.Errorf("peak heap %d B > %d B (5x the %d B file)", peak, limit, size)
			}
		})
	}
}

// BenchmarkReadLarge reads 100 MB inputs of each format and reports the peak
// heap above the start (peak-MB) and its ratio to the file size (peak/file).
func BenchmarkReadLarge(b *testing.B) {
	for _, g := range generators {
		b.Run(g.name+"-100MB", func(b *testing.B) {
			p, size := writeGenerated(b, b.TempDir(), g.gen, 100<<20)
			b.SetBytes(size)
			b.ResetTimer()
			var worst, live uint64
			for b.Loop() {
				peak, l := peakHeap(func() any {
					res, _, err := ReadFile(p)
					if err != nil {
						b.Fatal(err)
					}
					return res
				})
				worst, live = max(worst, peak), l
			}
			b.ReportMetric(float64(worst)/1e6, "peak-MB")
			b.ReportMetric(float64(worst)/float64(size), "peak/file")
			b.ReportMetric(float64(live)/1e6, "result-MB")
		})
	}
	// Side by side: analysis.ReadResults decodes the document in one
	// Decoder.Decode call, which buffers the whole file first.
	b.Run("results-100MB-ReadResults", func(b *testing.B) {
		p, size := writeGenerated(b, b.TempDir(), genResults, 100<<20)
		b.SetBytes(size)
		b.ResetTimer()
		var worst, live uint64
		for b.Loop() {
			peak, l := peakHeap(func() any {
				res, err := analysis.ReadResultsFile(p)
				if err != nil {
					b.Fatal(err)
				}
				return res
			})
			worst, live = max(worst, peak), l
		}
		b.ReportMetric(float64(worst)/1e6, "peak-MB")
		b.ReportMetric(float64(worst)/float64(size), "peak/file")
		b.ReportMetric(float64(live)/1e6, "result-MB")
	})
}
