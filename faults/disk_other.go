//go:build !linux

package faults

import "errors"

func mountSmall(dir string, size int64) (func() error, error) {
	return nil, errors.New("a size-limited file system needs Linux")
}

func freeBytes(dir string) (int64, error) { return 0, errors.New("not on Linux") }

func fillTo(path string, free int64) error { return errors.New("not on Linux") }
