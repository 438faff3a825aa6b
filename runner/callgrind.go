package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Metrics of a run (Config.Metric).
const (
	// MetricModeTime measures wall and CPU time (the default).
	MetricModeTime = "time"
	// MetricModeInstructions counts instructions under Valgrind's callgrind:
	// see [CallgrindCommand] and docs/perf/instructions.md.
	MetricModeInstructions = "instructions"
)

// EstCyclesMetric is the metric key (and unit) of the estimated cycles per
// operation of a counted run with cache simulation (EstimatedCycles):
// shown, not judged.
const EstCyclesMetric = "est-cycles/op"

// CallgrindOutEnv names the environment variable through which the parent
// tells the runner re-executed under callgrind where callgrind writes its
// dumps (the --callgrind-out-file prefix; dump n is PREFIX.n).
const CallgrindOutEnv = "XPCS_PERF_CALLGRIND_OUT"

// ValgrindPackage is the Debian (and Ubuntu) package that provides valgrind.
const ValgrindPackage = "valgrind"

// ErrNoValgrind is returned when the valgrind executable is not found.
var ErrNoValgrind = errors.New("valgrind not found in PATH: --metric instructions needs it (Debian/Ubuntu: apt-get install " + ValgrindPackage + ")")

// CallgrindArgs are the valgrind options of an instruction-counting run:
// callgrind with instrumentation off at start (the code runs uninstrumented,
// several times faster, until the first counted round turns it on) and
// collection on (every thread's instrumented code is counted); no
// per-instruction or per-line detail in the dumps, which the runner reads
// back for their totals only. cacheSim adds callgrind's cache simulation
// (about twice as slow) for EstimatedCycles.
func CallgrindArgs(outPrefix string, cacheSim bool) []string {
	args := []string{
		"--tool=callgrind", "-q",
		"--instr-atstart=no", "--collect-atstart=yes",
		"--dump-instr=no", "--compress-strings=no",
		"--callgrind-out-file=" + outPrefix,
	}
	if cacheSim {
		args = append(args, "--cache-sim=yes")
	}
	return args
}

// CallgrindCommand returns the command that re-executes exe with args
// under callgrind, writing its dumps into dir. The environment adds
// GODEBUG=asyncpreemptoff=1 (Valgrind cannot deliver the Go runtime's
// preemption signals reliably), GOMAXPROCS=1 and CallgrindOutEnv. One P:
// Valgrind runs one thread at a time anyway, and with more Ps the runtime
// wakes idle threads to spin for work whenever a goroutine becomes ready,
// a clock-dependent amount of counted instructions (measured: 1-2% between
// runs of gonum's optimisers, which hand work between goroutines, against
// 0.1-0.2% with one P). One OpenBLAS (and OpenMP) thread for the same
// reason: its idle workers spin, and under Valgrind a 500-frame SYRK with
// spinning workers did not finish in 30 s. It returns
// ErrNoValgrind, wrapped, when valgrind is missing and an error when this
// binary was built without cgo.
func CallgrindCommand(ctx context.Context, exe string, args []string, dir string, env []string, cacheSim bool) (*exec.Cmd, error) {
	if !callgrindBuilt {
		return nil, errors.New("--metric instructions: this xpcs-perf was built without cgo, so it cannot issue callgrind client requests")
	}
	vg, err := exec.LookPath("valgrind")
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", ErrNoValgrind, err)
	}
	prefix := filepath.Join(dir, "callgrind.out")
	cmd := exec.CommandContext(ctx, vg, append(append(CallgrindArgs(prefix, cacheSim), exe), args...)...)
	cmd.Env = append(withGodebug(env, "asyncpreemptoff=1"), "GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1",
		CallgrindOutEnv+"="+prefix)
	return cmd, nil
}

// withGodebug returns env with setting added to GODEBUG.
func withGodebug(env []string, setting string) []string {
	out := make([]string, 0, len(env)+1)
	found := false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			found = true
			if v != "" {
				kv += ","
			}
			kv += setting
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, "GODEBUG="+setting)
	}
	return out
}

// UnderCallgrind reports whether this process is the runner re-executed
// by CallgrindCommand: it runs under Valgrind and knows where the dumps go.
func UnderCallgrind(getenv func(string) string) bool {
	return getenv(CallgrindOutEnv) != "" && runningOnValgrind()
}

// callgrind reads per-round instruction counts back from callgrind: each
// dump client request writes PREFIX.n (n = 1, 2, ... in the order of the
// dumps of the process), whose "totals:" line is the count since the
// previous zero or dump, summed over every thread.
type callgrind struct {
	prefix string
	mu     sync.Mutex // a benchmark abandoned on timeout may still dump
	dumps  int
	labels atomic.Uint64 // unique dump names
	// cacheSim: callgrind simulates caches (--cache-sim=yes): the dumps
	// carry misses and the rounds an estimated-cycles figure.
	cacheSim bool
	// spinPer is the instruction count of one spin iteration (0 until
	// measured): the unit of injected extra work.
	spinPer float64
}

// newCallgrind returns the reader for the dumps under prefix. It fails
// when the process does not run under callgrind.
func newCallgrind(prefix string) (*callgrind, error) {
	switch {
	case !callgrindBuilt:
		return nil, errors.New("metric instructions: this binary was built without cgo, so it cannot issue valgrind client requests")
	case prefix == "" || !runningOnValgrind():
		return nil, errors.New("metric instructions: the runner is not running under valgrind --tool=callgrind (xpcs-perf run --metric instructions re-executes itself under it)")
	}
	return &callgrind{prefix: prefix}, nil
}

// dump issues a dump request and returns the instructions counted since
// the last zero or dump.
func (c *callgrind) dump(name cgName, label string) (uint64, error) {
	path := c.dumpOnly(name)
	n, err := readCallgrindTotal(path, label)
	os.Remove(path)
	return n, err
}

// dumpOnly issues a dump request and returns the file it wrote.
func (c *callgrind) dumpOnly(name cgName) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	cgDump(name)
	c.dumps++
	return c.prefix + "." + strconv.Itoa(c.dumps)
}

// nextDump returns the file the next dump will write.
func (c *callgrind) nextDump() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.prefix + "." + strconv.Itoa(c.dumps+1)
}

// dumpPrepared issues a dump request whose file nextDump named, without
// allocating (a benchmark abandoned on timeout and still dumping makes the
// file another's: readCallgrindTotal then fails on its trigger line).
func (c *callgrind) dumpPrepared(name cgName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cgDump(name)
	c.dumps++
}

// readCallgrindTotal reads the first event count (Ir) of a callgrind dump's
// "totals:" line (or "summary:" when it has none), checking that the dump
// is the one requested as label.
func readCallgrindTotal(path, label string) (uint64, error) {
	ev, err := readCallgrindEvents(path, label)
	return ev["Ir"], err
}

// readCallgrindEvents reads every event of a callgrind dump's "totals:"
// line (or "summary:") by the names of its "events:" line (Ir when it has
// none), checking that the dump is the one requested as label.
func readCallgrindEvents(path, label string) (map[string]uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("callgrind dump: %w", err)
	}
	defer f.Close()
	var total, summary string
	events := []string{"Ir"}
	trigger := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "desc: Trigger:"):
			trigger = strings.HasSuffix(line, "Client Request: "+label)
		case strings.HasPrefix(line, "events:"):
			events = strings.Fields(strings.TrimPrefix(line, "events:"))
		case strings.HasPrefix(line, "summary:"):
			summary = strings.TrimSpace(strings.TrimPrefix(line, "summary:"))
		case strings.HasPrefix(line, "totals:"):
			total = strings.TrimSpace(strings.TrimPrefix(line, "totals:"))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("callgrind dump %s: %w", path, err)
	}
	if !trigger {
		return nil, fmt.Errorf("callgrind dump %s: not the dump %q (another client request dumped?)", path, label)
	}
	if total == "" {
		total = summary
	}
	fields := strings.Fields(total)
	if len(fields) == 0 {
		return nil, fmt.Errorf("callgrind dump %s: no totals line", path)
	}
	out := make(map[string]uint64, len(events))
	for i, name := range events {
		if i >= len(fields) {
			break // trailing zero events may be left out
		}
		n, err := strconv.ParseUint(fields[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("callgrind dump %s: totals: %w", path, err)
		}
		out[name] = n
	}
	return out, nil
}

// EstimatedCycles is the cycle estimate of callgrind's cache simulation
// (--cache-sim=yes, xpcs-perf run --cache-sim), the formula of
// cachegrind's documentation and CodSpeed: Ir + 10 x (first-level misses:
// I1mr + D1mr + D1mw) + 100 x (last-level misses: ILmr + DLmr + DLmw). A
// model of a generic CPU, not of the runner's: it ranks changes in memory
// behaviour that the instruction count alone cannot see.
func EstimatedCycles(ev map[string]uint64) uint64 {
	return ev["Ir"] + 10*(ev["I1mr"]+ev["D1mr"]+ev["D1mw"]) + 100*(ev["ILmr"]+ev["DLmr"]+ev["DLmw"])
}

// roundCount is the hook around the timed operations of each round when
// counting instructions: begin zeroes callgrind's counters, end dumps and
// reads them. With an injected slowdown (factor > 1), end then runs and
// counts (factor-1) times the round's count of extra instructions (spin),
// so the recorded count grows by the factor: deterministic extra work, not
// a wait on the clock.
type roundCount struct {
	cg      *callgrind
	factor  float64
	started bool
	name    cgName
	label   string
	path    string // the round's dump file
	samples []float64
	cycles  []float64 // estimated cycles per op (cache simulation)
	extra   uint64    // injected instructions in all rounds
}

// countRounds returns the round hook of a benchmark (nil when the run
// measures time).
func (r *Runner) countRounds(factor float64) *roundCount {
	if r.callgrind == nil {
		return nil
	}
	return &roundCount{cg: r.callgrind, factor: factor}
}

// RoundInstructions is the instructions a counted round aims at: the
// iterations per round are RoundInstructions over the count of one call,
// rounded to two significant digits, so that the same code gets the same
// iterations in every run (iterations from the clock would vary, and with
// them where the garbage collections fall). 20 M instructions take about
// 0.5-1 s under callgrind.
const RoundInstructions = 20e6

// calibrate counts one call of fn and returns the iterations per round.
func (h *roundCount) calibrate(fn func() error) (int, error) {
	h.prepare()
	h.begin()
	err := fn()
	n, derr := h.cg.dump(h.name, h.label)
	h.name.free()
	if err != nil {
		return 0, fmt.Errorf("calibration: %w", err)
	}
	if derr != nil {
		return 0, fmt.Errorf("calibration: instruction count: %w", derr)
	}
	return itersFor(RoundInstructions, float64(n)), nil
}

// itersFor returns target/perCall rounded to two significant digits (at
// least 1).
func itersFor(target, perCall float64) int {
	x := target / max(perCall, 1)
	if x < 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x))-1)
	return max(1, int(math.Round(math.Round(x/p)*p)))
}

// prepare readies a round outside the windows the engine measures (time,
// memory statistics, counts): a garbage collection, so that every round
// starts from the same heap and the collections inside the rounds (counted:
// their work is the operation's cost) start at the same points; the dump's
// name and file; instrumentation on at the first round of a benchmark (off
// in record).
func (h *roundCount) prepare() {
	if h == nil {
		return
	}
	runtime.GC()
	if !h.started {
		cgStart()
		h.started = true
	}
	h.label = "xpcs-perf-round-" + strconv.FormatUint(h.cg.labels.Add(1), 10)
	h.name = newCgName(h.label)
	h.path = h.cg.nextDump()
}

// begin starts counting: callgrind's counters to zero. Like end, it makes
// no Go allocation, so the round's B/op and allocs/op stay the
// operation's own.
func (h *roundCount) begin() {
	if h != nil {
		cgZero()
	}
}

// end stops counting: callgrind dumps the counts since begin.
func (h *roundCount) end() {
	if h != nil {
		h.cg.dumpPrepared(h.name)
	}
}

// collect reads the round's count back (after the engine's memory
// statistics), adds the injected extra work when a slowdown is asked for,
// and records the count per operation of the round's iters.
func (h *roundCount) collect(iters int) error {
	if h == nil {
		return nil
	}
	ev, err := readCallgrindEvents(h.path, h.label)
	os.Remove(h.path)
	h.name.free()
	if err != nil {
		return fmt.Errorf("instruction count: %w", err)
	}
	n := ev["Ir"]
	if h.cg.cacheSim {
		h.cycles = append(h.cycles, float64(EstimatedCycles(ev))/float64(max(iters, 1)))
	}
	if h.factor > 1 {
		extra, err := h.inject(float64(n) * (h.factor - 1))
		if err != nil {
			return fmt.Errorf("injected slowdown: %w", err)
		}
		n += extra
		h.extra += extra
	}
	h.samples = append(h.samples, float64(n)/float64(max(iters, 1)))
	return nil
}

// inject runs about want instructions of extra work and returns the count.
func (h *roundCount) inject(want float64) (uint64, error) {
	cg := h.cg
	if cg.spinPer == 0 { // measure one spin iteration once per process
		const probe = 1 << 16
		label := "xpcs-perf-spin-probe-" + strconv.FormatUint(cg.labels.Add(1), 10)
		name := newCgName(label)
		cgZero()
		spin(probe)
		n, err := cg.dump(name, label)
		name.free()
		if err != nil {
			return 0, err
		}
		cg.spinPer = max(float64(n)/probe, 1)
	}
	label := "xpcs-perf-spin-" + strconv.FormatUint(cg.labels.Add(1), 10)
	name := newCgName(label)
	defer name.free()
	cgZero()
	spin(uint64(want / cg.spinPer))
	return cg.dump(name, label)
}

// record turns the benchmark's results into counts: the primary samples
// become instructions per operation (unit analysis.UnitInstructions, also
// under metric analysis.MetricInstructions) and the wall time under
// Valgrind only a shown metric; CPU time and throughput, meaningless under
// Valgrind, are dropped.
func (h *roundCount) record(out *analysis.Benchmark) {
	if h == nil {
		return
	}
	if h.started {
		cgStop()
	}
	m := out.Metrics
	if len(out.Samples) > 0 {
		m[analysis.MetricValgrindWall] = analysis.Metric{Unit: "s", Direction: analysis.LowerIsBetter, Samples: out.Samples}
	}
	delete(m, CPUMetric)
	delete(m, "MB/s")
	// A round whose operation failed has a count but no time sample: keep
	// as many counts as time samples.
	counts := h.samples[:min(len(h.samples), len(out.Samples))]
	out.Unit = analysis.UnitInstructions
	out.Samples = counts
	out.Rounds = len(counts)
	st := analysis.Describe(counts, out.Unit)
	out.Stats = &st
	m[analysis.MetricInstructions] = analysis.Metric{Unit: analysis.UnitInstructions, Direction: analysis.LowerIsBetter, Samples: counts}
	if len(h.cycles) > 0 {
		m[EstCyclesMetric] = analysis.Metric{Unit: EstCyclesMetric, Direction: analysis.LowerIsBetter, Samples: h.cycles[:min(len(h.cycles), len(counts))]}
	}
	out.Extra["instructions_source"] = "callgrind"
	out.Extra["instructions_scope"] = "every thread of the process while the round's operations ran (callgrind serialises threads)"
	if h.extra > 0 {
		out.Extra["injected_instructions"] = h.extra
	}
}
