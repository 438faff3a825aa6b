package action

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// minSecret is the shortest token redacted: replacing a one- or
// three-letter "token" would mangle every message.
const minSecret = 4

// Redact replaces every occurrence of secret in msg with "***", in any
// letter case (GitHub masks the exact token only; an input echoed after
// strings.ToLower would escape it). A secret shorter than 4 bytes is left.
func Redact(msg, secret string) string {
	if len(secret) < minSecret {
		return msg
	}
	return secretPattern(secret).ReplaceAllLiteralString(msg, "***")
}

// secretPattern matches secret case-insensitively. A regexp rather than a
// hand-written fold: (?i) applies Unicode simple case folding, which keeps
// byte offsets right where strings.ToLower would change lengths.
func secretPattern(secret string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)` + regexp.QuoteMeta(secret))
}

// token is the secret the action redacts: the github-token input, else
// GITHUB_TOKEN.
func token(getenv func(string) string) string {
	tok := input(getenv, "github-token")
	if tok == "" {
		tok = strings.TrimSpace(getenv("GITHUB_TOKEN"))
	}
	return tok
}

// Redactor returns the function that replaces the action's token (the
// github-token input, else GITHUB_TOKEN) with "***" in any letter case; the
// identity when there is no token of at least 4 bytes.
func Redactor(getenv func(string) string) func(string) string {
	tok := token(getenv)
	if len(tok) < minSecret {
		return func(msg string) string { return msg }
	}
	pat := secretPattern(tok)
	return func(msg string) string { return pat.ReplaceAllLiteralString(msg, "***") }
}

// RedactWriter returns w with every write passed through redact. main
// wraps the process's stdout and stderr with it under GitHub Actions, so
// that nothing printed (the final error, a panic) escapes redaction. Run
// writes its ::add-mask:: line to the writer below it.
func RedactWriter(w io.Writer, redact func(string) string) io.Writer {
	return &redactWriter{w: w, redact: redact}
}

// unredacted returns the writer below a RedactWriter (for the one line that
// must carry the token: ::add-mask::), or w itself.
func unredacted(w io.Writer) io.Writer {
	for {
		r, ok := w.(*redactWriter)
		if !ok {
			return w
		}
		w = r.w
	}
}

// redactWriter passes every write through redact. Each write is redacted on
// its own: the workflow commands of go-githubactions are one write each.
type redactWriter struct {
	w      io.Writer
	redact func(string) string
}

var _ io.Writer = (*redactWriter)(nil)

func (r *redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RedactReports rewrites every report file in dir (ReportFiles) with
// redact applied, so that the uploaded report artifact never carries the
// token. Missing files are skipped.
func RedactReports(dir string, redact func(string) string) error {
	for _, name := range ReportFiles {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("redact report %s: %w", p, err)
		}
		if out := redact(string(data)); out != string(data) {
			if err := analysis.WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, out); return err }); err != nil {
				return fmt.Errorf("redact report: %w", err)
			}
		}
	}
	return nil
}
