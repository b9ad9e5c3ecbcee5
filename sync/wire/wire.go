package wire

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Version is the protocol version this package speaks. Every request and
// every response carries it in the VersionHeader header; a server refuses
// a request whose version differs with CodeProtocolVersion.
const Version = 3

// VersionHeader is the HTTP header that carries the protocol version.
const VersionHeader = "Waymark-Protocol"

// The protocol's HTTP endpoints. Push, pull, content and enrol take POST
// with a JSON body; me and health take GET. Every endpoint but health and
// enrol needs a signed request (package sync/auth).
const (
	PathPush    = "/v3/push"
	PathPull    = "/v3/pull"
	PathContent = "/v3/content"
	PathEnrol   = "/v3/enrol"
	PathMe      = "/v3/me"
	PathHealth  = "/healthz"
	// PathOperations (POST, signed) returns the operations the account is
	// on, with the visit history of their premises (since protocol 3 of
	// issue 13: an added route, so no new version).
	PathOperations = "/v3/operations"
)

// OldPaths prefix every path of protocols 1 and 2: a server answers them
// all with CodeProtocolVersion, so an old app tells its user to update.
var OldPaths = []string{"/v1/", "/v2/"}

// Limits a server enforces and a client stays within.
const (
	// MaxRequestBytes caps a request body as sent, compressed or not.
	MaxRequestBytes = 8 << 20
	// MaxDecodedBytes caps a request body once decompressed, so that a
	// small gzip stream cannot expand without bound. A device sends at
	// most 4 MiB of bodies a push.
	MaxDecodedBytes = 16 << 20
	// MaxEntries caps the entries in one push.
	MaxEntries = 1000
	// MaxBodyBytes caps one entry's body.
	MaxBodyBytes = 1 << 20
	// MaxPullLimit caps the operations one pull returns.
	MaxPullLimit = 1000
	// MaxPullBytes caps the bodies one pull answer carries: a page ends
	// before it would pass this (but holds at least one operation).
	MaxPullBytes = 4 << 20
	// SigBytes is the length of an entry's signature (Ed25519).
	SigBytes = ed25519.SignatureSize
)

// Kind says what an entry's body holds. The list is append-only: never
// reuse or rename a value, since stored entries refer to it.
type Kind string

const (
	// KindEncounter is a finalised encounter record document.
	KindEncounter Kind = "encounter"
	// KindAmendment is an amendment appended to a finalised encounter; its
	// body names the encounter.
	KindAmendment Kind = "amendment"
)

// Known reports whether k is a kind this version understands.
func (k Kind) Known() bool {
	return k == KindEncounter || k == KindAmendment
}

// Entry is one item of a device's outbox. Within a push its identity is
// (device, Seq), the device being the one whose key signed the request:
// Seq counts up from 1 on each device, with no gaps. ID is the record the
// body belongs to. Body is a JSON object, opaque to the protocol, whose
// device and author must be the signing device and its account. Sig is
// the device's Ed25519 signature of the body (package evidence: the
// bytes "waymark-record-v1\n" + kind + "\n" + the body's canonical
// encoding), made when the record was finalised; the server verifies it
// against the key enrolled for the signing device, keeps it with the
// record and serves it on every operation.
type Entry struct {
	Seq  uint64          `json:"seq"`
	ID   uuid.UUID       `json:"id"`
	Kind Kind            `json:"kind"`
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

// PushRequest sends part of the signing device's outbox, in sequence
// order. It names no device: the server takes it from the signature.
type PushRequest struct {
	Entries []Entry `json:"entries"`
}

// PushResponse answers a push. Ack is the highest sequence number n such
// that the server has durably stored every entry of this device from 1 to
// n; the device may forget those entries. Rejected lists the entries of
// the request that the server kept aside instead of storing, with why.
// A rejected entry still counts towards Ack: it is durably kept, for
// review, and resending it changes nothing.
type PushResponse struct {
	Ack      uint64      `json:"ack"`
	Rejected []Rejection `json:"rejected,omitempty"`
}

// Rejection is one entry the server refused to store as it stands.
type Rejection struct {
	Seq     uint64    `json:"seq"`
	ID      uuid.UUID `json:"id"`
	Code    Code      `json:"code"`
	Message string    `json:"message,omitempty"`
}

// PullRequest asks for the operations after cursor Since, at most Limit of
// them (0 means the server's choice), among those the signing device's
// account may see.
type PullRequest struct {
	Since uint64 `json:"since"`
	Limit int    `json:"limit,omitempty"`
}

// PullResponse carries operations in cursor order. Cursor is the value to
// send as Since next time: it may be past the last operation returned,
// since the server skips what the account may not see and bounds the work
// of one request. More says whether the server stopped before the end.
// ContentVersion is the version of the content pack the server currently
// publishes (0: none).
type PullResponse struct {
	Ops            []Op   `json:"ops"`
	Cursor         uint64 `json:"cursor"`
	More           bool   `json:"more"`
	ContentVersion int    `json:"content_version"`
	// OperationsVersion grows with every change to any operation: a
	// device holding another version asks PathOperations again. Absent
	// (0) from a server without operations.
	OperationsVersion uint64 `json:"operations_version,omitempty"`
}

// OperationsRequest asks for the operations the signing device's account
// is on. Have is the operations version the device holds (0: none).
type OperationsRequest struct {
	Have uint64 `json:"have"`
}

// Validate accepts any version.
func (r *OperationsRequest) Validate() error { return nil }

// OperationsResponse carries every operation the account is on (in a
// team or among a partner agency's staff), each as its document
// (package operation), and the visit history of their premises within
// what the account may read. Version is the operations version it
// reflects.
type OperationsResponse struct {
	Version    uint64            `json:"version"`
	Operations []json.RawMessage `json:"operations"`
	History    []Visit           `json:"history,omitempty"`
}

// Visit is an earlier encounter at an operation's premises, matched by
// normalised address and postcode (encounter.SamePlace): what an officer
// needs before going in. It carries no one's details.
type Visit struct {
	Operation  uuid.UUID `json:"operation"` // the operation whose premises it matched
	Premises   uuid.UUID `json:"premises"`  // that premises' id
	Record     uuid.UUID `json:"record"`
	OccurredAt time.Time `json:"occurred_at"`
	Level      string    `json:"level,omitempty"` // green, amber, red
	Officer    string    `json:"officer"`         // number and name
	Agency     string    `json:"agency"`
	People     int       `json:"people"`
	Children   int       `json:"children,omitempty"`
	Referrals  int       `json:"referrals,omitempty"` // NRM and Duty to Notify
	Name       string    `json:"name,omitempty"`      // the operation it was made on, if any
}

// Op is one change stored on the server: an entry that some device pushed,
// with the cursor that orders it among all changes. Body is the server's
// canonical encoding of what it received, which Sig, the pushing device's
// signature, covers; Key is the public key enrolled for that device
// (KeyID its short name), so that any device or the console can check
// the signature and show who made the record. Received is when the
// server stored it.
type Op struct {
	Cursor   uint64          `json:"cursor"`
	Kind     Kind            `json:"kind"`
	ID       uuid.UUID       `json:"id"`
	Device   uuid.UUID       `json:"device"`
	Seq      uint64          `json:"seq"`
	Body     json.RawMessage `json:"body"`
	Sig      []byte          `json:"sig"`
	Key      []byte          `json:"key"`
	KeyID    string          `json:"key_id"`
	Received time.Time       `json:"received"`
}

// ContentRequest asks for the content pack the server publishes. Have is
// the version the device holds (0: none).
type ContentRequest struct {
	Have int `json:"have"`
}

// ContentResponse carries the published content pack: its id, version
// and bundle (base64 in JSON), which the device validates before use.
type ContentResponse struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Bundle  []byte `json:"bundle"`
}

// Validate checks the request: a version not below zero.
func (r *ContentRequest) Validate() error {
	if r.Have < 0 {
		return Errorf(CodeBadRequest, "content version %d is below zero", r.Have)
	}
	return nil
}

// Health is the answer to GET PathHealth.
type Health struct {
	Status   string `json:"status"`
	Protocol int    `json:"protocol"`
}

// Validate checks the request against the protocol's rules: one to
// MaxEntries entries in strictly increasing sequence order, each with
// an id, a known kind and a JSON object body of at most MaxBodyBytes.
func (r *PushRequest) Validate() error {
	if len(r.Entries) == 0 {
		return Errorf(CodeBadRequest, "push has no entries")
	}
	if len(r.Entries) > MaxEntries {
		return Errorf(CodeTooLarge, "push has %d entries, more than %d", len(r.Entries), MaxEntries)
	}
	var last uint64
	for i, e := range r.Entries {
		if e.Seq == 0 {
			return Errorf(CodeBadRequest, "entry %d has sequence 0; sequences start at 1", i)
		}
		if e.Seq <= last {
			return Errorf(CodeBadRequest, "entry %d: sequence %d does not follow %d", i, e.Seq, last)
		}
		last = e.Seq
		if e.ID == uuid.Nil {
			return Errorf(CodeBadRequest, "entry %d (sequence %d) has no record id", i, e.Seq)
		}
		if !e.Kind.Known() {
			return Errorf(CodeBadRequest, "entry %d (sequence %d): field kind is not a kind this protocol defines", i, e.Seq)
		}
		if len(e.Body) > MaxBodyBytes {
			return Errorf(CodeTooLarge, "entry %d (sequence %d) body is %d bytes, more than %d", i, e.Seq, len(e.Body), MaxBodyBytes)
		}
		if !isObject(e.Body) {
			return Errorf(CodeBadRequest, "entry %d (sequence %d) body is not a JSON object", i, e.Seq)
		}
		if len(e.Sig) != SigBytes {
			return Errorf(CodeBadRequest, "entry %d (sequence %d): field sig is not a %d-byte signature", i, e.Seq, SigBytes)
		}
	}
	return nil
}

// Validate checks the request: a limit within range.
func (r *PullRequest) Validate() error {
	if r.Limit < 0 || r.Limit > MaxPullLimit {
		return Errorf(CodeBadRequest, "pull limit %d is outside 0 to %d", r.Limit, MaxPullLimit)
	}
	return nil
}

// isObject reports whether b is a single valid JSON object.
func isObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// CompactBody returns body with insignificant space removed: the form in
// which the server compares and stores bodies, so that re-encoding by a
// JSON library does not make an identical body look different.
func CompactBody(body json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return nil, fmt.Errorf("compact body: %w", err)
	}
	return buf.Bytes(), nil
}
