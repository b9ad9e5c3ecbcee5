package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release this binary was built from; make dist stamps it
// (-ldflags "-X main.version=…"), a plain go build leaves "devel".
var version = "devel"

// versionLine is what `waymark-server version` prints: the stamped
// release, the Go toolchain, the platform and, where the build recorded
// them, the commit and whether the tree had uncommitted changes.
func versionLine() string {
	line := fmt.Sprintf("waymark-server %s (%s, %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				line += ", commit " + s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				line += ", modified"
			}
		}
	}
	return line + ")"
}

// isVersion says whether args ask for the version only.
func isVersion(args []string) bool {
	return len(args) == 1 && (args[0] == "version" || args[0] == "--version" || args[0] == "-version")
}
