package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

const testImage = "docker://ghcr.io/xpcs-perf/xpcs-perf-action:v1.2.3"

func parseYAML(t *testing.T, what string, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s does not parse: %v", what, err)
	}
	return m
}

// TestReleaseActionDeclaresSameInterface: the release's action.yml declares
// the same name, inputs (descriptions, defaults, required), outputs and
// branding as action.yml, and runs the published image.
func TestReleaseActionDeclaresSameInterface(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join(testenv.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := ForImage(src, testImage)
	if err != nil {
		t.Fatalf("ForImage: %v", err)
	}
	main, release := parseYAML(t, "action.yml", src), parseYAML(t, "release action.yml", rel)
	for _, key := range []string{"name", "description", "author", "branding", "inputs", "outputs"} {
		if !reflect.DeepEqual(main[key], release[key]) {
			t.Errorf("%s differs:\n release %v\n    main %v", key, release[key], main[key])
		}
	}
	if len(main["inputs"].(map[string]any)) < 10 || len(main["outputs"].(map[string]any)) < 10 {
		t.Errorf("action.yml parsed with too few inputs/outputs: %v", main)
	}
	if got, want := release["runs"], map[string]any{"using": "docker", "image": testImage}; !reflect.DeepEqual(got, want) {
		t.Errorf("release runs: got %v, want %v", got, want)
	}
	if got, want := main["runs"], map[string]any{"using": "docker", "image": "Dockerfile"}; !reflect.DeepEqual(got, want) {
		t.Errorf("main runs: got %v, want %v (main builds the Dockerfile)", got, want)
	}
	// The command writes what ForImage returns.
	out := filepath.Join(t.TempDir(), "action.yml")
	if err := run([]string{"-image", testImage, "-in", filepath.Join(testenv.Root(), "action.yml"), "-out", out}, os.Stderr); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != string(rel) {
		t.Errorf("the command wrote something else than ForImage returns")
	}
}

func TestForImageRefuses(t *testing.T) {
	t.Parallel()
	good := []byte("name: x\nruns:\n  using: \"docker\"\n  image: \"Dockerfile\"\n")
	for _, tt := range []struct {
		name, image, src, want string
	}{
		{"no scheme", "ghcr.io/o/r:v1.2.3", "", "want docker://"},
		{"moving tag", "docker://ghcr.io/o/r:latest", "", "want docker://"},
		{"major tag only", "docker://ghcr.io/o/r:v1", "", "want docker://"},
		{"no tag or digest", "docker://ghcr.io/o/r", "", "want docker://"},
		{"upper case name", "docker://ghcr.io/O/R:v1.2.3", "", "want docker://"},
		{"shell", "docker://ghcr.io/o/r:v1.2.3;rm -rf /", "", "want docker://"},
		{"yaml", "docker://ghcr.io/o/r:v1.2.3\"\n  x: y", "", "want docker://"},
		{"not docker", testImage, "name: x\nruns:\n  using: \"node20\"\n  main: index.js\n", "not a Docker action"},
		{"already released", testImage, "name: x\nruns:\n  using: \"docker\"\n  image: \"docker://ghcr.io/o/r:v1.0.0\"\n", "found 0"},
	} {
		src := good
		if tt.src != "" {
			src = []byte(tt.src)
		}
		_, err := ForImage(src, tt.image)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	for _, img := range []string{testImage, "docker://ghcr.io/o/r@sha256:" + strings.Repeat("ab", 32), "docker://ghcr.io/o/r:v1.2.3-rc.1",
		"docker://registry.example.com:5000/team/xpcs-perf-action:v0.1.0"} {
		if _, err := ForImage(good, img); err != nil {
			t.Errorf("ForImage(%q): %v", img, err)
		}
	}
}

// TestReleaseWorkflow: release.yml parses, passes actionlint, publishes for
// version tags only, and writes the release action.yml with this command.
func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(testenv.Root(), ".github", "workflows", "release.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wf := parseYAML(t, "release.yml", data)
	// yaml reads the key "on" as the string "on" (YAML 1.2).
	on, _ := wf["on"].(map[string]any)
	push, _ := on["push"].(map[string]any)
	tags, _ := push["tags"].([]any)
	if len(on) != 1 || len(tags) == 0 || push["branches"] != nil {
		t.Errorf("release.yml must run on version tags only: on = %v", wf["on"])
	}
	text := string(data)
	for _, want := range []string{"packages: write", "contents: write", "docker/build-push-action@", "ghcr.io",
		"go run ./internal/release", "file: Dockerfile"} {
		if !strings.Contains(text, want) {
			t.Errorf("release.yml lacks %q", want)
		}
	}
	cmd := exec.Command("go", "tool", "actionlint", "-no-color", path)
	cmd.Dir = testenv.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint release.yml: %v\n%s", err, out)
	}
}
