package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// Pushes are applied by one goroutine, the committer, which gathers the
// pushes waiting at that moment and applies them together: one disk sync
// serves many devices. Cursors are taken inside the storage transaction
// that stores their records, and the store serialises those
// transactions across replicas (db.go), so cursors are handed out in the
// order changes become visible and a pull never skips a change committed
// late.

// maxGroup caps the pushes applied together in one group.
const maxGroup = 64

// txnBudget is how many bytes of keys and values the committer puts in one
// storage transaction before committing and starting another. Badger
// refuses a transaction past 15% of the memtable size; this stays well
// under that for the server's memtables.
const txnBudget = 4 << 20

// pushJob is a validated push waiting for the committer.
type pushJob struct {
	who    Principal
	assign assignment // the operations who is on, for the scope of amendments
	remote string     // the network address it came from, for the log
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
	code    wire.Code // invalid_record, identity_mismatch or signature_invalid, with invalid
	amends  uuid.UUID // for an amendment: the record it amends
	// operation is the operation an encounter names (schema 4), which its
	// scope takes if the author is on it.
	operation uuid.UUID
	// canonical is the body re-encoded from the decoded record, which the
	// signature covers and which is stored; set when the body is valid.
	canonical json.RawMessage
	// entryHash identifies the entry as sent (its body with insignificant
	// space removed), so that a resend is recognised whatever its fate.
	entryHash [32]byte
}

func refused(code wire.Code, why string) entryCheck { return entryCheck{invalid: why, code: code} }

// checkEntry applies the record rules to e's body, in order: decoded
// strictly (internal/strictjson) as a finalised encounter that passes
// encounter.Record.Check or an amendment that passes
// encounter.Amendment.Check, whose id is the entry's; the identity rule
// (the body's device is the signing device, its officer or an
// amendment's author is the device's account, by number and agency);
// then the signature, over the body encoded again from what was decoded,
// by the key enrolled for the signing device. Every reason names the
// field and the rule, never a value.
func checkEntry(e wire.Entry, who Principal) entryCheck {
	var dev uuid.UUID
	var by encounter.Officer
	var field string
	var canonical []byte
	var err error
	c := entryCheck{}
	switch e.Kind {
	case wire.KindEncounter:
		r, perr := encounter.ParseDocument(e.Body)
		if perr != nil {
			return refused(wire.CodeInvalidRecord, perr.Error())
		}
		if r.ID != e.ID {
			return refused(wire.CodeInvalidRecord, "field id is not the entry's record id")
		}
		if err := r.Check(); err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		dev, by, field = r.Device, r.Officer, "officer"
		c.operation = r.OperationID
		canonical, err = r.Document()
	case wire.KindAmendment:
		a, perr := encounter.ParseAmendment(e.Body)
		if perr != nil {
			return refused(wire.CodeInvalidRecord, perr.Error())
		}
		if a.ID != e.ID {
			return refused(wire.CodeInvalidRecord, "field id is not the entry's amendment id")
		}
		if err := a.Check(); err != nil {
			return refused(wire.CodeInvalidRecord, err.Error())
		}
		dev, by, field = a.Device, a.Author, "author"
		c.amends = a.Encounter
		canonical, err = a.Document()
	}
	if err != nil {
		return refused(wire.CodeInvalidRecord, "body cannot be encoded again")
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
	if err := evidence.Verify(string(e.Kind), canonical, evidence.Seal{Device: who.Device, Key: who.Key, Sig: e.Sig}); err != nil {
		return refused(wire.CodeSignatureInvalid, "field sig does not verify over the body with the key enrolled for this device")
	}
	c.canonical = canonical
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
// overwriting a record, each with its signature verified. Entries that
// break the record rules, whose body names another device or person than
// p, or whose signature does not verify, are refused one by one (not
// stored, not kept aside: only the fact and the reason are logged); the
// push as a whole needs a role that may push.
func (s *Server) Push(ctx context.Context, p Principal, req *wire.PushRequest) (wire.PushResponse, error) {
	if !hasAny(p.Account, pushRoles) {
		return wire.PushResponse{}, wire.Errorf(wire.CodeForbidden, "this account's roles do not allow pushing records")
	}
	// Check and re-encode bodies before they reach the committer: doing
	// it here keeps work off the single writer.
	as, err := s.assignmentOf(ctx, p.Account)
	if err != nil {
		return wire.PushResponse{}, err
	}
	job := &pushJob{who: p, assign: as, remote: p.Remote, req: req, checks: make([]entryCheck, len(req.Entries)), done: make(chan struct{})}
	// Entries are checked on every core: decoding, encoding again and
	// verifying a signature is most of what a push costs.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (len(req.Entries)+15)/16) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(req.Entries); i = int(next.Add(1) - 1) {
				e := &req.Entries[i]
				compact, err := wire.CompactBody(e.Body)
				job.checks[i] = checkEntry(*e, p)
				job.checks[i].entryHash = hashBody(compact)
				if err != nil { // the request was decoded strictly: this cannot happen
					job.checks[i] = refused(wire.CodeInvalidRecord, "field body is not valid JSON")
				}
				// What the committer keeps is the canonical encoding, never
				// the bytes received; a refused body is kept nowhere.
				e.Body = job.checks[i].canonical
			}
		}()
	}
	wg.Wait()
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
	if job.err != nil {
		return wire.PushResponse{}, job.err
	}
	return job.resp, nil
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
	type item struct {
		j *pushJob
		i int
	}
	var items []item
	for _, j := range group {
		for i := range j.req.Entries {
			items = append(items, item{j, i})
		}
	}
	ctx := context.Background()
	for pos := 0; pos < len(items) || pos == 0; {
		next := pos
		err := s.st.Update(ctx, func(tx storage.Tx) error {
			// What this transaction may take: read it in one go (a
			// backend across the network reads it in one round trip).
			var entries, records [][]byte
			for _, it := range items[pos:min(len(items), pos+prefetchEntries)] {
				e, c := it.j.req.Entries[it.i], it.j.checks[it.i]
				entries = append(entries, entryKey(it.j.who.Device, e.Seq))
				records = append(records, recordKey(e.ID))
				if c.amends != uuid.Nil {
					records = append(records, recordKey(c.amends))
				}
			}
			if err := tx.Prefetch(storage.Entries, entries); err != nil {
				return err
			}
			if err := tx.Prefetch(storage.Records, records); err != nil {
				return err
			}
			cw := newChainWriter(tx)
			cursor, err := getUint(tx, storage.Meta, metaCursor)
			if err != nil {
				return err
			}
			startCursor := cursor
			used := 0
			touched := map[uuid.UUID]bool{}
			next = pos
			for ; next < len(items); next++ {
				it := items[next]
				j, e := it.j, it.j.req.Entries[it.i]
				if j.err != nil {
					continue // its device's quota is reached: the rest of the push is not taken
				}
				// Two ops, an entry, a record and a log event: generous.
				need := 3*len(e.Body) + 2048
				if used > 0 && used+need > txnBudget {
					break
				}
				dev := j.who.Device
				a := applying{tx: tx, cw: cw, who: j.who, assign: j.assign, remote: j.remote, e: e, check: j.checks[it.i], cursor: &cursor, now: s.now()}
				n, rej, err := s.applyEntry(&a)
				var full *wire.Error
				if errors.As(err, &full) {
					// This device's quota is reached: nothing of this push from
					// here on is taken; what came before is, and is acked.
					j.err = full
					touched[dev] = true
					continue
				}
				if err != nil {
					return err
				}
				// What applyEntry reports leaves out the log event, the entry and
				// the head it also wrote: count at least the estimate.
				used += max(n, need)
				touched[dev] = true
				if rej != nil {
					j.resp.Rejected = append(j.resp.Rejected, *rej)
				}
			}
			for dev := range touched {
				if err := advanceAck(tx, dev); err != nil {
					return err
				}
			}
			if cursor != startCursor {
				return setUint(tx, storage.Meta, metaCursor, cursor)
			}
			return nil
		})
		if errors.Is(err, storage.ErrTooBig) {
			it := items[pos]
			return fmt.Errorf("entry %d of device %s does not fit a transaction: %w", it.j.req.Entries[it.i].Seq, it.j.who.Device, err)
		}
		if err != nil {
			return err
		}
		if next == len(items) {
			break
		}
		pos = next
	}
	// Acks are read after everything is committed, so each answer reflects
	// all that is durable for its device, including entries pushed by
	// another job of the group, or by another replica.
	return s.st.View(ctx, func(r storage.Reader) error {
		for _, j := range group {
			ack, err := getUint(r, storage.Acks, deviceKey(j.who.Device))
			if err != nil {
				return err
			}
			j.resp.Ack = ack
		}
		return nil
	})
}

// prefetchEntries bounds the entries whose state one transaction reads
// ahead.
const prefetchEntries = 2048

// applying is one entry being applied by the committer, with the
// transaction and chain writer it goes into.
type applying struct {
	tx     storage.Tx
	cw     *chainWriter
	who    Principal
	assign assignment
	remote string
	e      wire.Entry
	check  entryCheck
	cursor *uint64
	now    time.Time
}

// event is the log event of a's entry, of type typ, from its device.
func (a *applying) event(typ string) Event {
	return Event{
		At: a.now, Type: typ, Actor: "device:" + a.who.Device.String(), Account: a.who.Account.ID,
		Device: a.who.Device, Remote: a.remote, EntrySeq: a.e.Seq, Record: a.e.ID, Kind: a.e.Kind,
	}
}

// applyEntry stores one entry, keeps it aside or records its refusal,
// logs what it did in the chain, and returns the bytes written and the
// rejection to report, if any. A *wire.Error (aside_full) says the
// device's quota of entries kept aside is reached.
func (s *Server) applyEntry(a *applying) (int, *wire.Rejection, error) {
	tx, e, check, dev := a.tx, a.e, a.check, a.who.Device
	var ev entryValue
	found, err := getJSON(tx, storage.Entries, entryKey(dev, e.Seq), &ev)
	if err != nil {
		return 0, nil, err
	}
	if found {
		if ev.ID == e.ID && ev.Hash == check.entryHash && ev.Kind == e.Kind {
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
			// Refused, and the entry this device sent first under the
			// sequence stands: its status is not overwritten.
			return s.refuse(a, check, false)
		}
		n, err := s.keepAside(a, wire.CodeSequenceReused)
		return n, rejection(e, wire.CodeSequenceReused), err
	}

	scope := scopeOf(a.who.Account)
	if check.operation != uuid.Nil && a.assign.any[check.operation] {
		// Only an operation the author is on (or a supervisor): a record
		// cannot put itself before an operation's officers by naming it.
		scope.Operation = check.operation
	}
	if check.invalid == "" && check.amends != uuid.Nil {
		// An amendment takes the scope of the record it amends, which its
		// author must be able to read: the same answer whether the record
		// is missing or out of sight, so that nobody learns it exists.
		var target recordValue
		ok, err := getJSON(tx, storage.Records, recordKey(check.amends), &target)
		if err != nil {
			return 0, nil, err
		}
		if !ok || target.Kind != wire.KindEncounter || !mayAmend(a.who.Account, a.assign, target.Scope) {
			check = refused(wire.CodeInvalidRecord, "field encounter names a record this server does not hold or this account may not read")
			check.entryHash = a.check.entryHash
		} else if why := checkAmendmentOf(target.Body, e.Body); why != "" {
			check = refused(wire.CodeInvalidRecord, why)
			check.entryHash = a.check.entryHash
		}
		scope = target.Scope
	}
	if check.invalid != "" {
		return s.refuse(a, check, true)
	}

	h := hashBody(e.Body)
	ev = entryValue{ID: e.ID, Kind: e.Kind, Hash: check.entryHash, Status: statusStored}
	var rv recordValue
	found, err = getJSON(tx, storage.Records, recordKey(e.ID), &rv)
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
		n, err := s.keepAside(a, wire.CodeConflict)
		if err != nil {
			return 0, nil, err
		}
		written += n
		rej = rejection(e, wire.CodeConflict)
	default:
		*a.cursor++
		now := a.now.UTC()
		rv = recordValue{Kind: e.Kind, Hash: h, Device: dev, Seq: e.Seq, Cursor: *a.cursor, Body: e.Body,
			Sig: e.Sig, Key: a.who.Key, Received: now, Author: a.who.Account.ID, Scope: scope}
		rb, err := putJSON(tx, storage.Records, recordKey(e.ID), rv)
		if err != nil {
			return 0, nil, err
		}
		ob, err := putJSON(tx, storage.Ops, logKey(*a.cursor), opValue{Kind: e.Kind, ID: e.ID, Device: dev, Seq: e.Seq, Scope: scope})
		if err != nil {
			return 0, nil, err
		}
		written += len(rb) + len(ob)
		le := a.event(EventEntryStored)
		le.At, le.Cursor, le.BodyHash, le.StoredHash, le.OpHash = now, *a.cursor, hexOf(h), hashHex(rb), hashHex(ob)
		le.Sig, le.KeyID = e.Sig, evidence.KeyID(a.who.Key)
		if err := a.cw.append(le); err != nil {
			return 0, nil, err
		}
	}
	n, err := setJSON(tx, storage.Entries, entryKey(dev, e.Seq), ev)
	return written + n, rej, err
}

// refuse logs that a's entry was refused, and why, and if status keeps
// that as the entry's status, so that a resend gets the same answer: not
// the body, which is stored nowhere (it may carry what must not be kept,
// such as a name on a Duty to Notify).
func (s *Server) refuse(a *applying, check entryCheck, status bool) (int, *wire.Rejection, error) {
	e, dev := a.e, a.who.Device
	s.log.Warn("entry refused",
		slog.String("device", dev.String()), slog.Uint64("seq", e.Seq),
		slog.String("record", e.ID.String()), slog.String("code", string(check.code)), slog.String("why", check.invalid))
	le := a.event(EventEntryRefused)
	le.Code, le.Reason = check.code, check.invalid
	if err := a.cw.append(le); err != nil {
		return 0, nil, err
	}
	if !status {
		return 0, invalid(e, check.code, check.invalid), nil
	}
	ev := entryValue{ID: e.ID, Kind: e.Kind, Hash: check.entryHash, Status: statusInvalid, Code: check.code, Message: check.invalid}
	n, err := setJSON(a.tx, storage.Entries, entryKey(dev, e.Seq), ev)
	return n, invalid(e, check.code, check.invalid), err
}

// keepAside keeps a's entry (valid and signed, but in conflict with what
// is stored) for a person to review, within the device's quota.
func (s *Server) keepAside(a *applying, code wire.Code) (int, error) {
	tx, e, dev := a.tx, a.e, a.who.Device
	var q asideQuota
	if _, err := getJSON(tx, storage.Quotas, quotaKey(dev), &q); err != nil {
		return 0, err
	}
	if q.Entries+1 > s.limits.AsideEntries || q.Bytes+int64(len(e.Body)) > s.limits.AsideBytes {
		if !q.Alerted {
			q.Alerted = true
			s.log.Warn("device reached its quota of entries kept aside", "device", dev.String(),
				"entries", q.Entries, "bytes", q.Bytes)
			le := a.event(EventQuota)
			le.Record, le.Kind, le.EntrySeq = uuid.Nil, "", 0
			le.Count, le.Reason = q.Entries, fmt.Sprintf("%d entries, %d bytes kept aside", q.Entries, q.Bytes)
			if err := a.cw.append(le); err != nil {
				return 0, err
			}
			if _, err := setJSON(tx, storage.Quotas, quotaKey(dev), q); err != nil {
				return 0, err
			}
		}
		return 0, wire.Errorf(wire.CodeAsideFull,
			"this device has %d entries (%d bytes) kept aside for review, its quota; the server keeps no more until they are reviewed", q.Entries, q.Bytes)
	}
	s.log.Warn("entry kept aside for review",
		slog.String("device", dev.String()), slog.Uint64("seq", e.Seq),
		slog.String("record", e.ID.String()), slog.String("code", string(code)))
	now := a.now.UTC()
	b, err := putJSON(tx, storage.Aside, asideKey(dev, e.Seq, hashBody(e.Body)), asideValue{
		ID: e.ID, Kind: e.Kind, Code: code, Received: now, Body: e.Body, Sig: e.Sig,
	})
	if err != nil {
		return 0, err
	}
	q.Entries++
	q.Bytes += int64(len(e.Body))
	if _, err := setJSON(tx, storage.Quotas, quotaKey(dev), q); err != nil {
		return 0, err
	}
	le := a.event(EventEntryAside)
	le.At, le.Code, le.BodyHash, le.AsideHash, le.Sig = now, code, hexOf(hashBody(e.Body)), hashHex(b), e.Sig
	le.KeyID = evidence.KeyID(a.who.Key)
	return len(b), a.cw.append(le)
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
func advanceAck(tx storage.Tx, dev uuid.UUID) error {
	ack, err := getUint(tx, storage.Acks, deviceKey(dev))
	if err != nil {
		return err
	}
	start := ack
	for {
		_, found, err := tx.Get(storage.Entries, entryKey(dev, ack+1))
		if err != nil {
			return err
		}
		if !found {
			break
		}
		ack++
	}
	if ack == start {
		return nil
	}
	return setUint(tx, storage.Acks, deviceKey(dev), ack)
}
