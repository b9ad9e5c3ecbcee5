#!/usr/bin/env bash
# Runs the Waymark server on its embedded store on the given loopback
# address, then the app connected to it. Stops the server when the app
# window closes. Data lives in .demo/ so encounters survive between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
addr=${1:-127.0.0.1:8765}

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "make demo opens a window, but there is no display (DISPLAY is not set)." >&2
	echo "On a machine without a screen, run it under Xvfb:" >&2
	echo "  Xvfb :99 & DISPLAY=:99 make demo" >&2
	exit 1
fi

mkdir -p .demo
bin/waymark-server --addr "$addr" --data .demo/server 2>>.demo/server.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
	if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then break; fi
	if ! kill -0 $server 2>/dev/null; then
		echo "the server did not start; see .demo/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "Waymark server on http://$addr (log: .demo/server.log); opening the app."
bin/waymark --server "http://$addr" --data .demo/device
