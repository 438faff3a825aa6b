package comment

import (
	"strings"
	"testing"
)

func TestSafeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"memory/g/a[n=10]", "memory/g/a[n=10]"},
		{"tests/test_io.py::test_read", "tests/test_io.py::test_read"},
		{"::add-mask::secret", "\u200b::add-mask::secret"},
		{"  ::stop-commands::tok", "\u200b  ::stop-commands::tok"},
		{"x\n::error::boom", "x⏎::error::boom"},
		{"a ##[set-output name=v;]pass", "a #\u200b#[set-output name=v;]pass"},
		{"\x1b[31mred\x1b[0m", "\uFFFD[31mred\uFFFD[0m"},
		{"\x1b]8;;https://evil\x07link\x1b]8;;\x07", "\uFFFD]8;;https://evil\uFFFDlink\uFFFD]8;;\uFFFD"},
		{"csi\u009b31m", "csi\uFFFD31m"},
		{"abc\u202Egpj.exe", "abc\uFFFDgpj.exe"},
		{"iso\u2066late\u2069", "iso\uFFFDlate\uFFFD"},
		{"line\u2028sep", "line⏎sep"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"nul\x00bel\x07", "nul\uFFFDbel\uFFFD"},
	}
	for _, tt := range tests {
		if got := SafeText(tt.in); got != tt.want {
			t.Errorf("SafeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEscapersDropBidiAndEscape: RTL overrides and raw ESC never reach the
// comment or the HTML (issue 13 item 5).
func TestEscapersDropBidiAndEscape(t *testing.T) {
	t.Parallel()
	in := "name\u202Etxt.exe\x1b[2J\u2067x\u2069"
	for name, got := range map[string]string{"EscapeMarkdown": EscapeMarkdown(in), "EscapeHTML": EscapeHTML(in),
		"EscapeHTMLInMarkdown": EscapeHTMLInMarkdown(in)} {
		if strings.ContainsAny(got, "\u202E\x1b\u2067\u2069") {
			t.Errorf("%s(%q) = %q keeps a bidi control or ESC", name, in, got)
		}
	}
}

// TestHTMLVerdictFromFileInert: the verdict of a comparison file read from
// disk is not trusted inside the strip chart's class attribute (issue 13
// item 5: it was pasted there unescaped).
func TestHTMLVerdictFromFileInert(t *testing.T) {
	t.Parallel()
	c := loadCase(t, "mixed")
	c.Rows[0].Verdict = `regression" onmouseover="alert(1)`
	var b strings.Builder
	if err := WriteHTML(&b, c, Options{Now: goldenNow}, 0); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `onmouseover="`) {
		i := strings.Index(b.String(), "onmouseover")
		t.Errorf("a hostile verdict became an attribute: %q", b.String()[max(i-80, 0):i+30])
	}
}
