package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// runUnderCallgrind re-executes `xpcs-perf run args...` under valgrind
// --tool=callgrind (runner.CallgrindCommand) for --metric instructions and
// returns its exit status. The child is the runner proper: it measures,
// checkpoints and writes --out as a run measuring time does; SIGINT and
// SIGTERM are passed on to it, so an interrupted run keeps its partial
// results. Callgrind's dumps go to a temporary folder removed afterwards.
func runUnderCallgrind(ctx context.Context, stdout, stderr io.Writer, args []string, cacheSim bool) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("run: --metric instructions: %w", err)
	}
	dir, err := os.MkdirTemp("", "xpcs-perf-callgrind-")
	if err != nil {
		return fmt.Errorf("run: --metric instructions: %w", err)
	}
	defer os.RemoveAll(dir)
	cmd, err := runner.CallgrindCommand(ctx, exe, append([]string{"run"}, args...), dir, os.Environ(), cacheSim)
	if err != nil {
		return &exitError{code: 2, msg: "run: " + err.Error()}
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// On cancellation, ask the child to stop (it writes its partial
	// results) before killing it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	fmt.Fprintf(stderr, "counting instructions: running under %s\n", cmd.Args[0])
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run: start valgrind: %w", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if code := ee.ExitCode(); code > 0 {
			return &exitError{code: code} // the child said why
		}
		return &exitError{code: 2, msg: fmt.Sprintf("run: valgrind: %v", err)}
	}
	if err != nil {
		return fmt.Errorf("run: valgrind: %w", err)
	}
	return nil
}
