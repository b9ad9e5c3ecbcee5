package content

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"slices"
)

// A bundle is a whole pack directory in one byte string, for a server to
// publish and a device to pull and keep. It is a zip archive:
//
//   - every file of the pack, its own and any it does not own (screening/),
//     at its slash-separated path, without directory entries;
//   - entries sorted by path, stored uncompressed, with zero times and no
//     extra fields, so the same files always give the same bytes
//     (transport compression is the transport's business);
//   - the archive comment bundleComment, which marks a Waymark bundle and
//     its layout version.
//
// Any zip tool can list and extract one. ParseBundle also accepts entries
// compressed with deflate, so that a bundle made by hand reads, but the
// pack's Digest is always that of the canonical form.
const bundleComment = "waymark content bundle 1"

// ParseBundle reads and validates a pack from its bundle, exactly as
// Parse does from a directory. A damaged bundle, or one whose pack has
// any problem, is refused with a *ValidationError.
func ParseBundle(b []byte) (*Pack, error) {
	files, err := readBundle(b)
	if err != nil {
		return nil, refused("", Problem{Msg: "not a usable Waymark content bundle: " + err.Error()})
	}
	return parseFiles(files)
}

func readBundle(b []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && zr == nil {
		return nil, err
	}
	if zr.Comment != bundleComment {
		return nil, fmt.Errorf("archive comment is %q, want %q", zr.Comment, bundleComment)
	}
	if len(zr.File) > MaxFiles {
		return nil, fmt.Errorf("%d files, more than %d", len(zr.File), MaxFiles)
	}
	files := map[string][]byte{}
	var total uint64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		switch {
		case !cleanPath(f.Name):
			return nil, fmt.Errorf("file name %q is not a clean relative path", f.Name)
		case has(files, f.Name):
			return nil, fmt.Errorf("file %s is there twice", f.Name)
		case f.UncompressedSize64 > MaxFileSize:
			return nil, fmt.Errorf("file %s is larger than %d bytes", f.Name, MaxFileSize)
		}
		if total += f.UncompressedSize64; total > MaxTotalSize {
			return nil, fmt.Errorf("files larger than %d bytes in all", MaxTotalSize)
		}
		data, err := readZipFile(f)
		if err != nil {
			return nil, err
		}
		files[f.Name] = data
	}
	return files, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name, err)
	}
	defer rc.Close()
	// The zip reader refuses data longer than the header says, and checks
	// the CRC at the end, so a lying header cannot make this read more.
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	return data, nil
}

// encodeBundle writes files in the canonical bundle form.
func encodeBundle(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		if !cleanPath(name) {
			return nil, fmt.Errorf("file name %q is not a clean relative path", name)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if _, err := w.Write(files[name]); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
	}
	if err := zw.SetComment(bundleComment); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// openZip returns the files of a bundle this package wrote, as an fs.FS.
func openZip(b []byte) (fs.FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("reopen bundle: %w", err)
	}
	return zr, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func has[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}
