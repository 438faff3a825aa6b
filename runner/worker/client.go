package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Client drives one worker process. Its methods are not safe for
// concurrent use.
type Client struct {
	// Side names the worker in every error ("base", "head").
	Side string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	resp chan lineOrErr
	tail *tailBuffer
	done chan struct{} // closed when the process has been waited for
	werr error
	once sync.Once
}

type lineOrErr struct {
	line []byte
	err  error
}

// Start starts bin with args (and env appended to the environment given,
// nil meaning the orchestrator's) in its own process group, so that Close
// can kill it and anything it started. The worker's stderr goes to logw,
// each line prefixed with "[side] ", and its last lines are kept for error
// messages.
func Start(side, bin string, args, env []string, logw io.Writer) (*Client, error) {
	return StartOn(nil, side, bin, args, env, logw)
}

// StartOn is Start with the worker's threads restricted to cpus (none: no
// restriction). Giving base and head the same CPUs makes them share one
// core's neighbours round by round instead of each sitting, for seconds, on
// a core with different ones.
func StartOn(cpus []int, side, bin string, args, env []string, logw io.Writer) (*Client, error) {
	if len(cpus) > 0 {
		// The child inherits the affinity of the thread that forks it: pin
		// this goroutine's thread for the fork, then restore it.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var old, set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &old); err != nil {
			return nil, fmt.Errorf("%s worker: cpu affinity: %w", side, err)
		}
		for _, c := range cpus {
			set.Set(c)
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return nil, fmt.Errorf("%s worker: pin to cpus %v: %w", side, cpus, err)
		}
		defer unix.SchedSetaffinity(0, &old)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	tail := &tailBuffer{max: 20, w: logw, prefix: "[" + side + "] "}
	cmd.Stderr = tail
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%s worker: %w", side, err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s worker: %w", side, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s worker: cannot start %s: %w", side, bin, err)
	}
	c := &Client{Side: side, cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64*1024), resp: make(chan lineOrErr, 1), tail: tail, done: make(chan struct{})}
	go func() {
		for {
			line, err := c.out.ReadBytes('\n')
			if err != nil {
				c.resp <- lineOrErr{err: err}
				close(c.resp)
				return
			}
			c.resp <- lineOrErr{line: line}
		}
	}()
	go func() {
		c.werr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// ErrTimeout is wrapped in the error of a request that did not complete in
// time (the worker is then killed).
var ErrTimeout = errors.New("timed out")

// Call sends req and waits for its response at most timeout (0: no limit)
// or until ctx ends. A worker that exits, hangs or answers garbage is
// killed, and the error names the side, the request and the end of the
// worker's stderr.
func (c *Client) Call(ctx context.Context, req Request, timeout time.Duration) (Response, error) {
	what := req.Op
	if req.ID != "" {
		what += " " + req.ID
	}
	b, _ := json.Marshal(req)
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		return Response{}, c.dead(fmt.Errorf("%s worker: %s: write request: %w", c.Side, what, err))
	}
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	select {
	case r, ok := <-c.resp:
		if !ok || r.err != nil {
			return Response{}, c.dead(fmt.Errorf("%s worker: %s: the worker exited", c.Side, what))
		}
		var resp Response
		if err := json.Unmarshal(r.line, &resp); err != nil {
			return Response{}, c.dead(fmt.Errorf("%s worker: %s: bad response line %q: %w", c.Side, what, truncate(string(r.line), 200), err))
		}
		if !resp.OK {
			return resp, fmt.Errorf("%s worker: %s: %s", c.Side, what, resp.Error)
		}
		return resp, nil
	case <-timer:
		c.Kill()
		return Response{}, fmt.Errorf("%s worker: %s: no answer within %v (%w); killed", c.Side, what, timeout, ErrTimeout)
	case <-ctx.Done():
		c.Kill()
		return Response{}, fmt.Errorf("%s worker: %s: %w", c.Side, what, context.Cause(ctx))
	}
}

// dead kills the worker, waits for it and adds its exit status and the end
// of its stderr to err.
func (c *Client) dead(err error) error {
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	c.Kill()
	extra := ""
	switch {
	case c.werr != nil:
		extra += " (" + c.werr.Error() + ")"
	case c.cmd.ProcessState != nil:
		extra += " (the worker exited with status 0 without answering: is it an xpcs-perf with the worker command?)"
	}
	if t := c.tail.String(); t != "" {
		extra += "; its last stderr lines:\n" + t
	}
	return fmt.Errorf("%w%s", err, extra)
}

// Kill kills the worker's process group and waits for the worker.
func (c *Client) Kill() {
	c.once.Do(func() {
		if c.cmd.Process != nil {
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		}
		c.in.Close()
	})
	<-c.done
}

// Close asks the worker to quit (waiting at most grace), then kills its
// process group whatever it answered.
func (c *Client) Close(grace time.Duration) {
	select {
	case <-c.done:
	default:
		_, _ = c.Call(context.Background(), Request{Op: "quit"}, grace)
		select {
		case <-c.done:
		case <-time.After(grace):
		}
	}
	c.Kill()
}

// PID is the worker's process id.
func (c *Client) PID() int { return c.cmd.Process.Pid }

// Exited reports whether the worker process has ended.
func (c *Client) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// tailBuffer forwards lines with a prefix and keeps the last max lines.
type tailBuffer struct {
	mu     sync.Mutex
	max    int
	w      io.Writer
	prefix string
	part   []byte
	lines  []string
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		line := string(t.part[:i])
		t.part = t.part[i+1:]
		if t.w != nil {
			fmt.Fprintln(t.w, t.prefix+line)
		}
		t.lines = append(t.lines, line)
		if len(t.lines) > t.max {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(t.part) > 0 {
		lines = append(lines[:len(lines):len(lines)], string(t.part))
	}
	return strings.Join(lines, "\n")
}
