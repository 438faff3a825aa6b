package action

import (
	"context"
	"io"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
)

// RunRequest is what the action asks the benchmark runner to measure.
type RunRequest struct {
	Category string // one category, or "all"
	Sizes    []string
	Filter   string // regexp on benchmark IDs
	Rounds   int    // 0 = runner default
	// MinTime is the shortest round (0 = runner default, 10 ms); longer
	// rounds average scheduler noise away on a busy machine.
	MinTime    time.Duration
	TimeBudget time.Duration
	Data       []string // user HDF5 files (absolute paths)
	Shard      string   // "i/n" or ""
	// Metric is what the rounds measure: "" or "time", or "instructions"
	// (counts under valgrind --tool=callgrind).
	Metric string
	// Slowdown is the runner's testing aid "REGEX=FACTOR" (the demo and the
	// end-to-end tests inject a real slowdown with it).
	Slowdown string
	// ConfigFile is the repository's runner config (.xpcs-perf.json in the
	// workspace; optional).
	ConfigFile string
	// Getenv is the environment the runner records (commit, runner name).
	Getenv func(string) string
}

// RunFunc measures benchmarks. Progress goes to log.
type RunFunc func(ctx context.Context, req RunRequest, log io.Writer) (*analysis.Results, error)

// GitHub is what the pipeline needs from the GitHub API.
type GitHub interface {
	FetchArtifact(ctx context.Context, q ghapi.ArtifactQuery, dir string, lim ghapi.Limits) (*ghapi.Fetched, error)
	UpsertComment(ctx context.Context, r ghapi.CommentRequest) (ghapi.CommentResult, error)
}

var _ GitHub = (*ghapi.Client)(nil)

// Deps are the injected parts of the pipeline.
type Deps struct {
	// Run measures benchmarks (internal/cli wires package runner and its suite).
	Run RunFunc
	// NewGitHub returns the API client (default: ghapi.New with retries).
	NewGitHub func(opt ghapi.Options) (GitHub, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (d *Deps) defaults() {
	if d.NewGitHub == nil {
		d.NewGitHub = func(opt ghapi.Options) (GitHub, error) { return ghapi.New(opt) }
	}
	if d.Now == nil {
		d.Now = time.Now
	}
}
