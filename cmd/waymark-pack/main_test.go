package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/content"
)

func TestRun(t *testing.T) {
	dir := filepath.Join("..", "..", "assets", "content")
	out := filepath.Join(t.TempDir(), "pack.zip")

	var stdout, stderr bytes.Buffer
	if code := run([]string{"bundle", dir, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("bundle: %d %s", code, &stderr)
	}
	if !strings.Contains(stdout.String(), "waymark.default version") || !strings.Contains(stdout.String(), "cy: draft, 0 texts untranslated") {
		t.Errorf("bundle summary:\n%s", &stdout)
	}
	// The coverage table has a row for every language the pack has,
	// whatever their number.
	p, err := content.Parse(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Coverage() {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.Tag) + ` +\S`).MatchString(stdout.String()) {
			t.Errorf("no coverage row for %s:\n%s", c.Tag, &stdout)
		}
	}
	stdout.Reset()
	if code := run([]string{"check", out}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), ": valid") {
		t.Errorf("check bundle: %d %s %s", code, &stdout, &stderr)
	}
	if code := run([]string{"upgrade", dir, out}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "is not higher") {
		t.Errorf("upgrade to the same version: %d %s", code, &stderr)
	}

	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "pack.json"), []byte(`{"format": 1}`), 0o644)
	stderr.Reset()
	if code := run([]string{"check", broken}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "rules.json: file missing") {
		t.Errorf("check broken: %d %s", code, &stderr)
	}
	if code := run([]string{"check"}, &stdout, &stderr); code != 2 {
		t.Errorf("usage mistake: %d", code)
	}
}
