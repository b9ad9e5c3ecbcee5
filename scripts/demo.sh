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

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "make demo opens a window, but there is no display (DISPLAY is not set)." >&2
	echo "On a machine without a screen, run it under Xvfb:" >&2
	echo "  Xvfb :99 & DISPLAY=:99 make demo" >&2
	exit 1
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
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT

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
