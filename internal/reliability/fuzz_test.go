package reliability

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/ingest"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// FuzzPipeline feeds any bytes through everything after measuring, as the
// action does with a results-file input and a baseline: ingest (format
// detection and every adapter), Compare against a perturbed copy, the gate,
// and every renderer. It checks that nothing panics, that what ingest
// accepts is compared and rendered without error, that the comment fits
// GitHub's cap, that report.json and cmp.json are valid JSON and junit.xml
// is well-formed XML.
//
//	go test -run '^$' -fuzz '^FuzzPipeline$' -fuzztime 2m ./reliability/
func FuzzPipeline(f *testing.F) {
	for _, g := range []string{"../../analysis/ingest/testdata/*.json", "../../analysis/ingest/testdata/*.txt"} {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	// The shared fixtures when present (no skip: the fuzz target must run
	// without them).
	fx := os.Getenv("XPCS_FIXTURES")
	if fx == "" {
		fx = filepath.Join(filepath.Dir(testenv.Root()), "shared", "fixtures")
	}
	{
		for _, g := range []string{"pytest-benchmark/*/*.json", "gobench/*.txt", "googlebench/*.json"} {
			files, _ := filepath.Glob(filepath.Join(fx, g))
			for _, p := range files {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
		}
	}
	var buf bytes.Buffer
	analysis.WriteResults(&buf, hostileResults(2))
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		cur, _, err := ingest.Read(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			return
		}
		if extreme(cur) {
			// Known bug "inf-stats" (known_test.go): skip so the fuzzer
			// keeps looking for other ones.
			return
		}
		base, _, err := ingest.Read(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			t.Fatalf("the same bytes read twice: %v", err)
		}
		for i := range base.Benchmarks {
			for k := range base.Benchmarks[i].Samples {
				base.Benchmarks[i].Samples[k] *= 1 + 0.5*float64(i%3-1)
			}
		}
		cmp, err := analysis.Compare(base, cur, analysis.DefaultConfig())
		if err != nil {
			t.Fatalf("Compare of accepted input: %v", err)
		}
		opt := comment.Options{Category: "fuzz"}
		if md := comment.Markdown(cmp, opt); len(md) > comment.DefaultMaxChars {
			t.Fatalf("comment of %d bytes, above %d", len(md), comment.DefaultMaxChars)
		}
		_ = comment.JobSummary(cmp, opt)
		var js, cj, xml, html bytes.Buffer
		if err := comment.WriteJSON(&js, cmp, opt); err != nil || !json.Valid(js.Bytes()) {
			t.Fatalf("report.json: %v (valid %v)", err, json.Valid(js.Bytes()))
		}
		if err := analysis.WriteComparison(&cj, cmp); err != nil || !json.Valid(cj.Bytes()) {
			t.Fatalf("cmp.json: %v", err)
		}
		if err := comment.WriteJUnit(&xml, cmp, opt); err != nil {
			t.Fatalf("junit.xml: %v", err)
		}
		if err := xmlErr(xml.String()); err != nil {
			bug := ""
			if !utf8.Valid(xml.Bytes()) || strings.IndexFunc(xml.String(), badXMLChar) >= 0 {
				bug = "junit-cdata-utf8"
			}
			flaw(t, bug, "junit.xml is not well-formed XML: %v", err)
		}
		if err := comment.WriteHTML(&html, cmp, opt, 20); err != nil {
			t.Fatalf("report.html: %v", err)
		}
		if strings.Contains(html.String(), "<script>alert") {
			t.Fatalf("report.html carries a live script from the input")
		}
	})
}

// badXMLChar reports a character XML 1.0 forbids (controls but tab, LF, CR).
func badXMLChar(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}

// extreme reports samples whose statistics overflow (|x| > 1e300) or whose
// inverse does (0 < |x| < 1e-300): known bug "inf-stats".
func extreme(res *analysis.Results) bool {
	check := func(v float64) bool {
		a := math.Abs(v)
		return a > 1e300 || (a > 0 && a < 1e-300)
	}
	for _, b := range res.Benchmarks {
		for _, v := range b.Samples {
			if check(v) {
				return true
			}
		}
		if b.Stats != nil {
			for _, v := range []float64{b.Stats.Min, b.Stats.Max, b.Stats.Mean, b.Stats.Stddev, b.Stats.Median} {
				if check(v) {
					return true
				}
			}
		}
		for _, m := range b.Metrics {
			for _, v := range m.Samples {
				if check(v) {
					return true
				}
			}
		}
	}
	return false
}
