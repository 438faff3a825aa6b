// Package container holds the tests of the action's Docker image; it has no
// code of its own. The tests (build tag integration) build the image with
// scripts/docker/build.sh, which makes the base images locally when no
// registry is reachable, and then run it exactly as a GitHub runner runs a
// Docker action:
//
//	docker run --rm --workdir /github/workspace \
//	  -v WS:/github/workspace -v HOME:/github/home -v WF:/github/workflow \
//	  -v FC:/github/file_commands \
//	  -e INPUT_CATEGORY -e INPUT_GITHUB-TOKEN ... -e GITHUB_OUTPUT ... IMAGE
//
// (values in the docker client's environment, passed by name), against
// ghfake, the fake GitHub API, served on the Docker bridge's gateway address
// so the container reaches it as host.docker.internal.
//
// The tests: the image's configuration and size (TestImageConfig), --help
// (TestHelpAndVersion), LZF and bitshuffle-LZ4 files read in the container,
// among them the real APS file E0173.hdf (TestFilters), benchmarks measured
// in it (TestRunBenchmarks), the action's first run on main
// (TestActionFirstRun) and a pull request with a critical regression
// (TestActionPullRequestRegression: exit 1, outputs, job summary, one sticky
// comment, no token leaked); each checks that the files written in the
// workspace are readable by uid 65534. TestDepsCurrent (no build tag)
// keeps scripts/docker/deps.txt current.
//
// Run them with
//
//	go test -tags integration -v ./container/
//
// XPCS_IMAGE_TAG=name:tag skips the build and tests that image instead.
package container
