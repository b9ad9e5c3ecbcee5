#!/usr/bin/env bash
# Installs the Debian packages Waymark needs to build and test, if any are
# missing: the C headers for Fyne's OpenGL/X11 build; unicode-data, whose
# BidiCharacterTest.txt (91,707 cases) i18n/bidi's conformance test runs;
# fonts-noto-core, the full Noto fonts internal/fonts/fonts_test.go
# compares the bundled subsets with glyph for glyph; xvfb, the virtual
# screen the launch test (internal/launch) runs both app builds on, and
# make demo uses on a machine without one; chromium, the headless browser
# the console's browser tests (server/console) drive; postgresql, whose
# initdb and pg_ctl the storage conformance suite, the replica tests, the
# fault harness and the bench start throwaway clusters with
# (internal/pgtest; its own service is not used); and extra ones named as
# arguments. As root it runs apt-get; otherwise it prints the exact line
# to run and fails.
set -euo pipefail

pkgs=(pkg-config gcc libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev unicode-data fonts-noto-core xvfb chromium postgresql "$@")

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Waymark needs these Debian packages: ${missing[*]}" >&2
	echo "Run as root:  apt-get update && $line" >&2
	exit 1
fi
echo "Installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
