package reliability

import (
	"fmt"
	"os"
	"testing"
)

// knownBugs are flaws these tests found in other packages and reported to
// their owners (docs/RELIABILITY.md, "Found and reported"). While a bug is
// listed its check logs "KNOWN BUG" instead of failing, so the suite stays
// green for everyone else; XPCS_RELIABILITY_STRICT=1 (make
// reliability-strict) turns them back into failures. Remove an entry when
// its fix lands: the check then guards against the regression.
var knownBugs = map[string]string{
	"mention-in-summary":   "comment: group names in <details><summary> are escaped with EscapeHTML, which keeps @mentions live (GitHub links mentions in HTML blocks too)",
	"inf-stats":            "analysis: the descriptive stats of samples near math.MaxFloat64 (mean overflows) or of denormals (ops = 1/mean) are +Inf; ingest accepts the file, then WriteResults fails with \"json: unsupported value: +Inf\" and the whole results.json is lost",
	"leak-not-reported":    "analysis/comment: Memory.HeapGrowthBytes and GoroutineGrowth are recorded in results.json but neither compared nor shown in the comment, job summary or reports (only the memory category's leak group sets extra.leak_suspected)",
	"secret-before-inputs": "action: redact() is a no-op until ReadInputs succeeds, so the ::error for a refused input quotes the token (the runner masks the exact token, but not the lower-cased echo of the category input)",
	"secret-in-reports":    "action/comment: report files (report.html, report.json, junit.xml, cmp.json, results.json, baseline.json) are not redacted: a token inside a benchmark name, note, baseline field or the baseline-artifact input lands in the uploaded artifact, which GitHub's log masking does not cover (the PR comment is clean)",
	"junit-cdata-utf8":     "comment: WriteJUnit writes <system-out> and failure text as CDATA, which encoding/xml does not sanitise: invalid UTF-8 or control characters from a benchmark's unit or name (Go bench text keeps raw bytes) make junit.xml unreadable (found by FuzzPipeline: \"Benchmark0 0 0 \\x80\")",
	"gate-hex-literal":     "analysis: a gate literal such as 0x10 is accepted by go/parser but strconv.ParseFloat fails on it and the operand silently becomes 0",
}

// flaw reports a failed check: an error, or a log line when the check is a
// listed known bug and XPCS_RELIABILITY_STRICT is not set.
func flaw(t testing.TB, bug, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if why, ok := knownBugs[bug]; ok && os.Getenv("XPCS_RELIABILITY_STRICT") != "1" {
		t.Logf("KNOWN BUG %s (%s): %s", bug, why, msg)
		return
	}
	t.Error(msg)
}
