// Package distinstall holds the test of what make dist builds
// (scripts/dist.sh): the Linux package of the officer app is installed
// with its own Makefile into a temporary root and launched from there on
// a virtual screen of its own, where it must draw its first screen and
// quit when told; the Windows build must be a 64-bit GUI program with
// its icon and version inside; the server must be a static binary that
// says the version it was stamped with, beside its systemd unit and
// example configuration. It reads the artefacts in dist/ (WAYMARK_DIST
// names another folder), so it runs under the dist tag after they are
// built: make dist runs it on all three; make dist-test, part of make
// test, builds the Linux package and the server into bin/dist-test and
// runs it on those two.
package distinstall
