//go:build integration

package container

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/ghapi/ghfake"
	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// maxImageBytes is the size target (docker image inspect .Size): 250 MB,
// the bound issue 17 set for carrying valgrind's callgrind in the image
// (measured: 175 MB without it, 213 MB with callgrind and libc6-dbg).
const maxImageBytes = 250e6

const token = "ghs_ContainerTESTtoken0123456789"

var (
	imgOnce sync.Once
	imgTag  string
	imgErr  error
	seq     atomic.Int64
)

// image builds the image once per test process with scripts/docker/build.sh
// (base images made when absent, then the real Dockerfile) and returns its
// tag; XPCS_IMAGE_TAG names a prebuilt image instead.
func image(t *testing.T) string {
	t.Helper()
	testenv.NeedCommand(t, "a Docker engine (docker info)", "docker", "info")
	imgOnce.Do(func() {
		if tag := os.Getenv("XPCS_IMAGE_TAG"); tag != "" {
			imgTag = tag
			return
		}
		imgTag = "xpcs-perf-action:test"
		log := filepath.Join(os.TempDir(), "xpcs-perf-container-build.log")
		f, err := os.Create(log)
		if err != nil {
			imgErr = err
			return
		}
		defer f.Close()
		cmd := exec.Command("bash", filepath.Join(testenv.Root(), "scripts", "docker", "build.sh"))
		cmd.Env = append(os.Environ(), "IMAGE="+imgTag)
		cmd.Stdout, cmd.Stderr = f, f
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b, _ := os.ReadFile(log)
			imgErr = fmt.Errorf("scripts/docker/build.sh: %v (log %s)\n%s", err, log, tail(string(b), 3000))
			return
		}
		t.Logf("image %s built in %v (log %s)", imgTag, time.Since(start).Round(time.Second), log)
	})
	if imgErr != nil {
		t.Fatal(imgErr)
	}
	return imgTag
}

// docker is one `docker run --rm`: opts go before the image, args after it;
// env is passed by name (-e NAME) with the values in the docker client's
// environment, as the GitHub runner does.
type docker struct {
	opts []string
	env  map[string]string
	args []string
}

type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %v\n--- stdout\n%s\n--- stderr\n%s", r.code, r.elapsed, tail(r.stdout, 3000), tail(r.stderr, 3000))
}

func (d docker) run(t *testing.T, img string) result {
	t.Helper()
	name := fmt.Sprintf("xpcs-perf-test-%d-%d", os.Getpid(), seq.Add(1))
	args := []string{"run", "--rm", "--name", name}
	args = append(args, d.opts...)
	names := make([]string, 0, len(d.env))
	for k := range d.env {
		names = append(names, k)
	}
	sort.Strings(names)
	env := os.Environ()
	for _, k := range names {
		args = append(args, "-e", k)
		env = append(env, k+"="+d.env[k])
	}
	args = append(args, img)
	args = append(args, d.args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = env
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: so.String(), stderr: se.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		exec.Command("docker", "rm", "-f", name).Run()
		t.Fatalf("docker %s: timed out\n%s", strings.Join(args, " "), r)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("docker run: %v", err)
	}
	return r
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// TestImageConfig checks what GitHub relies on: an absolute exec-form
// ENTRYPOINT, no USER (actions run as root), and the size target.
func TestImageConfig(t *testing.T) {
	img := image(t)
	out, err := exec.Command("docker", "image", "inspect", img).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", img, err)
	}
	var info []struct {
		Size   int64
		Config struct {
			Entrypoint []string
			Cmd        []string
			User       string
			Env        []string
		}
	}
	if err := json.Unmarshal(out, &info); err != nil || len(info) != 1 {
		t.Fatalf("docker image inspect %s: %v (%d images)", img, err, len(info))
	}
	c := info[0].Config
	if got, want := strings.Join(c.Entrypoint, " "), "/usr/local/bin/xpcs-perf"; got != want {
		t.Errorf("ENTRYPOINT: got %q, want %q (exec form, absolute)", got, want)
	}
	if len(c.Cmd) != 0 {
		t.Errorf("CMD: got %q, want none (no arguments runs the action)", c.Cmd)
	}
	if c.User != "" && c.User != "root" && c.User != "0" {
		t.Errorf("USER: got %q, want none (GitHub runs actions as root)", c.User)
	}
	t.Logf("image %s: %d bytes (%.1f MB)", img, info[0].Size, float64(info[0].Size)/1e6)
	if info[0].Size > maxImageBytes {
		t.Errorf("image size: got %.1f MB, want under %.0f MB", float64(info[0].Size)/1e6, maxImageBytes/1e6)
	}
}

// TestHelpAndVersion: the binary starts (every shared library resolves).
func TestHelpAndVersion(t *testing.T) {
	img := image(t)
	r := docker{args: []string{"--help"}}.run(t, img)
	if r.code != 0 || !strings.Contains(r.stdout, "action") || !strings.Contains(r.stdout, "inspect") {
		t.Fatalf("--help: want exit 0 and the command list\n%s", r)
	}
	r = docker{args: []string{"version"}}.run(t, img)
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("version: want exit 0 and a version\n%s", r)
	}
	// No arguments outside GitHub Actions is a usage error, not the action.
	r = docker{}.run(t, img)
	if r.code != 2 {
		t.Errorf("no arguments without GITHUB_ACTIONS: got exit %d, want 2\n%s", r.code, r)
	}
}

// TestFilters reads LZF data in the container: the real APS result file
// E0173.hdf (q-maps and images stored with LZF, filter 32000), mounted
// read-only; and writes and reads stacks with LZF (compiled in) and
// bitshuffle-LZ4 (the plugin copied into the image).
func TestFilters(t *testing.T) {
	img := image(t)
	e0173 := testenv.Fixture(t, "xpcs/E0173.hdf")
	if _, err := os.Stat(e0173); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	mount := []string{"-v", e0173 + ":/data/E0173.hdf:ro"}

	r := docker{opts: mount, args: []string{"inspect", "--no-attrs", "--path", "/xpcs/qmap", "/data/E0173.hdf"}}.run(t, img)
	if r.code != 0 || !strings.Contains(r.stdout, "static_roi_map  dataset uint16 (1676, 2100)") ||
		!strings.Contains(r.stdout, "lzf(32000)") {
		t.Fatalf("inspect E0173.hdf: want the LZF q-maps listed\n%s", r)
	}

	// correlate reads the whole APS q-map of E0173.hdf (static_roi_map,
	// dynamic_roi_map and mask are LZF-compressed chunks) and converts it
	// before it compares its shape with the frames. Getting to the shape
	// check proves the LZF chunks were decoded into valid roi maps; a missing
	// filter fails earlier with "filter ... not available".
	sh := docker{opts: append([]string{"--entrypoint", "/bin/sh"}, mount...), args: []string{"-c", `set -e
xpcs-perf synth --size tiny --compression lzf --out /tmp/lzf.h5 >/dev/null
! xpcs-perf correlate -raw /tmp/lzf.h5 -qmap /data/E0173.hdf -out /tmp/bad.h5`}}
	r = sh.run(t, img)
	if r.code != 0 || !strings.Contains(r.stderr, "q-map is 1676x2100 but the frames are 64x64") {
		t.Errorf("correlate with the E0173.hdf q-map: want its 1676x2100 LZF maps read and a shape error\n%s", r)
	}
	if strings.Contains(strings.ToLower(r.stderr), "filter") {
		t.Errorf("a filter error reading E0173.hdf in the container:\n%s", r)
	}

	// Round trips through each codec: synth writes the stack (bitshuffle
	// needs the plugin to write), correlate reads all of it.
	for _, codec := range []string{"lzf", "bitshuffle-lz4", "deflate"} {
		sh := docker{opts: []string{"--entrypoint", "/bin/sh"}, args: []string{"-c", fmt.Sprintf(`set -e
xpcs-perf synth --size tiny --compression %[1]s --out /tmp/s.h5
xpcs-perf inspect --no-attrs --path /entry/data/data /tmp/s.h5
xpcs-perf correlate -raw /tmp/s.h5 -out /tmp/r.h5`, codec)}}
		r := sh.run(t, img)
		if r.code != 0 || !strings.Contains(r.stdout, "21 delays x 9 q bins") {
			t.Errorf("%s: want the synthetic stack written, read and correlated (21 delays x 9 q bins)\n%s", codec, r)
		}
	}
}

// TestRunBenchmarks measures a few tiny benchmarks in the container, run
// the way the runner runs it, and checks the results file it writes.
func TestRunBenchmarks(t *testing.T) {
	img := image(t)
	ws := workspace(t)
	r := docker{opts: []string{"--workdir", "/github/workspace", "-v", ws + ":/github/workspace"},
		args: []string{"run", "--category", "memory", "--sizes", "tiny", "--filter", "^memory/cache/",
			"--rounds", "5", "--min-time", "5ms", "--progress", "none", "--out", "results.json"}}.run(t, img)
	if r.code != 0 {
		t.Fatalf("run in the container:\n%s", r)
	}
	res, err := analysis.ReadResultsFile(filepath.Join(ws, "results.json"))
	if err != nil {
		t.Fatalf("results written in the container: %v", err)
	}
	if len(res.Benchmarks) == 0 {
		t.Fatalf("results: no benchmarks\n%s", r)
	}
	for _, b := range res.Benchmarks {
		if len(b.Samples) < 5 {
			t.Errorf("%s: %d samples, want at least 5", b.ID, len(b.Samples))
		}
	}
	if got, want := res.Machine.Image, "xpcs-perf-action"; got != want {
		t.Errorf("machine.image: got %q, want %q (ENV XPCS_IMAGE)", got, want)
	}
	if !strings.HasPrefix(res.Machine.HDF5Version, "1.10.") {
		t.Errorf("machine.hdf5_version: got %q, want Debian bookworm's 1.10.x", res.Machine.HDF5Version)
	}
	readableByOthers(t, img, ws)
}

// TestCountInstructions counts a tiny kernel's instructions in the
// container: the trimmed valgrind (callgrind only) runs the binary, and the
// results carry counts as their primary samples.
func TestCountInstructions(t *testing.T) {
	img := image(t)
	ws := workspace(t)
	r := docker{opts: []string{"--workdir", "/github/workspace", "-v", ws + ":/github/workspace"},
		args: []string{"run", "--metric", "instructions", "--category", "scientific", "--sizes", "tiny",
			"--filter", "saxs/radial", "--rounds", "4", "--progress", "none", "--out", "results.json"}}.run(t, img)
	if r.code != 0 {
		t.Fatalf("run --metric instructions in the container:\n%s", r)
	}
	res, err := analysis.ReadResultsFile(filepath.Join(ws, "results.json"))
	if err != nil {
		t.Fatalf("results written in the container: %v", err)
	}
	if len(res.Benchmarks) != 1 || res.Benchmarks[0].Unit != analysis.UnitInstructions || len(res.Benchmarks[0].Samples) != 4 {
		t.Fatalf("want one benchmark with 4 instruction counts: %+v\n%s", res.Benchmarks, r)
	}
}

// workspace makes a folder to mount as /github/workspace: owned by the
// runner's user and 0755 on GitHub, so 0755 here.
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	if err := os.Chmod(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	return ws
}

// readableByOthers checks that every file the container wrote in the
// workspace (as root) can be read by another user afterwards, as the runner's
// user must (upload-artifact, later steps): by the mode bits, and by reading
// everything as uid 65534 (nobody) in a second container.
func readableByOthers(t *testing.T, img, ws string) {
	t.Helper()
	n := 0
	filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("walk workspace: %v", err)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			t.Errorf("stat %s: %v", p, err)
			return nil
		}
		want := fs.FileMode(0o004)
		if d.IsDir() {
			want = 0o005
		}
		if info.Mode().Perm()&want != want {
			t.Errorf("%s: mode %v, want readable by others (%v)", p, info.Mode().Perm(), want)
		}
		n++
		return nil
	})
	r := docker{opts: []string{"--user", "65534:65534", "--entrypoint", "/bin/sh", "-v", ws + ":/ws:ro"},
		args: []string{"-c", `find /ws -type f | while read -r f; do cat "$f" >/dev/null || exit 1; done; find /ws -type f | wc -l`}}.run(t, img)
	if r.code != 0 {
		t.Errorf("reading the workspace as uid 65534:\n%s", r)
	}
	t.Logf("%d workspace entries readable by others; %s files read as uid 65534", n, strings.TrimSpace(r.stdout))
}

// fakeGitHub serves ghfake on the Docker bridge's gateway address, which
// containers reach as host.docker.internal (--add-host
// host.docker.internal:host-gateway), and points the fake's artifact
// redirects there too. It returns the GITHUB_API_URL for the container.
func fakeGitHub(t *testing.T, fake *ghfake.Server) string {
	t.Helper()
	gw := bridgeGateway(t)
	serve := func(h http.Handler) string {
		l, err := net.Listen("tcp", net.JoinHostPort(gw, "0"))
		if err != nil {
			t.Fatalf("listen on the docker bridge gateway %s: %v", gw, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
		_, port, _ := net.SplitHostPort(l.Addr().String())
		return "http://host.docker.internal:" + port
	}
	api := serve(fake.API.Config.Handler)
	// The fake builds its 302 Location from Blob.URL.
	fake.Blob.URL = serve(fake.Blob.Config.Handler)
	return api + ghfake.BasePath
}

// bridgeGateway returns the IPv4 address host-gateway stands for: the
// default bridge's gateway from `docker network inspect` when it names one,
// else the address of the docker0 interface, else 0.0.0.0 (all interfaces).
func bridgeGateway(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("docker", "network", "inspect", "bridge", "-f", "{{range .IPAM.Config}}{{.Gateway}} {{end}}").Output()
	if err != nil {
		t.Fatalf("docker network inspect bridge: %v", err)
	}
	for _, f := range strings.Fields(string(out)) {
		if ip := net.ParseIP(f); ip != nil && ip.To4() != nil {
			return f
		}
	}
	if ifc, err := net.InterfaceByName("docker0"); err == nil {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	t.Logf("no docker bridge gateway found: serving the fake GitHub on all interfaces")
	return "0.0.0.0"
}

// actionInputs reads the inputs of action.yml with their defaults: the
// runner passes every declared input as INPUT_<NAME> (upper case, dashes
// kept), defaults evaluated. Hand-written rather than a YAML parser because
// action.yml's inputs are a flat two-level map and no YAML module is a direct
// dependency of this repository.
func actionInputs(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inputs := map[string]string{}
	nameRE := regexp.MustCompile(`^  ([A-Za-z0-9_-]+):\s*$`)
	defRE := regexp.MustCompile(`^    default:\s*(.*)$`)
	in, cur := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "inputs:":
			in = true
			continue
		case in && line != "" && !strings.HasPrefix(line, " "):
			in = false
		}
		if !in {
			continue
		}
		if m := nameRE.FindStringSubmatch(line); m != nil {
			cur = m[1]
			inputs[cur] = ""
		} else if m := defRE.FindStringSubmatch(line); m != nil && cur != "" {
			v := strings.TrimSpace(m[1])
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			inputs[cur] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if _, ok := inputs["category"]; !ok {
		t.Fatalf("action.yml: no inputs.category found (parsed %v)", inputs)
	}
	return inputs
}

// results are deterministic results of ids measured at commit on branch, 12
// samples around 1 ms; the id slow is factor times slower.
func results(commit, branch string, ids []string, slow string, factor float64) *analysis.Results {
	res := &analysis.Results{Schema: analysis.ResultsSchema, Source: "xpcs-perf",
		Run: analysis.Run{Commit: commit, Branch: branch}}
	for k, id := range ids {
		f := 1.0
		if id == slow {
			f = factor
		}
		var s []float64
		for i := 0; i < 12; i++ {
			s = append(s, f*1e-3*(1+0.01*float64(k)+0.02*math.Sin(float64(3*i+k))))
		}
		res.Benchmarks = append(res.Benchmarks, analysis.Benchmark{ID: id, Name: id, Category: "memory",
			Group: "g", Unit: "s", Direction: analysis.LowerIsBetter, Samples: s})
	}
	return res
}

func resultsJSON(t *testing.T, res *analysis.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := analysis.WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestActionPullRequestRegression runs the image as GitHub's runner runs a
// Docker action, on a pull_request event whose results (written by an
// earlier step) hold a 5x slower benchmark (beyond the ±250% drift allowed
// without history), against the fake GitHub API holding the base branch's baseline artifact: the gate fails (exit 1), the
// step outputs and the job summary are written through /github/file_commands,
// one sticky comment is posted, the token never leaks, and everything the
// container wrote in the workspace is readable by a non-root user.
func TestActionPullRequestRegression(t *testing.T) {
	img := image(t)
	fake := ghfake.New(token)
	defer fake.Close()
	apiURL := fakeGitHub(t, fake)

	ids := []string{"memory/g/alloc", "memory/g/copy", "memory/g/pool", "memory/g/sum"}
	base := resultsJSON(t, results("basesha", "main", ids, "", 1))
	zip := ghfake.Zip(map[string][]byte{"results.json": base, "report.md": []byte("old report")})
	now := time.Now()
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "feature-x", SHA: "f1", Created: now.Add(-time.Minute), Zip: zip})
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "old1", Created: now.Add(-2 * time.Minute), Expired: true, Zip: zip})
	fake.AddArtifact(ghfake.Artifact{Name: "xpcs-perf-memory", Branch: "main", SHA: "basesha", Created: now.Add(-10 * time.Minute), Zip: zip})
	fake.AddComment(7, "reviewer", "looks good")

	// The runner's folders on the host.
	ws, home, wf, fc := workspace(t), t.TempDir(), t.TempDir(), t.TempDir()
	cur := resultsJSON(t, results("headsha", "feature", ids, "memory/g/copy", 5))
	if err := os.MkdirAll(filepath.Join(ws, "bench"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "bench", "results.json"), cur, 0o644); err != nil {
		t.Fatal(err)
	}
	event := map[string]any{"action": "synchronize", "number": 7, "pull_request": map[string]any{"number": 7,
		"head": map[string]any{"sha": "headsha", "ref": "feature", "repo": map[string]any{"full_name": "octo/xpcs"}},
		"base": map[string]any{"sha": "basesha", "ref": "main", "repo": map[string]any{"full_name": "octo/xpcs"}}},
		"repository": map[string]any{"name": "xpcs", "full_name": "octo/xpcs", "owner": map[string]any{"login": "octo"}, "default_branch": "main"}}
	ev, _ := json.Marshal(event)
	if err := os.WriteFile(filepath.Join(wf, "event.json"), ev, 0o644); err != nil {
		t.Fatal(err)
	}
	const id = "5f0c8e2a-1b7d-4c3e-9a55-container"
	for _, f := range []string{"set_output_", "step_summary_", "set_env_", "add_path_", "save_state_"} {
		if err := os.WriteFile(filepath.Join(fc, f+id), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	env := map[string]string{
		"HOME": "/github/home", "CI": "true", "GITHUB_ACTIONS": "true",
		"GITHUB_JOB": "bench", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_SHA": "headsha",
		"GITHUB_REF_NAME": "7/merge", "GITHUB_REF_TYPE": "branch", "GITHUB_HEAD_REF": "feature", "GITHUB_BASE_REF": "main",
		"GITHUB_REPOSITORY": "octo/xpcs", "GITHUB_REPOSITORY_OWNER": "octo", "GITHUB_RUN_ID": "4242",
		"GITHUB_RUN_NUMBER": "17", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_ACTOR": "octocat", "GITHUB_WORKFLOW": "perf",
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_API_URL": apiURL, "GITHUB_GRAPHQL_URL": strings.TrimSuffix(apiURL, "/v3") + "/graphql",
		"GITHUB_WORKSPACE": "/github/workspace", "GITHUB_ACTION": "perf", "GITHUB_ACTION_REPOSITORY": "xpcs-perf/xpcs-perf-action",
		"GITHUB_EVENT_PATH":   "/github/workflow/event.json",
		"GITHUB_OUTPUT":       "/github/file_commands/set_output_" + id,
		"GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary_" + id,
		"GITHUB_ENV":          "/github/file_commands/set_env_" + id,
		"GITHUB_PATH":         "/github/file_commands/add_path_" + id,
		"GITHUB_STATE":        "/github/file_commands/save_state_" + id,
		"RUNNER_OS":           "Linux", "RUNNER_ARCH": "X64", "RUNNER_NAME": "container-test",
		"RUNNER_TEMP": "/home/runner/work/_temp", "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
	}
	for name, def := range actionInputs(t) {
		env["INPUT_"+strings.ToUpper(name)] = def
	}
	env["INPUT_CATEGORY"] = "memory"
	env["INPUT_RESULTS-FILE"] = "bench/results.json"
	env["INPUT_GITHUB-TOKEN"] = token

	r := docker{opts: []string{
		"--workdir", "/github/workspace", "--add-host", "host.docker.internal:host-gateway",
		"-v", ws + ":/github/workspace", "-v", home + ":/github/home",
		"-v", wf + ":/github/workflow", "-v", fc + ":/github/file_commands",
	}, env: env}.run(t, img)
	t.Logf("action in the container: exit %d after %v", r.code, r.elapsed.Round(time.Millisecond))

	if r.code != 1 {
		t.Fatalf("want exit 1 (the gate fails on a critical regression)\n%s\nrequests: %q", r, fake.Requests())
	}
	outputs := parseOutputs(t, filepath.Join(fc, "set_output_"+id))
	for _, kv := range [][2]string{
		{"analysis_pass", "false"}, {"verdict", "fail"}, {"regressions", "1"}, {"critical", "1"},
		{"baseline-found", "true"}, {"baseline-sha", "basesha"}, {"report-dir", "xpcs-perf-report"},
		{"results-file", "xpcs-perf-report/results.json"},
	} {
		if got := outputs[kv[0]]; got != kv[1] {
			t.Errorf("output %s: got %q, want %q", kv[0], got, kv[1])
		}
	}
	if got := outputs["comment-url"]; !strings.HasPrefix(got, "https://github.example/octo/xpcs/pull/7#issuecomment-") {
		t.Errorf("output comment-url: got %q, want the PR comment's URL", got)
	}
	summary, _ := os.ReadFile(filepath.Join(fc, "step_summary_"+id))
	if !strings.Contains(string(summary), "memory/g/copy") {
		t.Errorf("job summary does not name the regressed benchmark:\n%s", tail(string(summary), 2000))
	}
	if !strings.Contains(r.stdout, "::error") || !strings.Contains(r.stdout, "memory/g/copy") {
		t.Errorf("no ::error annotation for memory/g/copy\n%s", r)
	}

	var ours []ghfake.Comment
	for _, c := range fake.Comments(7) {
		if strings.Contains(c.Body, "<!-- xpcs-perf:memory -->") {
			ours = append(ours, c)
		}
	}
	if len(ours) != 1 || !strings.Contains(ours[0].Body, "memory/g/copy") {
		t.Errorf("want one sticky comment naming memory/g/copy, got %d: %+v", len(ours), ours)
	}
	if n := len(fake.Comments(7)); n != 2 {
		t.Errorf("PR 7 has %d comments, want the reviewer's and ours", n)
	}
	sawList := false
	for _, q := range fake.Requests() {
		if strings.HasPrefix(q, "GET "+ghfake.BasePath+"/repos/octo/xpcs/actions/artifacts") && strings.Contains(q, "name=xpcs-perf-memory") {
			sawList = true
		}
	}
	if !sawList {
		t.Errorf("no artifact listing by name seen: %q", fake.Requests())
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("GitHub protocol violations: %q", v)
	}

	for _, f := range []string{"results.json", "report.md", "report.html", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(ws, "xpcs-perf-report", f)); err != nil {
			t.Errorf("report folder: %v", err)
		}
	}
	// The token appears nowhere but in the ::add-mask:: line the runner eats.
	texts := map[string]string{
		"stdout": strings.Replace(r.stdout, "::add-mask::"+token+"\n", "", 1), "stderr": r.stderr,
		"summary": string(summary),
	}
	out, _ := os.ReadFile(filepath.Join(fc, "set_output_"+id))
	texts["outputs"] = string(out)
	filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			texts[p] = string(b)
		}
		return nil
	})
	for name, text := range texts {
		if strings.Contains(text, token) {
			t.Errorf("the token appears in %s", name)
		}
	}
	readableByOthers(t, img, ws)
}

// parseOutputs reads a GITHUB_OUTPUT file: name<<DELIM, value lines, DELIM,
// or name=value.
func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("outputs file: %v", err)
	}
	m := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			m[name] = strings.Join(val, "\n")
		} else if name, val, ok := strings.Cut(lines[i], "="); ok {
			m[name] = val
		}
	}
	return m
}

// TestActionFirstRun runs the action mode with real measurements in the
// container (a push with no token and no baseline yet, as on the first run
// on main): exit 0, verdict no-baseline, the report folder and outputs
// written, everything readable by a non-root user.
func TestActionFirstRun(t *testing.T) {
	img := image(t)
	ws, fc := workspace(t), t.TempDir()
	for _, f := range []string{"output", "summary"} {
		if err := os.WriteFile(filepath.Join(fc, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": "/github/workspace",
		"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "mainsha",
		"GITHUB_OUTPUT": "/github/file_commands/output", "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
		"INPUT_CATEGORY": "memory", "INPUT_SIZES": "tiny", "INPUT_FILTER": "^memory/cache/", "INPUT_ROUNDS": "5",
	}
	r := docker{opts: []string{"--workdir", "/github/workspace", "-v", ws + ":/github/workspace",
		"-v", fc + ":/github/file_commands"}, env: env}.run(t, img)
	if r.code != 0 {
		t.Fatalf("first run: want exit 0\n%s", r)
	}
	out := parseOutputs(t, filepath.Join(fc, "output"))
	for _, kv := range [][2]string{{"verdict", "no-baseline"}, {"analysis_pass", "true"}, {"baseline-found", "false"}} {
		if got := out[kv[0]]; got != kv[1] {
			t.Errorf("output %s: got %q, want %q\n%s", kv[0], got, kv[1], r)
		}
	}
	res, err := analysis.ReadResultsFile(filepath.Join(ws, "xpcs-perf-report", "results.json"))
	if err != nil {
		t.Fatalf("results measured in the container: %v", err)
	}
	if len(res.Benchmarks) == 0 {
		t.Errorf("no benchmarks measured\n%s", r)
	}
	for _, b := range res.Benchmarks {
		if !strings.HasPrefix(b.ID, "memory/cache/") || len(b.Samples) < 5 {
			t.Errorf("%s: %d samples; want memory/cache/ benchmarks with 5 rounds", b.ID, len(b.Samples))
		}
	}
	if summary, _ := os.ReadFile(filepath.Join(fc, "summary")); !strings.Contains(string(summary), "no baseline") {
		t.Errorf("job summary does not say there is no baseline yet:\n%s", tail(string(summary), 1500))
	}
	readableByOthers(t, img, ws)
}
