// Package auth holds what device and server must compute alike to trust
// each other: the signature every request after enrolment carries, the
// pin of the server's public key, and the one-time enrolment code with
// the proofs that turn it into a device credential without ever sending
// the code. The design and its threat model are in docs/security.md.
package auth
