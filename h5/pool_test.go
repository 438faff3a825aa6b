package h5

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestPoolConcurrent(t *testing.T) {
	const frames, rows, cols = 16, 16, 16
	path := filepath.Join(t.TempDir(), "pool.h5")
	data := synth[uint16](frames*rows*cols, 3)
	if err := WriteStack(path, data, frames, rows, cols, StackOptions{Compression: Deflate, Shuffle: true}); err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t, func() {
		p, err := NewPool(path, 4)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					h, err := p.Acquire(context.Background(), StackPath)
					if err != nil {
						errs <- err
						return
					}
					fr := (g + i) % frames
					got := make([]uint16, rows*cols)
					err = h.ReadSlab([]int{fr, 0, 0}, []int{1, rows, cols}, got)
					h.Release()
					if err != nil {
						errs <- err
						return
					}
					if !slices.Equal(got, data[fr*rows*cols:(fr+1)*rows*cols]) {
						errs <- errors.New("frame differs")
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		st := p.Stats()
		if st.Opened > 4 || st.Opened+st.Reused != 160 {
			t.Errorf("stats %+v: want at most 4 opened and 160 acquisitions", st)
		}
		// the bound holds: a fifth acquisition waits until the context ends
		var hs []*Handle
		for i := 0; i < 4; i++ {
			h, err := p.Acquire(context.Background(), StackPath)
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := p.Acquire(ctx, StackPath); err == nil {
			t.Error("fifth Acquire with max 4 succeeded")
		}
		hs[0].Release()
		if _, err := p.Acquire(context.Background(), "/missing"); !errors.Is(err, ErrNotFound) {
			t.Errorf("acquire /missing: got %v, want ErrNotFound", err)
		}
		// Close releases everything, even handles still acquired
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if err := hs[1].ReadSlab([]int{0, 0, 0}, []int{1, 1, 1}, make([]uint16, 1)); !errors.Is(err, ErrClosed) {
			t.Errorf("read after Close: got %v, want ErrClosed", err)
		}
		if _, err := p.Acquire(context.Background(), StackPath); !errors.Is(err, ErrClosed) {
			t.Errorf("acquire after Close: got %v, want ErrClosed", err)
		}
	})
}
