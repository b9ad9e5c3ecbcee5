package main

import (
	"strings"
	"testing"
)

func TestIsVersion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"version"}, true},
		{[]string{"--version"}, true},
		{[]string{"-version"}, true},
		{nil, false},
		{[]string{"serve"}, false},
		{[]string{"version", "extra"}, false},
		{[]string{"--data", "version"}, false},
	} {
		if got := isVersion(tc.args); got != tc.want {
			t.Errorf("isVersion(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestVersionLine(t *testing.T) {
	old := version
	defer func() { version = old }()
	version = "9.8.7+gabcdef12"
	if got := versionLine(); !strings.HasPrefix(got, "waymark-server 9.8.7+gabcdef12 (go") {
		t.Errorf("versionLine() = %q, want the stamped version first, then the Go toolchain", got)
	}
}
