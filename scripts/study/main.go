// Command study is the detection study of issue 5 item 3: how often each
// regression rule raises a false alarm on identical code (A/A) and how often
// it catches an injected slowdown, on real repeated samples measured on this
// machine.
//
//	go run ./scripts/study [-collect] [-rounds 300] [-trials 2000] [-n 10]
//
// With -collect it first measures the workloads (sort, crc32, json, matmul,
// map) -rounds times each, interleaved, and writes testdata/samples.json;
// without it the committed samples are reused so the study reruns offline
// and gives the same table (every random draw is seeded).
//
// Each trial draws, for every workload, a baseline block and a current block
// of -n consecutive rounds at random non-overlapping positions of the
// recording (consecutive, so slow drifts and bursts of the machine stay in
// the data instead of being shuffled away), multiplies the current block by
// 1+s for a slowdown s, and asks three rules whether it regressed:
//
//	ours    analysis.Compare with DefaultConfig: Mann-Whitney U, BH across
//	        the suite of one trial, and the 20% threshold on the median ratio
//	seed    mean change > 20% and p < 0.05 from z = (mean_c-mean_b)/pooled sd
//	        (the seed's rule: the standard error forgets n)
//	single  last baseline round vs first current round, alert when the ratio
//	        exceeds 200% (github-action-benchmark's default alert-threshold)
//
// A synthetic lognormal workload with CV 5% (fresh samples every trial) is
// part of the suite.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"golang.org/x/sys/unix"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
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

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "study:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("study", flag.ContinueOnError)
	collect := fs.Bool("collect", false, "measure the workloads again and rewrite -samples")
	rounds := fs.Int("rounds", 300, "rounds per workload when collecting")
	roundMS := fs.Float64("round-ms", 2, "target duration of one round in ms when collecting")
	path := fs.String("samples", filepath.Join("scripts", "study", "testdata", "samples.json"), "samples file")
	trials := fs.Int("trials", 2000, "resampled comparisons per scenario")
	n := fs.Int("n", 10, "rounds per side of each comparison")
	seed := fs.Uint64("seed", 1, "seed of the resampling")
	clock := fs.String("clock", "wall", "which recorded samples to study: wall or cpu")
	pairing := fs.String("pairing", "blocks", "how a trial draws its sides: blocks (two separate runs of consecutive rounds) or interleaved (alternate rounds of one run, as when baseline and current are measured side by side)")
	drift := fs.Float64("drift-allowance", analysis.DefaultConfig().DriftAllowance, "drift allowance of our method for separate blocks (0 for interleaved)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rec *Recording
	if *collect {
		rec = measure(*rounds, *roundMS)
		if err := save(*path, rec); err != nil {
			return err
		}
		fmt.Fprintf(w, "collected %d rounds of %d workloads into %s\n\n", *rounds, len(rec.Samples), *path)
	} else {
		r, err := load(*path)
		if err != nil {
			return err
		}
		rec = r
	}
	switch *clock {
	case "wall":
	case "cpu":
		if len(rec.CPUSamples) == 0 {
			return fmt.Errorf("%s has no cpu_samples (recollect with -collect)", *path)
		}
		rec.Samples = rec.CPUSamples
		rec.Machine += " (thread CPU clock)"
	default:
		return fmt.Errorf("-clock %q: want wall or cpu", *clock)
	}
	if *pairing != "blocks" && *pairing != "interleaved" {
		return fmt.Errorf("-pairing %q: want blocks or interleaved", *pairing)
	}
	res, err := simulate(rec, *trials, *n, *seed, *pairing == "interleaved", *drift)
	if err != nil {
		return err
	}
	res.write(w, rec, *trials, *n)
	return nil
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
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func load(path string) (*Recording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run with -collect to measure)", err)
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

// Scenarios are the injected slowdowns; 0 is the A/A comparison.
var Scenarios = []float64{0, 0.10, 0.20, 0.25, 0.30, 0.50}

// Methods are the rules compared side by side.
var Methods = []string{"ours", "seed", "single"}

const synthetic = "synthetic-lognormal-cv5"

type results struct {
	pairing string
	drift   float64
	names   []string
	cv      map[string]float64
	// alarms[method][scenario][name] counts trials flagged as a regression.
	alarms map[string][]map[string]int
}

func simulate(rec *Recording, trials, n int, seed uint64, interleaved bool, drift float64) (*results, error) {
	var names []string
	for k, v := range rec.Samples {
		if len(v) < 2*n+1 {
			return nil, fmt.Errorf("workload %s has %d rounds, need more than %d", k, len(v), 2*n)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	names = append(names, synthetic)
	r := &results{names: names, cv: map[string]float64{}, alarms: map[string][]map[string]int{}}
	for _, name := range names[:len(names)-1] {
		xs := rec.Samples[name]
		r.cv[name] = stat.StdDev(xs, nil) / stat.Mean(xs, nil)
	}
	r.cv[synthetic] = 0.05
	sigma := math.Sqrt(math.Log(1 + 0.05*0.05)) // lognormal with CV exactly 5%
	for _, m := range Methods {
		r.alarms[m] = make([]map[string]int, len(Scenarios))
		for i := range Scenarios {
			r.alarms[m][i] = map[string]int{}
		}
	}
	cfg := analysis.DefaultConfig()
	cfg.DriftAllowance = drift
	r.pairing, r.drift = "two separate blocks of consecutive rounds", drift
	if interleaved {
		r.pairing = "alternate rounds of one block (side by side)"
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	for si, s := range Scenarios {
		for range trials {
			base, cur := &analysis.Results{}, &analysis.Results{}
			sides := map[string][2][]float64{}
			for _, name := range names {
				var b, c []float64
				if name == synthetic {
					b, c = make([]float64, n), make([]float64, n)
					for i := range n {
						b[i] = math.Exp(sigma * rng.NormFloat64())
						c[i] = math.Exp(sigma * rng.NormFloat64())
					}
				} else {
					if interleaved {
						b, c = alternate(rec.Samples[name], n, rng)
					} else {
						b, c = blocks(rec.Samples[name], n, rng)
					}
				}
				c = scale(c, 1+s)
				sides[name] = [2][]float64{b, c}
				base.Benchmarks = append(base.Benchmarks, analysis.Benchmark{ID: name, Name: name, Unit: "s", Samples: b})
				cur.Benchmarks = append(cur.Benchmarks, analysis.Benchmark{ID: name, Name: name, Unit: "s", Samples: c})
			}
			cmp, err := analysis.Compare(base, cur, cfg)
			if err != nil {
				return nil, err
			}
			for _, row := range cmp.Rows {
				if row.Verdict == analysis.Regression {
					r.alarms["ours"][si][row.ID]++
				}
			}
			for _, name := range names {
				b, c := sides[name][0], sides[name][1]
				if seedRule(b, c) {
					r.alarms["seed"][si][name]++
				}
				if c[0]/b[len(b)-1] > 2 {
					r.alarms["single"][si][name]++
				}
			}
		}
	}
	return r, nil
}

// blocks returns two non-overlapping runs of n consecutive rounds at random
// positions (copies).
func blocks(xs []float64, n int, rng *rand.Rand) ([]float64, []float64) {
	for {
		a, b := rng.IntN(len(xs)-n+1), rng.IntN(len(xs)-n+1)
		if a+n <= b || b+n <= a {
			return slices.Clone(xs[a : a+n]), slices.Clone(xs[b : b+n])
		}
	}
}

// alternate returns the even and odd rounds of a random run of 2n
// consecutive rounds, baseline first or second at random.
func alternate(xs []float64, n int, rng *rand.Rand) ([]float64, []float64) {
	a := rng.IntN(len(xs) - 2*n + 1)
	var b, c []float64
	for i := range 2 * n {
		if i%2 == 0 {
			b = append(b, xs[a+i])
		} else {
			c = append(c, xs[a+i])
		}
	}
	if rng.IntN(2) == 1 {
		b, c = c, b
	}
	return b, c
}

func scale(xs []float64, f float64) []float64 {
	for i := range xs {
		xs[i] *= f
	}
	return xs
}

// seedRule is the seed's original decision: a regression when the mean grew
// by more than 20% and p < 0.05, with p from a normal z computed on the
// pooled standard deviation, not the standard error (n is forgotten).
func seedRule(b, c []float64) bool {
	mb, mc := stat.Mean(b, nil), stat.Mean(c, nil)
	pooled := math.Sqrt((stat.Variance(b, nil) + stat.Variance(c, nil)) / 2)
	if !(pooled > 0) {
		return mc > 1.2*mb
	}
	z := (mc - mb) / pooled
	p := 2 * distuv.UnitNormal.Survival(math.Abs(z))
	return mc/mb-1 > 0.2 && p < 0.05
}

func (r *results) write(w io.Writer, rec *Recording, trials, n int) {
	fmt.Fprintf(w, "Samples: %s, collected %s (%d workloads x %d rounds of ~%.0f ms) + synthetic lognormal CV 5%%.\n",
		rec.Machine, rec.Collected.Format("2006-01-02 15:04 MST"), len(rec.Samples), len(rec.Samples[r.names[0]]), rec.RoundMS)
	fmt.Fprintf(w, "%d trials per scenario, %d rounds per side drawn as %s; our drift allowance ±%.0f%%; cells are the %% of trials flagged as a regression.\n\n", trials, n, r.pairing, 100*r.drift)
	fmt.Fprintf(w, "| benchmark | CV | method | A/A false alarms |")
	for _, s := range Scenarios[1:] {
		fmt.Fprintf(w, " +%.0f%% |", 100*s)
	}
	fmt.Fprintf(w, "\n|---|---|---|---|%s\n", strings.Repeat("---|", len(Scenarios)-1))
	for _, name := range r.names {
		for _, m := range Methods {
			fmt.Fprintf(w, "| %s | %.1f%% | %s |", name, 100*r.cv[name], m)
			for si := range Scenarios {
				fmt.Fprintf(w, " %.2f%% |", 100*float64(r.alarms[m][si][name])/float64(trials))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\nMean over the %d benchmarks (A/A = false alarms per benchmark per run):\n\n", len(r.names))
	fmt.Fprintf(w, "| method | A/A |")
	for _, s := range Scenarios[1:] {
		fmt.Fprintf(w, " +%.0f%% |", 100*s)
	}
	fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("---|", len(Scenarios)-1))
	for _, m := range Methods {
		fmt.Fprintf(w, "| %s |", m)
		for si := range Scenarios {
			tot := 0
			for _, name := range r.names {
				tot += r.alarms[m][si][name]
			}
			fmt.Fprintf(w, " %.2f%% |", 100*float64(tot)/float64(trials*len(r.names)))
		}
		fmt.Fprintln(w)
	}
	aa := 0
	for _, name := range r.names {
		aa += r.alarms["ours"][0][name]
	}
	si25 := slices.Index(Scenarios, 0.25)
	p25 := float64(r.alarms["ours"][si25][synthetic]) / float64(trials)
	fmt.Fprintf(w, "\nTargets (ours): A/A false alarms %.2f%% of benchmarks per run (target <= 1%%): %s; +25%% caught at CV 5%% (synthetic) %.1f%% (target >= 95%%): %s\n",
		100*float64(aa)/float64(trials*len(r.names)), okString(float64(aa)/float64(trials*len(r.names)) <= 0.01), 100*p25, okString(p25 >= 0.95))
}

func okString(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
