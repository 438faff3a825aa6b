package h5

import (
	"sync"
	"unsafe"
)

// Stream calls fn once per frame of s, in order, with the frame's pixels.
// The slice is only valid during the call (it is reused): copy what you keep.
// A non-nil error from fn stops the stream and is returned.
//
// Memory is bounded whatever the stack size:
//   - Library mode (or a stack the direct path cannot serve): one frame
//     buffer plus libhdf5's chunk cache (1 MiB per dataset by default).
//   - Direct mode with W workers: at most 2W decoded chunks in flight plus,
//     per worker, one stored chunk and one scratch chunk, i.e. about
//     (2W + 2W) * chunkBytes; 4W frames for one chunk per frame.
func Stream[T Pixel](s *Stack, fn func(frame int, px []T) error) error {
	if dtypeOf[T]() != s.DType {
		return newErr("stream", s.File.path, s.Name, ErrDType, "stack is %s, asked for %s", s.DType, dtypeOf[T]())
	}
	px := s.Rows * s.Cols
	if !s.useDirect() {
		frame := make([]T, px)
		for i := 0; i < s.Frames; i++ {
			if err := s.readSlab(i, 1, 0, 0, s.Rows, s.Cols, frame); err != nil {
				return err
			}
			if err := fn(i, frame); err != nil {
				return err
			}
		}
		return nil
	}
	return streamDirect(s, func(frame int, b []byte) error {
		return fn(frame, unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), px))
	})
}

// StreamBytes is Stream with the frame as raw little-endian bytes, for
// callers that do not know the element type at compile time.
func (s *Stack) StreamBytes(fn func(frame int, b []byte) error) error {
	if !s.useDirect() {
		switch s.DType {
		case Uint16:
			return Stream(s, func(i int, px []uint16) error {
				return fn(i, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(px))), 2*len(px)))
			})
		default:
			return Stream(s, func(i int, px []uint32) error {
				return fn(i, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(px))), 4*len(px)))
			})
		}
	}
	return streamDirect(s, fn)
}

type pending struct {
	chunk int
	buf   []byte
	err   error
	done  chan struct{}
}

func streamDirect(s *Stack, fn func(frame int, b []byte) error) error {
	p := s.plan
	workers := s.workers()
	nchunks := len(p.addr)
	depth := 2 * workers
	free := make(chan []byte, depth)
	for i := 0; i < depth; i++ {
		free <- make([]byte, p.chunkBytes)
	}
	order := make(chan *pending, depth)
	work := make(chan *pending)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := p.newWorker()
			for q := range work {
				q.err = p.decodeChunk(q.chunk, q.buf, w)
				close(q.done)
			}
		}()
	}
	go func() { // dispatcher
		defer close(order)
		defer close(work)
		for c := 0; c < nchunks; c++ {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			q := &pending{chunk: c, buf: buf, done: make(chan struct{})}
			select {
			case order <- q:
			case <-stop:
				return
			}
			select {
			case work <- q:
			case <-stop:
				close(q.done)
				return
			}
		}
	}()
	frameBytes := s.FrameBytes()
	var err error
	for q := range order {
		<-q.done
		if err == nil && q.err != nil {
			err = wrapErr("stream", s.File.path, s.Name, q.err)
		}
		if err == nil {
			f0 := q.chunk * p.framesPer
			for f := f0; f < min(f0+p.framesPer, s.Frames) && err == nil; f++ {
				err = fn(f, q.buf[(f-f0)*frameBytes:(f-f0+1)*frameBytes])
			}
		}
		if err != nil {
			select {
			case <-stop:
			default:
				close(stop)
			}
			continue // drain so the dispatcher and workers finish
		}
		free <- q.buf
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return nil
}
