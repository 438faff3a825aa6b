package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Export formats accepted by [Export].
const (
	ExportPytest = "pytest-benchmark"
	ExportGo     = "gobench"
)

// Export writes res to path in format (ExportPytest or ExportGo).
func Export(format, path string, res *analysis.Results) error {
	var write func(io.Writer, *analysis.Results) error
	switch format {
	case ExportPytest:
		write = WritePytestBenchmark
	case ExportGo:
		write = WriteGoBench
	default:
		return fmt.Errorf("export %s: unknown format %q (want %s or %s)", path, format, ExportPytest, ExportGo)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := write(f, res); err != nil {
		f.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// pytestFile is the subset of pytest-benchmark's --benchmark-json document
// that its compare command and the ingest adapters read.
type pytestFile struct {
	MachineInfo map[string]any `json:"machine_info"`
	CommitInfo  map[string]any `json:"commit_info"`
	Benchmarks  []pytestBench  `json:"benchmarks"`
	Datetime    string         `json:"datetime"`
	Version     string         `json:"version"`
}

type pytestBench struct {
	Group     *string           `json:"group"`
	Name      string            `json:"name"`
	Fullname  string            `json:"fullname"`
	Params    map[string]string `json:"params"`
	Param     *string           `json:"param"`
	ExtraInfo map[string]any    `json:"extra_info"`
	Options   map[string]any    `json:"options"`
	Stats     map[string]any    `json:"stats"`
}

// WritePytestBenchmark writes res as a pytest-benchmark JSON file (format of
// pytest-benchmark 3.x-5.x: machine_info, commit_info, benchmarks[].stats with
// the raw per-round data). fullname is the xpcs-perf ID, name is
// "name[param]" as pytest names parametrised tests, group is
// "category/group". Errored benchmarks are left out (pytest-benchmark has no
// way to record them) and listed in extra_info of none; see results.json.
func WritePytestBenchmark(w io.Writer, res *analysis.Results) error {
	m := res.Machine
	out := pytestFile{
		MachineInfo: map[string]any{
			"node": m.RunnerName, "processor": m.Arch, "machine": m.Arch,
			"python_implementation": "Go", "python_version": strings.TrimPrefix(m.GoVersion, "go"),
			"python_compiler": m.GoVersion, "python_build": []string{m.GoVersion},
			"release": m.Kernel, "system": osSystem(),
			"cpu": map[string]any{"brand_raw": m.CPUModel, "count": m.Cores, "arch": m.Arch},
		},
		CommitInfo: map[string]any{
			"id": res.Run.Commit, "branch": res.Run.Branch, "dirty": false, "project": res.Run.Repository,
			"time": res.Run.Started.Format(time.RFC3339),
		},
		Datetime: res.Run.Started.Format(time.RFC3339),
		Version:  "5.1.0",
	}
	for _, b := range res.Benchmarks {
		if b.Error != "" || len(b.Samples) == 0 {
			continue
		}
		st := b.Stats
		if st == nil {
			d := analysis.Describe(b.Samples, b.Unit)
			st = &d
		}
		group := b.Category + "/" + b.Group
		pb := pytestBench{
			Group: &group, Name: b.Name, Fullname: b.ID, Params: b.Params,
			ExtraInfo: b.Extra,
			Options: map[string]any{
				"disable_gc": false, "timer": "time.Now (monotonic)", "min_rounds": res.Config["min_rounds"],
				"max_time": res.Config["max_time_s"], "min_time": res.Config["min_time_s"], "warmup": true,
			},
		}
		if len(b.Params) > 0 {
			keys := slices.Sorted(maps.Keys(b.Params))
			vals := make([]string, len(keys))
			for i, k := range keys {
				vals[i] = b.Params[k]
			}
			p := strings.Join(vals, "-")
			pb.Param = &p
			pb.Name += "[" + p + "]"
		}
		if pb.ExtraInfo == nil {
			pb.ExtraInfo = map[string]any{}
		}
		lo, hi := tukeyFences(b.Samples, st)
		total := 0.0
		for _, s := range b.Samples {
			total += s * float64(max(b.Iterations, 1))
		}
		pb.Stats = map[string]any{
			"min": st.Min, "max": st.Max, "mean": st.Mean, "stddev": st.Stddev, "rounds": len(b.Samples),
			"median": st.Median, "iqr": st.IQR, "q1": st.Q1, "q3": st.Q3,
			"iqr_outliers": outlierCount(st.Outliers, 1), "stddev_outliers": outlierCount(st.Outliers, 0),
			"outliers": st.Outliers, "ld15iqr": lo, "hd15iqr": hi, "ops": st.Ops, "total": total,
			"iterations": max(b.Iterations, 1), "data": b.Samples,
		}
		out.Benchmarks = append(out.Benchmarks, pb)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(out)
}

func osSystem() string {
	if runtime.GOOS == "linux" {
		return "Linux"
	}
	return runtime.GOOS
}

// tukeyFences returns pytest-benchmark's ld15iqr and hd15iqr: the smallest and
// largest samples inside [q1 - 1.5 IQR, q3 + 1.5 IQR].
func tukeyFences(samples []float64, st *analysis.Stats) (lo, hi float64) {
	s := slices.Sorted(slices.Values(samples))
	l, h := st.Q1-1.5*st.IQR, st.Q3+1.5*st.IQR
	lo, hi = s[0], s[len(s)-1]
	for _, v := range s {
		if v >= l {
			lo = v
			break
		}
	}
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] <= h {
			hi = s[i]
			break
		}
	}
	return lo, hi
}

func outlierCount(outliers string, i int) int {
	parts := strings.Split(outliers, ";")
	if i >= len(parts) {
		return 0
	}
	var n int
	fmt.Sscan(parts[i], &n)
	return n
}

// WriteGoBench writes res as Go benchmark text (the format of go test -bench
// -benchmem -count=N, golang.org/x/perf/benchfmt): one line per round,
// "BenchmarkCategory/group/name/k=v-P  iterations  ns/op  B/op  allocs/op
// cpu-ns/op [instructions/op]",
// so benchstat sees the rounds as its repeated runs and the params as
// sub-benchmark keys. Errored benchmarks are left out; a "# error" comment
// names them (benchfmt ignores lines that are not results).
func WriteGoBench(w io.Writer, res *analysis.Results) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\npkg: xpcs-perf\n", runtime.GOOS, orDefault(res.Machine.Arch, runtime.GOARCH))
	if res.Machine.CPUModel != "" {
		fmt.Fprintf(bw, "cpu: %s\n", res.Machine.CPUModel)
	}
	if res.Run.Commit != "" {
		fmt.Fprintf(bw, "commit: %s\n", res.Run.Commit)
	}
	procs := res.Machine.Cores
	if v, ok := res.Config["gomaxprocs"].(int); ok {
		procs = v
	}
	for _, b := range res.Benchmarks {
		if b.Error != "" || len(b.Samples) == 0 {
			msg, _, _ := strings.Cut(b.Error, "\n")
			fmt.Fprintf(bw, "# %s: error: %s\n", b.ID, msg)
			continue
		}
		name := GoBenchName(&b)
		// Always suffixed (even -1, which go test omits) so that a name ending
		// in "-<digits>" is never mistaken for the GOMAXPROCS suffix.
		name += fmt.Sprintf("-%d", max(procs, 1))
		bm, am := b.Metrics["B/op"].Samples, b.Metrics["allocs/op"].Samples
		cpu, ins := b.Metrics[CPUMetric].Samples, b.Metrics["instructions/op"].Samples
		for i, s := range b.Samples {
			fmt.Fprintf(bw, "%s\t%d\t%s ns/op", name, max(b.Iterations, 1), formatFloat(s*1e9))
			if i < len(bm) && i < len(am) {
				fmt.Fprintf(bw, "\t%s B/op\t%s allocs/op", formatFloat(bm[i]), formatFloat(am[i]))
			}
			if i < len(cpu) { // process CPU time: steadier than wall time on loaded machines
				fmt.Fprintf(bw, "\t%s cpu-ns/op", formatFloat(cpu[i]*1e9))
			}
			if i < len(ins) {
				fmt.Fprintf(bw, "\t%s instructions/op", formatFloat(ins[i]))
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}

// GoBenchName maps an ID to a Go benchmark name: "Benchmark" + capitalised
// category, then /group/name and one /k=v per param (sorted). Spaces and
// other characters Go benchmark names cannot hold become "_".
func GoBenchName(b *analysis.Benchmark) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return '_'
			}
			return r
		}, s)
	}
	cat := b.Category
	if cat != "" {
		cat = strings.ToUpper(cat[:1]) + cat[1:]
	}
	parts := []string{"Benchmark" + clean(cat), clean(b.Group), clean(b.Name)}
	for _, k := range slices.Sorted(maps.Keys(b.Params)) {
		parts = append(parts, clean(k)+"="+clean(b.Params[k]))
	}
	return strings.Join(parts, "/")
}

func formatFloat(v float64) string { return fmt.Sprintf("%.6g", v) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
