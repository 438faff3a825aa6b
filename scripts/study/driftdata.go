package main

// The real run-to-run drift recording: the same suite run many times at
// different moments on this machine (testdata/drift.json), collected from a
// directory of results files by -collect-drift (scripts/study/record-drift.sh
// records one).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// DriftRecording is the content of testdata/drift.json: every run of the
// suite with, per benchmark (index into IDs), its wall-clock samples and its
// process CPU-time samples (cpu-s/op), seconds per operation rounded to 4
// significant digits. A benchmark missing or failed in a run has no samples
// there.
type DriftRecording struct {
	Collected time.Time  `json:"collected"`
	Machine   string     `json:"machine"`
	Command   string     `json:"command"`
	IDs       []string   `json:"ids"`
	Runs      []DriftRun `json:"runs"`
}

// DriftRun is one run of the suite.
type DriftRun struct {
	Time time.Time `json:"time"` // when the run finished
	// Load1 is the 1-minute load average just after the run (0: not recorded).
	Load1 float64     `json:"load1,omitempty"`
	Wall  [][]float64 `json:"wall"`
	CPU   [][]float64 `json:"cpu"`
}

// driftCommand is the suite the recording runs (scripts/study/record-drift.sh).
const driftCommand = "xpcs-perf run --category scientific,memory,hdf5 --sizes tiny"

// collectDrift reads every run-*.json results file of dir (and dir/log, the
// "HH:MM:SS run NN load X" lines of record-drift.sh, for the load average)
// into a DriftRecording, runs in time order.
func collectDrift(dir string) (*DriftRecording, error) {
	files, err := filepath.Glob(filepath.Join(dir, "run-*.json"))
	if err != nil {
		return nil, fmt.Errorf("collect drift: %w", err)
	}
	if len(files) < 2 {
		return nil, fmt.Errorf("collect drift: %d run-*.json files in %s, need at least 2", len(files), dir)
	}
	loads := readLoads(filepath.Join(dir, "log"))
	var results []*analysis.Results
	var runLoads []float64
	for _, f := range files {
		res, err := readResults(f)
		if err != nil {
			return nil, fmt.Errorf("collect drift: %w", err)
		}
		results = append(results, res)
		runLoads = append(runLoads, loads[runNumber(f)])
	}
	return buildRecording(results, runLoads), nil
}

// buildRecording turns results files (one per run) into a recording.
func buildRecording(results []*analysis.Results, loads []float64) *DriftRecording {
	rec := &DriftRecording{Collected: time.Now().UTC().Truncate(time.Second), Command: driftCommand}
	m := results[0].Machine
	rec.Machine = fmt.Sprintf("%s, %d cores, %s", m.CPUModel, m.Cores, m.OS)
	seen := map[string]bool{}
	for _, res := range results {
		for _, b := range res.Benchmarks {
			if !seen[b.ID] {
				seen[b.ID] = true
				rec.IDs = append(rec.IDs, b.ID)
			}
		}
	}
	slices.Sort(rec.IDs)
	for i, res := range results {
		run := DriftRun{Time: res.Run.Finished.UTC(), Load1: loads[i]}
		if run.Time.IsZero() {
			run.Time = res.Run.Started.UTC()
		}
		byID := map[string]*analysis.Benchmark{}
		for k := range res.Benchmarks {
			byID[res.Benchmarks[k].ID] = &res.Benchmarks[k]
		}
		for _, id := range rec.IDs {
			var wall, cpu []float64
			if b := byID[id]; b != nil && b.Error == "" {
				wall, cpu = round4(b.Samples), round4(b.Metrics["cpu-s/op"].Samples)
			}
			run.Wall, run.CPU = append(run.Wall, wall), append(run.CPU, cpu)
		}
		rec.Runs = append(rec.Runs, run)
	}
	slices.SortStableFunc(rec.Runs, func(a, b DriftRun) int { return a.Time.Compare(b.Time) })
	return rec
}

func readResults(path string) (*analysis.Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res analysis.Results
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &res, nil
}

var (
	runNumberRE = regexp.MustCompile(`run-(\d+)\.json$`)
	logLineRE   = regexp.MustCompile(`^\S+ run (\d+) load ([0-9.]+)`)
)

func runNumber(path string) int {
	m := runNumberRE.FindStringSubmatch(path)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// readLoads maps run numbers to the load average logged after them; a
// missing or unreadable log gives an empty map (load left out).
func readLoads(path string) map[int]float64 {
	out := map[int]float64{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := logLineRE.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[1])
			out[n], _ = strconv.ParseFloat(m[2], 64)
		}
	}
	return out
}

// round4 rounds every value to 4 significant digits (nil stays nil).
func round4(xs []float64) []float64 {
	if xs == nil {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i], _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	}
	return out
}

// saveDrift writes rec compactly: one line per run.
func saveDrift(path string, rec *DriftRecording) error {
	var buf bytes.Buffer
	head, err := json.Marshal(struct {
		Collected time.Time `json:"collected"`
		Machine   string    `json:"machine"`
		Command   string    `json:"command"`
		IDs       []string  `json:"ids"`
	}{rec.Collected, rec.Machine, rec.Command, rec.IDs})
	if err != nil {
		return fmt.Errorf("save drift: %w", err)
	}
	buf.Write(head[:len(head)-1])
	buf.WriteString(",\n\"runs\":[\n")
	for i, r := range rec.Runs {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("save drift: %w", err)
		}
		buf.Write(line)
		if i < len(rec.Runs)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save drift: %w", err)
	}
	return nil
}

func loadDrift(path string) (*DriftRecording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("drift recording: %w (see -collect-drift)", err)
	}
	var rec DriftRecording
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("drift recording %s: %w", path, err)
	}
	if len(rec.Runs) < 2 {
		return nil, fmt.Errorf("drift recording %s: %d runs, need at least 2", path, len(rec.Runs))
	}
	for i, r := range rec.Runs {
		if len(r.Wall) != len(rec.IDs) || len(r.CPU) != len(rec.IDs) {
			return nil, fmt.Errorf("drift recording %s: run %d has %d/%d benchmarks, want %d", path, i, len(r.Wall), len(r.CPU), len(rec.IDs))
		}
	}
	return &rec, nil
}

// suiteRun is one recorded run of the suite as the scenarios use it.
type suiteRun struct {
	time time.Time
	runData
}

// driftRuns returns the recording's runs on clock "wall" or "cpu" (the
// samples are that clock's), or "auto" (wall samples with the CPU time as
// the cpu-s/op metric: CompareRuns chooses, as in production).
func driftRuns(rec *DriftRecording, clock string) ([]suiteRun, error) {
	var out []suiteRun
	for _, r := range rec.Runs {
		run := suiteRun{time: r.Time}
		switch clock {
		case "wall":
			run.samples = r.Wall
		case "cpu":
			run.samples = r.CPU
		case "auto":
			run.samples, run.cpu = r.Wall, r.CPU
		default:
			return nil, fmt.Errorf("-clock %q: want auto, wall or cpu", clock)
		}
		out = append(out, run)
	}
	return out, nil
}

// describeDrift summarises the recording for the report: runs, time span,
// load range.
func describeDrift(rec *DriftRecording) string {
	first, last := rec.Runs[0].Time, rec.Runs[len(rec.Runs)-1].Time
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rec.Runs {
		if r.Load1 > 0 {
			lo, hi = min(lo, r.Load1), max(hi, r.Load1)
		}
	}
	load := "load average not recorded"
	if hi > 0 {
		load = fmt.Sprintf("1-min load average %.1f-%.1f on 2 cores", lo, hi)
	}
	return fmt.Sprintf("%d runs of `%s` (%d benchmarks, 10 rounds each), %s to %s UTC, %s; %s",
		len(rec.Runs), rec.Command, len(rec.IDs), first.Format("2006-01-02 15:04"), last.Format("15:04"),
		strings.TrimSpace(rec.Machine), load)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
