// Package worker is the A/B measurement protocol: a long-lived worker
// process (xpcs-perf worker) that sets up and times benchmarks on request,
// and the orchestrator's client that drives two of them (base and head) so
// that their rounds alternate.
//
// The protocol is JSON lines on the worker's stdin (requests) and stdout
// (responses, exactly one per request, in order); the worker logs on stderr.
// The first request must be hello with the orchestrator's [Version]; a
// worker speaking another version answers with an error naming both
// versions. Requests:
//
//	{"op":"hello","version":1}               → {"ok":true,"version":1,"pid":…,"go":…}
//	{"op":"list"}                             → {"ok":true,"benchmarks":[{id,category,group,name,params,markers,unit}…]}
//	{"op":"prepare","id":ID}                  → {"ok":true,"slowdown":F}  (tears down the previous one)
//	{"op":"run","id":ID,"iterations":N,"rounds":R}
//	                                          → {"ok":true,"samples":[s/op…],"cpu":[s/op…]}
//	{"op":"quit"}                             → {"ok":true}, then the worker exits 0
//
// Any failure is {"ok":false,"error":"…"} and the worker keeps serving; a
// closed stdin ends it like quit.
package worker

import "github.com/xpcs-perf/xpcs-perf-action/analysis"

// Version is the protocol version. Change it with any incompatible change
// of the messages.
const Version = 1

// Request is one line on the worker's stdin.
type Request struct {
	Op         string `json:"op"`
	Version    int    `json:"version,omitempty"`
	ID         string `json:"id,omitempty"`
	Iterations int    `json:"iterations,omitempty"`
	Rounds     int    `json:"rounds,omitempty"`
}

// Response is one line on the worker's stdout.
type Response struct {
	OK         bool           `json:"ok"`
	Error      string         `json:"error,omitempty"`
	Version    int            `json:"version,omitempty"`
	PID        int            `json:"pid,omitempty"`
	Go         string         `json:"go,omitempty"`
	Benchmarks []Info         `json:"benchmarks,omitempty"`
	Slowdown   float64        `json:"slowdown,omitempty"`
	Samples    []float64      `json:"samples,omitempty"` // wall seconds per operation, one per round
	CPU        []float64      `json:"cpu,omitempty"`     // process CPU seconds per operation (absent when unavailable)
	Extra      map[string]any `json:"extra,omitempty"`
}

// Info identifies one benchmark a worker offers.
type Info struct {
	ID       string            `json:"id"`
	Category string            `json:"category,omitempty"`
	Group    string            `json:"group,omitempty"`
	Name     string            `json:"name"`
	Params   map[string]string `json:"params,omitempty"`
	Markers  []string          `json:"markers,omitempty"`
}

// Skeleton is the result record of info before any sample.
func (i Info) Skeleton() analysis.Benchmark {
	return analysis.Benchmark{
		ID: i.ID, Category: i.Category, Group: i.Group, Name: i.Name,
		Params: i.Params, Markers: i.Markers,
		Unit: "s", Direction: analysis.LowerIsBetter, Samples: []float64{},
	}
}
