package worker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// The test binary is also the worker: with workerEnv set, TestMain serves
// the protocol over a small registry instead of running the tests, so the
// tests drive real subprocesses.
const (
	workerEnv  = "XPCS_WORKER_TEST_SIDE"
	versionEnv = "XPCS_WORKER_TEST_VERSION"
	crashEnv   = "XPCS_WORKER_TEST_CRASH_AFTER" // exit(3) after this many calls of t/g/crash
)

func TestMain(m *testing.M) {
	if side := os.Getenv(workerEnv); side != "" {
		os.Exit(serveTest(side))
	}
	os.Exit(m.Run())
}

func spin(d time.Duration) func() error {
	return func() error {
		for t := time.Now(); time.Since(t) < d; {
		}
		return nil
	}
}

func serveTest(side string) int {
	cfg := runner.DefaultConfig()
	cfg.Apply(runner.Overrides{NoCounters: true}, os.Getenv)
	r, err := runner.NewRunner(cfg, os.Stderr)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	calls := 0
	crashAfter, _ := strconv.Atoi(os.Getenv(crashEnv))
	benches := []*runner.Benchmark{
		{Category: "t", Group: "g", Name: "fast", Setup: func(*runner.Env) (*runner.Op, error) {
			return &runner.Op{Run: spin(20 * time.Microsecond)}, nil
		}},
		{Category: "t", Group: "g", Name: "crash", Setup: func(*runner.Env) (*runner.Op, error) {
			return &runner.Op{Run: func() error {
				if calls++; crashAfter > 0 && calls > crashAfter {
					os.Exit(3)
				}
				return spin(20 * time.Microsecond)()
			}}, nil
		}},
		{Category: "t", Group: "g", Name: "hang", Setup: func(*runner.Env) (*runner.Op, error) {
			return &runner.Op{Run: func() error {
				if calls++; calls > 100 && side == "head" {
					time.Sleep(time.Hour) // a real hang (select{} would be a detected deadlock)
				}
				return spin(20 * time.Microsecond)()
			}}, nil
		}},
		{Category: "t", Group: "g", Name: "fails", Setup: func(*runner.Env) (*runner.Op, error) {
			if side == "head" {
				return nil, errors.New("no such kernel")
			}
			return &runner.Op{Run: spin(20 * time.Microsecond)}, nil
		}},
	}
	benches = append(benches, &runner.Benchmark{Category: "t", Group: "only", Name: side, Setup: func(*runner.Env) (*runner.Op, error) {
		return &runner.Op{Run: spin(20 * time.Microsecond)}, nil
	}})
	v, _ := strconv.Atoi(os.Getenv(versionEnv))
	srv := &Server{Runner: r, Benches: benches, Version: v}
	if err := srv.Serve(context.Background(), os.Stdin, os.Stdout); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

type sideSpec struct{ env []string }

// session starts a base and a head worker (this test binary) with extra
// environment each and returns the session and its results after Run.
func session(t *testing.T, filter string, base, head sideSpec, plan Plan) (*Session, *analysis.Results, *analysis.Results, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	bc, err := Start("base", exe, nil, append(os.Environ(), append([]string{workerEnv + "=base"}, base.env...)...), &log)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := Start("head", exe, nil, append(os.Environ(), append([]string{workerEnv + "=head"}, head.env...)...), &log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		bc.Close(time.Second)
		hc.Close(time.Second)
		for _, c := range []*Client{bc, hc} {
			if err := syscall.Kill(c.PID(), 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("%s worker %d still there after Close (kill 0: %v)", c.Side, c.PID(), err)
			}
		}
	})
	s := &Session{Base: bc, Head: hc, Plan: plan, filter: filter}
	b, h := &analysis.Results{}, &analysis.Results{}
	err = s.Run(context.Background(), b, h)
	return s, b, h, err
}

func byID(res *analysis.Results, id string) *analysis.Benchmark {
	for i := range res.Benchmarks {
		if res.Benchmarks[i].ID == id {
			return &res.Benchmarks[i]
		}
	}
	return nil
}

var plan = Plan{Rounds: 6, Warmup: 1, MinTime: time.Millisecond, RoundTimeout: 20 * time.Second, Seed: 7}

func TestSessionPairs(t *testing.T) {
	t.Parallel()
	_, b, h, err := session(t, "t/g/fast|t/only/|t/g/fails", sideSpec{}, sideSpec{env: []string{runner.SlowdownEnv + "=fast=1.5"}}, plan)
	if err != nil {
		t.Fatal(err)
	}
	fb, fh := byID(b, "t/g/fast"), byID(h, "t/g/fast")
	if fb == nil || fh == nil {
		t.Fatalf("t/g/fast missing: base %v, head %v", fb, fh)
	}
	if len(fb.Samples) != plan.Rounds || len(fh.Samples) != plan.Rounds || fb.Iterations != fh.Iterations || fb.Iterations < 1 {
		t.Errorf("got %d+%d samples, iterations %d+%d; want %d each, equal iterations", len(fb.Samples), len(fh.Samples), fb.Iterations, fh.Iterations, plan.Rounds)
	}
	if got, want := fh.Extra["injected_slowdown"], 1.5; got != want {
		t.Errorf("head injected_slowdown: got %v, want %v", got, want)
	}
	if got := fb.Extra["injected_slowdown"]; got != nil {
		t.Errorf("base injected_slowdown: got %v, want none (the head's env must not reach the base)", got)
	}
	order, _ := fb.Extra[ExtraOrder].([]string)
	ab := 0
	for _, o := range order {
		if o == "AB" {
			ab++
		}
	}
	if len(order) != plan.Rounds || ab != plan.Rounds/2 {
		t.Errorf("got orders %v, want %d balanced ABBA orders", order, plan.Rounds)
	}
	if byID(b, "t/only/base") == nil || byID(h, "t/only/base") != nil || byID(h, "t/only/head") == nil || byID(b, "t/only/head") != nil {
		t.Errorf("one-sided benchmarks: want t/only/base only in the base, t/only/head only in the head")
	}
	if fl := byID(h, "t/g/fails"); fl == nil || !strings.Contains(fl.Error, "no such kernel") {
		t.Errorf("head t/g/fails: got %+v, want its setup error recorded", fl)
	}
	if fl := byID(b, "t/g/fails"); fl == nil || len(fl.Samples) == 0 || fl.Extra[ExtraPairs] != nil {
		t.Errorf("base t/g/fails: got %+v, want measured alone, unpaired", fl)
	}
}

func TestSessionBadWorkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		filter     string
		base, head sideSpec
		plan       Plan
		wantErr    []string
		wantKept   string // a benchmark measured before the failure
	}{
		{"base speaks another version", "t/g/fast", sideSpec{env: []string{versionEnv + "=2"}}, sideSpec{}, plan,
			[]string{"base worker", "protocol version mismatch"}, ""},
		{"head crashes mid-run", "t/g/fast|t/g/crash", sideSpec{}, sideSpec{env: []string{crashEnv + "=50"}}, plan,
			[]string{"head worker", "exited", "exit status 3"}, "t/g/fast"},
		{"head hangs", "t/g/fast|t/g/hang", sideSpec{}, sideSpec{}, Plan{Rounds: 6, Warmup: 1, MinTime: time.Millisecond, RoundTimeout: 2 * time.Second, Seed: 1},
			[]string{"head worker", "no answer within 2s", "killed"}, "t/g/fast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, b, h, err := session(t, tt.filter, tt.base, tt.head, tt.plan)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q: want it to contain %q", err, w)
				}
			}
			if tt.wantKept != "" {
				if k := byID(b, tt.wantKept); k == nil || len(k.Samples) == 0 {
					t.Errorf("base %s: want the samples measured before the failure kept", tt.wantKept)
				}
				if k := byID(h, tt.wantKept); k == nil || len(k.Samples) == 0 {
					t.Errorf("head %s: want the samples measured before the failure kept", tt.wantKept)
				}
			}
		})
	}
}

func TestStartMissingBinary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, bin string
		want      []string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), []string{"base worker", "cannot start", "no such file"}},
		{"not executable", writeFile(t, "plain", 0o644), []string{"base worker", "cannot start", "permission denied"}},
	}
	for _, tt := range tests {
		_, err := Start("base", tt.bin, nil, nil, nil)
		if err == nil {
			t.Fatalf("%s: got no error", tt.name)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q: want %q", tt.name, err, w)
			}
		}
	}
}

func writeFile(t *testing.T, name string, mode os.FileMode) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOrdersBalanced(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 4, 10} {
		got := Orders(n, newRand(3))
		ab := 0
		for i, o := range got {
			if o == "AB" {
				ab++
			}
			if i%2 == 1 && o == got[i-1] {
				t.Errorf("n=%d: block %d is %s,%s; want AB,BA or BA,AB", n, i/2, got[i-1], o)
			}
		}
		if len(got) != n || ab != n/2 {
			t.Errorf("n=%d: got %v, want %d orders, half AB", n, got, n)
		}
		if again := Orders(n, newRand(3)); strings.Join(again, ",") != strings.Join(got, ",") {
			t.Errorf("n=%d: same seed gave %v then %v", n, got, again)
		}
	}
}

func TestStartOnPins(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c, err := StartOn([]int{0}, "base", exe, nil, append(os.Environ(), workerEnv+"=base"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(time.Second)
	if _, err := c.Call(context.Background(), Request{Op: "hello", Version: Version}, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(c.PID()) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var got string
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			got = strings.TrimSpace(v)
		}
	}
	if got != "0" {
		t.Errorf("worker Cpus_allowed_list: got %q, want %q", got, "0")
	}
}
