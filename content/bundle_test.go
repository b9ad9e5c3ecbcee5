package content_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/content"
)

func TestBundleRoundTrip(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	b := p.Bundle()
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != p.Digest {
		t.Errorf("digest %s is not the SHA-256 of the bundle", p.Digest)
	}
	q, err := content.ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if q.Digest != p.Digest || !bytes.Equal(q.Bundle(), b) {
		t.Error("bundle changed on a round trip")
	}
	for name, pair := range map[string][2]any{
		"indicators": {p.Indicators, q.Indicators}, "rules": {p.Rules, q.Rules},
		"actions": {p.Actions, q.Actions}, "questions": {p.Questions, q.Questions},
		"businesses": {p.Businesses, q.Businesses}, "languages": {p.Languages, q.Languages},
		"published": {p.Published, q.Published},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ after a round trip", name)
		}
	}
	again, err := content.Parse(packFiles(t))
	if err != nil || !bytes.Equal(again.Bundle(), b) {
		t.Errorf("parsing the same files twice gave different bundles (%v)", err)
	}
}

// TestBundleIsAZip: any zip tool can list a bundle; entries are sorted,
// stored, and the comment marks it.
func TestBundleIsAZip(t *testing.T) {
	p, _ := content.Default()
	zr, err := zip.NewReader(bytes.NewReader(p.Bundle()), int64(len(p.Bundle())))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store {
			t.Errorf("%s compressed with method %d", f.Name, f.Method)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("entries not sorted: %v", names)
	}
	for _, want := range content.PackFiles {
		if !slices.Contains(names, want) {
			t.Errorf("%s not in the bundle", want)
		}
	}
	if zr.Comment != "waymark content bundle 1" {
		t.Errorf("comment %q", zr.Comment)
	}
}

// zipOf builds a zip by hand, as a tool other than Waymark would.
func zipOf(t *testing.T, comment string, method uint16, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	zw.SetComment(comment)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func packEntries(t *testing.T) [][2]string {
	var out [][2]string
	for name, f := range packFiles(t) {
		out = append(out, [2]string{name, string(f.Data)})
	}
	return out
}

func TestBundleMadeByHand(t *testing.T) {
	def, _ := content.Default()
	entries := packEntries(t)
	// Unsorted and deflated: accepted, and the digest is the canonical one.
	b := zipOf(t, "waymark content bundle 1", zip.Deflate, entries...)
	p, err := content.ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != def.Digest {
		t.Error("a deflated bundle of the same files has another digest")
	}
	if bytes.Equal(p.Bundle(), b) || !bytes.Equal(p.Bundle(), def.Bundle()) {
		t.Error("Bundle() is not the canonical form")
	}
}

func TestBundleRefused(t *testing.T) {
	entries := packEntries(t)
	withEntry := func(name, data string) [][2]string { return append(slices.Clone(entries), [2]string{name, data}) }
	big := strings.Repeat("x", content.MaxFileSize+1)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a usable Waymark content bundle: zip: not a valid zip file"},
		{"not a zip", []byte("{\"id\": \"waymark.default\"}"), "not a usable Waymark content bundle: zip: not a valid zip file"},
		{"no marker", zipOf(t, "", zip.Store, entries...), `not a usable Waymark content bundle: archive comment is "", want "waymark content bundle 1"`},
		{"later layout", zipOf(t, "waymark content bundle 2", zip.Store, entries...), `archive comment is "waymark content bundle 2"`},
		{"escaping path", zipOf(t, "waymark content bundle 1", zip.Store, withEntry("../evil.json", "{}")...), `file name "../evil.json" is not a clean relative path`},
		{"absolute path", zipOf(t, "waymark content bundle 1", zip.Store, withEntry("/etc/x", "{}")...), `file name "/etc/x" is not a clean relative path`},
		{"twice", zipOf(t, "waymark content bundle 1", zip.Store, withEntry("rules.json", "{}")...), "file rules.json is there twice"},
		{"too big", zipOf(t, "waymark content bundle 1", zip.Deflate, withEntry("screening/audio.bin", big)...), "file screening/audio.bin is larger than"},
		{"broken pack", zipOf(t, "waymark content bundle 1", zip.Store, slices.DeleteFunc(slices.Clone(entries), func(e [2]string) bool { return e[0] == "rules.json" })...), "file missing"},
		{"broken screening", zipOf(t, "waymark content bundle 1", zip.Store, slices.DeleteFunc(slices.Clone(entries), func(e [2]string) bool { return e[0] == "screening/questions.json" })...), "screening/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := content.ParseBundle(tc.b)
			var ve *content.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, content.ErrInvalid) {
				t.Fatalf("error %v, want a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not say %q:\n%v", tc.want, err)
			}
		})
	}
}

func TestTruncatedBundle(t *testing.T) {
	p, _ := content.Default()
	b := p.Bundle()
	for _, n := range []int{0, 10, len(b) / 2, len(b) - 30, len(b) - 1} {
		if _, err := content.ParseBundle(b[:n]); !errors.Is(err, content.ErrInvalid) {
			t.Errorf("bundle cut to %d bytes: %v", n, err)
		}
	}
	flipped := slices.Clone(b)
	flipped[len(flipped)/2] ^= 0xff
	if _, err := content.ParseBundle(flipped); !errors.Is(err, content.ErrInvalid) {
		t.Errorf("corrupted bundle: %v", err)
	}
}

func TestPackFilesFS(t *testing.T) {
	p, _ := content.Default()
	var names []string
	fs.WalkDir(p.Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, name)
		}
		return err
	})
	if len(names) < len(content.PackFiles) {
		t.Errorf("files %v", names)
	}
}
