# g2 fitting (xpcs/fit) and two-time correlation (xpcs/twotime).
.PHONY: test-fit bench-fit bench-twotime bench-fit-go

## test-fit: unit tests of xpcs/fit, xpcs/twotime and the fit command (race detector on).
test-fit:
	$(GO) test -race ./xpcs/fit/... ./xpcs/twotime/...
	$(GO) test -run 'CmdFit' ./internal/cli/

## bench-fit: Go fitting vs scipy curve_fit, interleaved, medians and ratio (docs/perf/fit.md).
bench-fit:
	/usr/bin/python3 scripts/fit/side_by_side.py --only fit --rounds $${ROUNDS:-5}

## bench-twotime: Go two-time (OpenBLAS SYRK) vs numpy X @ X.T, interleaved, medians and ratio.
bench-twotime:
	/usr/bin/python3 scripts/fit/side_by_side.py --only twotime --rounds $${ROUNDS:-5}

## bench-fit-go: every fitting method and model, and every BLAS back end, for benchstat.
bench-fit-go:
	@mkdir -p out
	$(GO) test -run '^$$' -bench 'FitCurves' -benchtime 20x -count $${COUNT:-5} ./xpcs/fit | tee out/bench-fit.txt
	$(GO) test -run '^$$' -bench 'Matrix' -benchtime 3x -count $${COUNT:-3} ./xpcs/twotime | tee out/bench-twotime.txt
