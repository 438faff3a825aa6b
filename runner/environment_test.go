package runner

import (
	"context"
	"runtime"
	"testing"
)

func TestRunInfoFromGitHub(t *testing.T) {
	env := map[string]string{
		"GITHUB_REPOSITORY": "org/repo", "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/pull/7/merge",
		"GITHUB_HEAD_REF": "feature", "GITHUB_REF_NAME": "7/merge", "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_RUN_ID": "42", "GITHUB_SERVER_URL": "https://github.com",
	}
	r := RunInfo(func(k string) string { return env[k] })
	if r.Commit != "abc123" || r.Branch != "feature" || r.Ref != "refs/pull/7/merge" || r.Event != "pull_request" ||
		r.RunURL != "https://github.com/org/repo/actions/runs/42" {
		t.Errorf("got %+v", r)
	}
}

func TestMachineInfo(t *testing.T) {
	env := map[string]string{"RUNNER_NAME": "GitHub Actions 3", "RUNNER_OS": "Linux", "ImageOS": "ubuntu24", "ImageVersion": "20250101.1"}
	m := MachineInfo(func(k string) string { return env[k] })
	if m.Cores != runtime.NumCPU() || m.GoVersion != runtime.Version() || m.RunnerName != "GitHub Actions 3" || m.Image != "ubuntu24 20250101.1" {
		t.Errorf("got %+v", m)
	}
	if runtime.GOOS == "linux" && (m.MemoryBytes == 0 || m.Kernel == "" || m.CPUModel == "") {
		t.Errorf("linux facts missing: %+v", m)
	}
	if m.HDF5Version != "" {
		t.Errorf("hdf5 version %q: the engine does not link libhdf5", m.HDF5Version)
	}
	r := newTestRunner(t, fastConfig())
	r.HDF5Version = func() string { return "1.10.8" }
	if got := r.Run(context.Background(), nil).Machine.HDF5Version; got != "1.10.8" {
		t.Errorf("Runner.HDF5Version: machine block has %q, want 1.10.8", got)
	}
	env["XPCS_IMAGE"] = "xpcs-perf:1.2"
	if m := MachineInfo(func(k string) string { return env[k] }); m.Image != "xpcs-perf:1.2" {
		t.Errorf("XPCS_IMAGE ignored: %q", m.Image)
	}
}
