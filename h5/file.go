package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"os"
	"strings"
	"syscall"

	"gonum.org/v1/hdf5"
)

// File is an open HDF5 file. Its methods are safe for concurrent use: every
// libhdf5 call is serialised behind one package-wide lock. Each method opens
// and closes the objects it needs, so a File holds one HDF5 handle (the file)
// until Close. For many repeated reads of one dataset keep a *Stack or use a
// Pool, which keep dataset handles open.
type File struct {
	gf       *hdf5.File // the gonum/hdf5 handle: open, create, flush, close, groups, datasets
	id       C.hid_t    // gf's hid_t, for the calls gonum/hdf5 has no binding for (h5c)
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
	flags := hdf5.F_ACC_RDONLY
	if rw {
		flags = hdf5.F_ACC_RDWR
	}
	gf, err := cloexec(func() (*hdf5.File, error) { return hdf5.OpenFile(path, flags) })
	if err != nil {
		// gonum's error says only "code -1"; libhdf5's stack says why.
		return nil, &Error{Op: "open", File: path, Msg: lastError()}
	}
	return newFile(gf, path, rw), nil
}

// newFile wraps a gonum/hdf5 file handle; its hid_t is shared with h5c.
// cloexec runs open (an H5Fopen or H5Fcreate) and marks the descriptor
// libhdf5 opened close-on-exec, holding syscall.ForkLock for reading in
// between, as Go does for descriptors it cannot open with O_CLOEXEC: no
// process started by os/exec in that window inherits the file (and its
// lock). Written by hand because libhdf5 has no close-on-exec option.
func cloexec(open func() (*hdf5.File, error)) (*hdf5.File, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	gf, err := open()
	if err == nil {
		C.xh_cloexec(C.hid_t(gf.ID()))
	}
	return gf, err
}

func newFile(gf *hdf5.File, path string, rw bool) *File {
	return &File{gf: gf, id: C.hid_t(gf.ID()), path: path, writable: rw}
}

// Create creates (or truncates) an HDF5 file for writing.
func Create(path string) (*File, error) {
	if initErr != nil {
		return nil, initErr
	}
	lockLib()
	defer lib.Unlock()
	gf, err := cloexec(func() (*hdf5.File, error) { return hdf5.CreateFile(path, hdf5.F_ACC_TRUNC) })
	if err != nil {
		return nil, &Error{Op: "create", File: path, Msg: lastError()}
	}
	return newFile(gf, path, true), nil
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
	if err := f.gf.Close(); err != nil {
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
	if err := f.gf.Flush(hdf5.F_SCOPE_LOCAL); err != nil {
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
		// The link first (gonum/hdf5), then whether it resolves to an
		// object: a dangling soft link exists as a link only
		// (H5Oexists_by_name, which gonum/hdf5 does not bind).
		if !f.gf.LinkExists(p) {
			C.H5Eclear2(C.H5E_DEFAULT)
			return false
		}
		cs, free := cstr(p)
		r := C.H5Oexists_by_name(f.id, cs, C.xh_p_default())
		free()
		if r <= 0 {
			C.H5Eclear2(C.H5E_DEFAULT)
			return false
		}
	}
	return true
}

// openDatasetLocked opens path through gonum/hdf5 with lib held; the caller
// closes it (ds.Close, under lib) and passes dsID(ds) to h5c calls.
func (f *File) openDatasetLocked(op, path string) (*hdf5.Dataset, error) {
	if f.closed {
		return nil, &Error{Op: op, File: f.path, Object: path, Kind: ErrClosed}
	}
	if !f.existsLocked(path) {
		return nil, &Error{Op: op, File: f.path, Object: path, Kind: ErrNotFound, Msg: "dataset does not exist"}
	}
	ds, err := f.gf.OpenDataset(path)
	if err != nil {
		return nil, &Error{Op: op, File: f.path, Object: path, Msg: lastError()}
	}
	return ds, nil
}

// dsID returns the hid_t of a gonum/hdf5 object for the calls of this
// package's own cgo.
func dsID(o interface{ ID() int64 }) C.hid_t { return C.hid_t(o.ID()) }

// ensureGroupsLocked creates the missing parent groups of path.
func (f *File) ensureGroupsLocked(op, path string) error {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	p := ""
	for _, part := range parts[:len(parts)-1] {
		p += "/" + part
		if f.existsLocked(p) {
			continue
		}
		g, err := f.gf.CreateGroup(p)
		if err != nil {
			return &Error{Op: op, File: f.path, Object: p, Msg: lastError()}
		}
		if err := g.Close(); err != nil {
			return &Error{Op: op, File: f.path, Object: p, Msg: lastError()}
		}
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
