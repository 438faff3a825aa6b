//go:build !(cgo && amd64)

package xpcs

// Builds without cgo (CGO_ENABLED=0) or off amd64 carry no C kernels: the
// portable (and GOEXPERIMENT=simd) paths remain.

const (
	haveCAVX2   = false
	haveCAVX512 = false
	haveFMA     = false
)

func cLayout() [6]int { return [6]int{groupLevel / lanes, oHist, oCorr, oSum, oCarry, oHead} }

func cBlockU16(kernelID, bool, []byte, []int64, int, int, []int32, []float64, int, []int64, []float64, []float64, []float64, []float64, int) {
	panic("xpcs: C kernels not built")
}

func cGroups4([]float64, int, int, []int64, []float64, int, []float64) {
	panic("xpcs: C kernels not built")
}

func cSumRunsU16([]byte, []int64, int, int, [][2]int, []float64, []float64) {
	panic("xpcs: C kernels not built")
}

func cCountRunsU16([]byte, []int64, int, int, [][2]int, []uint32) {
	panic("xpcs: C kernels not built")
}

func cMoments4([]float64, []int64, []int64, []int, int, []float64) {
	panic("xpcs: C kernels not built")
}
