// Package testenv helps tests find the shared fixtures and the external tools
// (python3 with h5py, pytest-benchmark, benchstat, chromium, docker) that some
// tests drive. A test that needs a tool calls Need: the test is skipped on a
// developer's machine without the tool, but fails when XPCS_REQUIRE_TOOLS=1,
// which `make test` (and so .ci/run) sets, so CI can never pass by skipping.
package testenv
