// Package h5 reads and writes the HDF5 files of XPCS: raw frame stacks
// (/entry/data/data, frames x rows x cols, uint16 or uint32) and APS 8-ID-I
// result files (/xpcs/...). All cgo for libhdf5 lives here.
//
// # Quick tour
//
//	// write a stack (one chunk per frame, LZF) and read it back
//	err := h5.WriteStack(path, pixels, frames, rows, cols, h5.StackOptions{Compression: h5.LZF})
//	s, err := h5.OpenStack(path)             // s.Frames, s.Rows, s.Cols, s.DType, s.Chunk, s.Filters
//	defer s.Close()
//	all, err := h5.ReadAll[uint16](s)          // whole stack
//	part, err := h5.ReadFrames[uint16](s, 10, 5) // frames 10..14
//	err = s.ReadWindow(0, 100, 32, 32, 64, 64, dst) // frames x pixel window (hyperslab)
//	err = h5.Stream(s, func(i int, frame []uint16) error { ...; return nil }) // bounded memory
//
//	// generate a stack larger than memory, block by block
//	w, err := h5.CreateStack(path, h5.Uint16, frames, rows, cols, opt)
//	err = w.WriteFrames(start, block) // any number of whole frames
//	err = w.File().SetAttr("/entry", "frame_time", 2e-5)
//	err = w.Close()
//
//	// APS result files, any dataset, attributes, the object tree
//	r, err := h5.ReadResult(path)             // *h5.Result; absent parts stay zero
//	err = h5.WriteResult(path, r)             // real dtypes, shapes and LZF storage
//	g2, shape, err := h5.ReadAs[float32](f, "/xpcs/multitau/normalized_g2")
//	err = f.Write("/xpcs/qmap/energy", nil, []float64{10.9}, nil)
//	root, err := h5.Inspect(path); root.Format(os.Stdout, true)
//
//	// a pool of open dataset handles for concurrent readers
//	p, err := h5.NewPool(path, 8); h, err := p.Acquire(ctx, h5.StackPath)
//	err = h.ReadSlab(start, count, dst); h.Release(); p.Close()
//
// # Threads
//
// Debian's libhdf5 (serial, 1.10.8) is not thread-safe, so every libhdf5 call
// of this package, through gonum/hdf5 or through its own cgo, runs under one
// package-wide mutex; all types are safe for concurrent use. Do not call
// gonum/hdf5 (or libhdf5 otherwise) from another package at the same time:
// that lock cannot see it. Decoding of raw chunks (below) runs outside it.
//
// # Fast reads: raw chunks decoded in Go
//
// When a stack is chunked with whole frames per chunk, little-endian, every
// chunk allocated, the sec2 file driver, and its filter pipeline made only of
// deflate (1), shuffle (2), LZF (32000) and bitshuffle with LZ4 (32008),
// OpenStack records every chunk's file offset, stored size and filter mask
// (H5Dget_chunk_info_by_coord, once, under the lock). Reads then pread(2)
// the stored chunks on their own file descriptor and undo the pipeline on
// ReadOptions.Workers goroutines (default GOMAXPROCS): deflate with zlib's
// uncompress, LZF with liblzf, shuffle and bitshuffle in Go, LZ4 with
// github.com/pierrec/lz4/v4. Chunks whose optional filter was skipped at
// write time (filter mask bit set) are handled. Anything else falls back to
// H5Dread (ReadOptions{Mode: Library} forces it; Mode Direct refuses to fall
// back). Stack.ReadChunk returns one stored chunk through H5Dread_chunk.
//
// # Filters
//
// LZF: Debian's hdf5-plugin-lzf fails to load ("undefined symbol:
// lzf_decompress") unless liblzf is preloaded. This package instead compiles
// h5py's LZF filter (same id 32000, same cd_values {4, LZF_VERSION, chunk
// bytes}, same framing) into the binary, linked against liblzf (liblzf-dev),
// and registers it with H5Zregister at init: reading and writing LZF needs no
// plugin, no HDF5_PLUGIN_PATH and no LD_PRELOAD.
//
// Bitshuffle-LZ4: reading needs nothing (decoded in Go); writing, and reading
// through H5Dread, use the installed plugin libh5bshuf.so
// (hdf5-filter-plugin; HDF5_PLUGIN_PATH defaults to
// /usr/lib/x86_64-linux-gnu/hdf5/serial/plugins). When a filter is missing,
// the error wraps ErrFilterUnavailable and names the filter, file and dataset.
//
// # Memory bound of Stream
//
// Library mode: one frame buffer plus libhdf5's 1 MiB chunk cache. Direct
// mode with W workers: 2W decoded chunks in flight plus one stored chunk and
// one scratch chunk per worker: at most 4W chunks, i.e. 4W frames for one
// chunk per frame (W=2, 512x512 uint16: 4 MiB), independent of the number of
// frames.
//
// # Errors
//
// libhdf5's error stack printing is turned off (H5Eset_auto2); its message
// goes into the returned *Error, which names the operation, file and object
// and wraps one of ErrNotHDF5, ErrNotFound, ErrDType, ErrShape,
// ErrFilterUnavailable, ErrClosed for errors.Is. Nothing panics on bad
// input. OpenObjects counts open HDF5 objects so tests can prove no handle
// leaks.
//
// # What goes through gonum.org/v1/hdf5, and why not only it
//
// gonum/hdf5 (pinned in go.mod) is the binding for what it covers:
//
//   - files: Open/OpenRW/Create/Close/Flush are hdf5.OpenFile
//     (F_ACC_RDONLY, F_ACC_RDWR), hdf5.CreateFile (F_ACC_TRUNC),
//     (*hdf5.File).Close and Flush(F_SCOPE_LOCAL); a File keeps the
//     *hdf5.File;
//   - groups: CreateGroup and the parent groups of Write/CreateStack are
//     CommonFG.CreateGroup; Attrs, SetAttr and Inspect open groups with
//     CommonFG.OpenGroup;
//   - datasets: Read, ReadSlab, ReadAs, OpenStack, Pool.Acquire, Attrs,
//     SetAttr and Inspect open datasets with CommonFG.OpenDataset, and
//     Stack/Handle keep the *hdf5.Dataset and close it with its Close;
//   - link checks: Exists asks CommonFG.LinkExists for every path component;
//   - LibVersion is hdf5.LibVersion.
//
// Their ids reach this package's own cgo as C.hid_t(obj.ID()). gonum's init
// runs H5open and turns libhdf5's error printing off; lockLib turns it off
// again for the thread it runs on. gonum's errors say only "code -1", so when
// a gonum call fails the *Error carries the message of this package's walk of
// libhdf5's error stack instead (the call ran under the lock, the stack is
// intact).
//
// The own cgo (cgo.go, h5c.c) stays for what gonum/hdf5 has no binding for
// or cannot express: H5Fis_hdf5's three-way answer (hdf5.IsHDF5 folds
// "error" into "not HDF5", Open needs to tell ErrNotHDF5 from a damaged
// file); H5Oexists_by_name (a dangling link); the object type by name and
// H5Oopen for named datatypes; dataset creation with a filter pipeline
// (H5Pset_filter for LZF and bitshuffle, which gonum cannot set; and
// CreateDatasetWith copies the datatype and never closes the copy); reads
// and writes into typed Go slices with hyperslabs and type conversion,
// variable-length strings, enums and attributes (gonum's reflection-based
// Read/Write cover neither these types nor raw buffers);
// H5Dget_chunk_info_by_coord, H5Dget_num_chunks, H5Dread_chunk and chunk
// storage sizes; filter queries (H5Pget_filter2, H5Zfilter_avail),
// H5Zregister of the built-in LZF filter and H5PLset_loading_state; the file
// driver and property-list queries of the direct path; H5Fget_obj_count
// (OpenObjects); and the error-stack walker (h5c.c, which also holds the
// accessors for HDF5's constant macros and the LZF filter).
//
// # Damaged or hostile headers
//
// Shapes come from the file, so they are checked before anything is sized
// from them; a failing check is an *Error with ErrShape naming the file and
// dataset. OpenStack refuses a side over 65536 pixels, a frame or a chunk
// over 1 GiB, Frames x FrameBytes overflowing int64, uncompressed data
// (contiguous or chunked, in the file) larger than the file, and a chunked
// stack with fewer chunks stored than its shape needs (more than the file's
// size in bytes, or than H5Dget_num_chunks counts). The direct path refuses
// chunk-index entries that point beyond the file, and ReadChunk a stored
// size larger than the file. File.Read and Handle.Read refuse an unfiltered
// dataset larger than the file or than RAM; ReadFrames/ReadAll refuse more
// frames than RAM. Buffers are allocated per read (Stream: a few chunks), never
// per claimed frame at open.
package h5
