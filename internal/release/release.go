package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
)

// imageRE is a published image as the runner accepts it in runs.image: a
// docker:// reference with a version tag or a digest (a moving tag such as
// :latest would let a release change under its users).
var imageRE = regexp.MustCompile(`^docker://[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+` +
	`(:v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)?(@sha256:[0-9a-f]{64})?$`)

// dockerfileLine is the only line ForImage changes.
var dockerfileLine = regexp.MustCompile(`(?m)^  image: "?Dockerfile"?[ \t]*$`)

// ForImage returns action.yml src with runs.image set to image. Everything
// else (inputs, outputs, defaults, comments) is kept byte for byte. It
// fails when image is not a docker:// reference with a vX.Y.Z tag or a
// sha256 digest, or when src does not run the Dockerfile exactly once.
func ForImage(src []byte, image string) ([]byte, error) {
	if !imageRE.MatchString(image) || !bytes.ContainsAny([]byte(image[len("docker://"):]), ":@") {
		return nil, fmt.Errorf("image %q: want docker://REGISTRY/NAME:vX.Y.Z or docker://REGISTRY/NAME@sha256:DIGEST (lower-case name)", image)
	}
	if !bytes.Contains(src, []byte("\nruns:\n")) || !bytes.Contains(src, []byte(`using: "docker"`)) {
		return nil, errors.New(`not a Docker action (no runs: with using: "docker")`)
	}
	locs := dockerfileLine.FindAllIndex(src, -1)
	if len(locs) != 1 {
		return nil, fmt.Errorf(`want exactly one "  image: \"Dockerfile\"" line under runs:, found %d`, len(locs))
	}
	var b bytes.Buffer
	b.Write(src[:locs[0][0]])
	fmt.Fprintf(&b, "  # Release: the image published by .github/workflows/release.yml (main builds the Dockerfile).\n")
	fmt.Fprintf(&b, "  image: %q", image)
	b.Write(src[locs[0][1]:])
	return b.Bytes(), nil
}
