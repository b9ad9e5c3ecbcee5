//go:build !(linux || darwin || freebsd)

package store

// diskFree cannot tell on this platform, so writes go ahead and a full
// disk shows up as whatever Badger meets there. Windows would need
// GetDiskFreeSpaceEx from golang.org/x/sys/windows.
func diskFree(dir string) (int64, bool) { return 0, false }
