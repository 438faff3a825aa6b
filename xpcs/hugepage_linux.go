//go:build linux

package xpcs

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks Linux for transparent huge pages (MADV_HUGEPAGE) on the
// whole 2 MB pages inside s. Large, freshly allocated buffers (the
// correlator state: 110 MB at 256x256 and 1000 frames; the read blocks)
// are first touched by the kernels: with 4 KB pages that cost one page
// fault per 4 KB (twice when the first touch is a read), a quarter of the
// CPU of `correlate` in the profile of Dec 2026. Machines whose THP setting
// is "never" ignore the advice; errors are ignored too.
func adviseHuge[T any](s []T) {
	if len(s) == 0 {
		return
	}
	const huge = 2 << 20
	var z T
	p := uintptr(unsafe.Pointer(&s[0]))
	end := p + uintptr(len(s))*unsafe.Sizeof(z)
	lo, hi := (p+huge-1)&^(huge-1), end&^(huge-1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&s[0]), lo-p)), hi-lo)
	_ = syscall.Madvise(b, 14) // 14: MADV_HUGEPAGE
}
