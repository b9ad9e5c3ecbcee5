//go:build !unix

package session

// PrivateFiles does nothing where there is no umask (Windows: files
// inherit the user profile's access rules).
func PrivateFiles() {}
