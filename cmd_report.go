package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

func init() {
	register(command{
		name:    "report",
		summary: "render a comparison as Markdown, JSON, JUnit XML and an HTML dashboard",
		run:     runReport,
	})
}

// reportFiles maps each --format to the file it writes in --out.
var reportFiles = map[string]string{
	"md":    "report.md",
	"json":  "report.json",
	"junit": "junit.xml",
	"html":  "report.html",
}

// runReport implements
//
//	xpcs-perf report --comparison cmp.json [--format md,json,junit,html] [--out DIR]
//	                 [--category C] [--max-chars N] [--max-charts N] [--report-url URL]
//
// It writes one file per format into DIR (created if needed) and prints their
// paths. "--out -" with a single format writes that format to stdout.
func runReport(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	cmpPath := fs.String("comparison", "", "comparison file (cmp.json) written by `xpcs-perf compare` (required)")
	formats := fs.String("format", "md,json,junit,html", "comma-separated formats: md, json, junit, html")
	out := fs.String("out", ".", "output directory, or - for stdout with a single format")
	category := fs.String("category", "", "category shown in titles, the comment marker and JUnit (default: the comparison's)")
	maxChars := fs.Int("max-chars", comment.DefaultMaxChars, "cap of the Markdown comment in bytes (0 or negative: no cap)")
	maxCharts := fs.Int("max-charts", comment.DefaultMaxHTMLCharts, "per-benchmark sample charts in the HTML dashboard")
	reportURL := fs.String("report-url", "", "URL of the full report, linked when the comment is shortened (default: the comparison's)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: xpcs-perf report --comparison cmp.json [--format md,json,junit,html] [--out DIR] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if *cmpPath == "" {
		fs.Usage()
		return &exitError{code: 2, msg: "report: --comparison is required"}
	}
	if fs.NArg() > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("report: unexpected arguments %q", fs.Args())}
	}
	var want []string
	for _, f := range strings.Split(*formats, ",") {
		f = strings.TrimSpace(strings.ToLower(f))
		if f == "" {
			continue
		}
		if _, ok := reportFiles[f]; !ok {
			return &exitError{code: 2, msg: fmt.Sprintf("report: unknown format %q (want md, json, junit or html)", f)}
		}
		if !slices.Contains(want, f) {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		return &exitError{code: 2, msg: "report: --format names no format"}
	}
	if *out == "-" && len(want) != 1 {
		return &exitError{code: 2, msg: "report: --out - needs exactly one --format"}
	}
	c, err := analysis.ReadComparisonFile(*cmpPath)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *reportURL != "" {
		c.ReportURL = *reportURL
	}
	opt := comment.Options{Category: *category, MaxChars: *maxChars}
	if *maxChars == 0 {
		opt.MaxChars = -1 // in Options 0 means the default; on the command line it means no cap
	}
	if *out != "-" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("report: create output directory: %w", err)
		}
	}
	for _, f := range want {
		render := func(w io.Writer) error {
			switch f {
			case "md":
				_, err := io.WriteString(w, comment.Markdown(c, opt))
				return err
			case "json":
				return comment.WriteJSON(w, c, opt)
			case "junit":
				return comment.WriteJUnit(w, c, opt)
			default: // html
				return comment.WriteHTML(w, c, opt, *maxCharts)
			}
		}
		if *out == "-" {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				return fmt.Errorf("report: %s: %w", *cmpPath, err)
			}
			_, err := stdout.Write(b.Bytes())
			return err
		}
		// Through a temporary file and a rename: a full disk or a failed
		// render leaves the previous report intact, never a truncated one.
		path := filepath.Join(*out, reportFiles[f])
		if err := analysis.WriteFileAtomic(path, render); err != nil {
			return fmt.Errorf("report: %s: %w", *cmpPath, err)
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}
