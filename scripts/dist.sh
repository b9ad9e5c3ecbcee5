#!/usr/bin/env bash
# Builds Waymark's packages into dist/ (make dist runs it after
# scripts/deps.sh has installed MinGW and xz):
#
#   waymark-VERSION-linux-amd64.tar.xz      the officer app for Linux, made by
#                                           `fyne package -os linux` (its Makefile
#                                           installs it: make install / user-install)
#   waymark-VERSION-windows-amd64.exe       the officer app for Windows, cross-compiled
#                                           with MinGW by `fyne package -os windows`
#                                           (icon, version and manifest inside)
#   waymark-server-VERSION-linux-amd64.tar.gz  the server, a static binary
#                                           (CGO_ENABLED=0, -trimpath, version
#                                           stamped), with its systemd unit, a
#                                           sysusers file and an example environment
#   SHA256SUMS
#
# VERSION is FyneApp.toml's Version plus the commit (0.1.0+g1234abcd, and
# .dirty when the tree has changes). The fyne command is built from the
# module proxy at FYNE_TOOLS (pinned in the Makefile), never downloaded as
# a binary. fyne package adds one to FyneApp.toml's Build each time it
# runs; this script puts the file back as it was.
#
# Usage: scripts/dist.sh [linux|windows|server]...   (default: all three)
# DIST_OUT names another folder than dist/ (make dist-test: bin/dist-test).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
GO=${GO:-go}
FYNE_TOOLS=${FYNE_TOOLS:?FYNE_TOOLS: the fyne.io/tools version to build, e.g. v1.7.4}
out=${DIST_OUT:-dist}
arch=amd64

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(linux windows server)

app_version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
[ -n "$app_version" ] || { echo "dist: FyneApp.toml has no Version" >&2; exit 1; }
rev=$(git rev-parse --short=8 HEAD 2>/dev/null || echo unknown)
dirty=
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=.dirty; fi
version="$app_version+g$rev$dirty"
mkdir -p "$out"

# The fyne command, built here from source at the pinned version.
tools=$PWD/bin/tools/fyne-$FYNE_TOOLS
fyne=$tools/fyne
if [ ! -x "$fyne" ]; then
	echo "== building the fyne command $FYNE_TOOLS (fyne.io/tools/cmd/fyne)"
	GOBIN=$tools $GO install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS"
fi

# fyne package bumps Build in FyneApp.toml, and leaves the executable it
# built in the source folder: put the one back and move the other away.
cp FyneApp.toml "$out/.FyneApp.toml.orig"
restore() { cp "$out/.FyneApp.toml.orig" FyneApp.toml && rm -f "$out/.FyneApp.toml.orig"; }
trap restore EXIT

linux() {
	echo "== officer app, Linux ($version)"
	rm -f Waymark.tar.xz
	"$fyne" package -os linux -release
	mv Waymark.tar.xz "$out/waymark-$app_version-linux-$arch.tar.xz"
	rm -f waymark
}

windows() {
	echo "== officer app, Windows, cross-compiled with MinGW ($version)"
	command -v x86_64-w64-mingw32-gcc >/dev/null ||
		{ echo "dist: no x86_64-w64-mingw32-gcc: run scripts/deps.sh gcc-mingw-w64-x86-64 (make dist does)" >&2; exit 1; }
	rm -f Waymark.exe waymark.exe
	CGO_ENABLED=1 GOOS=windows GOARCH=$arch CC=x86_64-w64-mingw32-gcc "$fyne" package -os windows -release
	mv Waymark.exe "$out/waymark-$app_version-windows-$arch.exe"
}

server() {
	echo "== server, static Linux binary ($version)"
	local name=waymark-server-$app_version-linux-$arch
	local stage
	stage=$(mktemp -d)
	mkdir "$stage/$name"
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch $GO build -trimpath \
		-ldflags "-s -w -X main.version=$version" -o "$stage/$name/waymark-server" ./cmd/waymark-server
	"$stage/$name/waymark-server" version | grep -qF "waymark-server $version " ||
		{ echo "dist: waymark-server does not say its version $version" >&2; exit 1; }
	cp packaging/waymark-server.service packaging/waymark-server.env packaging/waymark.sysusers \
		packaging/README.md "$stage/$name/"
	# The unit names /usr/local/bin/waymark-server: check a copy that
	# names the binary just built.
	sed "s,/usr/local/bin/waymark-server,$stage/$name/waymark-server," packaging/waymark-server.service \
		>"$stage/waymark-server.service"
	systemd-analyze verify "$stage/waymark-server.service"
	# The sandbox: systemd's exposure score must stay at 2.0 or below (of 10).
	systemd-analyze security --offline=yes --threshold=20 "$stage/waymark-server.service" >"$stage/security.txt" ||
		{ cat "$stage/security.txt" >&2; echo "dist: the unit's exposure is above 2.0" >&2; exit 1; }
	tail -n 1 "$stage/security.txt"
	tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$out/$name.tar.gz" "$name"
	rm -rf "$stage"
}

for t in "${targets[@]}"; do
	case "$t" in
	linux | windows | server) "$t" ;;
	*) echo "dist: unknown target $t (linux, windows, server)" >&2; exit 2 ;;
	esac
done

(cd "$out" && rm -f SHA256SUMS && sha256sum -- waymark-* >SHA256SUMS)
echo "== $out/ ($version)"
ls -l "$out"
