// Package launch holds the launch test of the officer app: the real
// desktop and -tags mobile binaries, started on virtual screens (Xvfb)
// against a live server and an unreachable one, must keep running. The
// desktop app is given its PIN with xdotool, as an officer types it; the
// phone simulation, which takes no keys, must keep its PIN screen up. It
// builds and runs real processes for about a minute, so it runs under
// the launch tag, which make test sets: go test -tags launch
// ./internal/launch/.
package launch
