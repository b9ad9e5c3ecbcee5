// Package console is the supervisors' and administrators' web console
// of a Waymark server: html/template pages served over the server's own
// TLS, signed in with a password and a one-time code, with no script and
// no asset from outside the server.
package console
