package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// maxLine bounds one request line.
const maxLine = 1 << 20

// Server answers requests about a selection of benchmarks with one Runner.
type Server struct {
	Runner  *runner.Runner
	Benches []*runner.Benchmark
	// Version is the protocol version spoken (0: Version; tests set another).
	Version int

	prepared *runner.Prepared
	hello    bool
}

// Serve reads requests from in and writes responses to out until quit or
// the end of in. It returns nil on quit or EOF, an error when in or out
// fail.
func (s *Server) Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	defer s.release()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		var req Request
		var resp Response
		quit := false
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			resp = Response{Error: fmt.Sprintf("bad request line: %v", err)}
		} else {
			resp, quit = s.handle(ctx, req)
		}
		if err := enc.Encode(resp); err != nil {
			return fmt.Errorf("worker: write response: %w", err)
		}
		if quit {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("worker: read request: %w", err)
	}
	return nil
}

func (s *Server) release() {
	if s.prepared != nil {
		if err := s.prepared.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "worker: %s: %v\n", s.prepared.ID, err)
		}
		s.prepared = nil
	}
}

func fail(format string, args ...any) Response {
	return Response{Error: fmt.Sprintf(format, args...)}
}

func (s *Server) handle(ctx context.Context, req Request) (Response, bool) {
	if req.Op != "hello" && !s.hello {
		return fail("protocol: the first request must be hello (version %d)", Version), false
	}
	switch req.Op {
	case "hello":
		v := s.Version
		if v == 0 {
			v = Version
		}
		if req.Version != v {
			return fail("protocol version mismatch: orchestrator speaks %d, this worker speaks %d (rebuild both sides from commits of the same protocol)", req.Version, v), false
		}
		s.hello = true
		return Response{OK: true, Version: v, PID: os.Getpid(), Go: runtime.Version()}, false
	case "list":
		resp := Response{OK: true, Benchmarks: []Info{}}
		for _, b := range s.Benches {
			resp.Benchmarks = append(resp.Benchmarks, Info{ID: b.ID(), Category: b.Category, Group: b.Group, Name: b.Name, Params: b.Params, Markers: b.Markers})
		}
		return resp, false
	case "prepare":
		s.release()
		b := s.find(req.ID)
		if b == nil {
			return fail("prepare: no benchmark %q in this worker's selection", req.ID), false
		}
		p, err := s.Runner.Prepare(ctx, b)
		if err != nil {
			if errors.Is(err, runner.ErrSkip) {
				return fail("prepare %s: skipped: %v", req.ID, err), false
			}
			return fail("prepare %s: %v", req.ID, err), false
		}
		s.prepared = p
		return Response{OK: true, Slowdown: p.Factor, Extra: p.Extra()}, false
	case "run":
		if s.prepared == nil || s.prepared.ID != req.ID {
			return fail("run %s: not prepared (prepare it first)", req.ID), false
		}
		n, rounds := max(req.Iterations, 1), max(req.Rounds, 1)
		resp := Response{OK: true}
		cpuOK := true
		for range rounds {
			if ctx.Err() != nil {
				return fail("run %s: %v", req.ID, context.Cause(ctx)), false
			}
			wall, cpu, err := s.prepared.Round(n)
			if err != nil {
				return fail("run %s: %v", req.ID, err), false
			}
			resp.Samples = append(resp.Samples, wall.Seconds()/float64(n))
			cpuOK = cpuOK && cpu >= 0
			resp.CPU = append(resp.CPU, cpu.Seconds()/float64(n))
		}
		if !cpuOK {
			resp.CPU = nil
		}
		return resp, false
	case "quit":
		return Response{OK: true}, true
	}
	return fail("unknown op %q (want hello, list, prepare, run, quit)", req.Op), false
}

func (s *Server) find(id string) *runner.Benchmark {
	for _, b := range s.Benches {
		if b.ID() == id {
			return b
		}
	}
	return nil
}
