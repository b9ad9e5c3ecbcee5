package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/wire"
)

// Pushes are applied by one goroutine, the committer, which gathers the
// pushes waiting at that moment and applies them together: one disk sync
// serves many devices, and cursors are handed out in the order changes
// become visible, so a pull never skips a change committed late.

// maxGroup caps the pushes applied together in one group.
const maxGroup = 64

// txnBudget is how many bytes of keys and values the committer puts in one
// Badger transaction before committing and starting another. Badger
// refuses a transaction past 15% of the memtable size; this stays well
// under that for the server's memtables.
const txnBudget = 4 << 20

// pushJob is a validated push waiting for the committer.
type pushJob struct {
	who    Principal
	req    *wire.PushRequest
	checks []entryCheck // one per entry
	done   chan struct{}
	resp   wire.PushResponse
	err    error
}

// entryCheck is what the record rules said of an entry's body, worked out
// before the committer sees it.
type entryCheck struct {
	invalid string    // why the body breaks the rules; empty if it does not
	code    wire.Code // invalid_record or identity_mismatch, with invalid
	amends  uuid.UUID // for an amendment: the record it amends
}

func refused(code wire.Code, why string) entryCheck { return entryCheck{invalid: why, code: code} }

// checkEntry applies the record rules to e's body: a finalised encounter
// that passes encounter.Record.Check, or an amendment that passes
// encounter.Amendment.Check, whose id is the entry's; then the identity
// rule: the body's device is the signing device, and its officer (or an
// amendment's author) is the device's account, by number and agency.
func checkEntry(e wire.Entry, who Principal) entryCheck {
	var dev uuid.UUID
	var by encounter.Officer
	var field string
	c := entryCheck{}
	switch e.Kind {
	case wire.KindEncounter:
		r, err := encounter.ParseDocument(e.Body)
		if err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		if r.ID != e.ID {
			return refused(wire.CodeInvalidRecord, fmt.Sprintf("body is record %s, not %s", r.ID, e.ID))
		}
		if err := r.Check(); err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		dev, by, field = r.Device, r.Officer, "officer"
	case wire.KindAmendment:
		a, err := encounter.ParseAmendment(e.Body)
		if err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		if a.ID != e.ID {
			return refused(wire.CodeInvalidRecord, fmt.Sprintf("body is amendment %s, not %s", a.ID, e.ID))
		}
		if err := a.Check(); err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		dev, by, field = a.Device, a.Author, "author"
		c.amends = a.Encounter
	}
	// Name the field, never the value: the values are the officer's.
	switch acc := who.Account; {
	case dev != who.Device:
		return refused(wire.CodeIdentityMismatch, "field device is not the device that signed the request")
	case !strings.EqualFold(strings.TrimSpace(by.Number), strings.TrimSpace(acc.Number)):
		return refused(wire.CodeIdentityMismatch, "field "+field+".number is not the number of the account this device is enrolled to")
	case by.Agency != acc.Agency:
		return refused(wire.CodeIdentityMismatch, "field "+field+".agency is not the agency of the account this device is enrolled to")
	}
	return c
}

// checkAmendmentOf applies the record rules to an amendment of the record
// whose document is record: the one child rule among them (a change that
// makes someone a child needs a referral made after the event). It
// returns why the amendment is refused, or "".
func checkAmendmentOf(record, amendment []byte) string {
	r, err := encounter.ParseDocument(record)
	if err != nil {
		return fmt.Sprintf("amends a record this server cannot read: %v", err)
	}
	a, err := encounter.ParseAmendment(amendment)
	if err != nil {
		return err.Error()
	}
	if err := r.CheckAmendment(a); err != nil {
		return err.Error()
	}
	return ""
}

// Push stores what p's device sent: each entry at most once, none
// overwriting a record. Entries that break the record rules, or whose
// body names another device or person than p, are refused one by one
// (not stored, not kept aside); the push as a whole needs a role that may
// push.
func (s *Server) Push(ctx context.Context, p Principal, req *wire.PushRequest) (wire.PushResponse, error) {
	if !hasAny(p.Account, pushRoles) {
		return wire.PushResponse{}, wire.Errorf(wire.CodeForbidden, "this account's roles do not allow pushing records")
	}
	// Compact bodies before they reach the committer: it is the form
	// stored and compared, and doing it here keeps work off the single
	// writer.
	job := &pushJob{who: p, req: req, checks: make([]entryCheck, len(req.Entries)), done: make(chan struct{})}
	for i := range req.Entries {
		b, err := wire.CompactBody(req.Entries[i].Body)
		if err != nil {
			return wire.PushResponse{}, wire.Errorf(wire.CodeBadRequest, "entry %d: %v", req.Entries[i].Seq, err)
		}
		req.Entries[i].Body = b
		job.checks[i] = checkEntry(req.Entries[i], p)
	}
	select {
	case s.pushes <- job:
	case <-s.stopping:
		return wire.PushResponse{}, wire.Errorf(wire.CodeUnavailable, "server is shutting down; try again shortly")
	case <-ctx.Done():
		return wire.PushResponse{}, ctx.Err()
	}
	// Once queued, the job is always finished by the committer, even if
	// the client has gone: what it stored must be consistent.
	<-job.done
	return job.resp, job.err
}

// commitLoop is the committer. It runs until s.stopping is closed and no
// push is waiting.
func (s *Server) commitLoop() {
	defer close(s.committerDone)
	for {
		var first *pushJob
		select {
		case first = <-s.pushes:
		case <-s.stopping:
			// Handlers have finished (Close is called after the HTTP
			// server shut down), but drain anything queued regardless.
			for {
				select {
				case j := <-s.pushes:
					s.commitGroup([]*pushJob{j})
				default:
					return
				}
			}
		}
		group := []*pushJob{first}
	gather:
		for len(group) < maxGroup {
			select {
			case j := <-s.pushes:
				group = append(group, j)
			default:
				break gather
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup applies the group's pushes in as few transactions as the
// budget allows, then answers every job. If any commit fails, every job of
// the group gets the error; entries already committed are found again when
// the devices resend, so nothing is stored twice.
func (s *Server) commitGroup(group []*pushJob) {
	err := s.applyGroup(group)
	for _, j := range group {
		if err != nil {
			j.err = err
		}
		close(j.done)
	}
	if err != nil {
		s.log.Error("commit pushes", "pushes", len(group), "err", err)
	}
}

func (s *Server) applyGroup(group []*pushJob) error {
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	cursor, err := getUint(txn, keyCursor)
	if err != nil {
		return err
	}
	startCursor := cursor
	used := 0
	touched := map[uuid.UUID]bool{}
	commit := func() error {
		for dev := range touched {
			if err := advanceAck(txn, dev); err != nil {
				return err
			}
		}
		if cursor != startCursor {
			if err := setUint(txn, keyCursor, cursor); err != nil {
				return err
			}
		}
		if err := txn.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		txn = s.db.NewTransaction(true)
		startCursor, used = cursor, 0
		clear(touched)
		return nil
	}
	for _, j := range group {
		dev := j.who.Device
		for i, e := range j.req.Entries {
			// Two ops, an entry and a record: a generous estimate.
			need := 2*len(e.Body) + 512
			if used > 0 && used+need > txnBudget {
				if err := commit(); err != nil {
					return err
				}
			}
			n, rej, err := s.applyEntry(txn, j.who, e, j.checks[i], &cursor)
			if errors.Is(err, badger.ErrTxnTooBig) {
				return fmt.Errorf("entry %d of device %s does not fit a transaction: %w", e.Seq, dev, err)
			}
			if err != nil {
				return err
			}
			used += n
			touched[dev] = true
			if rej != nil {
				j.resp.Rejected = append(j.resp.Rejected, *rej)
			}
		}
	}
	if err := commit(); err != nil {
		return err
	}
	// Acks are read after everything is committed, so each answer reflects
	// all that is durable for its device, including entries pushed by
	// another job of the group.
	return s.db.View(func(txn *badger.Txn) error {
		for _, j := range group {
			ack, err := getUint(txn, deviceKey(j.who.Device))
			if err != nil {
				return err
			}
			j.resp.Ack = ack
		}
		return nil
	})
}

// applyEntry stores one entry, or keeps it aside, and returns the bytes
// written and the rejection to report, if any.
func (s *Server) applyEntry(txn *badger.Txn, who Principal, e wire.Entry, check entryCheck, cursor *uint64) (int, *wire.Rejection, error) {
	dev := who.Device
	h := hashBody(e.Body)
	var ev entryValue
	found, err := getJSON(txn, entryKey(dev, e.Seq), &ev)
	if err != nil {
		return 0, nil, err
	}
	if found {
		if ev.ID == e.ID && ev.Hash == h && ev.Kind == e.Kind {
			// A resend: answer as the first time.
			switch ev.Status {
			case statusConflict:
				return 0, rejection(e, wire.CodeConflict), nil
			case statusInvalid:
				return 0, invalid(e, ev.Code, ev.Message), nil
			}
			return 0, nil, nil
		}
		if check.invalid != "" {
			return 0, invalid(e, check.code, check.invalid), nil
		}
		n, err := s.keepAside(txn, dev, e, h, wire.CodeSequenceReused)
		return n, rejection(e, wire.CodeSequenceReused), err
	}

	scope := scopeOf(who.Account)
	if check.invalid == "" && check.amends != uuid.Nil {
		// An amendment takes the scope of the record it amends, which its
		// author must be able to read: the same answer whether the record
		// is missing or out of sight, so that nobody learns it exists.
		var target recordValue
		ok, err := getJSON(txn, recordKey(check.amends), &target)
		if err != nil {
			return 0, nil, err
		}
		if !ok || target.Kind != wire.KindEncounter || !mayAmend(who.Account, target.Scope) {
			check = refused(wire.CodeInvalidRecord, fmt.Sprintf("amends record %s, which this server does not hold or this account may not read", check.amends))
		} else if why := checkAmendmentOf(target.Body, e.Body); why != "" {
			check = refused(wire.CodeInvalidRecord, why)
		}
		scope = target.Scope
	}
	if check.invalid != "" {
		// Not stored, not kept aside: only that it was refused, and why.
		s.log.Warn("entry refused",
			slog.String("device", dev.String()), slog.Uint64("seq", e.Seq),
			slog.String("record", e.ID.String()), slog.String("code", string(check.code)), slog.String("why", check.invalid))
		ev = entryValue{ID: e.ID, Kind: e.Kind, Hash: h, Status: statusInvalid, Code: check.code, Message: check.invalid}
		n, err := setJSON(txn, entryKey(dev, e.Seq), ev)
		return n, invalid(e, check.code, check.invalid), err
	}

	ev = entryValue{ID: e.ID, Kind: e.Kind, Hash: h, Status: statusStored}
	var rv recordValue
	found, err = getJSON(txn, recordKey(e.ID), &rv)
	if err != nil {
		return 0, nil, err
	}
	var written int
	var rej *wire.Rejection
	switch {
	case found && rv.Hash == h && rv.Kind == e.Kind:
		// The same record again under a new sequence (say, a device that
		// lost its outbox position): stored already, nothing to add.
	case found:
		ev.Status = statusConflict
		n, err := s.keepAside(txn, dev, e, h, wire.CodeConflict)
		if err != nil {
			return 0, nil, err
		}
		written += n
		rej = rejection(e, wire.CodeConflict)
	default:
		*cursor++
		rv = recordValue{Kind: e.Kind, Hash: h, Device: dev, Seq: e.Seq, Cursor: *cursor, Body: e.Body, Sig: e.Sig,
			Author: who.Account.ID, Scope: scope}
		n, err := setJSON(txn, recordKey(e.ID), rv)
		if err != nil {
			return 0, nil, err
		}
		written += n
		n, err = setJSON(txn, logKey(*cursor), opValue{Kind: e.Kind, ID: e.ID, Device: dev, Seq: e.Seq, Scope: scope})
		if err != nil {
			return 0, nil, err
		}
		written += n
	}
	n, err := setJSON(txn, entryKey(dev, e.Seq), ev)
	return written + n, rej, err
}

func (s *Server) keepAside(txn *badger.Txn, dev uuid.UUID, e wire.Entry, h [32]byte, code wire.Code) (int, error) {
	s.log.Warn("entry kept aside for review",
		slog.String("device", dev.String()), slog.Uint64("seq", e.Seq),
		slog.String("record", e.ID.String()), slog.String("code", string(code)))
	return setJSON(txn, asideKey(dev, e.Seq, h), asideValue{
		ID: e.ID, Kind: e.Kind, Code: code, Received: s.now().UTC(), Body: e.Body,
	})
}

func invalid(e wire.Entry, code wire.Code, why string) *wire.Rejection {
	if code == "" {
		code = wire.CodeInvalidRecord // stored before protocol 2 said which
	}
	return &wire.Rejection{Seq: e.Seq, ID: e.ID, Code: code, Message: why}
}

func rejection(e wire.Entry, code wire.Code) *wire.Rejection {
	msg := "a different record with this id is already stored; this one is kept aside for review"
	if code == wire.CodeSequenceReused {
		msg = "this device already sent a different entry with this sequence number; this one is kept aside for review"
	}
	return &wire.Rejection{Seq: e.Seq, ID: e.ID, Code: code, Message: msg}
}

// advanceAck moves dev's contiguous ack past every entry now present.
func advanceAck(txn *badger.Txn, dev uuid.UUID) error {
	ack, err := getUint(txn, deviceKey(dev))
	if err != nil {
		return err
	}
	start := ack
	for {
		_, err := txn.Get(entryKey(dev, ack+1))
		if errors.Is(err, badger.ErrKeyNotFound) {
			break
		}
		if err != nil {
			return err
		}
		ack++
	}
	if ack == start {
		return nil
	}
	return setUint(txn, deviceKey(dev), ack)
}
