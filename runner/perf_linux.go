//go:build linux

package runner

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hwCounters counts user-space instructions and CPU cycles of the calling OS
// thread through perf_event_open(2). The benchmark goroutine is locked to its
// thread (runtime.LockOSThread), so the counts cover the operation itself but
// not goroutines it starts (a parallel benchmark's workers): the result says
// so in Counters.Reason.
type hwCounters struct {
	instr, cycles int
}

// openCounters opens the two counters disabled. It fails where the kernel
// or the container forbids perf events (perf_event_paranoid > 2, seccomp, no
// PMU in the VM); the caller records Counters{Available: false, Reason}.
func openCounters() (*hwCounters, error) {
	open := func(config uint64) (int, error) {
		attr := unix.PerfEventAttr{
			Type:   unix.PERF_TYPE_HARDWARE,
			Config: config,
			Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
			Bits:   unix.PerfBitDisabled | unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv,
		}
		return unix.PerfEventOpen(&attr, 0, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	}
	in, err := open(unix.PERF_COUNT_HW_INSTRUCTIONS)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open(instructions): %w", err)
	}
	cy, err := open(unix.PERF_COUNT_HW_CPU_CYCLES)
	if err != nil {
		unix.Close(in)
		return nil, fmt.Errorf("perf_event_open(cycles): %w", err)
	}
	return &hwCounters{instr: in, cycles: cy}, nil
}

func (h *hwCounters) start() {
	for _, fd := range []int{h.instr, h.cycles} {
		unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_RESET, 0)
		unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0)
	}
}

// stop disables the counters and returns (instructions, cycles).
func (h *hwCounters) stop() (uint64, uint64, error) {
	unix.IoctlSetInt(h.instr, unix.PERF_EVENT_IOC_DISABLE, 0)
	unix.IoctlSetInt(h.cycles, unix.PERF_EVENT_IOC_DISABLE, 0)
	in, err := readCounter(h.instr)
	if err != nil {
		return 0, 0, err
	}
	cy, err := readCounter(h.cycles)
	return in, cy, err
}

func (h *hwCounters) close() {
	unix.Close(h.instr)
	unix.Close(h.cycles)
}

func readCounter(fd int) (uint64, error) {
	var buf [8]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return 0, fmt.Errorf("read perf counter: %w", err)
	}
	if n != 8 {
		return 0, fmt.Errorf("read perf counter: %d bytes", n)
	}
	return binary.NativeEndian.Uint64(buf[:]), nil
}
