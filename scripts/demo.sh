#!/usr/bin/env bash
# Runs the Waymark server on its embedded store on the given loopback
# address, over TLS, then the app, which asks for a PIN (chosen on the
# first run) and enrols with the server if it is not enrolled. On the first
# run it
# initialises the server in .demo/server (keys, certificate, first
# administrator) and adds a demo officer; every run makes that officer a
# fresh one-time enrolment code, which the app uses if it is not enrolled
# yet. Stops the server when the app window closes. Data lives in .demo/
# so encounters survive between runs; delete it to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
addr=${1:-127.0.0.1:8765}
srv=bin/waymark-server

# The C locale names no language, and Fyne says so in an alarming way:
# tell it English unless the user chose a language.
case "${LC_ALL:-${LC_MESSAGES:-${LANG:-C}}}" in
C | C.* | POSIX | POSIX.*) export LANGUAGE=${LANGUAGE:-en} ;;
esac

# No screen: run the app on a virtual one (scripts/deps.sh installs
# Xvfb), and say how to look at it.
xvfb=
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	if ! command -v Xvfb >/dev/null; then
		echo "make demo opens a window, but there is no display (DISPLAY is not set) and no Xvfb." >&2
		echo "Install it (as root: scripts/deps.sh), or run:  Xvfb :99 & DISPLAY=:99 make demo" >&2
		exit 1
	fi
	n=99
	while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
	Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
	xvfb=$!
	export DISPLAY=":$n"
	for _ in $(seq 1 50); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
	echo "No screen here: the app runs on a virtual screen, DISPLAY=:$n."
	echo "  Look at it:   DISPLAY=:$n import -window root shot.png   (ImageMagick)"
	echo "  Drive it:     DISPLAY=:$n xdotool mousemove 200 300 click 1"
	echo "  Stop it:      Ctrl-C here"
fi

mkdir -p .demo
if [ ! -f .demo/server/config.json ]; then
	echo "Initialising a demo server in .demo/server…"
	$srv init --data .demo/server --addr "$addr" >>.demo/server.log
	$srv user add demo --data .demo/server --name "Demo Officer" --number "PC 1001" \
		--agency police --team demo --roles officer >>.demo/server.log
fi
$srv --addr "$addr" --data .demo/server 2>>.demo/server.log &
server=$!
trap 'kill $server ${xvfb:-} 2>/dev/null; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
	if [ -S .demo/server/admin.sock ] && (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then break; fi
	if ! kill -0 $server 2>/dev/null; then
		echo "the server did not start; see .demo/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
# A one-time code for the demo officer, over the running server's admin
# socket; the app enrols with it, after the PIN, unless it is enrolled
# already.
link=$($srv enrol demo --data .demo/server --qr .demo/enrol.png | sed -n 's/^Enrolment link: //p')
echo "Waymark server on https://$addr (log: .demo/server.log); opening the app."
bin/waymark --data .demo/device --enrol "$link"
