package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const tok = "ghs_AbCdEf123"
	for _, c := range []struct{ in, secret, want string }{
		{"x ghs_AbCdEf123 y", tok, "x *** y"},
		{`input category: "ghs_abcdef123"`, tok, `input category: "***"`},
		{"GHS_ABCDEF123GHS_abcdef123", tok, "******"},
		{"a.b a.b", "a.b", "a.b a.b"},     // shorter than minSecret
		{"aXbc a.bc", "a.bc", "aXbc ***"}, // quoted, not a pattern
		{"nothing", "", "nothing"},
	} {
		if got := Redact(c.in, c.secret); got != c.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", c.in, c.secret, got, c.want)
		}
	}
}

func TestRedactReports(t *testing.T) {
	dir := t.TempDir()
	const tok = "ghs_SECRETtoken42"
	for name, body := range map[string]string{
		JSONName:     `{"id": "memory/g/ghs_SECRETtoken42"}`,
		HistoryName:  "{\"branch\": \"ghs_secrettoken42\"}\n",
		"other.json": tok, // not a report file: left alone
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := RedactReports(dir, func(s string) string { return Redact(s, tok) }); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		JSONName:     `{"id": "memory/g/***"}`,
		HistoryName:  "{\"branch\": \"***\"}\n",
		"other.json": tok,
	} {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestRunRedactsRefusedInput: a refused input quoting the token (lower-cased
// by the category check) must not print it, although ReadInputs failed.
func TestRunRedactsRefusedInput(t *testing.T) {
	const tok = "ghs_RefusedInputTOKEN99"
	env := map[string]string{
		"INPUT_GITHUB-TOKEN": tok,
		"INPUT_CATEGORY":     tok,
		"GITHUB_WORKSPACE":   t.TempDir(),
	}
	var stdout, stderr bytes.Buffer
	code, err := Run(context.Background(), Env{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}, Deps{})
	if code != ExitError || err == nil {
		t.Fatalf("Run = %d, %v; want exit %d with an error", code, err, ExitError)
	}
	out := strings.Replace(stdout.String(), "::add-mask::"+tok+"\n", "", 1)
	if !strings.HasPrefix(stdout.String(), "::add-mask::"+tok+"\n") {
		t.Errorf("stdout does not start with the mask: %q", stdout.String())
	}
	for _, s := range []string{out, stderr.String()} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(tok)) {
			t.Errorf("output leaks the token: %q", s)
		}
	}
	if !strings.Contains(out, "input category") {
		t.Errorf("stdout does not name the refused input: %q", out)
	}
}

// TestReadInputsOutputDirNotUsable: an output-dir that is a dangling
// symlink or a file is refused up front, naming the input (os.MkdirAll
// would only say "file exists" later).
func TestReadInputsOutputDirNotUsable(t *testing.T) {
	ws := t.TempDir()
	if err := os.Symlink(filepath.Join(ws, "gone"), filepath.Join(ws, "dangling")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "afile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ws, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(ws, "good-link")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ dir, want string }{
		{"dangling", "symlink"},
		{"afile", "not a directory"},
		{"real", ""},
		{"good-link", ""},
		{"new/sub", ""},
	} {
		env := map[string]string{"GITHUB_WORKSPACE": ws, "INPUT_OUTPUT-DIR": tt.dir}
		_, err := ReadInputs(func(k string) string { return env[k] })
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("output-dir %s: %v", tt.dir, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "input output-dir") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("output-dir %s: got %v, want an error naming the input and %q", tt.dir, err, tt.want)
		}
	}
}
