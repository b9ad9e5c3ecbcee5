// Package server implements the Waymark sync server: it stores what devices
// push, each entry at most once and no record ever overwritten, in an
// embedded Badger store, and serves the changes back to them.
package server
