// Package store keeps a device's encounter records and sync outbox in an
// encrypted Badger database.
package store
