// Command release writes the action.yml of a release: the same file as the
// repository's action.yml (same inputs, outputs and defaults), except that
// runs.image names the image published for the release instead of the
// Dockerfile, so a user's job pulls the image instead of building it.
// .github/workflows/release.yml runs it for every version tag; main keeps
// building from the Dockerfile.
//
//	go run ./internal/release -image docker://ghcr.io/OWNER/REPO:v1.2.3 [-in action.yml] [-out action.yml]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(2)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("image", "", "the published image, docker://REGISTRY/NAME:vX.Y.Z or docker://REGISTRY/NAME@sha256:DIGEST")
	in := fs.String("in", "action.yml", "the repository's action.yml (runs.image: Dockerfile)")
	out := fs.String("out", "", "where to write the release's action.yml (default: -in, rewritten in place)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = *in
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	rel, err := ForImage(src, *image)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	return os.WriteFile(*out, rel, 0o644)
}
