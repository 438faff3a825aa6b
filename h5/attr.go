package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

func isErr(err, target error) bool { return errors.Is(err, target) }

// Attr is one attribute. Value is a scalar (float64, int64, string, ...) for a
// scalar attribute and a slice for an array attribute, in the stored type.
type Attr struct {
	Name  string `json:"name"`
	DType DType  `json:"dtype"`
	Shape []int  `json:"shape,omitempty"`
	Value any    `json:"value"`
}

// scalarOf returns element 0 of an Array as a Go scalar when it is a scalar.
func (a *Array) value() any {
	if len(a.Shape) != 0 {
		return a.Data
	}
	switch v := a.Data.(type) {
	case []int8:
		return v[0]
	case []uint8:
		return v[0]
	case []int16:
		return v[0]
	case []uint16:
		return v[0]
	case []int32:
		return v[0]
	case []uint32:
		return v[0]
	case []int64:
		return v[0]
	case []uint64:
		return v[0]
	case []float32:
		return v[0]
	case []float64:
		return v[0]
	case []string:
		return v[0]
	}
	return a.Data
}

// openObjectLocked opens any object by path (lib held) and returns its
// hid_t and the function that closes it (call it with lib held). Groups and
// datasets open through gonum/hdf5 (OpenGroup, OpenDataset); anything else
// (a named datatype) through H5Oopen, which gonum/hdf5 does not bind.
func (f *File) openObjectLocked(op, path string) (C.hid_t, func(), error) {
	if f.closed {
		return -1, nil, &Error{Op: op, File: f.path, Object: path, Kind: ErrClosed}
	}
	if path != "/" && !f.existsLocked(path) {
		return -1, nil, &Error{Op: op, File: f.path, Object: path, Kind: ErrNotFound, Msg: "object does not exist"}
	}
	cs, free := cstr(path)
	defer free()
	fail := func() (C.hid_t, func(), error) {
		return -1, nil, &Error{Op: op, File: f.path, Object: path, Msg: lastError()}
	}
	switch C.xh_obj_type(f.id, cs) {
	case -1:
		return fail()
	case C.H5O_TYPE_GROUP:
		g, err := f.gf.OpenGroup(path)
		if err != nil {
			return fail()
		}
		return dsID(g), func() { g.Close() }, nil
	case C.H5O_TYPE_DATASET:
		ds, err := f.gf.OpenDataset(path)
		if err != nil {
			return fail()
		}
		return dsID(ds), func() { ds.Close() }, nil
	}
	id := C.H5Oopen(f.id, cs, C.xh_p_default())
	if id < 0 {
		return fail()
	}
	return id, func() { C.H5Oclose(id) }, nil
}

// Attrs returns the attributes of the object at path ("/" for the root),
// in creation/name order.
func (f *File) Attrs(path string) ([]Attr, error) {
	lockLib()
	defer lib.Unlock()
	id, done, err := f.openObjectLocked("read attributes", path)
	if err != nil {
		return nil, err
	}
	defer done()
	attrs, err := readAttrsLocked(id)
	if err != nil {
		return nil, wrapErr("read attributes", f.path, path, err)
	}
	return attrs, nil
}

func readAttrsLocked(id C.hid_t) ([]Attr, error) {
	var info C.H5O_info_t
	if C.H5Oget_info2(id, &info, C.H5O_INFO_NUM_ATTRS) < 0 {
		return nil, fmt.Errorf("%s", lastError())
	}
	var out []Attr
	dot, free := cstr(".")
	defer free()
	for i := 0; i < int(info.num_attrs); i++ {
		a := C.H5Aopen_by_idx(id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, C.hsize_t(i), C.xh_p_default(), C.xh_p_default())
		if a < 0 {
			return nil, fmt.Errorf("attribute %d: %s", i, lastError())
		}
		nlen := C.H5Aget_name(a, 0, nil)
		buf := make([]byte, int(nlen)+1)
		C.H5Aget_name(a, C.size_t(len(buf)), (*C.char)(unsafe.Pointer(&buf[0])))
		name := string(buf[:nlen])
		arr, err := readWhole(a, true)
		C.H5Aclose(a)
		if err != nil {
			// Keep going: an attribute of an unsupported type is listed without a value.
			out = append(out, Attr{Name: name, Value: fmt.Sprintf("<%v>", err)})
			continue
		}
		out = append(out, Attr{Name: name, DType: arr.DType, Shape: arr.Shape, Value: arr.value()})
	}
	return out, nil
}

// Attr returns one attribute of the object at path; ErrNotFound when absent.
func (f *File) Attr(path, name string) (Attr, error) {
	attrs, err := f.Attrs(path)
	if err != nil {
		return Attr{}, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return Attr{}, &Error{Op: "read attribute", File: f.path, Object: path + "@" + name, Kind: ErrNotFound}
}

// SetAttr writes (or replaces) attribute name on the object at path. value is
// a string (variable-length UTF-8, as h5py writes str), a numeric scalar
// (int, int64, float64, float32, uint16...) or a numeric slice.
func (f *File) SetAttr(path, name string, value any) error {
	lockLib()
	defer lib.Unlock()
	id, done, err := f.openObjectLocked("write attribute", path)
	if err != nil {
		return err
	}
	defer done()
	if err := setAttrLocked(id, name, value); err != nil {
		return wrapErr("write attribute", f.path, path+"@"+name, err)
	}
	return nil
}

func setAttrLocked(id C.hid_t, name string, value any) error {
	cn, free := cstr(name)
	defer free()
	if s, ok := value.(string); ok {
		cv, freev := cstr(s)
		defer freev()
		if C.xh_write_vlen_string_attr(id, cn, cv) < 0 {
			return fmt.Errorf("%s", lastError())
		}
		return nil
	}
	scalar := true
	switch v := value.(type) {
	case int:
		value = []int64{int64(v)}
	case int64:
		value = []int64{v}
	case int32:
		value = []int32{v}
	case uint16:
		value = []uint16{v}
	case uint32:
		value = []uint32{v}
	case uint64:
		value = []uint64{v}
	case uint8:
		value = []uint8{v}
	case int8:
		value = []int8{v}
	case float32:
		value = []float32{v}
	case float64:
		value = []float64{v}
	case bool:
		value = []uint8{map[bool]uint8{false: 0, true: 1}[v]}
	case []int:
		s := make([]int64, len(v))
		for i, x := range v {
			s[i] = int64(x)
		}
		value, scalar = s, false
	default:
		scalar = false
	}
	d, n, p := sliceInfo(value)
	if d == Invalid {
		return fmt.Errorf("%w: attribute value of type %T", ErrDType, value)
	}
	var sp C.hid_t
	if scalar {
		sp = C.H5Screate(C.H5S_SCALAR)
	} else {
		dim := C.hsize_t(n)
		sp = C.H5Screate_simple(1, &dim, nil)
	}
	defer C.H5Sclose(sp)
	if C.H5Aexists(id, cn) > 0 {
		C.H5Adelete(id, cn)
	}
	a := C.H5Acreate2(id, cn, d.native(), sp, C.xh_p_default(), C.xh_p_default())
	if a < 0 {
		return fmt.Errorf("%s", lastError())
	}
	defer C.H5Aclose(a)
	if n > 0 && C.H5Awrite(a, d.native(), p) < 0 {
		return fmt.Errorf("%s", lastError())
	}
	return nil
}
