package h5

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is on the *Error this package returns.
var (
	ErrNotHDF5           = errors.New("not an HDF5 file")
	ErrNotFound          = errors.New("no such object")
	ErrDType             = errors.New("wrong data type")
	ErrShape             = errors.New("wrong shape or selection")
	ErrFilterUnavailable = errors.New("filter not available")
	ErrClosed            = errors.New("closed")
	ErrNotMappable       = errors.New("not mappable")
)

// Error is the error of every failing operation: it names the file, the
// object (dataset, group or attribute path) and the operation, and carries
// libhdf5's own message (its error stack, which is never printed).
type Error struct {
	Op     string // e.g. "open", "read", "write"
	File   string // file path
	Object string // object path inside the file, may be empty
	Kind   error  // one of the Err* sentinels, or nil
	Msg    string // detail, often libhdf5's message
}

func (e *Error) Error() string {
	s := "h5: " + e.Op + " " + e.File
	if e.Object != "" {
		s += " " + e.Object
	}
	if e.Kind != nil {
		s += ": " + e.Kind.Error()
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Unwrap returns Kind so that errors.Is(err, ErrNotFound) works.
func (e *Error) Unwrap() error { return e.Kind }

func newErr(op, file, obj string, kind error, format string, args ...any) *Error {
	return &Error{Op: op, File: file, Object: obj, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
