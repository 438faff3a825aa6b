package main

// The workloads of testdata/samples.json: six small real pieces of work
// measured round-robin (-collect), used by the within-run (interleaved)
// scenarios of the study.

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Recording is the content of testdata/samples.json.
type Recording struct {
	Collected time.Time `json:"collected"`
	Machine   string    `json:"machine"`
	RoundMS   float64   `json:"round_ms"` // target duration of one round
	// Samples are wall-clock seconds per operation, in measurement order.
	Samples map[string][]float64 `json:"samples"`
	// CPUSamples are the same rounds timed with the thread's CPU clock
	// (CLOCK_THREAD_CPUTIME_ID): time spent descheduled by neighbours is
	// left out, as on a quiet machine.
	CPUSamples map[string][]float64 `json:"cpu_samples"`
}

// workloads are small, real pieces of work; each returns a value so the
// compiler cannot drop it.
var workloads = map[string]func() uint64{
	"sort-4k": func() uint64 {
		xs := make([]int, 4096)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range xs {
			xs[i] = r.Int()
		}
		slices.Sort(xs)
		return uint64(xs[0])
	},
	"crc32-64k": func() uint64 { return uint64(crc32.ChecksumIEEE(buf64k)) },
	"sha256-16k": func() uint64 {
		s := sha256.Sum256(buf64k[:16<<10])
		return uint64(s[0])
	},
	"json-encode": func() uint64 {
		b, _ := json.Marshal(jsonDoc)
		return uint64(len(b))
	},
	"matmul-48": func() uint64 {
		const m = 48
		var c [m * m]float64
		for i := range m {
			for k := range m {
				a := matA[i*m+k]
				for j := range m {
					c[i*m+j] += a * matA[k*m+j]
				}
			}
		}
		return uint64(c[m*m-1])
	},
	"map-1k": func() uint64 {
		mp := make(map[int]int)
		for i := range 1000 {
			mp[i*7919] = i
		}
		return uint64(len(mp))
	},
}

var (
	buf64k  = make([]byte, 64<<10)
	matA    = make([]float64, 48*48)
	jsonDoc []map[string]any
)

func init() {
	for i := range buf64k {
		buf64k[i] = byte(i * 31)
	}
	for i := range matA {
		matA[i] = float64(i%17) / 7
	}
	for i := range 50 {
		jsonDoc = append(jsonDoc, map[string]any{"id": i, "name": fmt.Sprintf("item-%d", i), "tags": []string{"a", "b"}, "v": float64(i) / 3})
	}
}

var sink uint64

// measure times every workload rounds times, round-robin, each round running
// enough iterations to last about roundMS milliseconds.
func measure(rounds int, roundMS float64) *Recording {
	names := sortedNames()
	iters := map[string]int{}
	for _, name := range names {
		f := workloads[name]
		n := 1
		for {
			start := time.Now()
			for range n {
				sink += f()
			}
			if el := time.Since(start); el.Seconds()*1e3 >= roundMS/4 {
				iters[name] = max(1, int(float64(n)*roundMS/(el.Seconds()*1e3)))
				break
			}
			n *= 2
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rec := &Recording{Collected: time.Now().UTC(), RoundMS: roundMS, Samples: map[string][]float64{}, CPUSamples: map[string][]float64{},
		Machine: fmt.Sprintf("%s/%s %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())}
	for range rounds {
		for _, name := range names {
			f, n := workloads[name], iters[name]
			cpu0 := threadCPU()
			start := time.Now()
			for range n {
				sink += f()
			}
			el := time.Since(start)
			rec.Samples[name] = append(rec.Samples[name], el.Seconds()/float64(n))
			rec.CPUSamples[name] = append(rec.CPUSamples[name], (threadCPU()-cpu0)/float64(n))
		}
	}
	return rec
}

// threadCPU returns the CPU time of the calling thread in seconds.
func threadCPU() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return float64(ts.Nano()) / 1e9
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.IndexByte(l, ':'); i > 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown CPU"
}

func sortedNames() []string {
	names := make([]string, 0, len(workloads))
	for k := range workloads {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func save(path string, rec *Recording) error {
	b, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return fmt.Errorf("save samples: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save samples: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func load(path string) (*Recording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("samples: %w (run with -collect to measure)", err)
	}
	var rec Recording
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rec.Samples) == 0 {
		return nil, fmt.Errorf("%s: no samples", path)
	}
	return &rec, nil
}
