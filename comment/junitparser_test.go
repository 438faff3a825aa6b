package comment

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// junitparserScript reads a JUnit file with Debian's python3-junitparser and
// prints, per suite, its counts and per case its result kinds and time.
const junitparserScript = `
import json, sys
from junitparser import JUnitXml, Failure, Skipped, Error
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    cases = []
    for case in suite:
        kinds = sorted(type(r).__name__ for r in case.result)
        msgs = [r.message for r in case.result]
        cases.append({"name": case.name, "classname": case.classname, "time": case.time, "results": kinds, "messages": msgs})
    out.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                "skipped": suite.skipped, "errors": suite.errors, "cases": cases})
json.dump(out, sys.stdout)
`

type pySuite struct {
	Name     string `json:"name"`
	Tests    int    `json:"tests"`
	Failures int    `json:"failures"`
	Skipped  int    `json:"skipped"`
	Errors   int    `json:"errors"`
	Cases    []struct {
		Name     string   `json:"name"`
		Time     float64  `json:"time"`
		Results  []string `json:"results"`
		Messages []string `json:"messages"`
	} `json:"cases"`
}

// TestJUnitWithJunitparser checks that a real JUnit consumer reads our files
// and finds the suites, cases, failures, skips and errors of the comparison.
func TestJUnitWithJunitparser(t *testing.T) {
	testenv.NeedPython(t, "junitparser")
	dir := t.TempDir()
	script := filepath.Join(dir, "read.py")
	if err := os.WriteFile(script, []byte(junitparserScript), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mixed", "allpass", "firstrun", "hostile"} {
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			var b bytes.Buffer
			if err := WriteJUnit(&b, c, Options{}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, name+".xml")
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(testenv.Python, script, file).Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("junitparser failed: %v\n%s", err, stderr)
			}
			var suites []pySuite
			if err := json.Unmarshal(out, &suites); err != nil {
				t.Fatalf("decode junitparser output: %v\n%s", err, out)
			}
			if len(suites) != 1 {
				t.Fatalf("%d suites, want 1 (one category)", len(suites))
			}
			s := suites[0]
			want := categoryOf(c, Options{})
			if c.Rows[0].Category != "" {
				want = c.Rows[0].Category // suites follow the rows' categories
			}
			if s.Name != want {
				t.Errorf("suite name %q, want %q", s.Name, want)
			}
			counts := expectJUnit(c)
			if s.Tests != counts.tests || s.Failures != counts.failures || s.Skipped != counts.skipped || s.Errors != counts.errors {
				t.Errorf("suite counts tests/failures/skipped/errors = %d/%d/%d/%d, want %d/%d/%d/%d",
					s.Tests, s.Failures, s.Skipped, s.Errors, counts.tests, counts.failures, counts.skipped, counts.errors)
			}
			// Count what the parser sees per case, independently of the suite attributes.
			var got junitWant
			for _, tc := range s.Cases {
				got.tests++
				for _, r := range tc.Results {
					switch r {
					case "Failure":
						got.failures++
					case "Skipped":
						got.skipped++
					case "Error":
						got.errors++
					}
				}
				if len(tc.Results) == 1 && tc.Results[0] == "Failure" && len(tc.Messages) == 1 && !bytes.Contains([]byte(tc.Messages[0]), []byte("% slower")) {
					t.Errorf("failure message %q lacks the change", tc.Messages[0])
				}
			}
			if got != counts {
				t.Errorf("cases seen by junitparser = %+v, want %+v", got, counts)
			}
		})
	}
}
