package reliability

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
)

// Hostile are strings that try to change the meaning of the place they are
// shown in: workflow commands (a stdout line starting with "::" is a command
// to the GitHub runner), Markdown and HTML (tags, links, images, tables,
// mentions, the comment's own hidden marker), and line breaks that would let
// the rest of a line start a new one. They are used as benchmark names,
// parameters, branch names and commit messages by the injection tests.
var Hostile = []string{
	"evil\n::set-output name=verdict::pass",
	"x\n::error::INJECTED-ERROR",
	"x\r\n::add-mask::\n::stop-commands::INJECTEDSTOP",
	"::warning file=/etc/passwd::INJECTED-WARNING",
	"<script>alert('INJECTED-SCRIPT')</script>",
	`<img src=x onerror="alert('INJECTED-IMG')">`,
	"[click](javascript:alert('INJECTED-LINK'))",
	"![img](https://evil.example/INJECTED-IMAGE.png)",
	"a | b | c\n|---|\n| INJECTED-ROW |",
	"@octocat @org/team INJECTED-MENTION",
	"<!-- xpcs-perf:memory -->INJECTED-MARKER",
	"</details></summary><h1>INJECTED-HEADING</h1>",
	"```\nINJECTED-FENCE\n```",
	"# INJECTED-TITLE\n> quote",
	"%0A::error::INJECTED-PERCENT",
	"\u2028::error::INJECTED-LS\u0085::error::INJECTED-NEL",
	"emoji 🚀 and nul \x00 and bell \a",
}

// SynthResults returns n benchmarks with samples samples each, drawn from a
// log-normal distribution (median 1 ms, sigma 0.03) seeded by seed; every
// benchmark whose index i satisfies i%slowEvery == 0 (slowEvery > 0) is
// factor times slower. IDs look like the runner's:
// "cat/group/name_i[size=tiny]".
func SynthResults(n, samples int, seed uint64, slowEvery int, factor float64) *analysis.Results {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf",
		Run: analysis.Run{Commit: fmt.Sprintf("%040x", seed), Branch: "main", Event: "push"}}
	cats := []string{"hdf5", "scientific", "memory", "scalability"}
	res.Benchmarks = make([]analysis.Benchmark, 0, n)
	for i := range n {
		f := 1.0
		if slowEvery > 0 && i%slowEvery == 0 {
			f = factor
		}
		s := make([]float64, samples)
		for k := range s {
			s[k] = f * 1e-3 * math.Exp(0.03*rng.NormFloat64())
		}
		cat := cats[i%len(cats)]
		g := fmt.Sprintf("g%d", i%37)
		name := fmt.Sprintf("bench_%d", i)
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{
			ID: fmt.Sprintf("%s/%s/%s[size=tiny]", cat, g, name), Category: cat, Group: g, Name: name,
			Params: map[string]string{"size": "tiny"}, Unit: "s", Direction: analysis.LowerIsBetter, Samples: s,
			Rounds: samples, Iterations: 100,
		})
	}
	return res
}

// WriteSynthHistory writes a history.jsonl (trend.Schema, the format analysis/trend reads) of runs
// nightly runs ending at end, each with the first nBench benchmarks of the
// SynthResults naming scheme, with a slow drift and noise.
func WriteSynthHistory(w io.Writer, runs, nBench int, end time.Time) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []string{"hdf5", "scientific", "memory", "scalability"}
	ids := make([]string, nBench)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s/g%d/bench_%d[size=tiny]", cats[i%len(cats)], i%37, i)
	}
	for r := range runs {
		e := trend.Entry{Schema: trend.Schema, Time: end.Add(-time.Duration(runs-r) * 24 * time.Hour),
			Commit: fmt.Sprintf("%040x", r), Branch: "main", RunID: fmt.Sprint(r),
			Machine:    trend.Machine{CPUModel: "synthetic"},
			Benchmarks: make(map[string]trend.Summary, nBench)}
		for _, id := range ids {
			e.Benchmarks[id] = trend.Summary{Median: 1e-3 * (1 + 0.0001*float64(r)) * math.Exp(0.02*rng.NormFloat64()),
				Unit: "s", N: 10, CV: 0.02}
		}
		if err := writeJSONLine(bw, e); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
