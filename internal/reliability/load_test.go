package reliability

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

var (
	loadFull    = flag.Bool("reliability.load", false, "run the load test at full size (10,000 benchmarks, 1,000-run history)")
	loadBench   = flag.Int("reliability.benchmarks", 0, "benchmarks of the load test (default 10,000 full, 1,000 short)")
	loadRuns    = flag.Int("reliability.runs", 0, "runs of the load test's history (default 1,000 full, 100 short)")
	loadHistIDs = flag.Int("reliability.history-ids", 0, "benchmarks per history run (default 1,000 full, 100 short)")
)

// peakHeap samples the live heap (runtime/metrics, no stop-the-world) every
// millisecond while running, and returns the maximum seen.
type peakHeap struct {
	stop chan struct{}
	done chan uint64
}

func startPeak() *peakHeap {
	runtime.GC()
	p := &peakHeap{stop: make(chan struct{}), done: make(chan uint64, 1)}
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-p.stop:
				metrics.Read(s)
				p.done <- max(peak, s[0].Value.Uint64())
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) end() uint64 {
	close(p.stop)
	return <-p.done
}

type stage struct {
	name string
	took time.Duration
	peak uint64
	note string
}

// TestLoad pushes a large suite through every stage after measuring:
// ingest of both results files, Compare, the history (read, append,
// trend analysis), every report format and the sticky comment on the fake
// GitHub API. It measures the wall time and the peak live heap of each
// stage and fails when a stage exceeds its bound (generous: 10x what this
// 2-core machine measured under load, so only a change of complexity trips
// it). Full size with -reliability.load (docs/RELIABILITY.md quotes those
// figures); a tenth of it by default, a fiftieth under -race.
func TestLoad(t *testing.T) {
	nBench, runs, histIDs := 1000, 100, 100
	if raceEnabled {
		nBench, runs, histIDs = 200, 30, 30
	}
	if *loadFull {
		nBench, runs, histIDs = 10000, 1000, 1000
	}
	if *loadBench > 0 {
		nBench = *loadBench
	}
	if *loadRuns > 0 {
		runs = *loadRuns
	}
	if *loadHistIDs > 0 {
		histIDs = *loadHistIDs
	}
	dir := t.TempDir()
	basePath, curPath, histPath := filepath.Join(dir, "baseline.json"), filepath.Join(dir, "results.json"), filepath.Join(dir, "history.jsonl")
	// Every 50th benchmark regresses 1.6x (major), so the comment has rows
	// to list and must be shortened.
	if err := analysis.WriteResultsFile(basePath, SynthResults(nBench, 10, 1, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if err := analysis.WriteResultsFile(curPath, SynthResults(nBench, 10, 2, 50, 1.6)); err != nil {
		t.Fatal(err)
	}
	hf, err := os.Create(histPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSynthHistory(hf, runs, histIDs, time.Now()); err != nil {
		t.Fatal(err)
	}
	hf.Close()
	size := func(p string) string {
		fi, _ := os.Stat(p)
		return fmt.Sprintf("%.1f MB", float64(fi.Size())/1e6)
	}

	var stages []stage
	measure := func(name string, bound time.Duration, f func() string) {
		t.Helper()
		p := startPeak()
		start := time.Now()
		note := f()
		took := time.Since(start)
		st := stage{name: name, took: took, peak: p.end(), note: note}
		stages = append(stages, st)
		if took > bound {
			t.Errorf("%s took %v, above its bound %v", name, took, bound)
		}
	}
	scale := float64(nBench) / 10000 // bounds are for the full size
	bound := func(full time.Duration) time.Duration { return max(time.Duration(float64(full)*scale), 5*time.Second) }

	var base, cur *analysis.Results
	measure("ingest baseline + current", bound(60*time.Second), func() string {
		var err error
		if base, _, err = ingest.ReadFile(basePath); err != nil {
			t.Fatal(err)
		}
		if cur, _, err = ingest.ReadFile(curPath); err != nil {
			t.Fatal(err)
		}
		return "2 x " + size(curPath)
	})
	var cmp *analysis.Comparison
	measure("compare", bound(300*time.Second), func() string {
		var err error
		// Synthetic rounds with no run-to-run drift between the sides: the
		// side-by-side configuration, so the 1.6x rows are judged.
		cfg := analysis.DefaultConfig()
		cfg.DriftAllowance = 0
		if cmp, err = analysis.Compare(base, cur, cfg); err != nil {
			t.Fatal(err)
		}
		if _, err := analysis.EvalGate(cmp, ""); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d rows, %d regressions", len(cmp.Rows), cmp.Summary.Regressions)
	})
	if want := nBench / 50; cmp.Summary.Regressions < want*9/10 {
		t.Errorf("%d regressions found, want about %d (every 50th benchmark is 1.6x slower)", cmp.Summary.Regressions, want)
	}
	base = nil
	measure("history read + append + trends", bound(600*time.Second), func() string {
		f, err := os.Open(histPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		entries, skipped, err := trend.ReadLenient(f)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("history: %v, %d skipped", err, len(skipped))
		}
		entries = trend.Append(entries, trend.FromResults(cur), trend.DefaultMax)
		cmp.Trends = trend.AnalyzeAll(entries, trend.Options{})
		return fmt.Sprintf("%d runs x %d ids (%s) -> %d entries kept, %d trends", runs, histIDs, size(histPath), len(entries), len(cmp.Trends))
	})
	opt := comment.Options{Category: "all", Now: time.Now()}
	var md string
	measure("render markdown comment + job summary", bound(60*time.Second), func() string {
		md = comment.Markdown(cmp, opt)
		js := comment.JobSummary(cmp, opt)
		return fmt.Sprintf("comment %d bytes, summary %d bytes", len(md), len(js))
	})
	if len(md) > comment.DefaultMaxChars {
		t.Errorf("comment has %d bytes, above GitHub's %d", len(md), comment.DefaultMaxChars)
	}
	for _, r := range []struct {
		name string
		f    func(io.Writer) error
	}{
		{"render report.json", func(w io.Writer) error { return comment.WriteJSON(w, cmp, opt) }},
		{"render junit.xml", func(w io.Writer) error { return comment.WriteJUnit(w, cmp, opt) }},
		{"render report.html", func(w io.Writer) error { return comment.WriteHTML(w, cmp, opt, comment.DefaultMaxHTMLCharts) }},
		{"write cmp.json", func(w io.Writer) error { return analysis.WriteComparison(w, cmp) }},
	} {
		measure(r.name, bound(120*time.Second), func() string {
			cw := &countWriter{}
			if err := r.f(cw); err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			return fmt.Sprintf("%.1f MB", float64(cw.n)/1e6)
		})
	}
	measure("sticky comment (fake API)", 30*time.Second, func() string {
		fake := ghfake.New(secret)
		defer fake.Close()
		c, err := ghapi.New(ghapi.Options{Token: secret, APIURL: fake.URL()})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // create, then update in place
			if _, err := c.UpsertComment(context.Background(), ghapi.CommentRequest{Owner: "o", Repo: "r", Number: 7,
				Marker: comment.Marker("all"), Body: md, Mode: ghapi.CommentUpdate}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(fake.Comments(7)); n != 1 {
			t.Errorf("%d comments after two upserts, want 1", n)
		}
		return "create + update"
	})

	var b strings.Builder
	fmt.Fprintf(&b, "load: %d benchmarks x 10 samples, history %d runs x %d ids, GOMAXPROCS %d\n", nBench, runs, histIDs, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "| stage | wall time | peak live heap | size |\n|---|--:|--:|---|\n")
	for _, s := range stages {
		fmt.Fprintf(&b, "| %s | %.2f s | %.0f MB | %s |\n", s.name, s.took.Seconds(), float64(s.peak)/1e6, s.note)
	}
	t.Log("\n" + b.String())
	if p := os.Getenv("RELIABILITY_LOAD_OUT"); p != "" {
		os.WriteFile(p, []byte(b.String()), 0o644)
	}
}

type countWriter struct {
	mu sync.Mutex
	n  int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.n += int64(len(p))
	c.mu.Unlock()
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
