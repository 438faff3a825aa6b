package reliability

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
	"github.com/xpcs-perf/xpcs-perf-action/internal/actiontest"
)

// zipEntry is one entry of a hand-made (possibly hostile) archive.
type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode // 0: regular 0644
	// declared, when non-zero, is the uncompressed size written in the
	// headers instead of the real one (a lying zip bomb).
	declared uint64
}

func makeZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		if e.declared == 0 {
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(e.data)
		fw.Close()
		h.CRC32 = crc32.ChecksumIEEE(e.data)
		h.CompressedSize64, h.UncompressedSize64 = uint64(comp.Len()), e.declared
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileBaselineArtifact serves a baseline artifact that is hostile or
// broken in each way an artifact can be: the run compares without a
// baseline, warns naming the artifact and why, extracts nothing outside
// its temporary folder, and keeps every result.
//
// Not parallel: it points TMPDIR at a folder of its own to check the
// action cleans up.
func TestHostileBaselineArtifact(t *testing.T) {
	good := actiontest.ResultsJSON(t, SynthResults(8, 10, 1, 0, 1))
	zeros := make([]byte, 64<<20)
	cases := []struct {
		name string
		art  func(t *testing.T) ghfake.Artifact
		want string // in the warning
	}{
		{"zip bomb (64 MiB of zeros, ratio ~1000:1)", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "results.json", data: zeros})}
		}, "zip bomb"},
		{"lying zip bomb (declares 100 bytes)", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "results.json", data: zeros, declared: 100})}
		}, "unsafe or corrupt zip"},
		{"symlink entry to /etc/passwd", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "results.json", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777})}
		}, "is a symlink"},
		{"absolute path entry", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "/tmp/xpcs-perf-abs/results.json", data: good})}
		}, "absolute path"},
		{"../ entry", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "../../results.json", data: good})}
		}, "escapes the folder"},
		{"backslash entry", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: `..\..\results.json`, data: good})}
		}, "backslash"},
		{"duplicate entries", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: makeZip(t, zipEntry{name: "results.json", data: good}, zipEntry{name: "results.json", data: good})}
		}, "appears twice"},
		{"not a zip", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: []byte("<html>502 Bad Gateway</html>")}
		}, "not a valid zip"},
		{"no results.json", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"report.md": []byte("old")})}
		}, "has no results.json"},
		{"results.json is text", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": []byte("this is not json\n")})}
		}, "results.json"},
		{"results.json nested 100000 deep", func(t *testing.T) ghfake.Artifact {
			deep := `{"schema":"xpcs-perf/results/v1","benchmarks":[{"id":"a","extra":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}]}`
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": []byte(deep)})}
		}, "results.json"},
		{"results.json of another schema", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": []byte(`{"schema":"xpcs-perf/results/v99","benchmarks":[]}`)})}
		}, "results.json"},
		{"expired artifact only", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": good}), Expired: true}
		}, ""},
		{"listed but gone (410)", func(t *testing.T) ghfake.Artifact {
			return ghfake.Artifact{Zip: ghfake.Zip(map[string][]byte{"results.json": good}), Gone: true}
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := newScenario(t, "pull_request", prPayload(7, "feature"))
			a := c.art(t)
			a.Name, a.Branch, a.SHA = "xpcs-perf-memory", "main", "basesha"
			sc.fake.AddArtifact(a)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // the action's temporary folder lands here
			code, err, took := sc.run(faultBound)
			sc.checkResultsKept()
			out := sc.OutputsMap()
			lines := errorLines(sc.stdout.String())
			t.Logf("exit %d in %v, verdict %s, err %v; lines %q", code, took, out["verdict"], err, lines)
			if code != action.ExitPass || err != nil || out["verdict"] != "no-baseline" {
				t.Errorf("exit %d, err %v, verdict %q; want 0, nil, no-baseline", code, err, out["verdict"])
			}
			if c.want != "" && !strings.Contains(strings.Join(lines, "\n"), c.want) {
				t.Errorf("no warning containing %q: %q", c.want, lines)
			}
			if _, err := os.Lstat("/tmp/xpcs-perf-abs"); err == nil {
				t.Errorf("an absolute zip entry was extracted to /tmp/xpcs-perf-abs")
			}
			// Nothing may remain in TMPDIR (the action removes its folder)
			// and nothing may have been written beside it.
			ents, _ := os.ReadDir(tmp)
			for _, e := range ents {
				t.Errorf("left behind in TMPDIR: %s", e.Name())
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(tmp), "results.json")); err == nil {
				t.Errorf("a ../ entry escaped to %s", filepath.Dir(tmp))
			}
		})
	}
}

// TestHostileHistory serves a history artifact with damaged lines: the run
// keeps the good entries, warns about each bad line, and writes the
// history back (push to main) without the bad lines and with this run.
func TestHostileHistory(t *testing.T) {
	t.Parallel()
	sc := newScenario(t, "push", map[string]any{"ref": "refs/heads/main", "before": "basesha", "after": "headsha"})
	sc.addBaseline(SynthResults(8, 10, 1, 0, 1))
	var hist bytes.Buffer
	if err := WriteSynthHistory(&hist, 3, 8, time.Now()); err != nil {
		t.Fatal(err)
	}
	good := strings.Split(strings.TrimSpace(hist.String()), "\n")
	lines := []string{
		good[0],
		"this line is not JSON",
		`{"schema":"xpcs-perf/history/v0","time":"2026-01-01T00:00:00Z","benchmarks":{}}`,
		good[1],
		"\x00\x01\x02 binary",
		`{"schema":"xpcs-perf/history/v1","time":"2026-01-02T00:00:00Z","benchmarks":{"a":{"median":-1,"n":-5,"unit":"s"}}}`,
		strings.Repeat("[", 20000),
		// over trend.MaxLineBytes, and not compressible (the zip ratio
		// cap would refuse the artifact): the reader stopped here and the
		// lines after it were lost (issue 13)
		`{"pad":"` + incompressible(trend.MaxLineBytes+1024) + `"}`,
		good[2],
	}
	sc.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-memory", Branch: "main",
		Zip: ghfake.Zip(map[string][]byte{"history.jsonl": []byte(strings.Join(lines, "\n") + "\n")})})
	code, err, _ := sc.run(faultBound)
	sc.checkResultsKept()
	warn := errorLines(sc.stdout.String())
	t.Logf("exit %d, err %v; lines %q", code, err, warn)
	if code != action.ExitPass || err != nil {
		t.Fatalf("exit %d, err %v; want 0", code, err)
	}
	if n := strings.Count(strings.Join(warn, "\n"), "::warning::history"); n < 3 {
		t.Errorf("%d history warnings, want one per bad line (at least 3): %q", n, warn)
	}
	b, err := os.ReadFile(filepath.Join(sc.WS, "xpcs-perf-report", "history.jsonl"))
	if err != nil {
		t.Fatalf("history not written back: %v", err)
	}
	kept := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(kept) < 4 {
		t.Errorf("history written back has %d lines, want the 3 good ones + this run", len(kept))
	}
	if !strings.Contains(string(b), good[2]) {
		t.Errorf("the good line after the over-long one was not written back")
	}
	if strings.Contains(string(b), `"pad"`) {
		t.Errorf("the over-long line was carried into the new history")
	}
	if strings.Contains(string(b), "not JSON") || strings.Contains(string(b), "[[[") {
		t.Errorf("bad lines were carried into the new history")
	}
}

// incompressible returns n bytes of pseudo-random letters (a fixed seed).
func incompressible(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = letters[x%uint64(len(letters))]
	}
	return string(b)
}

// TestHostileResultsFile gives the results-file input a file that is
// empty, text, binary, deeply nested, of another schema, or full of odd
// values, and checks the action either ingests it (odd values become
// errored rows, never a crash; a file sharing no benchmark with the
// baseline judges nothing: verdict error, exit 2, without an input error)
// or stops with exit 2 and an error naming the input and the file.
func TestHostileResultsFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		ok         bool // ingested (exit 0 or 1), else exit 2
	}{
		{"empty", "", false},
		{"whitespace", " \n\t\n", false},
		{"text", "hello, this is a README\n", false},
		{"binary", "\x89HDF\r\n\x1a\n\x00\x00\x00\x00binary", false},
		{"utf-8 BOM + JSON", "\ufeff" + `{"schema":"xpcs-perf/results/v1","benchmarks":[{"id":"a","name":"a","unit":"s","direction":"lower","samples":[1,1,1,1,1]}]}`, true},
		{"nested 100000 deep", `{"schema":"xpcs-perf/results/v1","benchmarks":[` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `]}`, false},
		{"future schema", `{"schema":"xpcs-perf/results/v9","benchmarks":[]}`, false},
		{"no benchmarks", `{"schema":"xpcs-perf/results/v1","benchmarks":[]}`, false},
		{"odd values", `{"schema":"xpcs-perf/results/v1","benchmarks":[
			{"id":"neg","name":"neg","unit":"s","direction":"lower","samples":[-1,-2,-3,-4,-5]},
			{"id":"zero","name":"zero","unit":"s","direction":"lower","samples":[0,0,0,0,0]},
			{"id":"one","name":"one","unit":"s","direction":"lower","samples":[1]},
			{"id":"none","name":"none","unit":"s","direction":"lower","samples":[]},
			{"id":"dir","name":"dir","unit":"s","direction":"sideways","samples":[1,2,3,4,5]},
			{"id":"nounit","name":"nounit","unit":"","samples":[1,2,3,4,5]}]}`, true},
		{"extreme values", `{"schema":"xpcs-perf/results/v1","benchmarks":[
			{"id":"ok","name":"ok","unit":"s","direction":"lower","samples":[1,1,1,1,1]},
			{"id":"huge","name":"huge","unit":"s","direction":"lower","samples":[1e308,1e308,1e308,1e308,1e308]},
			{"id":"tiny","name":"tiny","unit":"s","direction":"lower","samples":[5e-324,5e-324,5e-324,5e-324]}]}`, true},
		{"empty id", `{"schema":"xpcs-perf/results/v1","benchmarks":[{"id":"","name":"","unit":"s","samples":[1,2,3,4,5]}]}`, false},
		{"duplicate ids", `{"schema":"xpcs-perf/results/v1","benchmarks":[
			{"id":"a","name":"a","unit":"s","direction":"lower","samples":[1,1,1,1,1]},
			{"id":"a","name":"a","unit":"s","direction":"lower","samples":[2,2,2,2,2]}]}`, false},
		{"pytest-benchmark truncated", `{"machine_info":{},"benchmarks":[{"fullname":"t::a","stats":{"min":1`, false},
		{"go bench text garbage", "BenchmarkX 10 abc ns/op\nBenchmarkY\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc := newScenario(t, "push", map[string]any{"ref": "refs/heads/main", "after": "headsha"})
			sc.addBaseline(SynthResults(8, 10, 1, 0, 1))
			p := filepath.Join(sc.WS, "bench.json")
			if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			sc.Env["INPUT_RESULTS-FILE"] = "bench.json"
			code, err, _ := sc.run(faultBound)
			t.Logf("exit %d, verdict %s, err: %v", code, sc.OutputsMap()["verdict"], err)
			if c.ok {
				// Ingested: the gate decides (exit 0 or 1, or 2 with verdict
				// "error" when nothing could be judged), never an input error.
				if code == action.ExitError && (err != nil || sc.OutputsMap()["verdict"] != "error") {
					bug := ""
					if strings.Contains(fmt.Sprint(err), "unsupported value: +Inf") {
						bug = "inf-stats"
					}
					flaw(t, bug, "exit %d (%v), want the file ingested", code, err)
				}
				return
			}
			if code != action.ExitError || err == nil {
				t.Fatalf("exit %d, err %v; want %d and an error", code, err, action.ExitError)
			}
			if !strings.Contains(err.Error(), "results-file") && !strings.Contains(err.Error(), "bench.json") &&
				!strings.HasPrefix(err.Error(), "no benchmarks") {
				t.Errorf("error %q names neither the input nor the file", err)
			}
		})
	}
}

// TestHostileGateLiterals checks that every number literal go/parser
// accepts in a fail-on expression means its Go value (or is refused): a
// literal that silently became 0 would turn "critical > 0x10" into
// "critical > 0".
func TestHostileGateLiterals(t *testing.T) {
	t.Parallel()
	// Benchmark 0 of 8 is 4x slower (beyond the ±200% drift allowed
	// without history): critical = 1.
	c, err := analysis.Compare(SynthResults(8, 10, 1, 0, 1), SynthResults(8, 10, 2, 8, 4), analysis.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if c.Summary.Critical != 1 {
		t.Fatalf("setup: %d critical regressions, want 1", c.Summary.Critical)
	}
	for _, tt := range []struct {
		expr string
		fail bool // with critical = 1
	}{
		{"critical > 0", true},
		{"critical > 1e0", false},
		{"critical > 1_0", false},
		{"critical > 0x10", false},
		{"critical > 0b1", false},
		{"critical > 0o7", false},
		{"critical > 0x1p-2", true},
		{"critical > .5", true},
	} {
		g, err := analysis.EvalGate(c, tt.expr)
		if err != nil {
			t.Logf("%s: refused: %v", tt.expr, err)
			continue
		}
		if got := !g.Pass; got != tt.fail {
			flaw(t, "gate-hex-literal", "%s with critical=1: gate fails = %v, want %v (reasons %q)", tt.expr, got, tt.fail, g.Reasons)
		}
	}
}
