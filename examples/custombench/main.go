// Command custombench shows a team using xpcs-perf's engine as a library:
// it registers its own benchmark (with extra info, like pytest-benchmark's
// benchmark.extra_info) in a private registry, runs it and writes a
// results.json that `xpcs-perf compare` and `xpcs-perf report` read.
//
//	go run ./examples/custombench -out custom.json
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "custombench:", err)
		os.Exit(1)
	}
}

// register adds the team's benchmarks to reg: a median filter of a detector
// row, one variant per window width.
func register(reg *runner.Registry) {
	for _, width := range []int{3, 9} {
		reg.Register(&runner.Benchmark{
			Category: "custom",
			Group:    "filters",
			Name:     "median_filter_row",
			Params:   map[string]string{"width": fmt.Sprint(width)},
			Extra:    map[string]any{"team": "beamline-8id", "detector": "Eiger 500K", "row_pixels": 1024},
			Setup: func(env *runner.Env) (*runner.Op, error) {
				row := make([]float64, 1024)
				for i := range row {
					row[i] = float64((i * 7919) % 101)
				}
				out := make([]float64, len(row))
				win := make([]float64, width)
				env.SetExtra("window", width) // extra info computed at setup time
				return &runner.Op{Run: func() error {
					medianFilter(out, row, win)
					return nil
				}}, nil
			},
		})
	}
}

// medianFilter writes the running median of in (window len(win)) to out.
func medianFilter(out, in, win []float64) {
	h := len(win) / 2
	for i := range in {
		for k := range win {
			j := min(max(i+k-h, 0), len(in)-1)
			win[k] = in[j]
		}
		slices.Sort(win)
		out[i] = win[h]
	}
}

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("custombench", flag.ContinueOnError)
	out := fs.String("out", "custom-results.json", "results file")
	rounds := fs.Int("rounds", 10, "rounds per benchmark")
	minTime := fs.Duration("min-time", 10*time.Millisecond, "minimum round duration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	reg := &runner.Registry{}
	register(reg)

	cfg := runner.DefaultConfig()
	cfg.Rounds, cfg.MinRounds = *rounds, min(cfg.MinRounds, *rounds)
	cfg.MinTime = runner.Duration(*minTime)
	cfg.Categories = []string{"custom"}
	sel, err := reg.Select(&cfg, 0)
	if err != nil {
		return err
	}
	r, err := runner.NewRunner(cfg, nil)
	if err != nil {
		return err
	}
	res := r.Run(context.Background(), sel.Run)
	for _, b := range res.Benchmarks {
		if b.Error != "" {
			return fmt.Errorf("%s: %s", b.ID, b.Error)
		}
		fmt.Fprintf(w, "%s: %d rounds, extra team=%v window=%v\n", b.ID, len(b.Samples), b.Extra["team"], b.Extra["window"])
	}
	return analysis.WriteResultsFile(*out, res)
}
