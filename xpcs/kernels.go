package xpcs

import (
	"fmt"
	"os"
	"strings"
)

// kernelID names one implementation ("path") of the multi-tau hot loop.
// All of them compute the same per-lane float64 operations; see
// multitau_kernel.h for why the C paths are bitwise identical to the
// portable one.
type kernelID uint8

const (
	// kernPortable: the Go kernels corr8x4Go/corr4x4Go/fold4Go, any CPU.
	kernPortable kernelID = iota
	// kernSIMD: Go simd/archsimd AVX2+FMA kernels (GOEXPERIMENT=simd
	// builds only; fused multiply-adds, so within 1e-12 relative of the
	// portable path, not bitwise).
	kernSIMD
	// kernAVX2: C kernel (cgo, amd64), 4 pixels per 256-bit vector, with
	// the transpose of uint16 frames in C too.
	kernAVX2
	// kernAVX512: C kernel (cgo, amd64), 8 pixels per 512-bit vector.
	kernAVX512
	numKernels
)

var kernelNames = [numKernels]string{"portable", "simd", "avx2", "avx512"}

func (k kernelID) String() string { return kernelNames[k] }

// kernelAvailable reports whether this binary carries path k and the CPU
// (and OS) can run it.
func kernelAvailable(k kernelID) bool {
	switch k {
	case kernPortable:
		return true
	case kernSIMD:
		return haveGoSIMD
	case kernAVX2:
		return haveCAVX2
	case kernAVX512:
		return haveCAVX512
	}
	return false
}

// availableKernels lists the paths this binary can run here, slowest first.
func availableKernels() []kernelID {
	var ks []kernelID
	for k := range numKernels {
		if kernelAvailable(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// Kernels returns the names of the multi-tau paths this binary can run on
// this CPU, slowest first (values accepted by XPCS_KERNEL).
func Kernels() []string {
	var s []string
	for _, k := range availableKernels() {
		s = append(s, k.String())
	}
	return s
}

// selectKernel returns the path named by env (XPCS_KERNEL), or the fastest
// available one when env is empty; an unknown or unavailable name is an
// error (the fastest path is returned with it).
func selectKernel(env string) (kernelID, error) {
	ks := availableKernels()
	best := ks[len(ks)-1]
	env = strings.TrimSpace(strings.ToLower(env))
	if env == "" {
		return best, nil
	}
	for k := range numKernels {
		if kernelNames[k] == env {
			if kernelAvailable(k) {
				return k, nil
			}
			return best, fmt.Errorf("xpcs: XPCS_KERNEL=%s is not available in this build on this CPU (available: %s); using %s", env, strings.Join(Kernels(), ", "), best)
		}
	}
	return best, fmt.Errorf("xpcs: unknown XPCS_KERNEL=%s (available: %s); using %s", env, strings.Join(Kernels(), ", "), best)
}

// defaultKernel is the path new Correlators use: XPCS_KERNEL=portable|simd|
// avx2|avx512 when set (for tests and benchmarks), else the fastest one.
var defaultKernel = func() kernelID {
	k, err := selectKernel(os.Getenv("XPCS_KERNEL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return k
}()

// KernelISA names the multi-tau path in use (XPCS_KERNEL or the fastest
// available) and its instruction set.
func KernelISA() string { return kernelISA(defaultKernel) }

func kernelISA(k kernelID) string {
	switch k {
	case kernSIMD:
		return "simd: AVX2+FMA float64 (Go simd/archsimd, GOEXPERIMENT=simd)"
	case kernAVX2, kernAVX512:
		s := "avx2: AVX2 float64, 4 pixels per vector (C via cgo"
		if k == kernAVX512 {
			s = "avx512: AVX-512F float64, 8 pixels per vector (C via cgo"
		}
		if useFMA && haveFMA {
			s += "; fused multiply-adds while the sums are exact"
		}
		return s + ")"
	}
	return "portable: scalar float64 (Go)"
}

// isCKernel reports whether k is one of the C paths.
func isCKernel(k kernelID) bool { return k == kernAVX2 || k == kernAVX512 }
