package comment

import (
	"html"
	"strings"
	"unicode"
)

// mdEscaper replaces the characters that would change the meaning of Markdown
// text or break a GitHub table cell:
//   - '|' ends a table cell, so it becomes "\|" (GFM honours "\|" even in cells);
//   - '<', '>', '&', '"' become HTML entities, so no tag (<script>, <details>,
//     a closing </summary>) or entity survives;
//   - Markdown punctuation that starts emphasis, links, code or headings is
//     backslash-escaped ('\\', '`', '*', '_', '[', ']', '(', ')', '#', '~', '!');
//   - '@' is followed by a zero-width space so a name such as "@org/team" never
//     mentions anybody;
//   - newlines, tabs and other control characters are handled in EscapeMarkdown.
//
// Written by hand because no library escapes for GitHub-flavoured Markdown
// table cells.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`,
	"`", "\\`",
	"|", `\|`,
	"*", `\*`,
	"_", `\_`,
	"[", `\[`,
	"]", `\]`,
	"(", `\(`,
	")", `\)`,
	"#", `\#`,
	"~", `\~`,
	"!", `\!`,
	"<", "&lt;",
	">", "&gt;",
	"&", "&amp;",
	`"`, "&quot;",
	"@", "@&#8203;",
)

// EscapeMarkdown returns s as inert Markdown text that is safe in a GitHub
// table cell, in a list item and in running text: no HTML, no formatting, no
// mention, no line break. Line breaks (\r\n, \n, \r) are shown as "⏎", other
// control characters as U+FFFD, and runs of spaces are kept as they are.
func EscapeMarkdown(s string) string {
	return mdEscaper.Replace(oneLine(s))
}

// EscapeHTML returns s escaped for HTML text and attribute values (including
// inside <summary> and SVG <text>), on one line.
func EscapeHTML(s string) string {
	return html.EscapeString(oneLine(s))
}

// oneLine replaces line breaks with "⏎" and other control characters with
// U+FFFD, so a name can never end a table row or a Markdown line.
func oneLine(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r':
			return '⏎'
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// mermaidLabel keeps only characters that are inert in a Mermaid string
// literal (ASCII letters, digits, space and "._-/:=,+[]"), truncated to max runes.
// Mermaid has no escape syntax for quotes inside labels, hence the whitelist.
func mermaidLabel(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)), strings.ContainsRune(" ._-/:=,+[]", r):
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
		n++
	}
	return b.String()
}
