// Package suite is xpcs-perf's XPCS benchmark suite for the engine in
// package runner: six categories (hdf5, memory, optimization, plotting,
// scalability, scientific), one file each, listed in [Categories]; each
// registers its benchmarks into the [runner.Registry] it is given, with no
// init-time side effects. [Registry] builds the whole suite, [Setup] gives a
// [runner.Runner] the suite's finishers (leak flags, complexity fits,
// parallel efficiency) and libhdf5's version for the machine block.
//
// The benchmarks share lazily built synthetic data (data.go): stacks and
// HDF5 files made once per process in a temporary folder that [CleanupData]
// removes. Sizes follow DESIGN.md (frames × rows × cols, [runner.Sizes]).
package suite
