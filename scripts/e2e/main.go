// Command e2e is issue 12 item 7: the real action pipeline's verdicts on
// real, noisy runs of this machine (`make e2e-verdicts`).
//
//	go run ./scripts/e2e [-bin bin/xpcs-perf] [-category memory] [-sizes tiny]
//	    [-filter RE] [-rounds N] [-history 8] [-pairs 10] [-factor 3]
//	    [-slow RE] [-timeout 3m] [-work out/e2e] [-seed 1]
//
// It starts ghapi/ghfake on 127.0.0.1 and runs the built binary as a GitHub
// runner runs the Docker action (no arguments, GITHUB_ACTIONS=true, a token,
// an event payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, INPUT_*):
//
//  1. -history push runs on main, one after the other; after each, the
//     report folder is uploaded as the baseline artifact xpcs-perf-CATEGORY
//     and its history.jsonl as xpcs-perf-history-CATEGORY, exactly as
//     .github/workflows/perf.yml does, so the history and the baseline the
//     pull requests see are the product's own.
//  2. -pairs pull-request runs without a change (A/A) and -pairs with the
//     injected slowdown (XPCS_PERF_INJECT_SLOWDOWN=RE=FACTOR on every third
//     benchmark by default), interleaved (each pair in a seeded random
//     order), each on its own PR number against the last push's artifact.
//
// For each run it records the exit code, the outputs, the comparison
// (cmp.json of the report folder) and the PR comment held by the fake, and
// classifies A/A runs (pass / gate failed / could not judge) and every
// slowed benchmark (caught / inconclusive naming the drift / inconclusive
// otherwise / missed). It then compares the run-to-run drift of wall time
// and of process CPU time (metrics cpu-s/op) per benchmark, single-threaded
// vs parallel. The Markdown summary goes to stdout, the records to
// WORK/runs.json. Exit status: 0 when it could measure (whatever the
// targets say: they are reported, not enforced), 1 on a harness failure.
//
// Every action run has a timeout (-timeout) and runs in its own process
// group, killed on timeout and on SIGINT/SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

const token = "ghs_E2EverdictsTOKEN0123456789"

type config struct {
	bin, category, sizes, filter string
	rounds, history, pairs       int
	factor                       float64
	slow                         string
	slowEvery                    int
	timeout                      time.Duration
	work                         string
	seed                         uint64
	timeBudget                   string
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "bin/xpcs-perf", "the built xpcs-perf binary")
	flag.StringVar(&c.category, "category", "memory", "category input of the action")
	flag.StringVar(&c.sizes, "sizes", "tiny", "sizes input")
	flag.StringVar(&c.filter, "filter", "", "filter input (regexp on benchmark ids)")
	flag.IntVar(&c.rounds, "rounds", 0, "rounds input (0: the runner's default)")
	flag.StringVar(&c.timeBudget, "time-budget", "5m", "time-budget input")
	flag.IntVar(&c.history, "history", 8, "push runs on main before the pull requests (history and baseline)")
	flag.IntVar(&c.pairs, "pairs", 10, "pull-request runs of each kind (A/A and slowed)")
	flag.Float64Var(&c.factor, "factor", 3, "injected slowdown factor")
	flag.StringVar(&c.slow, "slow", "", "regexp of the benchmarks to slow (default: every -slow-every-th id of the first push run, sorted)")
	flag.IntVar(&c.slowEvery, "slow-every", 3, "slow one benchmark in this many (when -slow is empty)")
	flag.DurationVar(&c.timeout, "timeout", 3*time.Minute, "timeout of one action run")
	flag.StringVar(&c.work, "work", "out/e2e", "work folder (emptied first)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the A/A vs slowed order within each pair")
	from := flag.String("from", "", "render the summary of a stored WORK/runs.json again (classes re-derived) instead of measuring")
	flag.Parse()
	if *from != "" {
		md, err := rerender(*from)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(2)
		}
		fmt.Print(md)
		return
	}
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	md, err := run(ctx, c)
	if md != "" {
		fmt.Print(md)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

func (c *config) check() error {
	switch {
	case flag.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	case c.history < analysis.MinDriftRuns:
		return fmt.Errorf("-history %d: at least %d push runs are needed for the history's drift estimate", c.history, analysis.MinDriftRuns)
	case c.pairs < 1:
		return fmt.Errorf("-pairs %d: want >= 1", c.pairs)
	case !(c.factor > 1):
		return fmt.Errorf("-factor %v: want > 1", c.factor)
	case c.slowEvery < 1:
		return fmt.Errorf("-slow-every %d: want >= 1", c.slowEvery)
	case c.timeout <= 0:
		return fmt.Errorf("-timeout %v: want > 0", c.timeout)
	case c.category == "":
		return errors.New("-category is empty")
	}
	if c.slow != "" {
		if _, err := regexp.Compile(c.slow); err != nil {
			return fmt.Errorf("-slow: %w", err)
		}
	}
	abs, err := filepath.Abs(c.bin)
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("-bin: %w (build it first: go build -o bin/xpcs-perf .)", err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("-bin %s is not an executable file", abs)
	}
	c.bin = abs
	if c.work, err = filepath.Abs(c.work); err != nil {
		return err
	}
	if c.work == "/" || c.work == filepath.Dir(c.work) {
		return fmt.Errorf("-work %s: refusing to empty it", c.work)
	}
	return nil
}

type harness struct {
	c    config
	fake *ghfake.Server
	runs []Run
	// pushes are the SHAs of main's push runs, oldest first.
	pushes []string
	// medians of runs without a slowdown, in time order, for the drift.
	clean []map[string]Medians
}

func run(ctx context.Context, c config) (string, error) {
	if err := os.RemoveAll(c.work); err != nil {
		return "", err
	}
	if err := os.MkdirAll(c.work, 0o755); err != nil {
		return "", err
	}
	fake := ghfake.New(token)
	defer fake.Close()
	fake.PerPage = 30 // GitHub's default page size
	h := &harness{c: c, fake: fake}
	began := time.Now()

	// 1. main's push runs.
	var slowed []string
	for k := 0; k < c.history; k++ {
		_, res, err := h.push(ctx, k)
		if err != nil {
			return h.render(slowed, began), err
		}
		if k == 0 {
			if slowed, err = pickSlowed(res, c); err != nil {
				return "", err
			}
			fmt.Fprintf(os.Stderr, "e2e: slowing %d of %d benchmarks %vx: %s\n", len(slowed), len(res.Benchmarks), c.factor, strings.Join(slowed, ", "))
		}
	}
	// 2. pull requests, interleaved.
	rng := rand.New(rand.NewPCG(c.seed, 12))
	for i := 0; i < c.pairs; i++ {
		order := []bool{false, true}
		if rng.IntN(2) == 1 {
			order = []bool{true, false}
		}
		for _, slow := range order {
			if err := h.pullRequest(ctx, slow, slowed); err != nil {
				return h.render(slowed, began), err
			}
		}
	}
	md := h.render(slowed, began)
	return md, writeJSON(filepath.Join(c.work, "runs.json"), h.runs)
}

// pickSlowed chooses the benchmarks to slow: -slow's matches, else every
// slowEvery-th id (sorted), starting with the first.
func pickSlowed(res *analysis.Results, c config) ([]string, error) {
	var ids []string
	for _, b := range res.Benchmarks {
		if b.Error == "" {
			ids = append(ids, b.ID)
		}
	}
	sort.Strings(ids)
	var out []string
	if c.slow != "" {
		re := regexp.MustCompile(c.slow)
		for _, id := range ids {
			if re.MatchString(id) {
				out = append(out, id)
			}
		}
	} else {
		for i := 0; i < len(ids); i += c.slowEvery {
			out = append(out, ids[i])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no benchmark to slow among %d (-slow %q)", len(ids), c.slow)
	}
	return out, nil
}

// slowRegexp matches exactly the ids.
func slowRegexp(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = regexp.QuoteMeta(id)
	}
	return "^(" + strings.Join(q, "|") + ")$"
}

func (h *harness) render(slowed []string, began time.Time) string {
	c := h.c
	setup := []string{
		fmt.Sprintf("action runs of `%s` (category `%s`, sizes `%s`, filter `%s`, rounds %s) against ghfake on 127.0.0.1, as the runner runs the Docker action",
			filepath.Base(c.bin), c.category, c.sizes, c.filter, orDefault(c.rounds)),
		fmt.Sprintf("setup: %d push runs on main, each uploading its report folder (baseline artifact) and history.jsonl (history artifact) as perf.yml does", c.history),
		fmt.Sprintf("then %d A/A and %d pull requests with `XPCS_PERF_INJECT_SLOWDOWN` %vx on %d benchmarks (%s), interleaved (seed %d), each against the last push's artifact and the history of the pushes",
			c.pairs, c.pairs, c.factor, len(slowed), strings.Join(slowed, ", "), c.seed),
		fmt.Sprintf("started %s, took %s; load average at the end: %s", began.Format("2006-01-02 15:04"), time.Since(began).Round(time.Second), loadavg()),
	}
	return Render("End-to-end verdicts", setup, h.runs, DriftRows(h.clean))
}

// rerender reads stored records and renders them again.
func rerender(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var runs []Run
	if err := json.Unmarshal(data, &runs); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if len(runs) == 0 {
		return "", fmt.Errorf("%s: no runs", path)
	}
	Reclassify(runs)
	var clean []map[string]Medians
	for _, r := range runs {
		m := map[string]Medians{}
		slow := map[string]bool{}
		for _, s := range r.Slowed {
			slow[s.ID] = true
		}
		for id, md := range r.Medians {
			if !slow[id] {
				m[id] = md
			}
		}
		if len(m) > 0 {
			clean = append(clean, m)
		}
	}
	return Render("End-to-end verdicts (re-rendered from "+path+")", nil, runs, DriftRows(clean)), nil
}

func orDefault(n int) string {
	if n == 0 {
		return "default"
	}
	return fmt.Sprint(n)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
