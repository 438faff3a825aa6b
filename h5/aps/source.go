package aps

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// Source adapts an HDF5 raw stack to xpcs.FrameSource. uint32 stacks are
// converted to uint16; a count above 65535 is an error naming the frame.
type Source struct {
	s      *h5.Stack
	path   string
	next   int
	tmp    []uint32
	mapErr error
}

var (
	_ xpcs.FrameSource = (*Source)(nil)
	_ xpcs.WholeStack  = (*Source)(nil)
)

// OpenSource opens the raw stack (h5.StackPath) of path, which must hold
// uint16 or uint32 counts. Close it after use.
func OpenSource(path string) (*Source, error) {
	s, err := h5.OpenStack(path)
	if err != nil {
		return nil, err
	}
	if s.DType != h5.Uint16 && s.DType != h5.Uint32 {
		s.Close()
		return nil, fmt.Errorf("%s: %s is %s, want uint16 or uint32", path, h5.StackPath, s.DType)
	}
	return &Source{s: s, path: path}, nil
}

func (h *Source) Close() error { return h.s.Close() }

// AllFrames implements xpcs.WholeStack: the frames of a uint16 stack
// stored uncompressed (contiguous or chunked) are memory-mapped where the
// file holds them (h5.Stack.Map), so that Correlate correlates them
// pixel-major with no read buffer; other stacks, and a source already
// read from, give false (Correlate then streams them through ReadFrames).
// MapError says why not.
func (h *Source) AllFrames() (xpcs.StackView, bool) {
	if h.next > 0 || h.s.DType != h5.Uint16 {
		return xpcs.StackView{}, false
	}
	// The view holds the file's little-endian bytes; the Go paths read
	// them as native uint16.
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		h.mapErr = fmt.Errorf("%s: big-endian host: streamed", h.path)
		return xpcs.StackView{}, false
	}
	// Pixel-major reads every frame once per pixel block: a stack larger
	// than the page cache can hold would be read from disk many times.
	if need, ram := float64(h.s.Frames)*float64(h.s.FrameBytes()), float64(h5.TotalRAM()); ram > 0 && need > ram/2 {
		h.mapErr = fmt.Errorf("%s: the stack's %.3g GB are more than half the RAM (%.3g GB): streamed", h.path, need/1e9, ram/1e9)
		return xpcs.StackView{}, false
	}
	b, off, err := h.s.Map()
	if err != nil {
		h.mapErr = err
		return xpcs.StackView{}, false
	}
	v := xpcs.StackView{Data: b, Off: off}
	return v, true
}

// MapError returns why the last AllFrames returned false after trying to
// map the stack (nil if it did not try or mapped).
func (h *Source) MapError() error { return h.mapErr }

func (h *Source) Shape() xpcs.Shape {
	return xpcs.Shape{Frames: h.s.Frames, Rows: h.s.Rows, Cols: h.s.Cols}
}

func (h *Source) ReadFrames(dst []uint16) (int, error) {
	np := h.s.Rows * h.s.Cols
	if len(dst) < np {
		return 0, fmt.Errorf("%s: read buffer smaller than one frame", h.path)
	}
	n := min(len(dst)/np, h.s.Frames-h.next)
	if n == 0 {
		return 0, io.EOF
	}
	if h.s.DType == h5.Uint16 {
		if err := h.s.ReadFrames(h.next, n, dst[:n*np]); err != nil {
			return 0, err
		}
	} else {
		if cap(h.tmp) < n*np {
			h.tmp = make([]uint32, n*np)
		}
		t := h.tmp[:n*np]
		if err := h.s.ReadFrames(h.next, n, t); err != nil {
			return 0, err
		}
		for i, v := range t {
			if v > math.MaxUint16 {
				return 0, fmt.Errorf("%s: frame %d pixel %d holds %d counts, more than the 65535 the correlator takes", h.path, h.next+i/np, i%np, v)
			}
			dst[i] = uint16(v)
		}
	}
	h.next += n
	return n, nil
}
