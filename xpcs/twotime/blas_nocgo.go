//go:build !cgo

package twotime

import "errors"

func haveOpenBLAS() bool { return false }

func loadOpenBLAS() error { return errors.New("twotime: OpenBLAS needs a cgo build") }

func openblasSyrk(x []float32, n, k int, c []float32) { panic("twotime: built without cgo") }
func openblasGemm(x []float32, n, k int, c []float32) { panic("twotime: built without cgo") }

// OpenBLASThreads returns 0: OpenBLAS needs cgo.
func OpenBLASThreads() int { return 0 }

// SetOpenBLASThreads does nothing without cgo.
func SetOpenBLASThreads(n int) {}
