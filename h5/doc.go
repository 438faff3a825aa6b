// Package h5 reads and writes the HDF5 files of XPCS: raw frame stacks
// (/entry/data/data, frames x rows x cols, uint16 or uint32) and APS 8-ID-I
// result files (/xpcs/...). All cgo for libhdf5 lives here.
//
// The long form (quick tour, fast raw-chunk reads, filters, memory bounds,
// errors, what goes through gonum/hdf5, hostile headers) is docs/H5.md.
//
// # Threads
//
// Debian's libhdf5 (serial, 1.10.8) is not thread-safe, so every libhdf5 call
// of this package, through gonum/hdf5 or through its own cgo, runs under one
// package-wide mutex; all types are safe for concurrent use. Do not call
// gonum/hdf5 (or libhdf5 otherwise) from another package at the same time:
// that lock cannot see it. Decoding of raw chunks (docs/H5.md) runs outside
// it.
package h5
