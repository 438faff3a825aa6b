// Command xpcs-perf runs XPCS benchmarks, compares them with a baseline and
// reports regressions. Run by a GitHub runner (GITHUB_ACTIONS=true and no
// arguments) it is the xpcs-perf GitHub Action; otherwise every stage of the
// pipeline is a subcommand:
//
//	xpcs-perf synth | inspect | correlate | fit | run | list | compare | trend | report | demo | action | aggregate
//
// main is the only place that calls os.Exit.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/action"
)

// command is one subcommand. run receives the arguments after the command
// name and writes its normal output to stdout.
type command struct {
	name    string
	summary string
	run     func(stdout, stderr io.Writer, args []string) error
}

// commands is filled by the init functions of the cmd_*.go files.
var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

// exitError carries a specific exit status (for example the gate's 1) without
// being printed as an error when msg is empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	os.Exit(mainExit(os.Stdout, os.Stderr, os.Args[1:], os.Getenv))
}

// mainExit runs args and returns the exit status. Under GitHub Actions
// (GITHUB_ACTIONS=true, the action and any subcommand of a workflow step)
// stdout, stderr and the standard logger pass through action.Redactor, so
// the token never reaches the log in any letter case (the runner masks only
// the exact value): not in the final error line, not in a panic of the main
// goroutine, which is printed redacted with its stack and exits 2.
func mainExit(stdout, stderr io.Writer, args []string, getenv func(string) string) (code int) {
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
	return exitCode(stderr, run(stdout, stderr, args, getenv))
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
func run(stdout, stderr io.Writer, args []string, getenv func(string) string) error {
	if len(args) == 0 {
		if getenv("GITHUB_ACTIONS") == "true" {
			if c, ok := commands["action"]; ok {
				return c.run(stdout, stderr, nil)
			}
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
	c, ok := commands[name]
	if !ok {
		usage(stderr)
		return &exitError{code: 2, msg: fmt.Sprintf("unknown command %q", name)}
	}
	return c.run(stdout, stderr, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: xpcs-perf <command> [flags]   (xpcs-perf <command> --help for its flags)")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "  (no commands built in)")
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

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func init() {
	register(command{name: "version", summary: "print the version", run: func(stdout, _ io.Writer, _ []string) error {
		fmt.Fprintln(stdout, "xpcs-perf", version)
		return nil
	}})
}
