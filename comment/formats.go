package comment

import (
	"io"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// File names of the renderings in a report folder.
const (
	MarkdownFile = "report.md"   // the comment / job summary text
	JSONFile     = "report.json" // ReportSchema
	JUnitFile    = "junit.xml"
	HTMLFile     = "report.html"
)

// Format is one rendering of a comparison: its name (xpcs-perf report
// --format), the file it is written to in a report folder, and the renderer.
// maxCharts bounds the per-benchmark sample charts of the HTML dashboard.
type Format struct {
	Name  string
	File  string
	Write func(w io.Writer, c *analysis.Comparison, opt Options, maxCharts int) error
}

// Formats are every rendering, in the order they are written.
var Formats = []Format{
	{"md", MarkdownFile, func(w io.Writer, c *analysis.Comparison, opt Options, _ int) error {
		_, err := io.WriteString(w, Markdown(c, opt))
		return err
	}},
	{"json", JSONFile, func(w io.Writer, c *analysis.Comparison, opt Options, _ int) error { return WriteJSON(w, c, opt) }},
	{"junit", JUnitFile, func(w io.Writer, c *analysis.Comparison, opt Options, _ int) error { return WriteJUnit(w, c, opt) }},
	{"html", HTMLFile, WriteHTML},
}

// FormatByName returns the format called name.
func FormatByName(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists the format names for a message: "md, json, junit or
// html".
func FormatNames() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
