package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Progress receives a run's events. Implementations: [NewTerminalProgress]
// (a live line), [NewGitHubProgress] (log groups) and [NewLineProgress]
// (one line per benchmark, for logs).
type Progress interface {
	Start(total int)
	Begin(i int, b *Benchmark)
	End(i int, b *Benchmark, res *analysis.Benchmark)
	Skipped(msg string)
	Done(res *analysis.Results)
}

type nopProgress struct{}

func (nopProgress) Start(int)                                {}
func (nopProgress) Begin(int, *Benchmark)                    {}
func (nopProgress) End(int, *Benchmark, *analysis.Benchmark) {}
func (nopProgress) Skipped(string)                           {}
func (nopProgress) Done(*analysis.Results)                   {}

var (
	_ Progress = nopProgress{}
	_ Progress = (*lineProgress)(nil)
)

// lineProgress writes one line per benchmark; live adds a ticking
// "\r"-rewritten status line (terminals); github wraps groups in
// ::group::/::endgroup:: (GitHub Actions log folding).
type lineProgress struct {
	w      io.Writer
	live   bool
	github bool

	mu      sync.Mutex
	total   int
	start   time.Time
	done    int
	group   string
	current string
	began   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
}

// NewLineProgress writes one line per benchmark.
func NewLineProgress(w io.Writer) Progress { return &lineProgress{w: w} }

// NewTerminalProgress keeps a live status line (i/n, elapsed, ETA) updated
// every half second, plus one line per finished benchmark.
func NewTerminalProgress(w io.Writer) Progress { return &lineProgress{w: w, live: true} }

// NewGitHubProgress groups benchmarks with ::group:: per benchmark group and
// writes one line per benchmark.
func NewGitHubProgress(w io.Writer) Progress { return &lineProgress{w: w, github: true} }

func (p *lineProgress) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start = total, time.Now()
	if p.live {
		p.stop = make(chan struct{})
		p.wg.Add(1)
		go p.tick()
	}
}

func (p *lineProgress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.status()
			p.mu.Unlock()
		}
	}
}

// status rewrites the live line; p.mu is held.
func (p *lineProgress) status() {
	if !p.live || p.current == "" {
		return
	}
	el := time.Since(p.start)
	line := fmt.Sprintf("[%d/%d] %s  elapsed %s  eta %s  (%s)", p.done+1, p.total, p.current,
		el.Round(time.Second), p.eta().Round(time.Second), time.Since(p.began).Round(100*time.Millisecond))
	if len(line) > 120 {
		line = line[:117] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// eta extrapolates the mean time per finished benchmark; p.mu is held.
func (p *lineProgress) eta() time.Duration {
	if p.done == 0 {
		return 0
	}
	per := time.Since(p.start) / time.Duration(p.done)
	return per * time.Duration(p.total-p.done)
}

func (p *lineProgress) Begin(i int, b *Benchmark) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.github && b.Category+"/"+b.Group != p.group {
		if p.group != "" {
			fmt.Fprintln(p.w, "::endgroup::")
		}
		p.group = b.Category + "/" + b.Group
		fmt.Fprintf(p.w, "::group::%s\n", p.group)
	}
	p.current, p.began = b.ID(), time.Now()
	p.status()
}

func (p *lineProgress) End(i int, b *Benchmark, res *analysis.Benchmark) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "[%d/%d] %s\n", p.done, p.total, Summary(res))
	p.current = ""
}

func (p *lineProgress) Skipped(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.github {
		fmt.Fprintf(p.w, "::warning title=xpcs-perf::%s\n", msg)
	} else {
		fmt.Fprintln(p.w, "warning:", msg)
	}
}

func (p *lineProgress) Done(res *analysis.Results) {
	if p.stop != nil {
		close(p.stop)
		p.wg.Wait()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.github && p.group != "" {
		fmt.Fprintln(p.w, "::endgroup::")
	}
	errs := 0
	for _, b := range res.Benchmarks {
		if b.Error != "" {
			errs++
		}
	}
	fmt.Fprintf(p.w, "%d benchmarks in %s, %d errored\n", len(res.Benchmarks), time.Since(p.start).Round(time.Millisecond), errs)
}

// Summary is a one-line description of a result: median ± IQR, CV, rounds ×
// iterations, B/op, or the error.
func Summary(b *analysis.Benchmark) string {
	if b.Error != "" {
		msg, _, _ := strings.Cut(b.Error, "\n")
		return fmt.Sprintf("%s  ERROR %s", b.ID, msg)
	}
	if b.Stats == nil {
		return b.ID
	}
	format := FormatSeconds
	if b.Unit == analysis.UnitInstructions {
		format = formatInstructions
	}
	s := fmt.Sprintf("%s  %s ± %s  cv %.1f%%  %dx%d", b.ID, format(b.Stats.Median),
		format(b.Stats.IQR), 100*b.Stats.CV, b.Rounds, b.Iterations)
	if b.Memory != nil {
		s += fmt.Sprintf("  %.0f B/op %.0f allocs/op", b.Memory.BytesPerOp, b.Memory.AllocsPerOp)
	}
	if sp, ok := b.Extra["speedup"].(float64); ok {
		s += fmt.Sprintf("  speed-up %.2fx [%.2f, %.2f]", sp, b.Extra["speedup_ci_low"], b.Extra["speedup_ci_high"])
		if b.Extra["slower"] == true {
			s += "  SLOWER: the optimisation makes things slower"
		}
	}
	return s
}

// formatInstructions prints an instruction count per operation.
func formatInstructions(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3fG instr", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3fM instr", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.2fk instr", n/1e3)
	}
	return fmt.Sprintf("%.0f instr", n)
}

// FormatSeconds prints a duration in seconds with a readable unit.
func FormatSeconds(s float64) string {
	switch {
	case s == 0:
		return "0"
	case s < 1e-6:
		return fmt.Sprintf("%.1fns", s*1e9)
	case s < 1e-3:
		return fmt.Sprintf("%.2fµs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.2fms", s*1e3)
	}
	return fmt.Sprintf("%.3fs", s)
}
