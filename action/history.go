package action

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/analysis/trend"
)

// The history file is analysis/trend's bounded JSON Lines format
// (docs/TRENDS.md); these helpers move it between the artifact, the run and
// the report folder.

// historyEntry summarises cur as a history entry stamped now when the
// producer recorded no time.
func historyEntry(cur *analysis.Results, now time.Time) trend.Entry {
	e := trend.FromResults(cur)
	if e.Time.IsZero() {
		e.Time = now.UTC()
	}
	return e
}

// readHistoryFile reads a history leniently: bad lines are skipped and
// returned as messages (a damaged line must not lose the months behind it).
func readHistoryFile(path string) ([]trend.Entry, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read history: %w", err)
	}
	entries, skipped, err := trend.ReadLenient(bytes.NewReader(data))
	var msgs []string
	for _, s := range skipped {
		msgs = append(msgs, s.Error())
	}
	if err != nil {
		return entries, msgs, fmt.Errorf("%s: %w", path, err)
	}
	return entries, msgs, nil
}

// writeHistoryFile writes entries as JSON Lines.
func writeHistoryFile(path string, entries []trend.Entry) error {
	if err := analysis.WriteFileAtomic(path, func(w io.Writer) error { return trend.Write(w, entries) }); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}
