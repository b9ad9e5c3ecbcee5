// Package client is the device side of sync: an engine that pushes the
// store's outbox to the server and pulls changes back, in the background,
// with backoff while the server cannot be reached.
package client
