package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/evidence"
)

// ErrNoSigner is returned by Finalise and Amend on a device that has no
// key to sign with yet: a record is evidence only once signed, so it
// stays a draft until the device is enrolled.
var ErrNoSigner = errors.New("this device is not enrolled, so it cannot sign records yet")

// SetSigner gives the store the device's enrolled key, with which it
// signs every record it finalises and every amendment it makes.
func (s *Store) SetSigner(sg evidence.Signer) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.signer = sg
}

// sign signs a document about to be queued. Callers hold wmu.
func (s *Store) sign(kind string, doc []byte) (evidence.Seal, error) {
	if s.signer == nil {
		return evidence.Seal{}, ErrNoSigner
	}
	return evidence.Sign(s.signer, kind, doc)
}

// Evidence is what a record view shows about who signed a record and
// each of its amendments, each signature checked again as it is read.
type Evidence struct {
	Record     evidence.Verdict
	Amendments map[uuid.UUID]evidence.Verdict // by amendment id
}

// Evidence checks the signatures of record id and its amendments over
// their documents as this device holds them. A record finalised here is
// signed by this device; one pulled from the server carries the
// signature the server verified when it was pushed. A signature said to
// be this device's is checked against the key this device holds
// (evidence.Verdict.WithKnownKey); other devices' keys are as the server
// served them.
func (s *Store) Evidence(ctx context.Context, id uuid.UUID) (Evidence, error) {
	ev := Evidence{Amendments: map[uuid.UUID]evidence.Verdict{}}
	s.wmu.Lock()
	own := s.signer
	s.wmu.Unlock()
	check := func(kind string, doc []byte, seal *evidence.Seal) evidence.Verdict {
		v := evidence.Check(kind, doc, seal)
		if own != nil {
			v = v.WithKnownKey(own.DeviceID(), own.Public())
		}
		return v
	}
	err := s.db.View(func(txn *badger.Txn) error {
		st, err := getStored(txn, id)
		if err != nil {
			return err
		}
		doc, err := st.Doc.Document()
		if err != nil {
			return err
		}
		ev.Record = check(evidence.KindEncounter, doc, st.Seal)
		prefix := append(append([]byte{}, prefixAmend...), id[:]...)
		return scanAmendments(txn, prefix, func(sa storedAmendment) {
			doc, err := sa.Doc.Document()
			if err == nil {
				ev.Amendments[sa.Doc.ID] = check(evidence.KindAmendment, doc, sa.Seal)
			}
		})
	})
	if err != nil {
		return Evidence{}, fmt.Errorf("evidence of %s: %w", id, err)
	}
	return ev, nil
}
