package ingest_test

import (
	"fmt"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
)

func ExampleRead() {
	const out = `goos: linux
goarch: amd64
pkg: example.com/xpcs
BenchmarkG2/frames=100-8   	  1000	   1718 ns/op	  64 B/op	  2 allocs/op
BenchmarkG2/frames=100-8   	  1000	   1722 ns/op	  64 B/op	  2 allocs/op
BenchmarkG2/frames=100-8   	  1000	   1710 ns/op	  64 B/op	  2 allocs/op
PASS
`
	res, format, err := ingest.Read(strings.NewReader(out), "bench.txt")
	if err != nil {
		fmt.Println(err)
		return
	}
	b := res.Benchmarks[0]
	fmt.Println(format, b.ID, b.Params["frames"], b.Params["gomaxprocs"])
	fmt.Printf("%d samples, median %.4g %s, %s is better\n", len(b.Samples), b.Stats.Median, b.Unit, b.Direction)
	fmt.Println(b.Metrics["B/op"].Samples, b.Metrics["allocs/op"].Direction)
	// Output:
	// gobench example.com/xpcs.BenchmarkG2/frames=100 100 8
	// 3 samples, median 1.718e-06 s, lower is better
	// [64 64 64] lower
}

func ExampleDetect() {
	for _, head := range []string{
		`{"machine_info": {}, "benchmarks": []}`,
		`{"context": {"num_cpus": 2}, "benchmarks": []}`,
		`{"schema": "xpcs-perf/results/v1"}`,
		"BenchmarkX-8  100  12 ns/op\n",
		"hello\n",
	} {
		fmt.Printf("%q\n", ingest.Detect([]byte(head)))
	}
	// Output:
	// "pytest-benchmark"
	// "google-benchmark"
	// "xpcs-perf"
	// "gobench"
	// ""
}
