package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// keyCredential holds the device's enrolment: its private key, the
// server's pin and its account, as the sync client encodes them. It lives
// in the encrypted store, never in a file of its own.
var keyCredential = []byte("m/credential")

// ErrNotEnrolled is returned by Credential when the device has not been
// enrolled.
var ErrNotEnrolled = errors.New("device is not enrolled")

// SaveCredential keeps the device's enrolment credential, replacing any
// earlier one. The write is synced before it returns.
func (s *Store) SaveCredential(ctx context.Context, b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(keyCredential, b) }); err != nil {
		return fmt.Errorf("save credential: %w", err)
	}
	return nil
}

// Credential returns the device's enrolment credential, or
// ErrNotEnrolled.
func (s *Store) Credential(ctx context.Context) ([]byte, error) {
	var b []byte
	err := s.db.View(func(txn *badger.Txn) error {
		v, err := getValue(txn, keyCredential)
		b = v
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("read credential: %w", err)
	}
	return b, nil
}
