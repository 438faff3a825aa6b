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
	// Link is "soft", "hard" or "external" for a node reached through a
	// link worth showing (a soft link, a second hard link, an external
	// link), with the link's Target; empty for an ordinary hard link.
	Link   string `json:"link,omitempty"`
	Target string `json:"target,omitempty"`
	// Broken says why a link was not followed (dangling, external,
	// corrupt); the node then has kind "link".
	Broken string `json:"broken,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Inspect opens path read-only and returns its object tree with shapes,
// types, chunking, filters and attributes. Children are sorted by name.
//
// Each object is described once: a second hard link to it (which may close a
// cycle, e.g. /entry/data/loop -> /entry) becomes a node of kind "link"
// whose Target names the path where it was shown. Soft links are followed
// the same way; external links are shown, never followed. A link that cannot
// be followed (dangling, external file, empty name from a corrupt file) is a
// node with Broken saying why, and the rest of the tree is still returned.
// The walk stops MaxInspectDepth levels below path.
func Inspect(path string) (*Node, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Inspect("/")
}

// MaxInspectDepth bounds how many group levels Inspect descends.
const MaxInspectDepth = 64

// Inspect returns the tree below the object at path.
func (f *File) Inspect(path string) (*Node, error) {
	lockLib()
	defer lib.Unlock()
	return f.inspectLocked(path)
}

// objKey identifies an object: file number and address (or token).
type objKey struct {
	fileno uint64
	key    [16]byte
}

// inspectWalk is one Inspect: the objects seen so far, by key, with the path
// where each was described.
type inspectWalk struct {
	f    *File
	seen map[objKey]string
}

func (f *File) inspectLocked(path string) (*Node, error) {
	w := &inspectWalk{f: f, seen: map[objKey]string{}}
	return w.object(path, 0)
}

// objectKeyLocked returns the key and the H5O type of the object at path.
func (f *File) objectKeyLocked(path string) (objKey, C.int, error) {
	cs, free := cstr(path)
	defer free()
	var k objKey
	var fileno C.ulong
	t := C.xh_obj_key(f.id, cs, &fileno, (*C.uchar)(unsafe.Pointer(&k.key[0])))
	if t < 0 {
		return k, t, fmt.Errorf("%s", lastError())
	}
	k.fileno = uint64(fileno)
	return k, t, nil
}

// object describes the object at path, depth levels below the start.
func (w *inspectWalk) object(path string, depth int) (*Node, error) {
	f := w.f
	fail := func(err error) (*Node, error) { return nil, wrapErr("inspect", f.path, path, err) }
	if f.closed {
		return nil, &Error{Op: "inspect", File: f.path, Object: path, Kind: ErrClosed}
	}
	if path != "/" && !f.existsLocked(path) {
		return nil, &Error{Op: "inspect", File: f.path, Object: path, Kind: ErrNotFound, Msg: "object does not exist"}
	}
	key, _, err := f.objectKeyLocked(path)
	if err != nil {
		return fail(err)
	}
	if first, ok := w.seen[key]; ok {
		return &Node{Path: path, Kind: "link", Link: "hard", Target: first,
			Note: "same object as " + first + ", described there"}, nil
	}
	w.seen[key] = path
	id, done, err := f.openObjectLocked("inspect", path)
	if err != nil {
		return nil, err
	}
	defer done()
	n := &Node{Path: path}
	if n.Attrs, err = readAttrsLocked(id); err != nil {
		return fail(err)
	}
	switch C.H5Iget_type(id) {
	case C.H5I_GROUP:
		n.Kind = "group"
		links, err := childLinksLocked(id)
		if err != nil {
			return fail(err)
		}
		if len(links) > 0 && depth >= MaxInspectDepth {
			n.Note = fmt.Sprintf("%d links not shown: deeper than %d levels", len(links), MaxInspectDepth)
			break
		}
		for _, l := range links {
			n.Children = append(n.Children, w.link(path, l, depth+1))
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

// link describes the object a link of the group at parent leads to, or the
// link itself when it cannot (or must not) be followed. It never fails: what
// went wrong is in the node's Broken.
func (w *inspectWalk) link(parent string, l linkInfo, depth int) *Node {
	cp := strings.TrimRight(parent, "/") + "/" + l.name
	broken := func(why string) *Node {
		return &Node{Path: cp, Kind: "link", Link: l.kind, Target: l.target, Broken: why}
	}
	switch {
	case l.name == "":
		return broken("link with an empty name (corrupt file?): not followed")
	case strings.Contains(l.name, "/") || l.name == "." || l.name == "..":
		return broken(fmt.Sprintf("link name %q is not a valid HDF5 link name (corrupt file?): not followed", l.name))
	case l.kind == "external":
		return broken("external link to another file: not followed (inspect that file)")
	case l.kind != "hard" && l.kind != "soft":
		return broken("user-defined link: not followed")
	}
	if l.kind == "soft" && !w.f.existsLocked(cp) {
		return broken("dangling soft link: the target does not exist (or the soft links form a cycle)")
	}
	n, err := w.object(cp, depth)
	if err != nil {
		return broken(err.Error())
	}
	if l.kind == "soft" {
		n.Link, n.Target = "soft", l.target
	}
	return n
}

// linkInfo is one link of a group: its name, its kind ("hard", "soft",
// "external" or "user") and, for soft and external links, its target.
type linkInfo struct {
	name, kind, target string
}

// childLinksLocked lists the links of a group, sorted by name.
func childLinksLocked(g C.hid_t) ([]linkInfo, error) {
	var info C.H5G_info_t
	if C.H5Gget_info(g, &info) < 0 {
		return nil, fmt.Errorf("%s", lastError())
	}
	dot, free := cstr(".")
	defer free()
	links := make([]linkInfo, 0, int(info.nlinks))
	for i := 0; i < int(info.nlinks); i++ {
		sz := C.H5Lget_name_by_idx(g, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, C.hsize_t(i), nil, 0, C.xh_p_default())
		if sz < 0 {
			return nil, fmt.Errorf("link %d: %s", i, lastError())
		}
		buf := make([]byte, int(sz)+1)
		C.H5Lget_name_by_idx(g, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, C.hsize_t(i), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), C.xh_p_default())
		l := linkInfo{name: string(buf[:sz])}
		var tbuf [4096]byte
		var tlen C.size_t
		switch C.xh_link_by_idx(g, C.hsize_t(i), (*C.char)(unsafe.Pointer(&tbuf[0])), C.size_t(len(tbuf)), &tlen) {
		case C.H5L_TYPE_HARD:
			l.kind = "hard"
		case C.H5L_TYPE_SOFT:
			l.kind = "soft"
		case C.H5L_TYPE_EXTERNAL:
			l.kind = "external"
		case -1:
			lastError() // clear the stack; the link is still listed
			l.kind = "unknown"
		default:
			l.kind = "user"
		}
		l.target = string(tbuf[:tlen])
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool { return links[i].name < links[j].name })
	return links, nil
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
		depth := strings.Count(m.Path, "/") // "/entry/" (an empty link name) is one level below /entry
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
		switch {
		case m.Link != "" && m.Target != "":
			line += " (" + m.Link + " link -> " + m.Target + ")"
		case m.Link != "":
			line += " (" + m.Link + " link)"
		}
		if m.Broken != "" {
			line += " BROKEN: " + m.Broken
		}
		if m.Note != "" {
			line += " [" + m.Note + "]"
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
