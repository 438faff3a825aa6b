// Package xpcs is the XPCS (X-ray photon correlation spectroscopy) toolkit of
// xpcs-perf, in pure Go: the code the benchmarks guard.
//
// It provides
//
//   - frame stacks (Stack, FrameSource): detector frames of uint16 counts,
//     frame-major, shape (frames, rows, cols), streamed in order;
//   - q-maps (QMap, Geometry, Mask, Partition): the scattering vector
//     magnitude q of every pixel from the detector geometry, and the static
//     and dynamic partitions of the pixels into q rings (dynamic bins are
//     groups of consecutive static bins, as at APS 8-ID-I);
//   - synthetic speckle (Synth): a deterministic, streamed stack with a known
//     intensity autocorrelation g2(t) = 1 + beta*exp(-2t/tau_c(q));
//   - the multi-tau correlator (Correlator, Correlate): g2 per dynamic bin
//     with 4 delays per level (Lags), the APS 8-ID-I normalisation (moments
//     G, IP, IF averaged over each static bin, then divided; see
//     Correlator.Result), streaming over
//     frames and parallel over pixels, frame stride and averaging, g2 of time
//     segments, intensity vs time and the time-averaged image;
//   - SAXS reductions: SAXS 1D (per static bin mean, also per time segment)
//     and peak finding (FindPeaks).
//
// Units: q in inverse ångström (1/Å), pixel size and detector distance in
// metres, energy in keV, lags in frames (multiply by the frame time for
// seconds), intensities in counts per pixel per frame.
//
// Bad input: shape mismatches, empty partitions and too few frames are
// errors naming the thing; NaN or ±Inf in floating-point frames are rejected
// with the frame and pixel; pixels without photons in the normalisation
// window count in the static-bin means (as at APS) but are left out of the
// error (G2.Excluded counts them), and a bin with no usable static bin or
// pixel is NaN, never a silent number.
//
// The correlator's hot loop has up to four paths, the fastest one the CPU
// and the build allow chosen at run time (XPCS_KERNEL=portable|simd|avx2|
// avx512 picks one for tests and benchmarks; KernelISA tells which runs):
// portable Go (multitau.go, any build); AVX2+FMA through simd/archsimd
// (kernels_simd.go, GOEXPERIMENT=simd builds on amd64); and C kernels for
// AVX2 and AVX-512 (multitau_kernel.h through kernels_cgo.go; cgo builds on
// amd64, with the transpose of uint16 frames in C too). The C paths do the
// portable path's float64 operations in the same order and are bitwise
// identical to it; the simd path fuses multiply-adds (within 1e-12
// relative; bitwise while the sums are exact integers, below 2^53).
// CGO_ENABLED=0 builds of this package keep the Go paths.
//
// Fitting (xpcs/fit) and two-time correlation (xpcs/twotime) live in their own
// packages and build on the types declared here.
package xpcs
