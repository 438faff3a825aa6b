package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"os"
	"strings"
)

// File is an open HDF5 file. Its methods are safe for concurrent use: every
// libhdf5 call is serialised behind one package-wide lock. Each method opens
// and closes the objects it needs, so a File holds one HDF5 handle (the file)
// until Close. For many repeated reads of one dataset keep a *Stack or use a
// Pool, which keep dataset handles open.
type File struct {
	id       C.hid_t
	path     string
	writable bool
	closed   bool
}

// Open opens an existing HDF5 file read-only.
// A missing file, a file that is not HDF5 (ErrNotHDF5) or a truncated or
// damaged file gives an *Error naming the file.
func Open(path string) (*File, error) { return openFile(path, false) }

// OpenRW opens an existing HDF5 file for reading and writing.
func OpenRW(path string) (*File, error) { return openFile(path, true) }

func openFile(path string, rw bool) (*File, error) {
	if initErr != nil {
		return nil, initErr
	}
	if _, err := os.Stat(path); err != nil {
		return nil, &Error{Op: "open", File: path, Kind: ErrNotFound, Msg: err.Error()}
	}
	cs, free := cstr(path)
	defer free()
	lockLib()
	defer lib.Unlock()
	is := C.H5Fis_hdf5(cs)
	if is == 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil, &Error{Op: "open", File: path, Kind: ErrNotHDF5, Msg: "no HDF5 signature found"}
	}
	flags := C.uint(C.H5F_ACC_RDONLY)
	if rw {
		flags = C.H5F_ACC_RDWR
	}
	id := C.H5Fopen(cs, flags, C.xh_p_default())
	if id < 0 {
		return nil, &Error{Op: "open", File: path, Msg: lastError()}
	}
	return &File{id: id, path: path, writable: rw}, nil
}

// Create creates (or truncates) an HDF5 file for writing.
func Create(path string) (*File, error) {
	if initErr != nil {
		return nil, initErr
	}
	cs, free := cstr(path)
	defer free()
	lockLib()
	defer lib.Unlock()
	id := C.H5Fcreate(cs, C.H5F_ACC_TRUNC, C.xh_p_default(), C.xh_p_default())
	if id < 0 {
		return nil, &Error{Op: "create", File: path, Msg: lastError()}
	}
	return &File{id: id, path: path, writable: true}, nil
}

// Path returns the file's path as given to Open or Create.
func (f *File) Path() string { return f.path }

// Close flushes and closes the file. Objects still open inside it (a Stack
// not yet closed) are closed by libhdf5 when their last handle goes. Close is
// idempotent.
func (f *File) Close() error {
	lockLib()
	defer lib.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if C.H5Fclose(f.id) < 0 {
		return &Error{Op: "close", File: f.path, Msg: lastError()}
	}
	return nil
}

// Flush asks libhdf5 to write its buffers to the file.
func (f *File) Flush() error {
	lockLib()
	defer lib.Unlock()
	if f.closed {
		return &Error{Op: "flush", File: f.path, Kind: ErrClosed}
	}
	if C.H5Fflush(f.id, C.H5F_SCOPE_LOCAL) < 0 {
		return &Error{Op: "flush", File: f.path, Msg: lastError()}
	}
	return nil
}

// Exists reports whether the object at path (e.g. "/xpcs/twotime") exists.
// Every intermediate link is checked, so a missing parent is not an error.
func (f *File) Exists(path string) bool {
	lockLib()
	defer lib.Unlock()
	return f.existsLocked(path)
}

func (f *File) existsLocked(path string) bool {
	if f.closed {
		return false
	}
	p := ""
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if part == "" {
			continue
		}
		p += "/" + part
		cs, free := cstr(p)
		r := C.H5Lexists(f.id, cs, C.xh_p_default())
		if r > 0 {
			r = C.H5Oexists_by_name(f.id, cs, C.xh_p_default())
		}
		free()
		if r <= 0 {
			C.H5Eclear2(C.H5E_DEFAULT)
			return false
		}
	}
	return true
}

// openDataset opens path with lib held; the caller closes it.
func (f *File) openDatasetLocked(op, path string) (C.hid_t, error) {
	if f.closed {
		return -1, &Error{Op: op, File: f.path, Object: path, Kind: ErrClosed}
	}
	if !f.existsLocked(path) {
		return -1, &Error{Op: op, File: f.path, Object: path, Kind: ErrNotFound, Msg: "dataset does not exist"}
	}
	cs, free := cstr(path)
	defer free()
	id := C.H5Dopen2(f.id, cs, C.xh_p_default())
	if id < 0 {
		return -1, &Error{Op: op, File: f.path, Object: path, Msg: lastError()}
	}
	return id, nil
}

// ensureGroupsLocked creates the missing parent groups of path.
func (f *File) ensureGroupsLocked(op, path string) error {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	p := ""
	for _, part := range parts[:len(parts)-1] {
		p += "/" + part
		if f.existsLocked(p) {
			continue
		}
		cs, free := cstr(p)
		g := C.H5Gcreate2(f.id, cs, C.xh_p_default(), C.xh_p_default(), C.xh_p_default())
		free()
		if g < 0 {
			return &Error{Op: op, File: f.path, Object: p, Msg: lastError()}
		}
		C.H5Gclose(g)
	}
	return nil
}

// CreateGroup creates the group at path and any missing parents. An existing
// group is not an error.
func (f *File) CreateGroup(path string) error {
	lockLib()
	defer lib.Unlock()
	if f.closed {
		return &Error{Op: "create group", File: f.path, Object: path, Kind: ErrClosed}
	}
	return f.ensureGroupsLocked("create group", strings.TrimRight(path, "/")+"/x")
}
