package ghapi

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"
)

// ErrUnsafeZip reports an archive that is corrupt or would escape its folder,
// hold links, or expand beyond the limits.
var ErrUnsafeZip = errors.New("unsafe or corrupt zip")

// Limits cap what Unzip extracts. Zero fields take the defaults of
// DefaultLimits.
type Limits struct {
	MaxZip   int64   // compressed archive size in bytes (256 MiB)
	MaxFiles int     // entries (1000)
	MaxFile  int64   // uncompressed bytes of one file (256 MiB)
	MaxTotal int64   // uncompressed bytes of all files (512 MiB)
	MaxRatio float64 // uncompressed/compressed of one entry (200): a zip bomb deflates about 1000:1
}

// DefaultLimits are generous for benchmark reports (a results.json of
// thousands of benchmarks with raw samples is a few MB) and tight for bombs.
func DefaultLimits() Limits {
	return Limits{MaxZip: 256 << 20, MaxFiles: 1000, MaxFile: 256 << 20, MaxTotal: 512 << 20, MaxRatio: 200}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxZip <= 0 {
		l.MaxZip = d.MaxZip
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxFile <= 0 {
		l.MaxFile = d.MaxFile
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = d.MaxTotal
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// Unzip extracts the zip archive data into dir (created if needed) and
// returns the extracted file paths (slash-separated, relative to dir).
//
// It refuses, before writing anything, archives with: absolute paths, drive
// letters or backslashes, ".." elements, symlinks or other non-regular
// entries, duplicate names, more than MaxFiles entries, a declared size above
// MaxFile or MaxTotal in sum, or a declared compression ratio above
// MaxRatio. While extracting it counts the compressed bytes actually read
// and the bytes written, and stops at MaxRatio of those, at the declared
// size and at the caps even when the headers lie; a wrong CRC is refused.
// All writes go through an os.Root, so no entry can leave dir. Errors wrap
// ErrUnsafeZip and name the entry.
func Unzip(data []byte, dir string, lim Limits) ([]string, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxZip {
		return nil, fmt.Errorf("%w: archive of %d bytes exceeds the %d-byte cap", ErrUnsafeZip, len(data), lim.MaxZip)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsafeZip, err)
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, fmt.Errorf("%w: %d entries exceed the cap of %d", ErrUnsafeZip, len(zr.File), lim.MaxFiles)
	}
	var total uint64
	seen := map[string]bool{}
	for _, f := range zr.File {
		name, err := entryName(f)
		if err != nil {
			return nil, err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: entry %q appears twice", ErrUnsafeZip, f.Name)
		}
		seen[name] = true
		if f.UncompressedSize64 > uint64(lim.MaxFile) {
			return nil, fmt.Errorf("%w: entry %q declares %d bytes, above the %d-byte cap", ErrUnsafeZip, f.Name, f.UncompressedSize64, lim.MaxFile)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotal) {
			return nil, fmt.Errorf("%w: entries declare more than the %d-byte total cap", ErrUnsafeZip, lim.MaxTotal)
		}
		if f.CompressedSize64 > 0 && float64(f.UncompressedSize64)/float64(f.CompressedSize64) > lim.MaxRatio {
			return nil, fmt.Errorf("%w: entry %q expands %.0f:1, above the %.0f:1 cap (zip bomb?)", ErrUnsafeZip, f.Name,
				float64(f.UncompressedSize64)/float64(f.CompressedSize64), lim.MaxRatio)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("unzip: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("unzip: %w", err)
	}
	defer root.Close()
	var files []string
	var written int64
	for _, f := range zr.File {
		name, _ := entryName(f)
		if f.FileInfo().IsDir() {
			if err := root.MkdirAll(name, 0o755); err != nil {
				return files, fmt.Errorf("%w: entry %q: %v", ErrUnsafeZip, f.Name, err)
			}
			continue
		}
		if d := path.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return files, fmt.Errorf("%w: entry %q: %v", ErrUnsafeZip, f.Name, err)
			}
		}
		n, err := extract(root, f, name, min(lim.MaxFile, lim.MaxTotal-written), lim.MaxRatio)
		written += n
		if err != nil {
			return files, err
		}
		files = append(files, name)
	}
	return files, nil
}

// entryName validates and cleans the name of f.
func entryName(f *zip.File) (string, error) {
	n := f.Name
	switch {
	case n == "":
		return "", fmt.Errorf("%w: an entry has an empty name", ErrUnsafeZip)
	case strings.ContainsRune(n, '\\'):
		return "", fmt.Errorf("%w: entry %q contains a backslash", ErrUnsafeZip, n)
	case strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':'):
		return "", fmt.Errorf("%w: entry %q has an absolute path", ErrUnsafeZip, n)
	case strings.ContainsRune(n, 0):
		return "", fmt.Errorf("%w: entry %q contains NUL", ErrUnsafeZip, n)
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return "", fmt.Errorf("%w: entry %q escapes the folder (..)", ErrUnsafeZip, n)
		}
	}
	mode := f.Mode()
	if mode&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("%w: entry %q is a symlink", ErrUnsafeZip, n)
	}
	if !mode.IsRegular() && !mode.IsDir() {
		return "", fmt.Errorf("%w: entry %q is not a regular file (%v)", ErrUnsafeZip, n, mode.Type())
	}
	clean := path.Clean(n)
	if clean == "." {
		return "", fmt.Errorf("%w: entry %q names the folder itself", ErrUnsafeZip, n)
	}
	return clean, nil
}

// extract writes entry f to name under root, at most limit bytes. It reads
// the raw (compressed) stream itself and counts the bytes actually read, so
// the ratio cap holds even when the headers lie about the compressed size
// (archive/zip reads as far as the declared size says, and a declared size
// is what the check before extraction trusted). It also stops at the
// declared uncompressed size and checks the CRC.
func extract(root *os.Root, f *zip.File, name string, limit int64, ratio float64) (int64, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return 0, fmt.Errorf("%w: entry %q: %v", ErrUnsafeZip, f.Name, err)
	}
	in := &countReader{r: raw}
	var dec io.Reader
	switch f.Method {
	case zip.Store:
		dec = in
	case zip.Deflate:
		fr := flate.NewReader(in)
		defer fr.Close()
		dec = fr
	default:
		return 0, fmt.Errorf("%w: entry %q: compression method %d not supported (want stored or deflate)", ErrUnsafeZip, f.Name, f.Method)
	}
	limit = min(limit, int64(min(f.UncompressedSize64, uint64(math.MaxInt64-1))))
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, fmt.Errorf("%w: entry %q: %v", ErrUnsafeZip, f.Name, err)
	}
	h := crc32.NewIEEE()
	var n int64
	buf := make([]byte, 32<<10)
	for {
		k, rerr := dec.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > limit {
				out.Close()
				return n, fmt.Errorf("%w: entry %q expands beyond its declared size (%d bytes) or the caps", ErrUnsafeZip, f.Name, f.UncompressedSize64)
			}
			// Small entries get 64 KiB of slack: the decompressor may need a
			// whole block before it yields anything.
			if float64(n) > ratio*float64(in.n)+64<<10 {
				out.Close()
				return n, fmt.Errorf("%w: entry %q expands %.0f:1 in the bytes read (%d from %d), above the %.0f:1 cap (zip bomb?)",
					ErrUnsafeZip, f.Name, float64(n)/float64(max(in.n, 1)), n, in.n, ratio)
			}
			h.Write(buf[:k])
			if _, werr := out.Write(buf[:k]); werr != nil {
				out.Close()
				return n, fmt.Errorf("unzip %q: %w", f.Name, werr)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return n, fmt.Errorf("%w: entry %q: %v", ErrUnsafeZip, f.Name, rerr)
		}
	}
	if err := out.Close(); err != nil {
		return n, fmt.Errorf("unzip %q: %w", f.Name, err)
	}
	if uint64(n) != f.UncompressedSize64 {
		return n, fmt.Errorf("%w: entry %q holds %d bytes, its header says %d", ErrUnsafeZip, f.Name, n, f.UncompressedSize64)
	}
	if f.CRC32 != 0 && h.Sum32() != f.CRC32 {
		return n, fmt.Errorf("%w: entry %q: checksum mismatch", ErrUnsafeZip, f.Name)
	}
	return n, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}
