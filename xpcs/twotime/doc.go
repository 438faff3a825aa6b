// Package twotime computes the two-time intensity correlation of XPCS
// frame stacks, per dynamic q bin:
//
//	C(t1, t2) = <I(t1) I(t2)>_p / (<I(t1)>_p <I(t2)>_p)
//
// where <.>_p averages over the P pixels of the bin. With X the frames x
// pixels matrix of the bin (float32), this is one symmetric rank-P update
// per bin, G = X X^T (BLAS SYRK), then C = (G/P) / (m m^T) with m = X 1/P
// the per-frame mean intensity. Only the upper triangle is computed by SYRK;
// the lower one is mirrored.
//
// The product runs on one of several BLAS back ends (Backend), chosen
// deliberately and benchmarked side by side (BenchmarkMatrix, docs/perf/fit.md):
//
//   - OpenBLAS: cblas_ssyrk of Debian's libopenblas through cgo (cgo is
//     already required by the HDF5 layer). gonum's netlib binding
//     (gonum.org/v1/netlib) is not used: its only release predates gonum
//     v0.17 and it needs CGO_LDFLAGS set by every caller to link, so a plain
//     `go build ./...` would fail; the three-function cgo file here links
//     -lopenblas itself.
//   - Gonum: gonum's pure-Go Sgemm, which gonum parallelises over blocks
//     (GonumSyrk: its Ssyrk, half the flops but serial; the two are within
//     20% of each other and 14-17x slower than OpenBLAS on the 2-core
//     machine of docs/perf/fit.md). Used when the binary is built without
//     cgo.
//   - Naive: a direct float64 loop, the reference for tests.
//
// Compute can first normalise the intensities frame by frame (Options.Smooth),
// as boost_corr's twotime does: APS 8-ID-I runs it with "sqmap" (SmoothStatic),
// dividing each pixel's count at frame t by the mean count of its static bin
// at t (a mean <= 0 taken as 1), then forming C from those ratios. The zero
// value, SmoothNone, correlates the raw counts.
//
// A frame whose mean intensity in a bin is zero gives NaN in its row and
// column of C (0/0), documented rather than hidden; DiagonalG2 and SegmentG2
// leave such entries out. Matrix rejects a frame holding NaN or ±Inf with an
// error naming it (uint16 stacks cannot hold either).
//
// DiagonalG2 averages C along its diagonals: g2(tau) = mean_t C(t, t+tau),
// which for a stationary sample estimates the multi-tau g2 at lag tau.
// SegmentG2 does the same within consecutive time segments (the diagonal
// blocks of C), to follow non-stationary dynamics.
package twotime
