package comment

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// ReportSchema is the schema tag of the JSON report (docs/REPORTS.md). The
// major version changes only when a field is removed or changes meaning.
const ReportSchema = "xpcs-perf/report/v1"

// Report is the JSON report: the comparison with its verdict spelled out, in
// a stable, documented shape. Rows are ordered by importance (regressions by
// severity and size first), the order the Markdown comment uses.
type Report struct {
	Schema string `json:"schema"`
	// ComparisonSchema is the schema of the comparison the report was made from.
	ComparisonSchema string `json:"comparison_schema"`
	GeneratedAt      string `json:"generated_at"` // RFC 3339, UTC
	Category         string `json:"category"`
	// Status is "pass", "fail" or "first-run" (no baseline; the gate passed).
	Status   string `json:"status"`
	FirstRun bool   `json:"first_run"`
	// Headline is the first line of the Markdown comment without its
	// heading marks.
	Headline     string            `json:"headline"`
	Gate         analysis.Gate     `json:"gate"`
	Summary      analysis.Summary  `json:"summary"`
	Config       analysis.Config   `json:"config"`
	Current      analysis.RunInfo  `json:"current"`
	Baseline     *analysis.RunInfo `json:"baseline"`
	MachineDiffs []string          `json:"machine_diffs"`
	Warnings     []string          `json:"warnings"`
	Notes        []string          `json:"notes"`
	Rows         []analysis.Row    `json:"rows"`
	// Trends hold the newest Options.MaxTrendPoints points per benchmark
	// (default DefaultMaxTrendPoints); slopes cover the whole history.
	Trends    []analysis.TrendInfo   `json:"trends"`
	Scaling   []analysis.ScalingInfo `json:"scaling"`
	ReportURL string                 `json:"report_url,omitempty"`
}

// NewReport builds the JSON report of c. Nil slices become empty arrays so
// consumers never see null where a list is documented.
//
// Raw samples are embedded at most analysis.DefaultMaxEmbeddedSamples per
// row and side (Comparison.CapSamples, with a note); results.json keeps
// them all.
func NewReport(c *analysis.Comparison, opt Options) *Report {
	c = c.CapSamples(analysis.DefaultMaxEmbeddedSamples)
	rows := sortedRows(c)
	r := &Report{
		Schema:           ReportSchema,
		ComparisonSchema: c.Schema,
		GeneratedAt:      reportTime(c, opt).UTC().Format(time.RFC3339),
		Category:         categoryOf(c, opt),
		FirstRun:         c.Baseline == nil,
		Headline:         headline(c, opt),
		Gate:             c.Gate,
		Summary:          summaryOf(c),
		Config:           c.Config,
		Current:          c.Current,
		Baseline:         c.Baseline,
		MachineDiffs:     nonNil(c.MachineDiffs),
		Warnings:         nonNil(c.Warnings),
		Notes:            nonNil(c.Notes),
		Rows:             make([]analysis.Row, len(rows)),
		Trends:           nonNil(capTrends(c.Trends, opt.maxTrendPoints())),
		Scaling:          nonNil(c.Scaling),
		ReportURL:        c.ReportURL,
	}
	r.Gate.Reasons = nonNil(r.Gate.Reasons)
	for i, row := range rows {
		r.Rows[i] = *row
	}
	r.Status = status(c)
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// headline is the Markdown verdict line as plain text (no heading marks,
// no Markdown escapes).
func headline(c *analysis.Comparison, opt Options) string {
	return newMDRenderer(c, opt).title(oneLine)
}

// WriteJSON writes the JSON report of c, indented, to w.
func WriteJSON(w io.Writer, c *analysis.Comparison, opt Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(true) // hostile names stay inert if the JSON is pasted into HTML
	if err := enc.Encode(NewReport(c, opt)); err != nil {
		return fmt.Errorf("encode JSON report: %w", err)
	}
	return nil
}
