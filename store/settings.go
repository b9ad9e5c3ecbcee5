package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Settings are small values the app keeps about itself that must not
// sit in a file of their own (the server's policy, when the device last
// reached the server): encrypted with the records, under s/<name>.
var prefixSetting = []byte("s/")

func settingKey(name string) []byte { return append(append([]byte{}, prefixSetting...), name...) }

// Setting returns the setting called name, or an error wrapping
// ErrNotFound if it was never set.
func (s *Store) Setting(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var b []byte
	err := s.db.View(func(txn *badger.Txn) error {
		v, err := getValue(txn, settingKey(name))
		b = v
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("setting %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read setting %s: %w", name, err)
	}
	return b, nil
}

// SetSetting keeps b as the setting called name, replacing it.
func (s *Store) SetSetting(ctx context.Context, name string, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(settingKey(name), b) }); err != nil {
		return fmt.Errorf("save setting %s: %w", name, err)
	}
	return nil
}

// DeleteSetting removes the setting called name; removing one that was
// never set is not an error.
func (s *Store) DeleteSetting(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Delete(settingKey(name)) }); err != nil {
		return fmt.Errorf("delete setting %s: %w", name, err)
	}
	return nil
}
