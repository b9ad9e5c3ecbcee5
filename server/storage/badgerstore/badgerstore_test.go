package badgerstore

import (
	"testing"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, storagetest.Backend{
		Open: func(t *testing.T) storage.Store {
			s, err := Open(Options{Dir: t.TempDir(), Key: make([]byte, 32)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Replica: func(t *testing.T, s storage.Store) storage.Store { return s },
	})
}
