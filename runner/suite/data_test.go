package suite

import (
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// TestUserDataBounded: the user_data benchmark reads at most
// userDataMaxBytes of each --data stack (whole frames, at least one), not
// the whole stack, and its buffers are sized by that bound.
func TestUserDataBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.h5") // 10 frames of 16x16 uint16 = 512 B each
	if err := h5.WriteStack(big, make([]uint16, 10*16*16), 10, 16, 16, h5.StackOptions{}); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small.h5") // 2 frames of 8x8 uint32 = 256 B each
	if err := h5.WriteStack(small, make([]uint32, 2*8*8), 2, 8, 8, h5.StackOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func(v int) { userDataMaxBytes = v }(userDataMaxBytes)
	for _, tt := range []struct {
		limit     int
		wantFr    []int
		wantBytes int64
	}{
		{1 << 20, []int{10, 2}, 10*512 + 2*256},
		{3 * 512, []int{3, 2}, 3*512 + 2*256},
		{100, []int{1, 1}, 512 + 256}, // less than a frame: still one frame
	} {
		userDataMaxBytes = tt.limit
		env := &runner.Env{Data: []string{big, small}}
		op, err := userDataSetup(env)
		if err != nil {
			t.Fatal(err)
		}
		if err := op.Run(); err != nil {
			t.Errorf("limit %d: Run: %v", tt.limit, err)
		}
		if err := op.Teardown(); err != nil {
			t.Error(err)
		}
		got, _ := env.Extra("frames_read").([]int)
		if len(got) != len(tt.wantFr) || got[0] != tt.wantFr[0] || got[1] != tt.wantFr[1] || op.Bytes != tt.wantBytes {
			t.Errorf("limit %d: got frames %v, %d bytes; want %v, %d", tt.limit, got, op.Bytes, tt.wantFr, tt.wantBytes)
		}
	}
}
