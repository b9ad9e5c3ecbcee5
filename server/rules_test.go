package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/wire"
)

// finalised returns a finalised encounter with one adult person referred
// by a Duty to Notify.
func finalised(t *testing.T, d testDevice) encounter.Record {
	t.Helper()
	r, _ := encounter.New(d.id(), t0)
	r.Officer = d.officer()
	r.Premises = encounter.Premises{Name: "Example Farm", Business: encounter.Farm}
	r.People = []encounter.Person{{ID: uuid.New(), AgeYears: 35, Referral: &encounter.Referral{
		DutyToNotify: &encounter.DutyToNotify{Explained: encounter.Explained{By: "PC 1", At: t0}},
	}}}
	if err := r.Seal(t0); err != nil {
		t.Fatal(err)
	}
	return r
}

func doc(t *testing.T, v interface{ Document() ([]byte, error) }) json.RawMessage {
	t.Helper()
	b, err := v.Document()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordRules pushes entries that break the record rules: each is
// refused with invalid_record, stored nowhere (not even aside), answered
// the same on a resend, and counted towards the ack.
func TestRecordRules(t *testing.T) {
	s, hs := newServer(t, Options{})
	d := enrolDevice(t, s, account("north", ""))
	good := finalised(t, d)

	withName := strings.Replace(string(doc(t, good)), `"duty_to_notify":{`, `"duty_to_notify":{"name":"A Synthetic Person",`, 1)
	draftDoc := strings.Replace(string(doc(t, good)), `"finalised_at"`, `"finalised_at_removed"`, 1)
	child := finalised(t, d)
	child.People[0].AgeYears = 15
	orphan, _ := encounter.NewAmendment(uuid.New(), d.id(), d.officer(), t0)
	orphan.Reason = "typo"
	orphan.Changes = []encounter.Change{{Field: encounter.FieldNotes, To: "x"}}
	otherID := finalised(t, d)

	cases := []struct {
		name string
		e    wire.Entry
	}{
		{"duty to notify carrying a name", wire.Entry{ID: good.ID, Kind: wire.KindEncounter, Body: json.RawMessage(withName)}},
		{"a draft", wire.Entry{ID: good.ID, Kind: wire.KindEncounter, Body: json.RawMessage(draftDoc)}},
		{"a child without an NRM referral", wire.Entry{ID: child.ID, Kind: wire.KindEncounter, Body: doc(t, child)}},
		{"an amendment of an unknown record", wire.Entry{ID: orphan.ID, Kind: wire.KindAmendment, Body: doc(t, orphan)}},
		{"an id that is not the body's", wire.Entry{ID: uuid.New(), Kind: wire.KindEncounter, Body: doc(t, otherID)}},
		{"an amendment sent as an encounter", wire.Entry{ID: orphan.ID, Kind: wire.KindEncounter, Body: doc(t, orphan)}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Seq = uint64(i + 1)
			pushRefused(t, hs, d, c.e, wire.CodeInvalidRecord, "")
		})
	}
	st, _ := s.Stats(context.Background())
	if st.Records != 0 || st.Aside != 0 {
		t.Errorf("refused entries were kept: %+v", st)
	}
}

// TestAmendmentChain stores a record and amendments from two devices; the
// server keeps them all, serves them in order, and refuses a changed copy
// of the finalised record.
func TestAmendmentChain(t *testing.T) {
	s, hs := newServer(t, Options{})
	devA, devB := enrolDevice(t, s, account("north", "")), enrolDevice(t, s, account("north", ""))
	r := finalised(t, devA)
	a1, _ := encounter.NewAmendment(r.ID, devA.id(), devA.officer(), t0.Add(1))
	a1.Reason = "address"
	a1.Changes = []encounter.Change{{Field: encounter.FieldPremisesAddress, To: "9 Example Lane"}}
	a2, _ := encounter.NewAmendment(r.ID, devB.id(), devB.officer(), t0.Add(2))
	a2.Reason = "crime recorded"
	a2.Changes = []encounter.Change{{Field: encounter.FieldCrimeReference, To: "CR/9/26"}}

	var resp wire.PushResponse
	post(t, hs, devA, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{
		{Seq: 1, ID: r.ID, Kind: wire.KindEncounter, Body: doc(t, r)},
		{Seq: 2, ID: a1.ID, Kind: wire.KindAmendment, Body: doc(t, a1)},
	}}, &resp)
	if resp.Ack != 2 || len(resp.Rejected) != 0 {
		t.Fatalf("push A: %+v", resp)
	}
	changed := r
	changed.Notes = "rewritten after the event"
	changed.Device, changed.Officer = devB.id(), devB.officer()
	post(t, hs, devB, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{
		{Seq: 1, ID: a2.ID, Kind: wire.KindAmendment, Body: doc(t, a2)},
		{Seq: 2, ID: r.ID, Kind: wire.KindEncounter, Body: doc(t, changed)},
	}}, &resp)
	if resp.Ack != 2 || len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.CodeConflict {
		t.Fatalf("push B: %+v", resp)
	}
	var pulled wire.PullResponse
	post(t, hs, enrolDevice(t, s, account("north", "")), wire.PathPull, wire.PullRequest{}, &pulled)
	var kinds []string
	for _, op := range pulled.Ops {
		kinds = append(kinds, string(op.Kind))
	}
	if got := strings.Join(kinds, ","); got != "encounter,amendment,amendment" {
		t.Errorf("pulled %s", got)
	}
	if !strings.Contains(string(pulled.Ops[0].Body), `"Example Farm"`) || strings.Contains(string(pulled.Ops[0].Body), "rewritten") {
		t.Errorf("finalised record changed: %s", pulled.Ops[0].Body)
	}
	st, _ := s.Stats(context.Background())
	if st.Records != 3 || st.Aside != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestIdentityRule pushes entries whose body names another device,
// officer or author than the signing device's: each is refused with
// identity_mismatch naming the field (never the value), stored nowhere,
// answered alike on a resend; an amendment of a record the account may
// not read is refused as if the record did not exist.
func TestIdentityRule(t *testing.T) {
	s, hs := newServer(t, Options{})
	d := enrolDevice(t, s, account("north", ""))
	other := enrolDevice(t, s, account("south", ""))
	theirs := finalised(t, other)
	var resp wire.PushResponse
	if post(t, hs, other, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: theirs.ID, Kind: wire.KindEncounter, Body: doc(t, theirs)}}}, &resp); resp.Ack != 1 || len(resp.Rejected) != 0 {
		t.Fatalf("the other team's push: %+v", resp)
	}
	const canary = "CANARY-7Q"
	enc := func(change func(*encounter.Record)) wire.Entry {
		r := finalised(t, d)
		change(&r)
		return wire.Entry{ID: r.ID, Kind: wire.KindEncounter, Body: doc(t, r)}
	}
	amend := func(target uuid.UUID, change func(*encounter.Amendment)) wire.Entry {
		a, _ := encounter.NewAmendment(target, d.id(), d.officer(), t0.Add(1))
		a.Reason = "typo"
		a.Changes = []encounter.Change{{Field: encounter.FieldNotes, To: "x"}}
		change(&a)
		return wire.Entry{ID: a.ID, Kind: wire.KindAmendment, Body: doc(t, a)}
	}
	mine := finalised(t, d)
	post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: mine.ID, Kind: wire.KindEncounter, Body: doc(t, mine)}}}, &resp)
	cases := []struct {
		name  string
		e     wire.Entry
		code  wire.Code
		field string
	}{
		{"another device", enc(func(r *encounter.Record) { r.Device = other.id() }), wire.CodeIdentityMismatch, "field device"},
		{"another officer", enc(func(r *encounter.Record) { r.Officer.Number = canary }), wire.CodeIdentityMismatch, "field officer.number"},
		{"no officer", enc(func(r *encounter.Record) { r.Officer = encounter.Officer{} }), wire.CodeIdentityMismatch, "field officer.number"},
		{"another agency", enc(func(r *encounter.Record) { r.Officer.Agency = "glaa" }), wire.CodeIdentityMismatch, "field officer.agency"},
		{"an amendment by another author", amend(mine.ID, func(a *encounter.Amendment) {
			a.Author = encounter.Officer{Name: "DCI Nobody", Number: canary, Agency: "police"}
		}), wire.CodeIdentityMismatch, "field author.number"},
		{"an amendment from another device", amend(mine.ID, func(a *encounter.Amendment) { a.Device = other.id() }), wire.CodeIdentityMismatch, "field device"},
		{"an amendment of another team's record", amend(theirs.ID, func(*encounter.Amendment) {}), wire.CodeInvalidRecord, "may not read"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Seq = uint64(i + 2)
			if raw := pushRefused(t, hs, d, c.e, c.code, c.field); strings.Contains(string(raw), canary) {
				t.Errorf("the refusal repeats a value from the body: %s", raw)
			}
		})
	}
	st, _ := s.Stats(context.Background())
	if st.Records != 2 || st.Aside != 0 {
		t.Errorf("refused entries were kept: %+v", st)
	}
}

// pushRefused pushes e alone as d and checks it is refused with code, a
// message containing why, counted towards the ack, and answered the same
// when sent again. It returns the answer.
func pushRefused(t *testing.T, hs *httptest.Server, d testDevice, e wire.Entry, code wire.Code, why string) []byte {
	t.Helper()
	req := wire.PushRequest{Entries: []wire.Entry{e}}
	var resp wire.PushResponse
	_, raw := post(t, hs, d, wire.PathPush, req, &resp)
	if resp.Ack != e.Seq || len(resp.Rejected) != 1 || resp.Rejected[0].Code != code || resp.Rejected[0].Message == "" || !strings.Contains(resp.Rejected[0].Message, why) {
		t.Fatalf("answer %s", raw)
	}
	if _, again := post(t, hs, d, wire.PathPush, req, nil); !bytes.Equal(raw, again) {
		t.Errorf("resend answered differently:\n%s\n%s", raw, again)
	}
	return raw
}

// TestAmendmentMakingAChild: an amendment that ticks "age in doubt" for
// a person given a Duty to Notify is refused by the one child rule; the
// same amendment carrying a referral made after the event is stored.
func TestAmendmentMakingAChild(t *testing.T) {
	s, hs := newServer(t, Options{})
	d := enrolDevice(t, s, account("north", ""))
	r := finalised(t, d)
	push := func(seq uint64, e wire.Entry) wire.PushResponse {
		t.Helper()
		e.Seq = seq
		var resp wire.PushResponse
		post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{e}}, &resp)
		return resp
	}
	if resp := push(1, wire.Entry{ID: r.ID, Kind: wire.KindEncounter, Body: doc(t, r)}); len(resp.Rejected) != 0 {
		t.Fatalf("record refused: %+v", resp)
	}
	pid := r.People[0].ID
	bare, _ := encounter.NewAmendment(r.ID, d.id(), d.officer(), t0.Add(time.Hour))
	bare.Reason = "Age in doubt after checks"
	bare.Changes = []encounter.Change{{Field: encounter.PersonField(pid, "age_in_doubt"), From: "false", To: "true"}}
	resp := push(2, wire.Entry{ID: bare.ID, Kind: wire.KindAmendment, Body: doc(t, bare)})
	if len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.CodeInvalidRecord || !strings.Contains(resp.Rejected[0].Message, "child_needs_nrm") {
		t.Fatalf("bare age-in-doubt amendment: %+v", resp)
	}
	late := bare
	late.ID = uuid.New()
	late.Referrals = []encounter.LateReferral{{Person: pid, NRM: encounter.NRM{ReferredAt: t0.Add(time.Hour)}}}
	if resp := push(3, wire.Entry{ID: late.ID, Kind: wire.KindAmendment, Body: doc(t, late)}); len(resp.Rejected) != 0 {
		t.Errorf("amendment with a late referral refused: %+v", resp)
	}
}

// TestAmendmentIdentifierInDutyToNotify: an amendment writing a phone
// number into the label of a person given a Duty to Notify is refused
// (dtn_identifier, naming no value); a clean label is stored.
func TestAmendmentIdentifierInDutyToNotify(t *testing.T) {
	s, hs := newServer(t, Options{})
	d := enrolDevice(t, s, account("north", ""))
	r := finalised(t, d)
	push := func(seq uint64, e wire.Entry) wire.PushResponse {
		t.Helper()
		e.Seq = seq
		var resp wire.PushResponse
		post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{e}}, &resp)
		return resp
	}
	if resp := push(1, wire.Entry{ID: r.ID, Kind: wire.KindEncounter, Body: doc(t, r)}); len(resp.Rejected) != 0 {
		t.Fatalf("record refused: %+v", resp)
	}
	label := func(to string) encounter.Amendment {
		a, _ := encounter.NewAmendment(r.ID, d.id(), d.officer(), t0.Add(time.Hour))
		a.Reason = "Label corrected"
		a.Changes = []encounter.Change{{Field: encounter.PersonField(r.People[0].ID, "label"), To: to}}
		return a
	}
	bad := label("woman at the till, 07700 900123")
	resp := push(2, wire.Entry{ID: bad.ID, Kind: wire.KindAmendment, Body: doc(t, bad)})
	if len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.CodeInvalidRecord || !strings.Contains(resp.Rejected[0].Message, "dtn_identifier") ||
		strings.Contains(resp.Rejected[0].Message, "07700") {
		t.Fatalf("an identifier in a Duty to Notify's label: %+v", resp)
	}
	good := label("woman at the till")
	if resp := push(3, wire.Entry{ID: good.ID, Kind: wire.KindAmendment, Body: doc(t, good)}); len(resp.Rejected) != 0 {
		t.Errorf("a clean label refused: %+v", resp)
	}
}
