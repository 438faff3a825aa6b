package runner

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// resetPeakRSS asks Linux to reset the process's VmHWM to the current RSS
// (writing "5" to /proc/self/clear_refs, Linux >= 4.0). It reports whether the
// reset worked; when it did not, PeakRSS is the process's high-water mark
// since start, which the result notes.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM of /proc/self/status in bytes (0 when unavailable).
func peakRSS() uint64 {
	v, _ := procStatusKB("/proc/self/status", "VmHWM:")
	return v * 1024
}

// procStatusKB reads a "Key:   123 kB" line of a /proc file.
func procStatusKB(path, key string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return 0, false
			}
			v, err := strconv.ParseUint(fields[0], 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// AvailableMemoryMB is MemAvailable of /proc/meminfo in MB (0 when unknown).
func AvailableMemoryMB() float64 {
	kb, ok := procStatusKB("/proc/meminfo", "MemAvailable:")
	if !ok {
		return 0
	}
	return float64(kb) / 1024
}

// CPUMetric is the Metrics key of the process CPU time per operation
// (user + system of all threads, CLOCK_PROCESS_CPUTIME_ID, per round).
// Unlike wall time it does not grow while the benchmark waits for a CPU on
// a loaded machine, so it is the steadier figure on shared runners without
// perf counters (it does include GC and any other goroutine's work).
const CPUMetric = analysis.MetricCPU

// processCPUTime returns the process's CPU time, or -1 when unavailable.
func processCPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return time.Duration(ts.Nano())
}
