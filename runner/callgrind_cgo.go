//go:build cgo && linux && (amd64 || arm64)

package runner

/*
#cgo CFLAGS: -I${SRCDIR}/internal/valgrind
#include <stdlib.h>
#include "callgrind.h"

static int xp_running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
static void xp_cg_zero(void) { CALLGRIND_ZERO_STATS; }
static void xp_cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
static void xp_cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
static void xp_cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
*/
import "C"

import "unsafe"

// callgrindBuilt reports whether this binary can issue callgrind client
// requests (a cgo build on linux/amd64 or arm64).
const callgrindBuilt = true

// runningOnValgrind reports whether the process runs under Valgrind.
func runningOnValgrind() bool { return C.xp_running_on_valgrind() != 0 }

// cgZero zeroes callgrind's event counters of every thread.
func cgZero() { C.xp_cg_zero() }

// cgStart and cgStop turn callgrind's instrumentation on and off (stopping
// discards the instrumented code translations).
func cgStart() { C.xp_cg_start() }
func cgStop()  { C.xp_cg_stop() }

// cgName is a dump name as a C string, allocated before the counted region.
type cgName struct{ p *C.char }

func newCgName(s string) cgName { return cgName{C.CString(s)} }
func (n cgName) free()          { C.free(unsafe.Pointer(n.p)) }

// cgDump writes the counts since the last zero (or dump) into the next dump
// file, described as "Client Request: name", and zeroes them.
func cgDump(n cgName) { C.xp_cg_dump(n.p) }
