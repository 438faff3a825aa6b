package ingest

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// machineKeys are the file configuration keys that describe the machine (and
// the package, which is part of the ID); every other key (note:, commit:, ...)
// becomes a parameter of the benchmarks below it.
var machineKeys = map[string]bool{"goos": true, "goarch": true, "cpu": true, "pkg": true}

// maxSyntaxNotes bounds the bad lines reported one by one.
const maxSyntaxNotes = 20

// goKey identifies one series of a Go benchmark file before IDs are chosen.
type goKey struct {
	pkg, name string // name: full name without the -GOMAXPROCS suffix
	procs     string // GOMAXPROCS suffix without '-', "" when absent
	config    string // other file config, "k=v,k=v" in file order
}

type goSeries struct {
	key     goKey
	params  map[string]string
	samples []float64
	unit    string // primary unit, as stored in samples
	dir     analysis.Direction
	metrics map[string]*analysis.Metric
	order   []string // metric units in first-seen order
	iters   []int
	line    int
}

// readGoBench reads `go test -bench` text with benchfmt.Reader. Values are
// tidied by benchfmt (ns/op -> sec/op); time is stored in seconds (Unit "s"),
// other units keep the unit written in the file.
func readGoBench(r io.Reader, name string) (*analysis.Results, error) {
	br := benchfmt.NewReader(r, name)
	res := &analysis.Results{}
	series := map[goKey]*goSeries{}
	byRaw := map[string]*goSeries{}
	var scratch []byte
	var order []*goSeries
	var syntax []*benchfmt.SyntaxError
	nSyntax := 0
	machines := map[string]bool{}
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			// Keep a bounded number: a large non-benchmark file must not
			// grow the notes without limit.
			if nSyntax++; len(syntax) < maxSyntaxNotes {
				syntax = append(syntax, rec)
			}
		case *benchfmt.UnitMetadata:
			// Read through br.Units() when a value is stored.
		case *benchfmt.Result:
			// Look the line up by its raw name and file config first: the
			// key and params are built once per series, not per line.
			scratch = append(scratch[:0], rec.Name...)
			for _, c := range rec.Config {
				scratch = append(scratch, 0)
				scratch = append(scratch, c.Key...)
				scratch = append(scratch, 0)
				scratch = append(scratch, c.Value...)
			}
			s := byRaw[string(scratch)]
			if s == nil {
				k, params := goSeriesKey(rec)
				if s = series[k]; s == nil {
					_, line := rec.Pos()
					s = &goSeries{key: k, params: params, metrics: map[string]*analysis.Metric{}, line: line}
					series[k] = s
					order = append(order, s)
				}
				byRaw[string(scratch)] = s
				// The machine lines are part of the raw key: check them
				// once per new key, not per line.
				m := analysis.Machine{OS: rec.GetConfig("goos"), Arch: rec.GetConfig("goarch"), CPUModel: rec.GetConfig("cpu")}
				if len(machines) == 0 {
					res.Machine = m
				}
				machines[m.OS+"/"+m.Arch+"/"+m.CPUModel] = true
			}
			goAdd(s, rec, br.Units())
		}
	}
	if err := br.Err(); err != nil {
		return nil, &Error{File: name, Format: FormatGoBench, Offset: -1, Err: err}
	}
	if len(order) == 0 {
		if len(syntax) > 0 {
			fn, line := syntax[0].Pos()
			return nil, &Error{File: fn, Format: FormatGoBench, Line: line, Offset: -1,
				Err: fmt.Errorf("no benchmark line parses (%d bad line(s)): %s", nSyntax, syntax[0].Msg)}
		}
		return nil, &Error{File: name, Format: FormatGoBench, Offset: -1, Err: errors.New("no benchmark result lines")}
	}
	for _, e := range syntax {
		res.Notes = append(res.Notes, "skipped bad line: "+e.Error())
	}
	if n := nSyntax - len(syntax); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("skipped %d more bad line(s)", n))
	}
	if len(machines) > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d different goos/goarch/cpu headers in one file: machine taken from the first", len(machines)))
	}
	res.Benchmarks = goBenchmarks(order)
	// benchfmt "Unit u assume=exact" metadata: the model has no field for
	// it, so it is carried in Extra["assume"][unit] = "exact" for the
	// comparison to honour (benchstat then compares values, not samples).
	units := br.Units()
	for i := range res.Benchmarks {
		b := &res.Benchmarks[i]
		assume := map[string]string{}
		for _, u := range append([]string{b.Unit}, slices.Sorted(maps.Keys(b.Metrics))...) {
			if md := units.Get(goUnitName(u), "assume"); md != nil {
				assume[u] = md.Value
			}
		}
		if len(assume) > 0 {
			b.Extra["assume"] = assume
		}
	}
	res.Notes = append(res.Notes, "gobench: times converted from ns/op to seconds per operation (unit \"s\")")
	return res, nil
}

func goSeriesKey(rec *benchfmt.Result) (goKey, map[string]string) {
	base, parts := rec.Name.Parts()
	k := goKey{pkg: rec.GetConfig("pkg")}
	params := map[string]string{}
	var name strings.Builder
	name.WriteString("Benchmark")
	name.Write(base)
	for _, p := range parts {
		if p[0] == '-' {
			k.procs = string(p[1:])
			params["gomaxprocs"] = k.procs
			continue
		}
		name.Write(p)
		if kv := string(p[1:]); strings.Contains(kv, "=") {
			key, v, _ := strings.Cut(kv, "=")
			params[key] = v
		}
	}
	k.name = name.String()
	var cfg []string
	for _, c := range rec.Config {
		if c.File && !machineKeys[c.Key] {
			cfg = append(cfg, c.Key+"="+string(c.Value))
			params[c.Key] = string(c.Value)
		}
	}
	k.config = strings.Join(cfg, ",")
	return k, params
}

func goAdd(s *goSeries, rec *benchfmt.Result, units benchfmt.UnitMetadataMap) {
	s.iters = append(s.iters, rec.Iters)
	primaryDone := false
	for _, v := range rec.Values {
		if v.Unit == "sec/op" {
			if s.unit == "" || s.unit == "s" {
				s.unit, s.dir = "s", analysis.LowerIsBetter
				x := v.Value
				if v.OrigUnit == "ns/op" {
					// Dividing gives the correctly rounded value (1718 ns ->
					// 1.718e-06 s) where benchfmt's tidy multiplies by 1e-9.
					x = v.OrigValue / 1e9
				}
				s.samples = append(s.samples, x)
				primaryDone = true
				continue
			}
		}
		unit, x := v.Unit, v.Value
		if v.OrigUnit != "" {
			unit, x = v.OrigUnit, v.OrigValue
		}
		dir := analysis.LowerIsBetter
		if units.GetBetter(v.Unit) > 0 {
			dir = analysis.HigherIsBetter
		}
		if s.unit == "" && !primaryDone && !hasTime(rec) {
			// No time on this line: the first unit is the primary metric.
			s.unit, s.dir = unit, dir
		}
		if unit == s.unit && !primaryDone {
			s.samples = append(s.samples, x)
			primaryDone = true
			continue
		}
		m := s.metrics[unit]
		if m == nil {
			m = &analysis.Metric{Unit: unit, Direction: dir}
			s.metrics[unit] = m
			s.order = append(s.order, unit)
		}
		m.Samples = append(m.Samples, x)
	}
}

// goUnitName maps a stored unit back to the unit benchfmt knows ("s" is
// stored for sec/op).
func goUnitName(u string) string {
	if u == "s" {
		return "sec/op"
	}
	return u
}

func hasTime(rec *benchfmt.Result) bool {
	_, ok := rec.Value("sec/op")
	return ok
}

// goBenchmarks chooses IDs: "pkg.Name" (Name = "BenchmarkX/sub=keys"); when
// one pkg.Name has several series in a file (several GOMAXPROCS values or
// config such as "note: before"/"note: after"), the differing parts are kept:
// "-N" for GOMAXPROCS and "[k=v,...]" for config.
func goBenchmarks(order []*goSeries) []analysis.Benchmark {
	type variants struct{ procs, config map[string]bool }
	vs := map[string]*variants{}
	base := func(k goKey) string {
		if k.pkg == "" {
			return k.name
		}
		return k.pkg + "." + k.name
	}
	for _, s := range order {
		b := base(s.key)
		v := vs[b]
		if v == nil {
			v = &variants{map[string]bool{}, map[string]bool{}}
			vs[b] = v
		}
		v.procs[s.key.procs] = true
		v.config[s.key.config] = true
	}
	out := make([]analysis.Benchmark, 0, len(order))
	for _, s := range order {
		id := base(s.key)
		v := vs[id]
		if len(v.procs) > 1 && s.key.procs != "" {
			id += "-" + s.key.procs
		}
		if len(v.config) > 1 {
			id += "[" + s.key.config + "]"
		}
		group, _, _ := strings.Cut(s.key.name, "/")
		b := analysis.Benchmark{
			ID: id, Group: group, Name: s.key.name,
			Unit: s.unit, Direction: s.dir, Samples: s.samples,
			Extra: map[string]any{"line": s.line},
		}
		if s.key.pkg != "" {
			b.Extra["pkg"] = s.key.pkg
		}
		if len(s.params) > 0 {
			b.Params = s.params
		}
		if len(slices.Compact(slices.Clone(s.iters))) == 1 {
			b.Iterations = s.iters[0]
		} else {
			b.Extra["iterations"] = s.iters
		}
		if b.Unit == "" {
			b.Unit, b.Direction = "s", analysis.LowerIsBetter
		}
		if len(s.order) > 0 {
			b.Metrics = make(map[string]analysis.Metric, len(s.order))
			for _, u := range s.order {
				b.Metrics[u] = *s.metrics[u]
			}
		}
		out = append(out, b)
	}
	return out
}
