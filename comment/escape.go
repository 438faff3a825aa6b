package comment

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
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
// SVG <text>), on one line. Inside the Markdown comment use
// EscapeHTMLInMarkdown, which also breaks @mentions.
func EscapeHTML(s string) string {
	return html.EscapeString(oneLine(s))
}

// EscapeHTMLInMarkdown returns s escaped like EscapeHTML for an HTML block
// of GitHub Markdown (a <details><summary> line): GitHub links @mentions
// there too, so every '@' is followed by a zero-width space (&#8203;), as
// EscapeMarkdown does.
func EscapeHTMLInMarkdown(s string) string {
	return strings.ReplaceAll(EscapeHTML(s), "@", "@&#8203;")
}

// xmlText returns s as text that XML 1.0 accepts: invalid UTF-8 becomes
// U+FFFD and characters outside the XML Char production
// (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF])
// are dropped. encoding/xml replaces such characters in attributes and
// escaped text but writes ",cdata" fields verbatim, hence this filter.
func xmlText(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, notXMLChar) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if notXMLChar(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// notXMLChar reports whether r is outside the XML 1.0 Char production.
func notXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE || r == 0xFFFF, r > 0x10FFFF:
		return true
	}
	return false
}

// oneLine replaces line breaks (also U+2028, U+2029) with "⏎", other
// control characters (NUL, BEL, ESC and so ANSI/OSC escape sequences, C1
// controls such as CSI U+009B) and bidirectional controls (U+202E
// right-to-left override, U+2066-U+2069 isolates, U+200E/U+200F marks,
// U+061C) with U+FFFD, and invalid UTF-8 with U+FFFD, so a name can never
// end a table row or a line, drive a terminal or reorder what a reader sees.
func oneLine(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return '⏎'
		case r == '\t':
			return ' '
		case unsafeRune(r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// unsafeRune reports the runes oneLine replaces.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

// SafeText returns s fit for a terminal, a log line or a workflow
// annotation, the one sanitiser of every text the CLI and the action print:
// one line, no control or bidirectional characters (see oneLine), and never
// a workflow command: the runner reads a line whose text, trimmed, starts
// with "::" (::add-mask::, ::stop-commands::, ::error::) or that holds
// "##[" as a command, so a leading "::" and every "##[" get a zero-width
// space (U+200B) that breaks them and shows nothing. Other "::" are kept
// (pytest ids such as "tests/test_io.py::test_read").
func SafeText(s string) string {
	s = oneLine(s)
	if strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), ":") {
		s = "\u200b" + s
	}
	return strings.ReplaceAll(s, "##[", "#\u200b#[")
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
