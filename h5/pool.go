package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"context"
	"fmt"
	"sync"

	"gonum.org/v1/hdf5"
)

// Pool opens a file once and hands out dataset handles that stay open
// between uses: Acquire returns an idle handle of the dataset when there is
// one (no H5Dopen) and opens a new one otherwise; Release makes it idle
// again. At most Max handles are acquired at once (Acquire waits). Safe for
// concurrent use: libhdf5 calls are serialised behind the package lock.
// Close closes every handle, acquired or idle, and the file.
type Pool struct {
	f    *File
	sem  chan struct{}
	mu   sync.Mutex
	idle map[string][]*Handle
	all  map[*Handle]bool
	done bool
	// counters
	opened, reused int
}

// Handle is an open dataset acquired from a Pool.
type Handle struct {
	p     *Pool
	name  string
	ds    *hdf5.Dataset // opened through gonum/hdf5
	id    C.hid_t       // ds's hid_t, for h5c
	shape []int
	dtype DType
	busy  bool
}

// NewPool opens path read-only. max bounds the handles acquired at the same
// time (0 means 64).
func NewPool(path string, max int) (*Pool, error) {
	if max <= 0 {
		max = 64
	}
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	return &Pool{f: f, sem: make(chan struct{}, max), idle: map[string][]*Handle{}, all: map[*Handle]bool{}}, nil
}

// File returns the pool's file.
func (p *Pool) File() *File { return p.f }

// Acquire returns a handle of the dataset at name, waiting while Max handles
// are out. It fails with ctx's error, ErrClosed after Close, or ErrNotFound.
func (p *Pool) Acquire(ctx context.Context, name string) (*Handle, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Op: "acquire", File: p.f.path, Object: name, Msg: ctx.Err().Error()}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		<-p.sem
		return nil, &Error{Op: "acquire", File: p.f.path, Object: name, Kind: ErrClosed}
	}
	if hs := p.idle[name]; len(hs) > 0 {
		h := hs[len(hs)-1]
		p.idle[name] = hs[:len(hs)-1]
		h.busy = true
		p.reused++
		return h, nil
	}
	lockLib()
	defer lib.Unlock()
	ds, err := p.f.openDatasetLocked("acquire", name)
	if err != nil {
		<-p.sem
		return nil, err
	}
	id := dsID(ds)
	h := &Handle{p: p, name: name, ds: ds, id: id, busy: true}
	ft := C.H5Dget_type(id)
	h.dtype = describeType(ft).dtype
	C.H5Tclose(ft)
	sp := C.H5Dget_space(id)
	h.shape, _ = spaceShape(sp)
	C.H5Sclose(sp)
	p.all[h] = true
	p.opened++
	return h, nil
}

// Release returns h to the pool. Releasing twice, or after Close, is a no-op.
func (h *Handle) Release() {
	p := h.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !h.busy {
		return
	}
	h.busy = false
	if !p.done {
		p.idle[h.name] = append(p.idle[h.name], h)
	}
	<-p.sem
}

// Name returns the dataset path.
func (h *Handle) Name() string { return h.name }

// Shape returns the dataset's dimensions.
func (h *Handle) Shape() []int { return append([]int(nil), h.shape...) }

// DType returns the stored element type.
func (h *Handle) DType() DType { return h.dtype }

// ReadSlab reads the hyperslab start/count into dst (a slice of the stored
// type with product(count) elements). Use Read for the whole dataset.
func (h *Handle) ReadSlab(start, count []int, dst any) error {
	p := h.p
	p.mu.Lock() // lock order: pool, then lib; Close cannot close h meanwhile
	defer p.mu.Unlock()
	if p.done {
		return &Error{Op: "read", File: p.f.path, Object: h.name, Kind: ErrClosed}
	}
	lockLib()
	defer lib.Unlock()
	if err := readSlabLocked(h.id, start, count, dst); err != nil {
		return wrapErr("read", p.f.path, h.name, err)
	}
	return nil
}

// Read reads the whole dataset.
func (h *Handle) Read() (*Array, error) {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	if h.p.done {
		return nil, &Error{Op: "read", File: h.p.f.path, Object: h.name, Kind: ErrClosed}
	}
	lockLib()
	defer lib.Unlock()
	a, err := readWhole(h.id, false)
	if err != nil {
		return nil, wrapErr("read", h.p.f.path, h.name, err)
	}
	return a, nil
}

// PoolStats counts what the pool did.
type PoolStats struct {
	Open   int // handles open now
	Opened int // H5Dopen calls so far
	Reused int // acquisitions served by an idle handle
}

// Stats returns the pool's counters.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Open: len(p.all), Opened: p.opened, Reused: p.reused}
}

// Close closes every handle and the file. Handles still acquired become
// unusable (their reads fail with ErrClosed). Idempotent.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return nil
	}
	p.done = true
	var firstErr error
	lockLib()
	for h := range p.all {
		if err := h.ds.Close(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("close %s: %s", h.name, lastError())
		}
	}
	lib.Unlock()
	p.all = map[*Handle]bool{}
	p.idle = nil
	p.mu.Unlock()
	if err := p.f.Close(); err != nil {
		return err
	}
	if firstErr != nil {
		return &Error{Op: "close pool", File: p.f.path, Msg: firstErr.Error()}
	}
	return nil
}
