package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unsafe"
)

// Node is one object of an HDF5 file tree, as Inspect returns it.
type Node struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"` // "group", "dataset", "datatype" or "other"
	Shape    []int    `json:"shape,omitempty"`
	DType    string   `json:"dtype,omitempty"` // e.g. "uint16", "enum int8", "string (variable length)"
	Chunk    []int    `json:"chunk,omitempty"`
	Filters  []Filter `json:"filters,omitempty"`
	Storage  int64    `json:"storage_bytes,omitempty"` // bytes allocated in the file
	Attrs    []Attr   `json:"attrs,omitempty"`
	Children []*Node  `json:"children,omitempty"`
}

// Inspect opens path read-only and returns its object tree with shapes,
// types, chunking, filters and attributes. Children are sorted by name.
func Inspect(path string) (*Node, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Inspect("/")
}

// Inspect returns the tree below the object at path.
func (f *File) Inspect(path string) (*Node, error) {
	lockLib()
	defer lib.Unlock()
	return f.inspectLocked(path)
}

func (f *File) inspectLocked(path string) (*Node, error) {
	id, done, err := f.openObjectLocked("inspect", path)
	if err != nil {
		return nil, err
	}
	defer done()
	n := &Node{Path: path}
	fail := func(err error) (*Node, error) { return nil, wrapErr("inspect", f.path, path, err) }
	if n.Attrs, err = readAttrsLocked(id); err != nil {
		return fail(err)
	}
	switch C.H5Iget_type(id) {
	case C.H5I_GROUP:
		n.Kind = "group"
		names, err := childNamesLocked(id)
		if err != nil {
			return fail(err)
		}
		for _, name := range names {
			cp := strings.TrimRight(path, "/") + "/" + name
			child, err := f.inspectLocked(cp)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, child)
		}
	case C.H5I_DATASET:
		n.Kind = "dataset"
		ft := C.H5Dget_type(id)
		n.DType = describeType(ft).desc
		C.H5Tclose(ft)
		sp := C.H5Dget_space(id)
		n.Shape, err = spaceShape(sp)
		C.H5Sclose(sp)
		if err != nil {
			return fail(err)
		}
		dcpl := C.H5Dget_create_plist(id)
		n.Chunk, n.Filters = layoutLocked(dcpl)
		C.H5Pclose(dcpl)
		n.Storage = int64(C.H5Dget_storage_size(id))
	case C.H5I_DATATYPE:
		n.Kind = "datatype"
	default:
		n.Kind = "other"
	}
	return n, nil
}

// childNamesLocked lists the links of a group, sorted.
func childNamesLocked(g C.hid_t) ([]string, error) {
	var info C.H5G_info_t
	if C.H5Gget_info(g, &info) < 0 {
		return nil, fmt.Errorf("%s", lastError())
	}
	dot, free := cstr(".")
	defer free()
	names := make([]string, 0, int(info.nlinks))
	for i := 0; i < int(info.nlinks); i++ {
		sz := C.H5Lget_name_by_idx(g, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, C.hsize_t(i), nil, 0, C.xh_p_default())
		if sz < 0 {
			return nil, fmt.Errorf("link %d: %s", i, lastError())
		}
		buf := make([]byte, int(sz)+1)
		C.H5Lget_name_by_idx(g, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, C.hsize_t(i), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), C.xh_p_default())
		names = append(names, string(buf[:sz]))
	}
	sort.Strings(names)
	return names, nil
}

// Walk calls fn for n and every node below it, depth first.
func (n *Node) Walk(fn func(*Node)) {
	fn(n)
	for _, c := range n.Children {
		c.Walk(fn)
	}
}

// Find returns the node at path below n, or nil.
func (n *Node) Find(path string) *Node {
	var found *Node
	n.Walk(func(m *Node) {
		if m.Path == path {
			found = m
		}
	})
	return found
}

// Format writes the tree as indented text, one object per line:
//
//	/entry/data/data  dataset uint16 (100, 64, 64) chunk (1, 64, 64) filters [lzf(32000)]
//
// with attributes on the lines below their object when attrs is true.
func (n *Node) Format(w io.Writer, attrs bool) error {
	var err error
	n.Walk(func(m *Node) {
		if err != nil {
			return
		}
		depth := strings.Count(strings.TrimRight(m.Path, "/"), "/")
		indent := strings.Repeat("  ", max(depth-1, 0))
		if m.Path == "/" {
			indent = ""
		}
		name := m.Path
		line := fmt.Sprintf("%s%s  %s", indent, name, m.Kind)
		if m.Kind == "dataset" {
			line += " " + m.DType + " " + shapeString(m.Shape)
			if m.Chunk != nil {
				line += " chunk " + shapeString(m.Chunk)
			} else {
				line += " contiguous"
			}
			if len(m.Filters) > 0 {
				var fs []string
				for _, f := range m.Filters {
					fs = append(fs, fmt.Sprintf("%s(%d)%v", filterShortName(f), f.ID, f.CDValues))
				}
				line += " filters " + strings.Join(fs, " ")
			}
			line += fmt.Sprintf(" %d bytes", m.Storage)
		}
		if _, err = fmt.Fprintln(w, line); err != nil {
			return
		}
		if attrs {
			for _, a := range m.Attrs {
				if _, err = fmt.Fprintf(w, "%s    @%s = %s\n", indent, a.Name, valueString(a.Value)); err != nil {
					return
				}
			}
		}
	})
	return err
}

func filterShortName(f Filter) string {
	switch f.ID {
	case filterDeflate:
		return "deflate"
	case filterShuffle:
		return "shuffle"
	case filterLZF:
		return "lzf"
	case filterBshuf:
		return "bitshuffle"
	}
	if f.Name != "" {
		return strings.Fields(f.Name)[0]
	}
	return "filter"
}

func shapeString(s []int) string {
	if len(s) == 0 {
		return "scalar"
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func valueString(v any) string {
	s := fmt.Sprintf("%v", v)
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
