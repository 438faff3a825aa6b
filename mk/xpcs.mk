# XPCS kernels (xpcs/): multi-tau g2, SAXS 1D, synthetic data.
.PHONY: bench-xpcs bench-xpcs-go test-xpcs check-xpcs-numpy

XPCS_ROUNDS ?= 5

## bench-xpcs: multi-tau and SAXS 1D side by side with numpy in one run
## (medians of XPCS_ROUNDS alternating rounds; every multi-tau path:
## portable, avx2, avx512 of the cgo build and simd of a GOEXPERIMENT=simd
## build; in memory (streaming and pixel-major), kernel only (fused and
## unfused) and end to end through `xpcs-perf correlate` (memory-mapped and
## --stream)): prints Mpixel-frames/s (wall and per CPU-second), the ratios
## and the fraction of the arithmetic limit.
bench-xpcs:
	/usr/bin/python3 scripts/xpcs/side_by_side.py --rounds $(XPCS_ROUNDS)

## bench-xpcs-go: the Go benchmarks alone, benchstat-ready (every path the
## CPU runs; XPCS_KERNEL=portable|simd|avx2|avx512 restricts to one).
bench-xpcs-go:
	$(GO) test -run '^$$' -bench 'MultiTau|SAXS1D|Kernel' -count $(XPCS_ROUNDS) ./xpcs
	GOEXPERIMENT=simd XPCS_KERNEL=simd $(GO) test -run '^$$' -bench 'MultiTau|Kernel' -count $(XPCS_ROUNDS) ./xpcs

## test-xpcs: the xpcs tests, race detector on (TestKernelPaths and the
## brute-force test run every path the CPU has), the GOEXPERIMENT=simd build,
## and the package without cgo.
test-xpcs:
	$(GO) test -race ./xpcs/...
	GOEXPERIMENT=simd $(GO) test ./xpcs
	CGO_ENABLED=0 $(GO) build ./xpcs

## check-xpcs-numpy: synth + correlate a small stack and check g2 against the
## numpy reference (scripts/xpcs/multitau_numpy.py).
check-xpcs-numpy: build
	mkdir -p out/xpcs
	./$(BIN) synth --size small --out out/xpcs/small.h5 --compression lzf
	./$(BIN) correlate --raw out/xpcs/small.h5 --out out/xpcs/small_result.hdf
	/usr/bin/python3 scripts/xpcs/multitau_numpy.py --raw out/xpcs/small.h5 --result out/xpcs/small_result.hdf
