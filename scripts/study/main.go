// Command study is the detection study of issue 12 item 6: how often the
// comparison (the real analysis.CompareRuns, whole suites per trial) raises
// a false alarm on identical code (A/A) and how often it catches an injected
// slowdown, on real run-to-run drift recorded on this machine.
//
//	go run ./scripts/study [-clock auto|wall|cpu] [-trials 250] [-seed 1]
//	go run ./scripts/study -collect-drift DIR   # rewrite testdata/drift.json from DIR/run-*.json
//	go run ./scripts/study -collect             # re-measure testdata/samples.json
//
// Data (committed, so the study reruns offline; every draw is seeded):
//
//   - testdata/drift.json: the same suite (xpcs-perf run --category
//     scientific,memory,hdf5 --sizes tiny: 58 benchmarks x 10 rounds) run
//     many times minutes apart under varying load, wall and process-CPU
//     samples per round (record-drift.sh records one, -collect-drift packs it);
//   - testdata/samples.json: six small workloads x 300 rounds measured
//     round-robin in one process (the within-run, interleaved scenario);
//   - synthetic lognormal suites (fresh samples every trial).
//
// Scenarios (each at +0/+10/+25/+50/+200%: every current sample multiplied
// by 1+s):
//
//	separate runs, no history   baseline run i, current run j != i, allowance a
//	separate runs, history      same, drift from a history of 10-20 other runs
//	interleaved                 alternate rounds of one run (allowance 0)
//	heavy tails                 10-30% of the rounds of every side x U(2,6)
//	3 vs 3 runs                 runs as units, paired by position
//
// Cells are shares of benchmarks per run (false alarms for A/A, detection
// for slowdowns), and the share of comparisons whose gate failed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "study:", err)
		os.Exit(1)
	}
}

// options are the command-line settings of one study run.
type options struct {
	clock      string
	trials     int
	synthetic  int
	seed       uint64
	driftPath  string
	samplePath string
	quick      bool
}

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("study", flag.ContinueOnError)
	dir := filepath.Join("scripts", "study", "testdata")
	var o options
	collect := fs.Bool("collect", false, "measure the workloads again and rewrite -samples")
	rounds := fs.Int("rounds", 300, "rounds per workload when collecting")
	roundMS := fs.Float64("round-ms", 2, "target duration of one round in ms when collecting")
	collectDriftDir := fs.String("collect-drift", "", "read DIR/run-*.json (and DIR/log) recorded by record-drift.sh and rewrite -drift")
	fs.StringVar(&o.samplePath, "samples", filepath.Join(dir, "samples.json"), "workload samples file")
	fs.StringVar(&o.driftPath, "drift", filepath.Join(dir, "drift.json"), "drift recording")
	fs.StringVar(&o.clock, "clock", "auto", "primary clock: auto (wall samples plus cpu-s/op: CompareRuns chooses per benchmark, as in production), wall or cpu (only that clock's samples)")
	fs.IntVar(&o.trials, "trials", 250, "at most this many run pairs per drift scenario")
	fs.IntVar(&o.synthetic, "synthetic-trials", 1000, "trials per synthetic and interleaved-workload scenario")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of every random draw")
	fs.BoolVar(&o.quick, "quick", false, "skip the allowance table (tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.clock != "auto" && o.clock != "wall" && o.clock != "cpu" {
		return fmt.Errorf("-clock %q: want auto, wall or cpu", o.clock)
	}
	if *collectDriftDir != "" {
		rec, err := collectDrift(*collectDriftDir)
		if err != nil {
			return err
		}
		if err := saveDrift(o.driftPath, rec); err != nil {
			return err
		}
		fmt.Fprintf(w, "collected %d runs of %d benchmarks into %s\n", len(rec.Runs), len(rec.IDs), o.driftPath)
		return nil
	}
	if *collect {
		rec := measure(*rounds, *roundMS)
		if err := save(o.samplePath, rec); err != nil {
			return err
		}
		fmt.Fprintf(w, "collected %d rounds of %d workloads into %s\n\n", *rounds, len(rec.Samples), o.samplePath)
	}
	return study(w, o)
}

// study loads the data, evaluates every scenario and writes the report.
func study(w io.Writer, o options) error {
	t0 := time.Now()
	drec, err := loadDrift(o.driftPath)
	if err != nil {
		return err
	}
	wrec, err := load(o.samplePath)
	if err != nil {
		return err
	}
	if o.clock != "wall" {
		if len(wrec.CPUSamples) == 0 {
			return fmt.Errorf("%s has no cpu_samples (recollect with -collect)", o.samplePath)
		}
		if o.clock == "cpu" {
			wrec.Samples, wrec.CPUSamples = wrec.CPUSamples, nil
		}
	} else {
		wrec.CPUSamples = nil
	}
	runs, err := driftRuns(drec, o.clock)
	if err != nil {
		return err
	}
	rep := &report{o: o, drift: drec, workloads: wrec}
	rep.spread = driftSpread(drec)
	for _, sc := range scenarios(o, runs, drec.IDs, wrec) {
		if sc == nil {
			continue // not enough runs recorded for it
		}
		out, err := evaluate(sc, o.seed)
		if err != nil {
			return err
		}
		rep.outcomes = append(rep.outcomes, out)
	}
	if !o.quick {
		for _, a := range Allowances {
			sc := separateRuns(fmt.Sprintf("allowance %g", a), runs, drec.IDs, a, o.trials, o.seed)
			sc.Changes = []float64{0, 0.50, 2.00, 3.00}
			out, err := evaluate(sc, o.seed)
			if err != nil {
				return err
			}
			rep.allowances = append(rep.allowances, allowanceRow{a, out})
		}
		for _, k := range WidenChoices {
			sc := withHistory(fmt.Sprintf("widen %g", k), runs, drec.IDs, o.trials, o.seed, 10, 20)
			sc.Changes, sc.Widen = []float64{0, 0.50, 2.00}, k
			out, err := evaluate(sc, o.seed)
			if err != nil {
				return err
			}
			rep.widen = append(rep.widen, allowanceRow{k, out})
		}
	}
	rep.write(w)
	fmt.Fprintf(w, "\n(study ran in %s)\n", since(t0))
	return nil
}

// Scenario names used by the targets.
const (
	scNoHistory      = "separate runs, no history (default allowance)"
	scHistory        = "separate runs, history of 10-20 runs"
	scHistory5       = "separate runs, history of MinDriftRuns (8) runs"
	scInterleaved    = "interleaved rounds within each drift run (5 vs 5)"
	scWorkloads      = "interleaved workloads (samples.json, 10 vs 10)"
	scTailsNoHist    = "separate runs, no history, heavy tails"
	scTailsHist      = "separate runs, history, heavy tails"
	scTailsInterl    = "interleaved workloads, heavy tails"
	scSeveral        = "3 vs 3 runs, paired by position"
	scSeveral5       = "5 vs 5 runs, paired by position"
	scSynthSide      = "synthetic CV 5%, n=10, side by side (allowance 0)"
	scSynthDefault   = "synthetic CV 5%, n=10, separate runs, no history (default allowance)"
	scSynthHistory   = "synthetic CV 5%, n=10, history of 15 quiet runs"
	scSynthTails     = "synthetic CV 5%, n=15, 15% outliers x2-6 (2-3 rounds of 15), side by side"
	scSynthTailsBern = "synthetic CV 5%, n=15, each round an outlier x2-6 with p=15%, side by side"
	scSynthTailsDflt = "synthetic CV 5%, n=15, 15% outliers x2-6 (2-3 rounds of 15), default allowance"
)

// scenarios lists every scenario of the main table, in report order.
func scenarios(o options, runs []suiteRun, ids []string, wrec *Recording) []*scenario {
	heavy := &tails{0.10, 0.30, false}
	fixed15 := &tails{0.15, 0.15, true}
	bern15 := &tails{0.15, 0.15, false}
	tailed := func(sc *scenario, tl *tails, name string) *scenario {
		sc.Tails, sc.Name = tl, name
		return sc
	}
	nSynth := max(1, o.synthetic/5)
	return []*scenario{
		separateRuns(scNoHistory, runs, ids, defaultAllowance, o.trials, o.seed),
		withHistory(scHistory, runs, ids, o.trials, o.seed, 10, 20),
		withHistory(scHistory5, runs, ids, o.trials, o.seed, analysis.MinDriftRuns, analysis.MinDriftRuns),
		interleavedRuns(scInterleaved, runs, ids),
		interleavedWorkloads(scWorkloads, wrec.Samples, wrec.CPUSamples, 10, o.synthetic),
		tailed(separateRuns("", runs, ids, defaultAllowance, o.trials, o.seed), heavy, scTailsNoHist),
		tailed(withHistory("", runs, ids, o.trials, o.seed, 10, 20), heavy, scTailsHist),
		tailed(interleavedWorkloads("", wrec.Samples, wrec.CPUSamples, 10, o.synthetic), heavy, scTailsInterl),
		severalRuns(scSeveral, runs, ids, 3, o.trials),
		severalRuns(scSeveral5, runs, ids, 5, o.trials),
		syntheticSuite(scSynthSide, 20, 10, 0.05, 0, 0, nSynth),
		syntheticSuite(scSynthDefault, 20, 10, 0.05, defaultAllowance, 0, nSynth),
		syntheticSuite(scSynthHistory, 20, 10, 0.05, defaultAllowance, 15, nSynth),
		tailed(syntheticSuite("", 20, 15, 0.05, 0, 0, nSynth), fixed15, scSynthTails),
		tailed(syntheticSuite("", 20, 15, 0.05, 0, 0, nSynth), bern15, scSynthTailsBern),
		tailed(syntheticSuite("", 20, 15, 0.05, defaultAllowance, 0, nSynth), fixed15, scSynthTailsDflt),
	}
}
