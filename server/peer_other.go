//go:build !linux

package server

import (
	"net"
	"os/user"
)

// peerUser names this process's owner: without peer credentials, the
// socket's mode (0600, in a 0700 folder) is what keeps others out.
func peerUser(net.Conn) (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	return u.Username, nil
}
