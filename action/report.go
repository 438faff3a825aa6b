package action

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

// Report file names inside the report folder. The folder is uploaded as the
// next baseline artifact; ResultsName is what the next run looks for.
const (
	ResultsName  = "results.json"  // current results (xpcs-perf/results/v1)
	BaselineName = "baseline.json" // the baseline used, for aggregate mode
	CmpName      = "cmp.json"      // the comparison (xpcs-perf/comparison/v1)
	MarkdownName = "report.md"     // the comment / job summary text
	JSONName     = "report.json"   // comment.ReportSchema
	JUnitName    = "junit.xml"
	HTMLName     = "report.html"
	HistoryName  = "history.jsonl"
)

// ReportFiles are every file the action writes into the report folder.
var ReportFiles = []string{ResultsName, BaselineName, CmpName, MarkdownName, JSONName, JUnitName, HTMLName, HistoryName}

// CleanReports removes the report files of an earlier run from dir (a
// self-hosted runner keeps its workspace: a stale baseline.json would be
// merged by aggregate mode). Other files in dir are left alone.
func CleanReports(dir string) error {
	for _, f := range ReportFiles {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("clean report folder (input output-dir): %w", err)
		}
	}
	return nil
}

// WriteResults writes cur as dir/results.json (and base as
// dir/baseline.json when not nil), creating dir.
func WriteResults(dir string, cur, base *analysis.Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder (input output-dir): %w", err)
	}
	if err := analysis.WriteResultsFile(filepath.Join(dir, ResultsName), cur); err != nil {
		return err
	}
	if base != nil {
		if err := analysis.WriteResultsFile(filepath.Join(dir, BaselineName), base); err != nil {
			return err
		}
	}
	return nil
}

// WriteReports renders cmp into dir: cmp.json, report.md, report.json,
// junit.xml and report.html. It returns the Markdown (the comment body).
func WriteReports(dir string, cmp *analysis.Comparison, opt comment.Options) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report folder (input output-dir): %w", err)
	}
	// cmp.json embeds a bounded number of samples per row (results.json
	// and baseline.json keep them all); the renderers cap the same way.
	if err := analysis.WriteComparisonFile(filepath.Join(dir, CmpName), cmp.CapSamples(analysis.DefaultMaxEmbeddedSamples)); err != nil {
		return "", err
	}
	md := comment.Markdown(cmp, opt)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{MarkdownName, func(w io.Writer) error { _, err := io.WriteString(w, md); return err }},
		{JSONName, func(w io.Writer) error { return comment.WriteJSON(w, cmp, opt) }},
		{JUnitName, func(w io.Writer) error { return comment.WriteJUnit(w, cmp, opt) }},
		{HTMLName, func(w io.Writer) error { return comment.WriteHTML(w, cmp, opt, comment.DefaultMaxHTMLCharts) }},
	}
	for _, f := range files {
		// Through a temporary file and a rename (a full disk leaves the
		// previous file, never a truncated one).
		if err := analysis.WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return md, fmt.Errorf("report %s: %w", f.name, err)
		}
	}
	return md, nil
}
