package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// Entries kept aside (a conflict with a stored record, a sequence reused)
// wait for a person to decide. The entry itself stays, as evidence, under
// x/; the decision is stored beside it and logged in the chain
// (EventAsideResolved), and the device's quota is given back, so that a
// device answered aside_full can push again.
//
//	Resolutions <device><seq><h8>   Resolution of the entry kept aside under the same key

// EventAsideResolved is the chain event of a decision on an entry kept aside.
const EventAsideResolved = "aside.resolved"

// The decisions a person can take on an entry kept aside. Codes only:
// the decision is logged, and a log holds no free text.
const (
	// DecisionStoredStands: the record stored first is the right one; the
	// entry kept aside stays as evidence of what else was sent.
	DecisionStoredStands = "stored_stands"
	// DecisionDuplicate: the same visit sent twice (a reinstalled app, a
	// restored phone); nothing else to do.
	DecisionDuplicate = "duplicate"
	// DecisionEscalated: handed to the HT team lead to look at with the
	// officer; the entry stays for them.
	DecisionEscalated = "escalated"
)

// Decisions lists the decisions, in the order the console offers them.
var Decisions = []string{DecisionStoredStands, DecisionDuplicate, DecisionEscalated}

// Resolution is a decision on an entry kept aside.
type Resolution struct {
	Decision string    `json:"decision"`
	By       string    `json:"by"` // console:<account> or cli:<user>
	At       time.Time `json:"at"`
}

// AsideEntry is an entry kept aside, with its key (Ref), its author and
// its resolution if any. The body is not in it: a person looks at it in
// the record view, and the console reads it through Server.AsideBody.
type AsideEntry struct {
	Ref      string // <device>/<seq>/<h8 hex>: names the entry
	Device   uuid.UUID
	Account  string
	Seq      uint64
	ID       uuid.UUID
	Kind     wire.Kind
	Code     wire.Code
	Received time.Time
	Bytes    int
	Resolved *Resolution
}

// parseAsideRef reads a Ref back into its key.
func parseAsideRef(ref string) ([]byte, uuid.UUID, uint64, error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 3 {
		return nil, uuid.Nil, 0, fmt.Errorf("entry kept aside %q: not device/seq/hash: %w", ref, ErrInvalid)
	}
	dev, err1 := uuid.Parse(parts[0])
	seq, err2 := strconv.ParseUint(parts[1], 10, 64)
	h, err3 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(h) != 8 {
		return nil, uuid.Nil, 0, fmt.Errorf("entry kept aside: not device/seq/hash: %w", ErrInvalid)
	}
	var h32 [32]byte
	copy(h32[:], h)
	return asideKey(dev, seq, h32), dev, seq, nil
}

// AsideEntries lists every entry kept aside, unresolved first, oldest
// first within each.
func (s *Server) AsideEntries(ctx context.Context) ([]AsideEntry, error) {
	var out []AsideEntry
	devAccounts := map[uuid.UUID]string{}
	if devs, err := s.dir.Devices(ctx); err == nil {
		for _, d := range devs {
			devAccounts[d.ID] = d.Account
		}
	}
	err := s.st.View(ctx, func(r storage.Reader) error {
		return r.Scan(storage.Aside, nil, false, func(k, v []byte) error {
			var av asideValue
			if err := json.Unmarshal(v, &av); err != nil {
				return err
			}
			dev := uuid.UUID(k[:16])
			seq := binary.BigEndian.Uint64(k[16:24])
			e := AsideEntry{Ref: fmt.Sprintf("%s/%d/%x", dev, seq, k[24:32]), Device: dev, Account: devAccounts[dev],
				Seq: seq, ID: av.ID, Kind: av.Kind, Code: av.Code, Received: av.Received, Bytes: len(av.Body)}
			var res Resolution
			found, err := getJSON(r, storage.Resolutions, k, &res)
			if err != nil {
				return err
			}
			if found {
				e.Resolved = &res
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list entries kept aside: %w", err)
	}
	slices.SortStableFunc(out, func(a, b AsideEntry) int {
		if (a.Resolved == nil) != (b.Resolved == nil) {
			if a.Resolved == nil {
				return -1
			}
			return 1
		}
		return a.Received.Compare(b.Received)
	})
	return out, nil
}

// ResolveAside records decision on the entry kept aside ref, by actor
// ("console:<account>", "cli:<user>"): the decision is stored and logged
// in the chain in one transaction, and the entry no longer counts
// against its device's quota. The entry itself stays. A second decision
// on the same entry is ErrExists.
func (s *Server) ResolveAside(ctx context.Context, ref, decision, actor string) (AsideEntry, error) {
	if !slices.Contains(Decisions, decision) {
		return AsideEntry{}, fmt.Errorf("decision must be one of %s: %w", strings.Join(Decisions, ", "), ErrInvalid)
	}
	key, dev, seq, err := parseAsideRef(ref)
	if err != nil {
		return AsideEntry{}, err
	}
	var out AsideEntry
	err = s.chain.update(ctx, func(tx storage.Tx, w *chainWriter) error {
		raw, found, err := tx.Get(storage.Aside, key)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("entry kept aside %s: %w", ref, ErrNotFound)
		}
		var av asideValue
		if err := json.Unmarshal(raw, &av); err != nil {
			return err
		}
		if _, done, err := tx.Get(storage.Resolutions, key); err != nil {
			return err
		} else if done {
			return fmt.Errorf("entry kept aside %s is resolved already: %w", ref, ErrExists)
		}
		r := Resolution{Decision: decision, By: actor, At: s.now().UTC()}
		if _, err := setJSON(tx, storage.Resolutions, key, r); err != nil {
			return err
		}
		var q asideQuota
		if _, err := getJSON(tx, storage.Quotas, quotaKey(dev), &q); err != nil {
			return err
		}
		q.Entries = max(0, q.Entries-1)
		q.Bytes = max(0, q.Bytes-int64(len(av.Body)))
		q.Alerted = false
		if _, err := setJSON(tx, storage.Quotas, quotaKey(dev), q); err != nil {
			return err
		}
		out = AsideEntry{Ref: ref, Device: dev, Seq: seq, ID: av.ID, Kind: av.Kind, Code: av.Code, Received: av.Received, Bytes: len(av.Body), Resolved: &r}
		return w.append(Event{At: r.At, Type: EventAsideResolved, Actor: actor, Device: dev, EntrySeq: seq,
			Record: av.ID, Kind: av.Kind, Code: av.Code, AsideHash: hashHex(raw), Reason: decision})
	})
	if err != nil {
		return AsideEntry{}, fmt.Errorf("resolve entry kept aside: %w", err)
	}
	s.log.Info("entry kept aside resolved", "device", dev.String(), "seq", seq, "decision", decision, "actor", actor)
	return out, nil
}

// AsideBody returns the body of the entry kept aside ref, for a person to
// compare with the record stored; the caller logs the read.
func (s *Server) AsideBody(ctx context.Context, ref string) ([]byte, error) {
	key, _, _, err := parseAsideRef(ref)
	if err != nil {
		return nil, err
	}
	var av asideValue
	b, found, err := s.st.Get(ctx, storage.Aside, key)
	if err == nil && !found {
		err = fmt.Errorf("entry kept aside %s: %w", ref, ErrNotFound)
	}
	if err == nil {
		err = json.Unmarshal(b, &av)
	}
	return av.Body, err
}

// Refusals returns the last limit entry.refused events of the chain,
// newest first (codes and reasons: never a value), reading at most
// 50,000 events back.
func (s *Server) Refusals(ctx context.Context, limit int) ([]Event, error) {
	var out []Event
	n := 0
	err := s.st.View(ctx, func(r storage.Reader) error {
		return r.Scan(storage.Chain, nil, true, func(k, v []byte) error {
			if len(out) >= limit || n >= 50000 {
				return storage.ErrStop
			}
			n++
			ev, _, err := decodeLink(v)
			if err != nil {
				return err
			}
			if ev.Type == EventEntryRefused {
				out = append(out, ev)
			}
			return nil
		})
	})
	return out, err
}
