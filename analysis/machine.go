package analysis

import "fmt"

// MachineDiff lists the differences between the baseline's and the current
// machine that make timings incomparable: CPU model, core count, Go version
// and HDF5 version (also architecture and OS). A field empty on either side
// is not compared. Each entry reads "cpu_model: A -> B".
func MachineDiff(baseline, current Machine) []string {
	var out []string
	add := func(name, a, b string) {
		if a != "" && b != "" && a != b {
			out = append(out, fmt.Sprintf("%s: %s -> %s", name, a, b))
		}
	}
	add("cpu_model", baseline.CPUModel, current.CPUModel)
	if baseline.Cores > 0 && current.Cores > 0 && baseline.Cores != current.Cores {
		out = append(out, fmt.Sprintf("cores: %d -> %d", baseline.Cores, current.Cores))
	}
	add("arch", baseline.Arch, current.Arch)
	add("os", baseline.OS, current.OS)
	add("go_version", baseline.GoVersion, current.GoVersion)
	add("hdf5_version", baseline.HDF5Version, current.HDF5Version)
	add("python", baseline.Python, current.Python)
	return out
}
