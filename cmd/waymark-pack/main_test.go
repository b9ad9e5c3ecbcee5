package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := filepath.Join("..", "..", "assets", "content")
	out := filepath.Join(t.TempDir(), "pack.zip")

	var stdout, stderr bytes.Buffer
	if code := run([]string{"bundle", dir, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("bundle: %d %s", code, &stderr)
	}
	if !strings.Contains(stdout.String(), "waymark.default version 1") || !strings.Contains(stdout.String(), "cy: draft, 0 texts untranslated") {
		t.Errorf("bundle summary:\n%s", &stdout)
	}
	stdout.Reset()
	if code := run([]string{"check", out}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), ": valid") {
		t.Errorf("check bundle: %d %s %s", code, &stdout, &stderr)
	}
	if code := run([]string{"upgrade", dir, out}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "version 1 is not higher") {
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
