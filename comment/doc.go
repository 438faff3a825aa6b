// Package comment renders an analysis.Comparison for people and machines:
//
//   - Markdown: the sticky pull-request comment and the job summary (same text),
//     first line = verdict, capped at Options.MaxChars (GitHub's 65,536) by
//     summarising the least important sections first;
//   - JSON: the versioned report document (schema ReportSchema, see docs/REPORTS.md);
//   - JUnit XML: one testsuite per category, one testcase per compared metric;
//   - HTML: a single self-contained dashboard file (inline CSS, JS and SVG; a
//     Content-Security-Policy forbids every network request).
//
// The package only renders. Delivery (creating or updating the sticky comment
// found by Marker, writing GITHUB_STEP_SUMMARY) is done by the GitHub package.
//
// Every string that comes from a benchmark (names, params, reasons) is treated
// as hostile: EscapeMarkdown for Markdown text and table cells,
// EscapeHTMLInMarkdown for HTML blocks of the Markdown (no live @mention),
// html/template or EscapeHTML for HTML and SVG, encoding/xml plus xmlText
// (valid UTF-8, XML 1.0 characters only, also in CDATA) for JUnit.
package comment
