package reliability

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/action"
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
)

// hostileResults is a suite whose every user-controlled text is hostile:
// benchmark ids, names, groups, parameter keys and values, error messages,
// notes, machine fields, branch and commit. Half of it regresses 5x so the
// annotations (::error / ::warning with the id) are printed too.
func hostileResults(slow float64) *analysis.Results {
	res := SynthResults(len(Hostile), 10, 5, 0, 1)
	for i, h := range Hostile {
		b := &res.Benchmarks[i]
		b.ID = "memory/" + h + "/" + h + "[p=" + h + "]"
		b.Name, b.Group = h, h
		b.Params = map[string]string{h: h}
		if i%2 == 0 {
			for k := range b.Samples {
				b.Samples[k] *= slow
			}
		}
		if i == len(Hostile)-1 {
			b.Error = "panic: " + h
			b.Samples = nil
		}
	}
	res.Notes = append(res.Notes, Hostile...)
	res.Machine.CPUModel = Hostile[0]
	res.Machine.RunnerName = Hostile[4]
	res.Run.Branch, res.Run.Commit = Hostile[1], Hostile[2]
	return res
}

// TestInjectionEndToEnd runs the action on a pull request whose head branch
// and whose benchmarks, baseline artifact and history carry every Hostile
// string, and checks every output: stdout holds only the action's own
// workflow commands; GITHUB_OUTPUT only the action's outputs; the comment,
// job summary and report.md no live HTML, link, image, mention, table row,
// heading or second marker; report.html no live tag; junit.xml is
// well-formed XML; report.json and cmp.json are valid JSON.
func TestInjectionEndToEnd(t *testing.T) {
	t.Parallel()
	sc := newScenario(t, "pull_request", prPayload(7, "feat\n::set-output name=verdict::pass<script>"))
	sc.cur = hostileResults(5)
	sc.Env["INPUT_FAIL-ON-REGRESSION"] = "false"
	sc.addBaseline(hostileResults(1))
	// A history with the same hostile ids, so the trend charts (Mermaid in
	// the comment, SVG in the dashboard) draw them.
	var hist bytes.Buffer
	for d := range 5 {
		e := trend.FromResults(hostileResults(1 + 0.1*float64(d)))
		e.Time = time.Now().Add(-time.Duration(5-d) * 24 * time.Hour)
		e.RunID = string(rune('a' + d))
		if err := writeJSONLine(&hist, e); err != nil {
			t.Fatal(err)
		}
	}
	sc.fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-history-memory", Branch: "main",
		Zip: ghfake.Zip(map[string][]byte{"history.jsonl": hist.Bytes()})})

	code, err, _ := sc.run(faultBound)
	if code != action.ExitPass || err != nil {
		t.Fatalf("exit %d, err %v; want 0 (report-only mode)\n%s", code, err, sc.stdout.String())
	}
	sc.checkResultsKept()
	stdout := sc.stdout.String()
	checkWorkflowCommands(t, stdout)
	// The line break of the id is shown as ⏎ (comment.SafeText) before
	// go-githubactions escapes what is left.
	if !strings.Contains(stdout, " title=performance regression::memory/evil⏎::set-output") {
		t.Errorf("no regression annotation: the hostile ids never reached the log\n%s", stdout)
	}

	// GITHUB_OUTPUT: only the action's outputs, with sane values.
	known := action.Outputs{}.Map()
	out := sc.OutputsMap()
	for k := range out {
		if _, ok := known[k]; !ok {
			t.Errorf("GITHUB_OUTPUT has an injected output %q", k)
		}
	}
	if out["verdict"] != "fail" {
		t.Errorf("verdict output %q, want fail (half the suite regressed 5x)", out["verdict"])
	}

	report := filepath.Join(sc.WS, "xpcs-perf-report")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(report, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	summary, _ := os.ReadFile(sc.Summary)
	comments := sc.fake.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	if os.Getenv("RELIABILITY_DUMP") != "" {
		os.WriteFile(os.Getenv("RELIABILITY_DUMP"), []byte(comments[0].Body), 0o644)
	}
	for name, md := range map[string]string{"comment": comments[0].Body, "job summary": string(summary), "report.md": read(action.MarkdownName)} {
		checkMarkdown(t, name, md)
	}
	checkHTML(t, "report.html", read(action.HTMLName))
	checkXML(t, "junit.xml", read(action.JUnitName))
	for _, name := range []string{action.JSONName, action.CmpName} {
		if !json.Valid([]byte(read(name))) {
			t.Errorf("%s is not valid JSON", name)
		}
	}
}

// checkMarkdown fails when hostile text is live in GitHub Markdown.
func checkMarkdown(t *testing.T, name, md string) {
	t.Helper()
	if n := strings.Count(md, "<!-- xpcs-perf"); n > 1 {
		t.Errorf("%s: %d sticky-comment markers, want at most 1 (a benchmark name spoofs it)", name, n)
	}
	for _, bad := range []string{"<script", "<img", "<h1>", "</details></summary><h1>"} {
		if strings.Contains(md, bad) {
			t.Errorf("%s: hostile text is live: contains %q", name, bad)
		}
	}
	for _, line := range strings.Split(md, "\n") {
		// GitHub links @mentions in HTML blocks too, so they must be
		// broken everywhere.
		for _, bad := range []string{"@octocat", "@org/team"} {
			if strings.Contains(line, bad) {
				flaw(t, "mention-in-summary", "%s: a benchmark name mentions %s: %q", name, bad, line)
			}
		}
		// Markdown links and images are live outside HTML blocks.
		if !strings.HasPrefix(line, "<details><summary>") {
			for _, bad := range []string{"](javascript:", "![img]("} {
				if strings.Contains(line, bad) {
					t.Errorf("%s: hostile Markdown is live: %q", name, line)
				}
			}
		}
		for _, bad := range []string{"| INJECTED-ROW", "# INJECTED-TITLE", "INJECTED-FENCE", "::error::INJECTED", "::set-output"} {
			if strings.HasPrefix(strings.TrimSpace(line), bad) {
				t.Errorf("%s: a hostile line break made a new line: %q", name, line)
			}
		}
	}
}

// checkHTML fails when a hostile tag or attribute survives in the
// dashboard (its own <script> elements carry no INJECTED text).
func checkHTML(t *testing.T, name, h string) {
	t.Helper()
	for _, bad := range []string{"<script>alert", "<img src=x", `onerror="alert`, "<h1>INJECTED", "</summary><h1>"} {
		if strings.Contains(h, bad) {
			t.Errorf("%s: hostile markup is live: contains %q", name, bad)
		}
	}
	if i := strings.Index(h, "javascript:alert"); i >= 0 && strings.Contains(h[max(0, i-10):i], "href=") {
		t.Errorf("%s: a javascript: link is live", name)
	}
}

// checkXML fails unless s is well-formed XML (NUL, BEL and other control
// characters of the names must have been replaced).
func checkXML(t *testing.T, name, s string) {
	t.Helper()
	if err := xmlErr(s); err != nil {
		t.Errorf("%s is not well-formed XML: %v", name, err)
	}
}

// xmlErr returns the first syntax error of the XML document s.
func xmlErr(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
