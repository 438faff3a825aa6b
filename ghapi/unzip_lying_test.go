package ghapi_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/ghapi"
)

// lyingZip deflates data into a one-entry zip whose headers declare
// compressed bytes instead of the real compressed size (0: the real one), so
// the declared ratio looks harmless, the true uncompressed size, and the CRC
// of data xor crcXor.
func lyingZip(t *testing.T, name string, data []byte, compressed uint64, crcXor uint32) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write(data)
	fw.Close()
	if compressed == 0 {
		compressed = uint64(raw.Len())
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data) ^ crcXor,
		CompressedSize64: compressed, UncompressedSize64: uint64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnzipRatioCountsBytesRead: the ratio cap holds for the bytes actually
// read, not the sizes the headers declare (issue 13 item 9: a zip declaring
// a large compressed size expanded 250 MiB from 255 KB before failing).
func TestUnzipRatioCountsBytesRead(t *testing.T) {
	t.Parallel()
	const size = 64 << 20
	zeros := make([]byte, size)
	// The header declares 1 MiB compressed: 64:1, under the 200:1 cap. The
	// real stream is ~64 KiB: ~1000:1.
	data := lyingZip(t, "results.json", zeros, 1<<20, 0)
	t.Logf("archive: %d bytes, expands to %d", len(data), size)
	dir := t.TempDir()
	_, err := ghapi.Unzip(data, dir, ghapi.Limits{})
	if !errors.Is(err, ghapi.ErrUnsafeZip) {
		t.Fatalf("got %v, want ErrUnsafeZip", err)
	}
	var written int64
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			written += fi.Size()
		}
		return nil
	})
	// 200 x what was read, plus the decompressor's read-ahead.
	if limit := int64(4 << 20); written > limit {
		t.Errorf("wrote %d bytes before refusing, want at most %d", written, limit)
	}
	t.Logf("refused after writing %d bytes: %v", written, err)
}

// TestUnzipHonestEntriesStillExtract: the counting reader keeps normal
// archives (stored and deflated, empty files, a checksum) working, and a
// corrupt checksum is still refused.
func TestUnzipHonestEntriesStillExtract(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	text := bytes.Repeat([]byte(`{"id":"memory/g/a","samples":[0.001,0.0011]}`), 100)
	for _, e := range []struct {
		name   string
		method uint16
		data   []byte
	}{{"results.json", zip.Deflate, text}, {"stored.txt", zip.Store, []byte("plain")}, {"empty", zip.Deflate, nil}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	zw.Close()
	dir := t.TempDir()
	files, err := ghapi.Unzip(buf.Bytes(), dir, ghapi.Limits{})
	if err != nil {
		t.Fatalf("Unzip: %v", err)
	}
	if got, want := len(files), 3; got != want {
		t.Fatalf("files: got %d (%q), want %d", got, files, want)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if !bytes.Equal(got, text) {
		t.Errorf("results.json: got %d bytes, want %d", len(got), len(text))
	}
	// An honest raw entry extracts; the same with a wrong CRC is refused.
	if _, err := ghapi.Unzip(lyingZip(t, "results.json", text, 0, 0), t.TempDir(), ghapi.Limits{}); err != nil {
		t.Errorf("honest raw entry: %v", err)
	}
	if _, err := ghapi.Unzip(lyingZip(t, "results.json", text, 0, 1), t.TempDir(), ghapi.Limits{}); !errors.Is(err, ghapi.ErrUnsafeZip) {
		t.Errorf("wrong CRC: got %v, want ErrUnsafeZip", err)
	}
}
