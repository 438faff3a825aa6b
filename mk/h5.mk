# h5: HDF5 layer (package h5). Included by the top Makefile.
.PHONY: test-h5 bench-h5 bench-h5-go bench-h5-xlarge

## test-h5: the h5 package's tests with the race detector (h5py interop included).
test-h5:
	$(GO) test -race ./h5/...

## bench-h5: h5py vs Go reads of 1000x256x256 uint16 (none, gzip+shuffle,
## lzf, bitshuffle-lz4) side by side, then peak RSS streaming 2000x512x512.
bench-h5:
	bash scripts/h5/bench.sh

## bench-h5-go: the Go benchmarks alone on small stacks they write themselves.
bench-h5-go:
	$(GO) test -run '^$$' -bench . -count 5 ./h5

## bench-h5-xlarge: peak RSS streaming 5000x1024x1024 (~10 GB on disk uncompressed).
bench-h5-xlarge:
	/usr/bin/python3 scripts/h5/bench.py --stream xlarge --kind lzf
