package action

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
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
			if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
				return fmt.Errorf("redact report %s: %w", p, err)
			}
		}
	}
	return nil
}
