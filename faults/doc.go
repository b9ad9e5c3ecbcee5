// Package faults is Waymark's fault harness: randomised cycles that kill
// device and server processes with SIGKILL in the middle of writes and
// pushes, restart the server, cut connections at random byte offsets, slow
// the link down and fill the device's disk, and check after every cycle
// that each acknowledged record is on the server exactly once, unaltered,
// and that each draft the device reported saved is intact.
//
// Devices and the server run as real processes: the harness starts copies
// of its own executable in a child role (see IsChild and RunChild), or a
// waymark-server binary if given one. A short run is part of go test; long
// runs are cmd/waymark-faults, through make faults.
package faults
