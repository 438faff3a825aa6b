package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// mainChildEnv makes the test binary run mainExit as the process would
// (the action reads its inputs from the process environment).
const mainChildEnv = "XPCS_TEST_MAIN_CHILD"

const redactTok = "ghs_MainSecretTOKENvalue987"

func init() {
	register(command{name: "test-panic-token", summary: "test only: panics with the token in the message", run: func(io.Writer, io.Writer, []string) error {
		panic("boom near " + strings.ToLower(redactTok))
	}})
}

// TestMainRedactsToken: under GitHub Actions every byte the process writes
// to stdout and stderr passes through redaction, in any letter case: the
// final error print of main, errors quoting an input, and a panic. Only the
// ::add-mask:: line may hold the token (the runner consumes it).
func TestMainRedactsToken(t *testing.T) {
	if os.Getenv(mainChildEnv) == "1" {
		var args []string
		if a := os.Getenv("XPCS_TEST_MAIN_ARGS"); a != "" {
			args = strings.Fields(a)
		}
		os.Exit(mainExit(os.Stdout, os.Stderr, args, os.Getenv))
	}
	tok := redactTok
	for _, c := range []struct {
		name string
		args string
		env  []string
		want string // on stderr, after redaction
		code int
	}{
		{"category", "", []string{"INPUT_CATEGORY=" + strings.ToLower(tok)}, `xpcs-perf: input category: "***"`, 2},
		{"fail-on", "", []string{"INPUT_FAIL-ON=critical > " + strings.ToUpper(tok)}, "xpcs-perf: input fail-on: ", 2},
		{"panic", "test-panic-token", []string{"GITHUB_TOKEN=" + tok}, "panic: boom near ***", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMainRedactsToken$", "-test.count=1")
			ws := t.TempDir()
			cmd.Dir = ws
			cmd.Env = append([]string{mainChildEnv + "=1", "XPCS_TEST_MAIN_ARGS=" + c.args,
				"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + t.TempDir(),
				"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + ws, "GITHUB_EVENT_NAME=push",
				"INPUT_GITHUB-TOKEN=" + tok, "INPUT_CATEGORY=memory", "INPUT_RESULTS-FILE=none.json"}, c.env...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if c.args == "" && !strings.Contains(stdout.String(), "::add-mask::"+tok+"\n") {
				t.Errorf("stdout: no ::add-mask:: line with the token itself (the runner would not mask it):\n%s", stdout.String())
			}
			out := strings.Replace(stdout.String(), "::add-mask::"+tok+"\n", "", 1)
			for name, text := range map[string]string{"stdout": out, "stderr": stderr.String()} {
				if strings.Contains(strings.ToLower(text), strings.ToLower(tok)) {
					t.Errorf("%s holds the token (any case):\n%s", name, text)
				}
			}
			if got := stderr.String(); !strings.Contains(got, c.want) {
				t.Errorf("stderr: got\n%s\nwant a line with %q", got, c.want)
			}
			if code != c.code {
				t.Errorf("exit code: got %d, want %d", code, c.code)
			}
		})
	}
}
