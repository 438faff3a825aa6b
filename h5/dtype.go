package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// DType is the element type of a dataset or attribute as this package maps
// it to Go: Int8..Float64 read into the Go slice of the same name, String
// into []string. HDF5 enums (h5py's bool is enum int8 {FALSE, TRUE}) read as
// their base integer type.
type DType int

// The element types.
const (
	Invalid DType = iota
	Int8
	Uint8
	Int16
	Uint16
	Int32
	Uint32
	Int64
	Uint64
	Float32
	Float64
	String
)

var dtypeNames = [...]string{"invalid", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"}

// String returns the numpy-style name, e.g. "uint16".
func (d DType) String() string {
	if d < 0 || int(d) >= len(dtypeNames) {
		return fmt.Sprintf("DType(%d)", int(d))
	}
	return dtypeNames[d]
}

// MarshalText encodes d as its name, so JSON shows "uint16".
func (d DType) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Size returns the element size in bytes (0 for String and Invalid).
func (d DType) Size() int {
	switch d {
	case Int8, Uint8:
		return 1
	case Int16, Uint16:
		return 2
	case Int32, Uint32, Float32:
		return 4
	case Int64, Uint64, Float64:
		return 8
	}
	return 0
}

// native returns the HDF5 native memory type of a numeric DType.
func (d DType) native() C.hid_t { return C.xh_native(C.int(d)) }

// typeInfo describes a stored HDF5 datatype.
type typeInfo struct {
	dtype  DType
	enum   bool
	vlen   bool // variable-length string
	strLen int  // fixed string length
	desc   string
}

// describeType maps an HDF5 datatype to typeInfo (lib held).
func describeType(t C.hid_t) typeInfo {
	size := int(C.H5Tget_size(t))
	switch C.H5Tget_class(t) {
	case C.H5T_INTEGER:
		d := intType(size, C.H5Tget_sign(t) == C.H5T_SGN_2)
		return typeInfo{dtype: d, desc: d.String()}
	case C.H5T_FLOAT:
		if size == 4 {
			return typeInfo{dtype: Float32, desc: "float32"}
		}
		if size == 8 {
			return typeInfo{dtype: Float64, desc: "float64"}
		}
		return typeInfo{desc: fmt.Sprintf("float%d", size*8)}
	case C.H5T_ENUM:
		base := C.H5Tget_super(t)
		d := intType(size, C.H5Tget_sign(base) == C.H5T_SGN_2)
		C.H5Tclose(base)
		return typeInfo{dtype: d, enum: true, desc: "enum " + d.String()}
	case C.H5T_STRING:
		if C.H5Tis_variable_str(t) > 0 {
			return typeInfo{dtype: String, vlen: true, desc: "string (variable length)"}
		}
		return typeInfo{dtype: String, strLen: size, desc: fmt.Sprintf("string (%d bytes)", size)}
	case C.H5T_COMPOUND:
		return typeInfo{desc: fmt.Sprintf("compound (%d bytes)", size)}
	case C.H5T_ARRAY:
		return typeInfo{desc: "array"}
	case C.H5T_OPAQUE:
		return typeInfo{desc: "opaque"}
	case C.H5T_REFERENCE:
		return typeInfo{desc: "reference"}
	case C.H5T_VLEN:
		return typeInfo{desc: "vlen sequence"}
	case C.H5T_BITFIELD:
		return typeInfo{desc: "bitfield"}
	}
	return typeInfo{desc: "unknown"}
}

func intType(size int, signed bool) DType {
	switch size {
	case 1:
		return map[bool]DType{true: Int8, false: Uint8}[signed]
	case 2:
		return map[bool]DType{true: Int16, false: Uint16}[signed]
	case 4:
		return map[bool]DType{true: Int32, false: Uint32}[signed]
	case 8:
		return map[bool]DType{true: Int64, false: Uint64}[signed]
	}
	return Invalid
}

// Number is the set of element types of numeric datasets.
type Number interface {
	int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64 | float32 | float64
}

// Pixel is the set of raw-stack element types.
type Pixel interface{ uint16 | uint32 }

// sliceInfo returns the DType, length and data pointer of a numeric slice.
func sliceInfo(data any) (DType, int, unsafe.Pointer) {
	ptr := func(n int, p unsafe.Pointer) unsafe.Pointer {
		if n == 0 {
			return nil
		}
		return p
	}
	switch s := data.(type) {
	case []int8:
		return Int8, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []uint8:
		return Uint8, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []int16:
		return Int16, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []uint16:
		return Uint16, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []int32:
		return Int32, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []uint32:
		return Uint32, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []int64:
		return Int64, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []uint64:
		return Uint64, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []float32:
		return Float32, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	case []float64:
		return Float64, len(s), ptr(len(s), unsafe.Pointer(unsafe.SliceData(s)))
	}
	return Invalid, 0, nil
}

// makeSlice allocates a slice of n elements of d.
func makeSlice(d DType, n int) any {
	switch d {
	case Int8:
		return make([]int8, n)
	case Uint8:
		return make([]uint8, n)
	case Int16:
		return make([]int16, n)
	case Uint16:
		return make([]uint16, n)
	case Int32:
		return make([]int32, n)
	case Uint32:
		return make([]uint32, n)
	case Int64:
		return make([]int64, n)
	case Uint64:
		return make([]uint64, n)
	case Float32:
		return make([]float32, n)
	case Float64:
		return make([]float64, n)
	case String:
		return make([]string, n)
	}
	return nil
}

func dtypeOf[T Number]() DType {
	d, _, _ := sliceInfo([]T(nil))
	return d
}

func unsafePtr[T any](s []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }
