package h5

/*
#cgo pkg-config: hdf5
#cgo CFLAGS: -O2 -I/usr/include/liblzf
#cgo LDFLAGS: -llzf -lz
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"gonum.org/v1/hdf5"
)

// lib serialises every call into libhdf5: Debian's serial build is not
// thread-safe. Decoding of raw chunks happens outside it.
var lib sync.Mutex

// lockLib takes lib and silences libhdf5's automatic error printing for the
// calling OS thread: a thread-safe libhdf5 keeps that setting per thread and
// cgo calls may run on any thread.
func lockLib() {
	lib.Lock()
	C.xh_errors_off()
}

// initErr records a failure of the one-time library set-up; every entry point
// returns it.
var initErr error

func init() {
	lockLib()
	defer lib.Unlock()
	if C.H5open() < 0 {
		initErr = fmt.Errorf("h5: cannot initialise libhdf5")
		return
	}
	C.xh_errors_off()
	if C.xh_register_lzf() < 0 {
		initErr = fmt.Errorf("h5: register built-in LZF filter 32000: %s", lastError())
	}
}

// lastError returns libhdf5's error stack as one line and clears it. Call it
// with lib held, right after the failing call.
func lastError() string {
	var buf [1024]C.char
	C.xh_error_message(&buf[0], C.size_t(len(buf)))
	// One line: libhdf5's messages may hold newlines (the ctime of a
	// failed write, "time = ...\n").
	s := strings.Join(strings.Fields(C.GoString(&buf[0])), " ")
	if s == "" {
		s = "libhdf5 reported an error"
	}
	return s
}

func cstr(s string) (*C.char, func()) {
	p := C.CString(s)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// OpenObjects returns the number of HDF5 objects (files, groups, datasets,
// datatypes, attributes) open in this process, H5Fget_obj_count(H5F_OBJ_ALL,
// H5F_OBJ_ALL). Tests use it to prove that no handle leaks.
func OpenObjects() int {
	lockLib()
	defer lib.Unlock()
	n := C.H5Fget_obj_count(C.H5F_OBJ_ALL, C.H5F_OBJ_ALL)
	C.H5Eclear2(C.H5E_DEFAULT)
	return int(n)
}

// LibVersion returns the version of the linked libhdf5, e.g. "1.10.8".
func LibVersion() string {
	lockLib()
	defer lib.Unlock()
	v, err := hdf5.LibVersion()
	if err != nil {
		C.H5Eclear2(C.H5E_DEFAULT)
		return "unknown"
	}
	return v.String()
}

// FilterAvailable reports whether libhdf5 can apply filter id
// (H5Zfilter_avail; for a plugin filter this loads the plugin).
func FilterAvailable(id int) bool {
	lockLib()
	defer lib.Unlock()
	r := C.H5Zfilter_avail(C.H5Z_filter_t(id))
	C.H5Eclear2(C.H5E_DEFAULT)
	return r > 0
}

// SetPluginLoading turns libhdf5's dynamic loading of filter plugins on or
// off (H5PLset_loading_state). Off, only built-in filters (deflate, shuffle,
// and this package's LZF) are available. Used by tests and benchmarks.
func SetPluginLoading(on bool) error {
	lockLib()
	defer lib.Unlock()
	var mask C.uint
	if on {
		mask = 0xFFFF
	}
	if C.H5PLset_loading_state(mask) < 0 {
		return fmt.Errorf("h5: set plugin loading: %s", lastError())
	}
	return nil
}
