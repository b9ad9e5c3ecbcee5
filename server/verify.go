package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/internal/strictjson"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// Problem is one thing Verify found wrong: where, and what.
type Problem struct {
	Where string `json:"where"` // "log event 17", "record <id>", "device <id>", "log head", ...
	What  string `json:"what"`
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// Report is what Verify found.
type Report struct {
	Events  uint64 `json:"events"`  // log events read
	Head    Head   `json:"head"`    // the chain's last link, recomputed
	Records int    `json:"records"` // records (encounters and amendments) checked
	Signed  int    `json:"signed"`  // of which the signature verified
	Legacy  int    `json:"legacy"`  // held before the log began: no event, no signature
	Aside   int    `json:"aside"`   // entries kept aside, checked
	// Digest is the SHA-256, in hex, of every record's id and body hash
	// in id order: two stores with the same digest hold the same records.
	Digest   string    `json:"digest"`
	Problems []Problem `json:"problems,omitempty"`
}

// OK reports whether Verify found nothing wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(where, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

// ParseHead reads a head as Head.String prints it: "<seq>:<hash>".
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if b, herr := hex.DecodeString(hash); !ok || err != nil || n == 0 || herr != nil || len(b) != sha256.Size {
		return Head{}, fmt.Errorf("head %q is not <sequence>:<64 hex digits>: %w", s, ErrInvalid)
	}
	return Head{Seq: n, Hash: hash}, nil
}

// Verify recomputes the log's hash chain and checks every record
// against it and against its signature, and says exactly what is wrong
// and where. What it checks:
//
//   - each event's stored hash is the hash of its bytes, its sequence is
//     its place, it follows the event before it (Prev), none is missing,
//     and the last is the head the store keeps; if anchors are given
//     (heads printed earlier and kept outside the server), the chain
//     passes through each;
//   - each record's stored value is the one its event logged (hash), its
//     body is the one the device signed (signature, with the key the log
//     says was enrolled for the device), its id is the body's, and every
//     record an event logged is there;
//   - each operation of the pull log is the one logged with its record;
//   - each entry kept aside is one the log says was kept aside, and its
//     signature verifies;
//   - each device's key is the one the log recorded when it enrolled.
//
// Records held before the log began (its first event counts them) have
// no event and no signature: they are counted as Legacy, not problems.
func (s *Server) Verify(ctx context.Context, anchors ...Head) (Report, error) {
	var rep Report
	devices, err := s.dir.Devices(ctx)
	if err != nil {
		return rep, err
	}
	err = s.st.View(ctx, func(r storage.Reader) error {
		v := verifier{rep: &rep, r: r, stored: map[uuid.UUID]Event{}, ops: map[uint64]Event{},
			aside: map[string]Event{}, enrolled: map[uuid.UUID]string{}}
		if err := v.chain(ctx, anchors); err != nil {
			return err
		}
		keys := map[uuid.UUID][]byte{}
		for _, d := range devices {
			keys[d.ID] = d.PublicKey
			if id, ok := v.enrolled[d.ID]; ok && id != evidence.KeyID(d.PublicKey) {
				rep.add("device "+d.ID.String(), "its public key is not the one the log recorded when it enrolled")
			}
		}
		if err := v.records(ctx, keys); err != nil {
			return err
		}
		if err := v.opsLog(ctx); err != nil {
			return err
		}
		return v.asides(ctx, keys)
	})
	return rep, err
}

// verifier holds what one Verify has learnt so far.
type verifier struct {
	rep      *Report
	r        storage.Reader
	legacy   int                  // records the chain's start says were held before it
	stored   map[uuid.UUID]Event  // entry.stored events by record
	ops      map[uint64]Event     // the same by cursor
	aside    map[string]Event     // entry.aside events by asideRef
	enrolled map[uuid.UUID]string // key ids logged at enrolment, by device
}

// scan calls fn with every key and value of c.
func (v *verifier) scan(ctx context.Context, c *storage.Collection, fn func(k, val []byte) error) error {
	return v.r.Scan(c, nil, false, func(k, val []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(bytes.Clone(k), bytes.Clone(val))
	})
}

func (v *verifier) chain(ctx context.Context, anchors []Head) error {
	rep := v.rep
	prev, want := zeroHash, uint64(1)
	at := map[uint64]string{} // recomputed hashes of anchored sequences
	for _, a := range anchors {
		at[a.Seq] = ""
	}
	err := v.scan(ctx, storage.Chain, func(k, val []byte) error {
		place := binary.BigEndian.Uint64(k)
		where := fmt.Sprintf("log event %d", place)
		rep.Events++
		if place != want {
			if place > want {
				rep.add(where, "events %d to %d are missing before it", want, place-1)
			} else {
				rep.add(where, "is out of order")
			}
		}
		want = place + 1
		if len(val) < sha256.Size {
			rep.add(where, "is damaged: %v", errLinkShort)
			prev = ""
			return nil
		}
		sum := eventHash(val[sha256.Size:])
		got := hex.EncodeToString(sum[:])
		if !bytes.Equal(sum[:], val[:sha256.Size]) {
			rep.add(where, "its stored hash is not the hash of its content: it was changed")
		}
		if _, ok := at[place]; ok {
			at[place] = got
		}
		var ev Event
		if err := strictjson.Unmarshal(val[sha256.Size:], &ev); err != nil {
			rep.add(where, "cannot be read: %v", err)
			prev = got
			return nil
		}
		if ev.Seq != place {
			rep.add(where, "says it is event %d: events were moved or swapped", ev.Seq)
		}
		if ev.Prev != prev {
			rep.add(where, "does not follow the event before it (its link to the previous hash is broken)")
		}
		prev = got
		rep.Head = Head{Seq: place, Hash: got, At: ev.At}
		v.learn(ev)
		return nil
	})
	if err != nil {
		return err
	}
	var head Head
	b, found, err := v.r.Get(storage.Meta, metaHead)
	if err == nil && found {
		err = strictjson.Unmarshal(b, &head)
	}
	switch {
	case err != nil:
		rep.add("log head", "cannot be read: %v", err)
	case !found && rep.Events > 0:
		rep.add("log head", "is missing")
	case found && (head.Seq != rep.Head.Seq || head.Hash != rep.Head.Hash || !head.At.Equal(rep.Head.At)):
		rep.add("log head", "says event %d with hash %.16s…, but the log ends at event %d with hash %.16s…: events were removed or changed at the end",
			head.Seq, head.Hash, rep.Head.Seq, rep.Head.Hash)
	}
	for _, a := range anchors {
		switch got := at[a.Seq]; {
		case a.Seq > rep.Head.Seq:
			rep.add("anchor "+a.String(), "the log ends before event %d", a.Seq)
		case got != a.Hash:
			rep.add("anchor "+a.String(), "event %d's hash is not the anchored one: the log was rewritten", a.Seq)
		}
	}
	return nil
}

// learn keeps what later checks need from a readable event.
func (v *verifier) learn(ev Event) {
	switch ev.Type {
	case EventChainStart:
		v.legacy = ev.Count
	case EventEntryStored:
		if _, dup := v.stored[ev.Record]; dup {
			v.rep.add(fmt.Sprintf("log event %d", ev.Seq), "logs record %s stored a second time", ev.Record)
		}
		v.stored[ev.Record] = ev
		v.ops[ev.Cursor] = ev
	case EventEntryAside:
		v.aside[asideRef(ev.Device, ev.EntrySeq, ev.AsideHash)] = ev
	case EventAdminPrefix + ActionEnrolDevice:
		v.enrolled[ev.Device] = ev.KeyID
	}
}

func (v *verifier) records(ctx context.Context, keys map[uuid.UUID][]byte) error {
	rep := v.rep
	var digest []string
	seen := map[uuid.UUID]bool{}
	err := v.scan(ctx, storage.Records, func(k, val []byte) error {
		id := uuid.UUID(k)
		where := "record " + id.String()
		rep.Records++
		seen[id] = true
		var rv recordValue
		if err := json.Unmarshal(val, &rv); err != nil {
			rep.add(where, "cannot be read: it was damaged")
			return nil
		}
		digest = append(digest, id.String()+" "+hexOf(sha256.Sum256(rv.Body)))
		ev, logged := v.stored[id]
		switch {
		case !logged && len(rv.Sig) == 0 && rv.Received.IsZero() && v.legacy > 0:
			v.legacy--
			rep.Legacy++
			return nil
		case !logged:
			rep.add(where, "is not in the log: it was added, or its event removed")
		case ev.StoredHash != hashHex(val):
			rep.add(where, "is not what the log says was stored (event %d): it was changed", ev.Seq)
		}
		if sha256.Sum256(rv.Body) != rv.Hash {
			rep.add(where, "its body does not match its stored hash")
		}
		if bodyID(rv.Kind, rv.Body) != id {
			rep.add(where, "its body is another record's")
		}
		switch err := evidence.Verify(string(rv.Kind), rv.Body, evidence.Seal{Device: rv.Device, Key: rv.Key, Sig: rv.Sig}); {
		case err != nil:
			rep.add(where, "its signature does not verify: %v", err)
		case keys[rv.Device] == nil:
			rep.add(where, "was signed by device %s, which is not enrolled", rv.Device)
		case !bytes.Equal(keys[rv.Device], rv.Key):
			rep.add(where, "was signed with a key that is not the one enrolled for device %s", rv.Device)
		case logged && ev.KeyID != evidence.KeyID(rv.Key):
			rep.add(where, "was signed with a key other than the one logged when it was stored")
		default:
			rep.Signed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for id, ev := range v.stored {
		if !seen[id] {
			rep.add("record "+id.String(), "logged as stored (event %d) but missing: it was removed", ev.Seq)
		}
	}
	slices.Sort(digest)
	sum := sha256.Sum256([]byte(strings.Join(digest, "\n")))
	rep.Digest = hex.EncodeToString(sum[:])
	return nil
}

// bodyID is the id a record body says it has, or uuid.Nil.
func bodyID(kind wire.Kind, body []byte) uuid.UUID {
	switch kind {
	case wire.KindEncounter:
		if r, err := encounter.ParseDocument(body); err == nil {
			return r.ID
		}
	case wire.KindAmendment:
		if a, err := encounter.ParseAmendment(body); err == nil {
			return a.ID
		}
	}
	return uuid.Nil
}

func (v *verifier) opsLog(ctx context.Context) error {
	rep := v.rep
	seen := map[uint64]bool{}
	err := v.scan(ctx, storage.Ops, func(k, val []byte) error {
		cursor := binary.BigEndian.Uint64(k)
		seen[cursor] = true
		ev, ok := v.ops[cursor]
		switch {
		case !ok && v.rep.Legacy > 0:
		case !ok:
			rep.add(fmt.Sprintf("operation %d", cursor), "is not in the log")
		case ev.OpHash != hashHex(val):
			rep.add(fmt.Sprintf("operation %d", cursor), "is not what the log says was stored (event %d): it was changed", ev.Seq)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for c, ev := range v.ops {
		if !seen[c] {
			rep.add(fmt.Sprintf("operation %d", c), "logged with record %s (event %d) but missing: it was removed", ev.Record, ev.Seq)
		}
	}
	return nil
}

// asideRef names an entry kept aside: its device, sequence and value's hash.
func asideRef(dev uuid.UUID, seq uint64, hash string) string {
	return fmt.Sprintf("%s/%d/%s", dev, seq, hash)
}

func (v *verifier) asides(ctx context.Context, keys map[uuid.UUID][]byte) error {
	rep := v.rep
	seen := map[string]bool{}
	defer func() {
		for ref, ev := range v.aside {
			if !seen[ref] {
				rep.add(fmt.Sprintf("entry %d of device %s kept aside", ev.EntrySeq, ev.Device), "logged (event %d) but missing: it was removed", ev.Seq)
			}
		}
	}()
	return v.scan(ctx, storage.Aside, func(k, val []byte) error {
		dev := uuid.UUID(k[:16])
		seq := binary.BigEndian.Uint64(k[16:24])
		where := fmt.Sprintf("entry %d of device %s kept aside", seq, dev)
		rep.Aside++
		var av asideValue
		if err := json.Unmarshal(val, &av); err != nil {
			rep.add(where, "cannot be read: it was damaged")
			return nil
		}
		if len(av.Sig) == 0 {
			return nil // kept aside before entries were signed
		}
		ref := asideRef(dev, seq, hashHex(val))
		seen[ref] = true
		if _, ok := v.aside[ref]; !ok {
			rep.add(where, "is not what the log says was kept aside: it was changed, moved or added")
		}
		if err := evidence.Verify(string(av.Kind), av.Body, evidence.Seal{Device: dev, Key: keys[dev], Sig: av.Sig}); err != nil {
			rep.add(where, "its signature does not verify with the device's key: %v", err)
		}
		return nil
	})
}
