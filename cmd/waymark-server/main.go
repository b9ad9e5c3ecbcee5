// Command waymark-server runs the Waymark sync server, over TLS, on an
// embedded store or on PostgreSQL (--db postgres://…, which several
// replicas may share), and administers its accounts and devices.
//
//	waymark-server [--addr A] [--data D] [--db URL]  serve (initialising D first if need be)
//	waymark-server init [--host H]... [--url U]    initialise D: keys, certificate, first admin
//	waymark-server migrate                         bring the store's schema to this version's
//	waymark-server export [--out FILE]             every value of the store, to move it
//	waymark-server import [--in FILE]              into an empty store (another backend)
//	waymark-server backup --out DIR                a hot, encrypted copy of the embedded store
//	waymark-server user add ID --name N --number N --agency A [--team T] --roles R[,R]
//	waymark-server user list | disable ID | enable ID | role ID R[,R]
//	waymark-server enrol ID [--qr FILE]            a one-time enrolment code, and its QR image
//	waymark-server device list | revoke DEVICE
//	waymark-server log                             the admin log
//	waymark-server verify [--anchor SEQ:HASH]...   check the hash-chained log and every record's signature
//	waymark-server head                            the log's head, to keep outside the server
//
// While a server runs on D, the other commands ask it over its
// administration socket; otherwise they open the store themselves.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if isVersion(os.Args[1:]) {
		fmt.Println(versionLine())
		return
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "waymark-server:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
