// Command instructions prints the figures of docs/perf/instructions.md from
// the runs that scripts/instructions/record.sh recorded in DIR: the
// run-to-run spread of the instruction counts (base-*.json), A/A false
// alarms over every ordered pair of base runs, the detection of a +3%
// injected slowdown (slow-*.json against base-*.json), valgrind's slowdown
// factor (the wall time under callgrind against time.json, measured
// natively) and each category's duration under callgrind.
//
//	go run ./scripts/instructions DIR
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/instructions DIR")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "instructions:", err)
		os.Exit(1)
	}
}

func load(pattern string) ([]*analysis.Results, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*analysis.Results
	for _, p := range paths {
		r, err := analysis.ReadResultsFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func run(w io.Writer, dir string) error {
	base, err := load(filepath.Join(dir, "base-*.json"))
	if err != nil {
		return err
	}
	slow, err := load(filepath.Join(dir, "slow-*.json"))
	if err != nil {
		return err
	}
	if len(base) < 2 {
		return fmt.Errorf("%s: %d base runs, want at least 2", dir, len(base))
	}
	native := map[string]float64{}
	if t, err := analysis.ReadResultsFile(filepath.Join(dir, "time.json")); err == nil {
		for _, b := range t.Benchmarks {
			if b.Stats != nil {
				native[b.ID] = b.Stats.Median
			}
		}
	}

	// Per benchmark: the median count of each run, the wall time per op
	// under valgrind, and the time spent.
	type fig struct {
		medians []float64
		vgWall  []float64
		dur     []float64
		cat     string
	}
	figs := map[string]*fig{}
	var ids []string
	for _, r := range base {
		for _, b := range r.Benchmarks {
			if b.Error != "" || b.Stats == nil || b.Unit != analysis.UnitInstructions {
				continue
			}
			f := figs[b.ID]
			if f == nil {
				f = &fig{cat: b.Category}
				figs[b.ID] = f
				ids = append(ids, b.ID)
			}
			f.medians = append(f.medians, b.Stats.Median)
			if m, ok := b.Metrics[analysis.MetricValgrindWall]; ok && len(m.Samples) > 0 {
				f.vgWall = append(f.vgWall, median(m.Samples))
			}
			if d, ok := b.Extra["duration_s"].(float64); ok {
				f.dur = append(f.dur, d)
			}
		}
	}
	sort.Strings(ids)

	fmt.Fprintf(w, "## Run-to-run spread of the counts (%d runs)\n\n", len(base))
	fmt.Fprintln(w, "| benchmark | instr/op (median) | spread of run medians (max-min)/median | valgrind wall/op | native/op | slowdown |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	var spreads, factors []float64
	catDur := map[string]float64{}
	for _, id := range ids {
		f := figs[id]
		m := median(f.medians)
		sp := (slices.Max(f.medians) - slices.Min(f.medians)) / m
		spreads = append(spreads, sp)
		vg, nat, factor := median(f.vgWall), native[id], 0.0
		if nat > 0 && vg > 0 {
			factor = vg / nat
			factors = append(factors, factor)
		}
		catDur[f.cat] += median(f.dur)
		fmt.Fprintf(w, "| %s | %.4g | %.3f%% | %s | %s | %s |\n", id, m, 100*sp, secs(vg), secs(nat), times(factor))
	}
	sort.Float64s(spreads)
	fmt.Fprintf(w, "\nSpread over %d benchmarks: median %.3f%%, 90th percentile %.3f%%, max %.3f%%.\n",
		len(spreads), 100*analysis.Quantile(spreads, 0.5), 100*analysis.Quantile(spreads, 0.9), 100*spreads[len(spreads)-1])
	if len(factors) > 0 {
		sort.Float64s(factors)
		fmt.Fprintf(w, "Valgrind's slowdown (wall per op under callgrind / native): median %.0fx, range %.0fx-%.0fx over %d benchmarks.\n",
			analysis.Quantile(factors, 0.5), factors[0], factors[len(factors)-1], len(factors))
	}
	fmt.Fprintln(w, "\nTime per category under callgrind (sum of the benchmarks' duration, median run):")
	for _, c := range sortedKeys(catDur) {
		fmt.Fprintf(w, "- %s: %.0f s\n", c, catDur[c])
	}

	cfg := analysis.DefaultConfig()
	alarms, pairs, rows, rowAlarms := 0, 0, 0, 0
	var worst []string
	for i := range base {
		for j := range base {
			if i == j {
				continue
			}
			c, err := analysis.Compare(base[i], base[j], cfg)
			if err != nil {
				return err
			}
			pairs++
			n := 0
			for _, r := range c.Rows {
				if r.Metric != analysis.MetricTime || r.Unit != analysis.UnitInstructions {
					continue
				}
				rows++
				if r.Verdict == analysis.Regression || r.Verdict == analysis.Improvement {
					n++
					worst = append(worst, fmt.Sprintf("%s %s %+.2f%%", r.ID, r.Verdict, 100*(r.Ratio-1)))
				}
			}
			rowAlarms += n
			if n > 0 {
				alarms++
			}
		}
	}
	fmt.Fprintf(w, "\n## A/A false alarms (threshold %.0f%%)\n\n", 100*cfg.InstructionThreshold)
	fmt.Fprintf(w, "%d of %d ordered pairs of base runs raised an alarm (regression or improvement); %d of %d benchmark comparisons.\n",
		alarms, pairs, rowAlarms, rows)
	for _, s := range worst[:min(len(worst), 10)] {
		fmt.Fprintln(w, "- "+s)
	}

	if len(slow) > 0 {
		detected, total := 0, 0
		var ratios []float64
		missed := map[string]int{}
		for _, b := range base {
			for _, s := range slow {
				c, err := analysis.Compare(b, s, cfg)
				if err != nil {
					return err
				}
				for _, r := range c.Rows {
					if r.Metric != analysis.MetricTime || r.Unit != analysis.UnitInstructions {
						continue
					}
					total++
					ratios = append(ratios, r.Ratio)
					if r.Verdict == analysis.Regression {
						detected++
					} else {
						missed[r.ID+" ("+string(r.Verdict)+")"]++
					}
				}
			}
		}
		sort.Float64s(ratios)
		fmt.Fprintf(w, "\n## Detection of +3%% (extra instructions injected)\n\n")
		fmt.Fprintf(w, "%d of %d benchmark comparisons (%d base x %d slowed runs) called a regression: %.1f%%. Measured ratio of medians: median %.4f, range %.4f-%.4f.\n",
			detected, total, len(base), len(slow), 100*float64(detected)/float64(max(total, 1)),
			analysis.Quantile(ratios, 0.5), ratios[0], ratios[len(ratios)-1])
		for _, k := range sortedKeys(missed) {
			fmt.Fprintf(w, "- missed %d times: %s\n", missed[k], k)
		}
	}
	return nil
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	sort.Float64s(s)
	return analysis.Quantile(s, 0.5)
}

func secs(s float64) string {
	switch {
	case s == 0:
		return "-"
	case s < 1e-3:
		return fmt.Sprintf("%.1f µs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1f ms", s*1e3)
	}
	return fmt.Sprintf("%.2f s", s)
}

func times(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fx", f)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
