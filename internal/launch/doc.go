// Package launch holds the launch test of the officer app: the real
// desktop and -tags mobile binaries, started under Xvfb against a live
// server and an unreachable one, must keep running. It builds and runs
// real processes for about a minute, so it runs under the launch tag,
// which make test sets: go test -tags launch ./internal/launch/.
package launch
