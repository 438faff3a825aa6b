//go:build cgo

package twotime

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <cblas-openblas.h>

// OpenBLAS is loaded with dlopen on first use, not linked: a linked
// OpenBLAS starts its thread pool when the process starts, and the idle
// threads spin in sched_yield for about 2^28 cycles (~0.1 s), which took a
// fifth of the CPU of every short xpcs-perf command (correlate of a
// 1000x256x256 stack: 100 ms with them, 84 ms without) and added noise to
// every benchmark the runner times in-process. The header gives the
// prototypes; no symbol of it is referenced.
static void *xt_lib;
static __typeof__(cblas_ssyrk) *xt_ssyrk;
static __typeof__(cblas_sgemm) *xt_sgemm;
static __typeof__(openblas_get_num_threads) *xt_get_threads;
static __typeof__(openblas_set_num_threads) *xt_set_threads;

// xt_load loads OpenBLAS; it returns NULL or dlerror's message.
static const char *xt_load(void) {
	static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !xt_lib; i++)
		xt_lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!xt_lib) return dlerror();
	xt_ssyrk = (__typeof__(xt_ssyrk))dlsym(xt_lib, "cblas_ssyrk");
	xt_sgemm = (__typeof__(xt_sgemm))dlsym(xt_lib, "cblas_sgemm");
	xt_get_threads = (__typeof__(xt_get_threads))dlsym(xt_lib, "openblas_get_num_threads");
	xt_set_threads = (__typeof__(xt_set_threads))dlsym(xt_lib, "openblas_set_num_threads");
	if (!xt_ssyrk || !xt_sgemm || !xt_get_threads || !xt_set_threads) return "libopenblas lacks cblas_ssyrk, cblas_sgemm or the thread calls";
	return NULL;
}

static void xt_ssyrk_rm(int n, int k, const float *x, float *c) {
	xt_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, 1, x, k, 0, c, n);
}
static void xt_sgemm_rm(int n, int k, const float *x, float *c) {
	xt_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, k, 1, x, k, x, k, 0, c, n);
}
static int xt_threads(void) { return xt_get_threads(); }
static void xt_set(int n) { xt_set_threads(n); }
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"
)

var (
	blasOnce sync.Once
	blasErr  error
)

// loadOpenBLAS loads OpenBLAS once; the error says why it could not.
func loadOpenBLAS() error {
	blasOnce.Do(func() {
		if msg := C.xt_load(); msg != nil {
			blasErr = errors.New("twotime: loading OpenBLAS: " + C.GoString(msg) + " (install libopenblas0, or use --backend gonum)")
		}
	})
	return blasErr
}

// haveOpenBLAS reports whether the OpenBLAS back end can run: the library
// loads.
func haveOpenBLAS() bool { return loadOpenBLAS() == nil }

// openblasSyrk computes the upper triangle of c = x x^T for x (n x k,
// row-major) into c (n x n, row-major) with cblas_ssyrk.
func openblasSyrk(x []float32, n, k int, c []float32) {
	C.xt_ssyrk_rm(C.int(n), C.int(k), (*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&c[0])))
}

// openblasGemm computes c = x x^T (both triangles) with cblas_sgemm.
func openblasGemm(x []float32, n, k int, c []float32) {
	C.xt_sgemm_rm(C.int(n), C.int(k), (*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&c[0])))
}

// OpenBLASThreads returns the number of threads OpenBLAS uses (0 when it
// does not load).
func OpenBLASThreads() int {
	if !haveOpenBLAS() {
		return 0
	}
	return int(C.xt_threads())
}

// SetOpenBLASThreads sets the number of threads OpenBLAS uses (n >= 1).
func SetOpenBLASThreads(n int) {
	if haveOpenBLAS() {
		C.xt_set(C.int(n))
	}
}
