package runner

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// MachineInfo describes this machine: CPU model (/proc/cpuinfo), cores,
// memory (/proc/meminfo), OS (/etc/os-release), kernel (uname), the Go
// version, the image (XPCS_IMAGE, else the runner's ImageOS and
// ImageVersion) and the runner (RUNNER_NAME, RUNNER_OS).
func MachineInfo(getenv func(string) string) analysis.Machine {
	m := analysis.Machine{
		CPUModel:   cpuModel(),
		Cores:      runtime.NumCPU(),
		OS:         osName(),
		Arch:       runtime.GOARCH,
		GoVersion:  runtime.Version(),
		RunnerName: getenv("RUNNER_NAME"),
		RunnerOS:   getenv("RUNNER_OS"),
	}
	if kb, ok := procStatusKB("/proc/meminfo", "MemTotal:"); ok {
		m.MemoryBytes = kb * 1024
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	m.Image = getenv("XPCS_IMAGE")
	if m.Image == "" && getenv("ImageOS") != "" {
		m.Image = strings.TrimSpace(getenv("ImageOS") + " " + getenv("ImageVersion"))
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func osName() string {
	data, err := os.ReadFile("/etc/os-release")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				return runtime.GOOS + " (" + strings.Trim(v, `"`) + ")"
			}
		}
	}
	return runtime.GOOS
}

// RunInfo identifies the code measured: from GITHUB_* variables under
// GitHub Actions, else from git in the working directory.
func RunInfo(getenv func(string) string) analysis.Run {
	r := analysis.Run{
		Repository: getenv("GITHUB_REPOSITORY"),
		Commit:     getenv("GITHUB_SHA"),
		Ref:        getenv("GITHUB_REF"),
		Event:      getenv("GITHUB_EVENT_NAME"),
		RunID:      getenv("GITHUB_RUN_ID"),
	}
	r.Branch = getenv("GITHUB_HEAD_REF") // pull requests: the source branch
	if r.Branch == "" {
		r.Branch = getenv("GITHUB_REF_NAME")
	}
	if s, repo, id := getenv("GITHUB_SERVER_URL"), r.Repository, r.RunID; s != "" && repo != "" && id != "" {
		r.RunURL = s + "/" + repo + "/actions/runs/" + id
	}
	if r.Commit == "" {
		r.Commit = git("rev-parse", "HEAD")
	}
	if r.Branch == "" {
		if b := git("rev-parse", "--abbrev-ref", "HEAD"); b != "HEAD" {
			r.Branch = b
		}
	}
	if r.Ref == "" && r.Branch != "" {
		r.Ref = "refs/heads/" + r.Branch
	}
	return r
}

func git(args ...string) string {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
