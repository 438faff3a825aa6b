//go:build !linux

package xpcs

// adviseHuge does nothing outside Linux (see hugepage_linux.go).
func adviseHuge[T any](s []T) {}
