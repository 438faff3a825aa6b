package suite

import (
	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/runner"
)

// Category is one category of the suite: its name and the function that
// registers its benchmarks.
type Category struct {
	Name     string
	Register func(*runner.Registry)
}

// Categories is the suite, one entry per file.
var Categories = []Category{
	{"hdf5", allIO(hdf5Category)},
	{"memory", memoryCategory},
	{"optimization", optimizationCategory},
	{"plotting", plottingCategory},
	{"scalability", scalabilityCategory},
	{"scientific", scientificCategory},
}

// Finishers post-process a run's results with the figures that need several
// benchmarks, in this order: leak flags (memory), complexity fits and
// parallel efficiency (scalability).
var Finishers = []func(*analysis.Results){flagLeaks, fitScaling, parallelEfficiency}

// Registry returns a new registry holding every benchmark of the suite.
func Registry() *runner.Registry {
	r := &runner.Registry{}
	for _, c := range Categories {
		c.Register(r)
	}
	return r
}

// Setup prepares r for the suite: its finishers run after the last
// benchmark and results.json's machine block names the libhdf5 version.
func Setup(r *runner.Runner) {
	r.Finishers = append(r.Finishers, Finishers...)
	r.HDF5Version = h5.LibVersion
}
