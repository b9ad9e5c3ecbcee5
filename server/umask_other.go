//go:build !unix

package server

// umask does nothing where there is none.
func umask(m int) int { return m }
