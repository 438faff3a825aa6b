package cli

import (
	"context"
	"os"
	"testing"
)

// asMainEnv makes the test binary behave as xpcs-perf (Main with its
// arguments): tests that re-execute the binary (run --metric instructions
// under callgrind) set it.
const asMainEnv = "XPCS_CLI_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}
