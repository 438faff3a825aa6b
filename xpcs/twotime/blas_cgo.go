//go:build cgo

package twotime

/*
#cgo LDFLAGS: -lopenblas
#include <cblas-openblas.h>
*/
import "C"

import "unsafe"

// haveOpenBLAS reports whether the OpenBLAS back end is built in.
const haveOpenBLAS = true

// openblasSyrk computes the upper triangle of c = x x^T for x (n x k,
// row-major) into c (n x n, row-major) with cblas_ssyrk.
func openblasSyrk(x []float32, n, k int, c []float32) {
	C.cblas_ssyrk(C.CblasRowMajor, C.CblasUpper, C.CblasNoTrans, C.blasint(n), C.blasint(k),
		1, (*C.float)(unsafe.Pointer(&x[0])), C.blasint(k), 0, (*C.float)(unsafe.Pointer(&c[0])), C.blasint(n))
}

// openblasGemm computes c = x x^T (both triangles) with cblas_sgemm.
func openblasGemm(x []float32, n, k int, c []float32) {
	p := (*C.float)(unsafe.Pointer(&x[0]))
	C.cblas_sgemm(C.CblasRowMajor, C.CblasNoTrans, C.CblasTrans, C.blasint(n), C.blasint(n), C.blasint(k),
		1, p, C.blasint(k), p, C.blasint(k), 0, (*C.float)(unsafe.Pointer(&c[0])), C.blasint(n))
}

// OpenBLASThreads returns the number of threads OpenBLAS uses.
func OpenBLASThreads() int { return int(C.openblas_get_num_threads()) }

// SetOpenBLASThreads sets the number of threads OpenBLAS uses (n >= 1).
func SetOpenBLASThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
