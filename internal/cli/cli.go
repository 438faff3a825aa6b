// Package cli is the command line of xpcs-perf, which runs XPCS benchmarks,
// compares them with a baseline and reports regressions. Run by a GitHub runner (GITHUB_ACTIONS=true and no
// arguments) it is the xpcs-perf GitHub Action; otherwise every stage of the
// pipeline is a subcommand:
//
//	xpcs-perf synth | inspect | correlate | fit | run | list | compare | trend | report | demo | action | aggregate
//
// The subcommands are listed, in that order, in one table (commands.go), one
// file each. Exit statuses: 0 success, 1 gate failed or command failed, 2
// usage error or could not judge.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/action"
)

// command is one subcommand. run receives the arguments after the command
// name, writes its normal output to stdout and reads the environment through
// getenv.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error
}

// lookup returns the command of that name in commands.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// exitError carries a specific exit status (for example the gate's 1) without
// being printed as an error when msg is empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Main runs args (the command line after the program name) and returns the
// exit status; main is the only caller of os.Exit. Under GitHub Actions
// (GITHUB_ACTIONS=true, the action and any subcommand of a workflow step)
// stdout, stderr and the standard logger pass through action.Redactor, so
// the token never reaches the log in any letter case (the runner masks only
// the exact value): not in the final error line, not in a panic of the main
// goroutine, which is printed redacted with its stack and exits 2.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	if getenv("GITHUB_ACTIONS") == "true" {
		redact := action.Redactor(getenv)
		stdout = action.RedactWriter(stdout, redact)
		stderr = action.RedactWriter(stderr, redact)
		log.SetOutput(stderr)
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(stderr, "panic: %v\n\n%s", p, debug.Stack())
				code = 2
			}
		}()
	}
	return exitCode(stderr, run(ctx, stdout, stderr, args, getenv))
}

// exitCode prints err (when it has something to say) and maps it to a status:
// 0 success, 1 gate failed or command failed, 2 usage error.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "xpcs-perf:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "xpcs-perf:", err)
	return 1
}

// run dispatches args to a subcommand. With no arguments under GitHub Actions
// it runs the action.
func run(ctx context.Context, stdout, stderr io.Writer, args []string, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	if len(args) == 0 {
		if getenv("GITHUB_ACTIONS") == "true" {
			return cmdAction(ctx, stdout, stderr, getenv, nil)
		}
		usage(stderr)
		return &exitError{code: 2}
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return nil
	}
	c, ok := lookup(name)
	if !ok {
		usage(stderr)
		return &exitError{code: 2, msg: fmt.Sprintf("unknown command %q", name)}
	}
	return c.run(ctx, stdout, stderr, getenv, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: xpcs-perf <command> [flags]   (xpcs-perf <command> --help for its flags)")
	fmt.Fprintln(w)
	for _, c := range commands {
		if c.summary != "" {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
}

// parseFlags parses args into fs, printing fs's usage to stderr. Flags may
// come anywhere on the command line, before or after positional arguments
// (`fit FILE --no-store`); "--" ends the flags. --help is a success (exit
// status 0); any other flag error is a usage error (status 2).
func parseFlags(fs *flag.FlagSet, stderr io.Writer, args []string) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(flagsFirst(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{code: 0}
		}
		return &exitError{code: 2, msg: err.Error()}
	}
	return nil
}

// flagsFirst reorders args so that the flag package, which stops at the
// first positional argument, sees every flag: flags (with the value of a
// non-boolean flag given as the next argument) first, then "--" and the
// positional arguments in their order. A lone "-" is positional; unknown
// flags are kept in place for fs.Parse to report.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	if len(pos) == 0 {
		return flags
	}
	return append(append(flags, "--"), pos...)
}
