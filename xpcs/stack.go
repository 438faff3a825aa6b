package xpcs

import (
	"errors"
	"fmt"
	"io"
)

// Shape is the shape of a frame stack: Frames x Rows x Cols, frame-major
// (the layout of /entry/data/data).
type Shape struct {
	Frames, Rows, Cols int
}

// Pixels returns Rows*Cols, the number of pixels of one frame.
func (s Shape) Pixels() int { return s.Rows * s.Cols }

// Len returns Frames*Rows*Cols, the number of values of the whole stack.
func (s Shape) Len() int { return s.Frames * s.Rows * s.Cols }

// String formats s as "FRAMESxROWSxCOLS".
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.Frames, s.Rows, s.Cols) }

// Validate reports an error when a dimension is not positive.
func (s Shape) Validate() error {
	if s.Frames <= 0 || s.Rows <= 0 || s.Cols <= 0 {
		return fmt.Errorf("xpcs: invalid stack shape %s: every dimension must be positive", s)
	}
	return nil
}

// Pixel is the set of element types a frame may hold: the unsigned counts
// detectors write (uint16, uint32) and floating-point frames (already
// corrected or averaged data). Floating-point frames are checked for NaN and
// ±Inf, which are rejected with an error naming the frame.
type Pixel interface {
	~uint8 | ~uint16 | ~uint32 | ~float32 | ~float64
}

// Stack is an in-memory frame stack of uint16 counts. Data is frame-major:
// the value of pixel (r, c) in frame f is Data[f*Rows*Cols + r*Cols + c].
type Stack struct {
	Shape
	Data []uint16
}

// NewStack allocates a zeroed stack of the given shape.
func NewStack(s Shape) (*Stack, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Stack{Shape: s, Data: make([]uint16, s.Len())}, nil
}

// Frame returns frame f as a slice sharing Data. It panics when f is out of
// range, like a slice index.
func (s *Stack) Frame(f int) []uint16 {
	n := s.Pixels()
	return s.Data[f*n : (f+1)*n : (f+1)*n]
}

// Source returns a FrameSource reading s from its first frame.
func (s *Stack) Source() FrameSource { return &stackSource{s: s} }

// FrameSource delivers the frames of a stack in order, a block at a time, so
// that a whole stack never has to be in memory (an xlarge stack is 10 GB).
// Synth generators, in-memory stacks and the HDF5 readers implement it.
type FrameSource interface {
	// Shape returns the shape of the whole stack.
	Shape() Shape
	// ReadFrames fills dst with the next whole frames: it reads
	// min(len(dst)/Pixels, remaining) frames and returns that number.
	// At the end of the stack it returns 0, io.EOF. len(dst) must be at
	// least one frame.
	ReadFrames(dst []uint16) (int, error)
}

type stackSource struct {
	s    *Stack
	next int
}

var (
	_ FrameSource = (*stackSource)(nil)
	_ WholeStack  = (*stackSource)(nil)
)

func (ss *stackSource) Shape() Shape { return ss.s.Shape }

// AllFrames implements WholeStack: the stack's data, before any read.
func (ss *stackSource) AllFrames() (StackView, bool) {
	if ss.next > 0 {
		return StackView{}, false
	}
	return ViewOf(ss.s.Data), true
}

func (ss *stackSource) ReadFrames(dst []uint16) (int, error) {
	np := ss.s.Pixels()
	if len(dst) < np {
		return 0, fmt.Errorf("xpcs: ReadFrames buffer of %d values is smaller than one %dx%d frame", len(dst), ss.s.Rows, ss.s.Cols)
	}
	n := min(len(dst)/np, ss.s.Frames-ss.next)
	if n == 0 {
		return 0, io.EOF
	}
	copy(dst, ss.s.Data[ss.next*np:(ss.next+n)*np])
	ss.next += n
	return n, nil
}

// ReadAll reads every remaining frame of src into a new Stack. Use it for
// small stacks only; the kernels take a FrameSource to stream.
func ReadAll(src FrameSource) (*Stack, error) {
	sh := src.Shape()
	st, err := NewStack(sh)
	if err != nil {
		return nil, err
	}
	got := 0
	for got < sh.Frames {
		n, err := src.ReadFrames(st.Data[got*sh.Pixels():])
		got += n
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xpcs: reading frame %d of %s: %w", got, sh, err)
		}
	}
	if got != sh.Frames {
		return nil, fmt.Errorf("xpcs: stack %s ended after %d frames", sh, got)
	}
	return st, nil
}
