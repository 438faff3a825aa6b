package analysis

import (
	"fmt"
	"os"
)

// CheckWritable makes sure a file can be created in dir, creating dir (and
// its parents) when missing, by creating and removing a probe file. A run
// calls it before measuring anything: an output folder that cannot be
// written must fail in a second, not after the measurements it would lose.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".xpcs-perf-probe-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("output folder %s: remove probe: %w", dir, err)
	}
	return nil
}
