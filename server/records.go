package server

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// RecordView is one encounter as the console shows it: as amended, with
// the record as finalised, each amendment, and the verdict on each
// signature (checked against the key the server holds for its device).
type RecordView struct {
	Record     encounter.Record // amendments applied; Original and Amendments set
	Summary    Summary
	Verdict    evidence.Verdict
	Amendments []evidence.Verdict // in the order of Record.Amendments
}

// Record reads encounter id with its amendments. It does not log the
// read: the caller does (LogRead), once it knows the reader may see it.
func (s *Server) Record(ctx context.Context, id uuid.UUID) (RecordView, error) {
	sum, ok := s.Summary(id)
	if !ok {
		return RecordView{}, fmt.Errorf("encounter %s: %w", id, ErrNotFound)
	}
	s.cat.mu.RLock()
	amends := append([]encounter.Amendment(nil), s.cat.amends[id]...)
	s.cat.mu.RUnlock()
	var v RecordView
	v.Summary = sum
	err := s.st.View(ctx, func(txn storage.Reader) error {
		var rv recordValue
		found, err := getJSON(txn, storage.Records, recordKey(id), &rv)
		if err != nil {
			return err
		}
		if !found || rv.Kind != wire.KindEncounter {
			return fmt.Errorf("encounter %s: %w", id, ErrNotFound)
		}
		r, err := encounter.ParseDocument(rv.Body)
		if err != nil {
			return err
		}
		v.Verdict = evidence.Check(string(wire.KindEncounter), rv.Body, sealOf(rv))
		v.Record = r.WithAmendments(amends)
		for _, a := range v.Record.Amendments {
			var av recordValue
			if _, err := getJSON(txn, storage.Records, recordKey(a.ID), &av); err != nil {
				return err
			}
			v.Amendments = append(v.Amendments, evidence.Check(string(wire.KindAmendment), av.Body, sealOf(av)))
		}
		return nil
	})
	return v, err
}

func sealOf(rv recordValue) *evidence.Seal {
	if len(rv.Sig) == 0 {
		return nil
	}
	return &evidence.Seal{Device: rv.Device, Key: rv.Key, Sig: rv.Sig}
}

// LogRead appends to the chain that actor (console:<account>) read the
// records ids, from remote, and why (the page): before they are shown.
func (s *Server) LogRead(ctx context.Context, actor, account, remote string, ids []uuid.UUID, why string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.chain.Append(ctx, Event{At: s.now(), Type: EventRead, Actor: actor, Account: account, Remote: remote,
		Records: ids, Reason: why})
	return err
}

// MayRead reports whether account a may read a record of scope sc: the
// one rule (mayRead), with a's operations, for the console.
func (s *Server) MayRead(ctx context.Context, a Account) (func(Scope) bool, error) {
	as, err := s.assignmentOf(ctx, a)
	if err != nil {
		return nil, err
	}
	return func(sc Scope) bool { return mayRead(a, as, sc) }, nil
}

// Directory returns the server's directory of accounts and devices.
func (s *Server) Directory() Directory { return s.dir }

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.now() }

// Pin is the pin of the key the server's certificate holds, for
// enrolment links ("" behind --insecure-http).
func (s *Server) Pin() string {
	if s.spki == nil {
		return ""
	}
	return auth.Pin(s.spki)
}

// Events calls fn with every event of the chain, oldest first.
func (s *Server) Events(ctx context.Context, fn func(Event)) error {
	return s.chain.Events(ctx, 1, func(ev Event, _ string) error { fn(ev); return nil })
}
