//go:build cgo && amd64

package xpcs

/*
#cgo CFLAGS: -O3 -fno-strict-aliasing
#include <stdint.h>
#include <string.h>
#include <immintrin.h>

// No fused multiply-add (-ffp-contract=off, which #cgo CFLAGS does not
// accept): the kernels must round the product and the sum separately, as
// the portable Go kernels do (TestKernelPaths checks the result bitwise;
// `objdump -d` of the binary shows no vfmadd in block_u16_*).
#pragma GCC optimize("fp-contract=off")

// Layout constants of the Go state (multitau.go); checked against the Go
// constants by TestKernelLayout.
#define XPCS_GL 26
#define XPCS_OHIST 0
#define XPCS_OCORR 8
#define XPCS_OSUM 16
#define XPCS_OCARRY 17
#define XPCS_OHEAD 18

// xpcs_ld16 loads a little-endian uint16 at any alignment (frames mapped
// from an HDF5 file may start at odd offsets).
static inline uint16_t xpcs_ld16(const unsigned char *p) {
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

// Frames ahead to prefetch in the transpose.
#define XPCS_PF 8

// One instantiation per instruction set; the target pragma lets one
// binary carry them all (the AVX2 one too, as GitHub's hosted runners may
// lack AVX-512), chosen at run time by the CPU check below.
#pragma GCC push_options
// tune=znver3: GCC's generic tuning splits unaligned 256-bit loads and
// stores in two 128-bit halves (and here went through the stack);
// tuning is no ISA requirement, the code runs on any AVX2 CPU.
#pragma GCC target("avx2,tune=znver3")
#define W 4
#define SUF avx2
#include "multitau_kernel.h"
#undef W
#undef SUF
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512vl,avx512bw")
#define W 8
#define SUF avx512
#include "multitau_kernel.h"
#undef W
#undef SUF
#pragma GCC pop_options

// The same two paths with fused multiply-adds (fp-contract=fast, FMA
// target): c + v*x rounds once instead of twice. Used only while every
// product and every partial sum is an integer below 2^53 (uint16 counts,
// frames and levels within exactFMA), where both roundings are exact and
// the state is bitwise identical to the unfused paths'; float64 frames
// (groups4) never take them.
#define XPCS_NO_GROUPS4
#pragma GCC push_options
#pragma GCC target("avx2,fma,tune=znver3")
#pragma GCC optimize("fp-contract=fast")
#define W 4
#define SUF avx2fma
#include "multitau_kernel.h"
#undef W
#undef SUF
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512vl,avx512bw")
#pragma GCC optimize("fp-contract=fast")
#define W 8
#define SUF avx512fma
#include "multitau_kernel.h"
#undef W
#undef SUF
#pragma GCC pop_options
#undef XPCS_NO_GROUPS4

// xpcs_cpu_* report the CPU features (libgcc's check includes the OS
// support of the AVX and AVX-512 register state, XGETBV).
static int xpcs_cpu_avx2(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
static int xpcs_cpu_fma(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("fma");
}
static int xpcs_cpu_avx512(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}

static void xpcs_block_u16(int isa, const unsigned char *frames, const int64_t *off, long npix, long m,
			   const int32_t *idx, long n, double *state, long nlev, const int64_t *plan, double *buf,
			   double *b, double *fsum, double *zstate, long pb) {
	switch (isa) {
	case 8: block_u16_avx512(frames, off, npix, m, idx, n, state, nlev, plan, buf, b, fsum, zstate, pb); break;
	case 8 | 16: block_u16_avx512fma(frames, off, npix, m, idx, n, state, nlev, plan, buf, b, fsum, zstate, pb); break;
	case 4 | 16: block_u16_avx2fma(frames, off, npix, m, idx, n, state, nlev, plan, buf, b, fsum, zstate, pb); break;
	default: block_u16_avx2(frames, off, npix, m, idx, n, state, nlev, plan, buf, b, fsum, zstate, pb);
	}
}

// xpcs_add_u16 adds the n little-endian uint16 at p to dst[0..n), 8 at a
// time with AVX2 (unaligned loads: p may be odd), each dst[i] += p[i] as
// the Go loop (accumulate) does it.
__attribute__((target("avx2"))) static void xpcs_add_u16(double *dst, const unsigned char *p, long n) {
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 2 * i));
		__m256d lo = _mm256_cvtepi32_pd(_mm_cvtepu16_epi32(v));
		__m256d hi = _mm256_cvtepi32_pd(_mm_cvtepu16_epi32(_mm_srli_si128(v, 8)));
		_mm256_storeu_pd(dst + i, _mm256_add_pd(_mm256_loadu_pd(dst + i), lo));
		_mm256_storeu_pd(dst + i + 4, _mm256_add_pd(_mm256_loadu_pd(dst + i + 4), hi));
	}
	for (; i < n; i++) dst[i] += (double)xpcs_ld16(p + 2 * i);
}

// xpcs_sum_runs_u16 adds, for m frames of npix little-endian uint16
// pixels (frame t at byte off[t] of frames, off NULL: 2*t*npix), the
// pixels of the runs [runs[2r], runs[2r+1]) to sum (and to seg when not
// NULL), in frame order as the Go loop (accumulate) does.
__attribute__((target("avx2"))) static void xpcs_sum_runs_u16(const unsigned char *frames, const int64_t *off,
		long npix, long m, const int64_t *runs, long nruns, double *sum, double *seg) {
	for (long t = 0; t < m; t++) {
		const unsigned char *row = frames + (off ? off[t] : 2 * t * npix);
		for (long r = 0; r < nruns; r++) {
			long lo = runs[2 * r], hi = runs[2 * r + 1];
			xpcs_add_u16(sum + lo, row + 2 * lo, hi - lo);
			if (seg) xpcs_add_u16(seg + lo, row + 2 * lo, hi - lo);
		}
	}
}

// xpcs_count_runs_u16 is xpcs_sum_runs_u16 into 32-bit integer counts
// (acc[p] += frame t's pixel p): exact while m * 65535 < 2^32, i.e. up to
// 65537 frames, and 8 pixels per AVX2 add instead of 4 conversions and 4
// float64 adds. Converted to float64 the counts equal the float64 sums
// exactly (every partial sum is an integer below 2^53).
__attribute__((target("avx2"))) static void xpcs_count_runs_u16(const unsigned char *frames, const int64_t *off,
		long npix, long m, const int64_t *runs, long nruns, uint32_t *acc) {
	for (long t = 0; t < m; t++) {
		const unsigned char *row = frames + (off ? off[t] : 2 * t * npix);
		for (long r = 0; r < nruns; r++) {
			long p = runs[2 * r], hi = runs[2 * r + 1];
			for (; p + 8 <= hi; p += 8) {
				__m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + 2 * p)));
				_mm256_storeu_si256((__m256i *)(acc + p), _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(acc + p)), v));
			}
			for (; p < hi; p++) acc[p] += xpcs_ld16(row + 2 * p);
		}
	}
}

// xpcs_moments4 is pixelMoments and the ratio for the 4 lanes of a group
// state st at once: for lag i (level lev[i], k[i] frames of that level;
// count[level] frames seen), lane j's record rec[j*4*nl ...] holds G, IP,
// IF and R = G/(IP*IF) - 1 at [i], [nl+i], [2nl+i], [3nl+i]. The same
// IEEE operations in the same order per lane as the Go loop (divisions and
// subtractions are exact-rounded in vectors too; no contraction).
typedef double xpcs_v4 __attribute__((vector_size(32)));
typedef double xpcs_v4u __attribute__((vector_size(32), aligned(8), may_alias));
__attribute__((target("avx2"))) static void xpcs_moments4(const double *st, const int64_t *lev, const int64_t *kk,
		const int64_t *count, long nl, double *rec) {
	long level = -1, k = 0;
	const double *s = st;
	xpcs_v4 past = {0}, fut = {0};
	const xpcs_v4 one = {1, 1, 1, 1};
	for (long i = 0; i < nl; i++) {
		if (lev[i] != level) {
			level = lev[i];
			k = 0;
			s = st + level * XPCS_GL * 4;
			past = *(const xpcs_v4u *)(s + XPCS_OSUM * 4);
			fut = past;
		}
		for (; k < kk[i]; k++) {
			past = past - *(const xpcs_v4u *)(s + (XPCS_OHIST + 7 - k) * 4);
			fut = fut - *(const xpcs_v4u *)(s + (XPCS_OHEAD + k) * 4);
		}
		double nn = (double)(count[level] - kk[i]);
		xpcs_v4 n = {nn, nn, nn, nn};
		xpcs_v4 G = *(const xpcs_v4u *)(s + (XPCS_OCORR + kk[i] - 1) * 4) / n;
		xpcs_v4 IP = past / n, IF = fut / n;
		xpcs_v4 R = G / (IP * IF) - one;
		for (int j = 0; j < 4; j++) {
			double *r = rec + j * 4 * nl;
			r[i] = G[j];
			r[nl + i] = IP[j];
			r[2 * nl + i] = IF[j];
			r[3 * nl + i] = R[j];
		}
	}
}

static void xpcs_groups4(double *state, long ng, long nlev, const int64_t *plan, double *buf, long stride, double *b) {
	groups4_avx2(state, ng, nlev, plan, buf, stride, b);
}
*/
import "C"

import "unsafe"

var (
	haveCAVX2   = C.xpcs_cpu_avx2() != 0
	haveCAVX512 = C.xpcs_cpu_avx512() != 0
	haveFMA     = C.xpcs_cpu_fma() != 0
)

// cLayout returns the C copies of the state layout constants.
func cLayout() [6]int {
	return [6]int{C.XPCS_GL, C.XPCS_OHIST, C.XPCS_OCORR, C.XPCS_OSUM, C.XPCS_OCARRY, C.XPCS_OHEAD}
}

// cBlockU16 runs the C kernel of path k (kernAVX2 or kernAVX512) over
// active pixels idx of m uint16 frames, state starting at the group of
// idx[0]; fma selects its fused multiply-add twin when the CPU has FMA
// (only while the sums are exact: exactFMA). Frame t is the 2·npix little-endian bytes at frames[off[t]:]
// (off nil: frames[2·t·npix:]). See block_u16 in multitau_kernel.h.
func cBlockU16(k kernelID, fma bool, frames []byte, off []int64, npix, m int, idx []int32, state []float64, nlev int, plan []int64, buf, b, fsum, zstate []float64, pb int) {
	isa := C.int(4)
	if k == kernAVX512 {
		isa = 8
	}
	if fma && haveFMA {
		isa |= 16
	}
	var op *C.int64_t
	if off != nil {
		op = (*C.int64_t)(unsafe.Pointer(&off[0]))
	}
	C.xpcs_block_u16(isa, (*C.uchar)(unsafe.Pointer(&frames[0])), op, C.long(npix), C.long(m),
		(*C.int32_t)(unsafe.Pointer(&idx[0])), C.long(len(idx)), (*C.double)(unsafe.Pointer(&state[0])),
		C.long(nlev), (*C.int64_t)(unsafe.Pointer(&plan[0])), (*C.double)(unsafe.Pointer(&buf[0])),
		(*C.double)(unsafe.Pointer(&b[0])), (*C.double)(unsafe.Pointer(&fsum[0])),
		(*C.double)(unsafe.Pointer(&zstate[0])), C.long(pb))
}

// cGroups4 runs the AVX2 C level loop over ng consecutive groups whose
// 4-interleaved series (stride float64 each) the Go transpose wrote to buf.
func cGroups4(state []float64, ng, nlev int, plan []int64, buf []float64, stride int, b []float64) {
	C.xpcs_groups4((*C.double)(unsafe.Pointer(&state[0])), C.long(ng), C.long(nlev),
		(*C.int64_t)(unsafe.Pointer(&plan[0])), (*C.double)(unsafe.Pointer(&buf[0])), C.long(stride),
		(*C.double)(unsafe.Pointer(&b[0])))
}

// cSumRunsU16 is accumulate for uint16 frames in C (xpcs_sum_runs_u16):
// m frames, frame t the little-endian bytes at frames[off[t]:] (off nil:
// frames[2·t·npix:]); seg may be nil.
func cSumRunsU16(frames []byte, off []int64, npix, m int, runs [][2]int, sum, seg []float64) {
	if len(runs) == 0 || m == 0 {
		return
	}
	var sp *C.double
	if seg != nil {
		sp = (*C.double)(unsafe.Pointer(&seg[0]))
	}
	var op *C.int64_t
	if off != nil {
		op = (*C.int64_t)(unsafe.Pointer(&off[0]))
	}
	C.xpcs_sum_runs_u16((*C.uchar)(unsafe.Pointer(&frames[0])), op, C.long(npix), C.long(m),
		(*C.int64_t)(unsafe.Pointer(&runs[0][0])), C.long(len(runs)), (*C.double)(unsafe.Pointer(&sum[0])), sp)
}

// cCountRunsU16 is xpcs_count_runs_u16: for m <= 65537 frames, the 32-bit
// counts of the pixels in runs are added to acc (len npix).
func cCountRunsU16(frames []byte, off []int64, npix, m int, runs [][2]int, acc []uint32) {
	if len(runs) == 0 || m == 0 {
		return
	}
	var op *C.int64_t
	if off != nil {
		op = (*C.int64_t)(unsafe.Pointer(&off[0]))
	}
	C.xpcs_count_runs_u16((*C.uchar)(unsafe.Pointer(&frames[0])), op, C.long(npix), C.long(m),
		(*C.int64_t)(unsafe.Pointer(&runs[0][0])), C.long(len(runs)), (*C.uint32_t)(unsafe.Pointer(&acc[0])))
}

// cMoments4 is xpcs_moments4 (see resultPlan.groupMoments).
func cMoments4(st []float64, lev, k []int64, count []int, nl int, rec []float64) {
	var c [64]int64 // levels: at most log2 of the frame count
	cc := c[:0]
	for _, v := range count {
		cc = append(cc, int64(v))
	}
	C.xpcs_moments4((*C.double)(unsafe.Pointer(&st[0])), (*C.int64_t)(unsafe.Pointer(&lev[0])), (*C.int64_t)(unsafe.Pointer(&k[0])),
		(*C.int64_t)(unsafe.Pointer(&cc[0])), C.long(nl), (*C.double)(unsafe.Pointer(&rec[0])))
}
