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
	# A supervisor for the console: a password and a TOTP secret, kept in
	# .demo/console.txt (0600) so that every run can say them again.
	$srv user add sup --data .demo/server --name "Demo Supervisor" --number "PS 2001" \
		--agency police --team ht --roles supervisor >>.demo/server.log
	pw=$($srv user passwd sup --generate --data .demo/server | sed -n 's/^Console password for sup: //p')
	secret=$($srv user totp sup --data .demo/server --qr .demo/totp.png | sed -n 's/^TOTP secret for sup: //p')
	(umask 077; printf 'password=%s\nsecret=%s\n' "$pw" "$secret" >.demo/console.txt)
	# One operation today, the demo officer in its team: synthetic premises.
	day=$(date +%F)
	id() { cat /proc/sys/kernel/random/uuid; }
	cat >.demo/operation.json <<JSON
{"id":"$(id)","revision":0,"name":"Operation Demo","start":"$day","end":"$day",
 "briefing":"Intelligence-led visits to hand car washes and nail bars on the ring road. Labour exploitation suspected: workers seen sleeping on site, cash only. Screen every worker privately; interpreters on call.",
 "rendezvous":"Example Road police station, 07:00",
 "teams":[{"name":"Demo team","members":["demo"]}],
 "partners":[{"agency":"glaa","contact":"GLAA inspector on duty"},{"agency":"immigration","contact":"Immigration Enforcement officer"}],
 "interpreters":[{"name":"Interpreter on call (Romanian, Albanian)","languages":["ro","sq"],"phone":"01000 000000"}],
 "premises":[
  {"id":"$(id)","name":"Example Hand Car Wash","address":"1 Example Road, Exampleton","postcode":"EX1 1AA","business":"car_wash","intelligence":"Workers seen sleeping in a cabin behind the wash.","safety":"Dog on premises; manager known for violence."},
  {"id":"$(id)","name":"Example Nails","address":"2 Sample Street, Exampleton","postcode":"EX2 2BB","business":"nail_bar","intelligence":"Same workers dropped off and collected by one van."},
  {"id":"$(id)","name":"Example Takeaway","address":"3 Sample Parade, Exampleton","postcode":"EX3 3DD","business":"takeaway"}]}
JSON
	$srv operation save .demo/operation.json --data .demo/server >>.demo/server.log
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
if [ -f .demo/console.txt ]; then
	. .demo/console.txt
	echo
	echo "Supervisor's console: https://$addr/console/  (the server's own certificate: accept it, or"
	echo "  trust its key: chromium --ignore-certificate-errors-spki-list=$(sed -n 's/.*pin="sha256\/\([^"]*\)".*/\1/p' .demo/server.log | tail -1))"
	echo "  account:  sup"
	echo "  password: $password"
	echo "  code:     from an authenticator app set up with .demo/totp.png (secret $secret),"
	echo "            or the current one: $srv code $secret"
	echo "  The demo officer 'demo' is on Operation Demo: the app's Today screen shows it."
	echo
fi
bin/waymark --data .demo/device --enrol "$link"
