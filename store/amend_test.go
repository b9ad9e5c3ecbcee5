package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

var officer = encounter.Officer{Name: "A Example", Number: "PC 1"}

func amendment(t *testing.T, s *Store, id uuid.UUID, field, to string) encounter.Amendment {
	t.Helper()
	a, err := encounter.NewAmendment(id, s.DeviceID(), officer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.Reason = "correction"
	a.Changes = []encounter.Change{{Field: field, To: to}}
	return a
}

func TestAmend(t *testing.T) {
	s := openMem(t)
	r := draft(t, s, "Example Farm")
	if _, err := s.Amend(ctx, amendment(t, s, r.ID, encounter.FieldPremisesName, "x")); !errors.Is(err, ErrNotFinalised) {
		t.Errorf("amending a draft: %v, want ErrNotFinalised", err)
	}
	if _, err := s.Amend(ctx, amendment(t, s, uuid.New(), encounter.FieldPremisesName, "x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("amending a missing record: %v, want ErrNotFound", err)
	}
	bad := amendment(t, s, r.ID, encounter.FieldPremisesName, "x")
	bad.Reason = ""
	if _, err := s.Amend(ctx, bad); !errors.Is(err, encounter.ErrInvalid) {
		t.Errorf("amendment without a reason: %v", err)
	}
	if _, err := s.Finalise(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Amend(ctx, amendment(t, s, r.ID, encounter.FieldCrimeReference, "CR/1/26"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Crime == nil || got.Crime.Reference != "CR/1/26" || len(got.Amendments) != 1 || got.Amendments[0].State != encounter.Queued {
		t.Fatalf("amended view: %+v", got)
	}
	if got.Original == nil || got.Original.Crime != nil {
		t.Errorf("original changed: %+v", got.Original)
	}
	pend, _ := s.Pending(ctx, 10, 1<<20)
	if len(pend) != 2 || pend[1].Kind != KindAmendment || pend[1].ID != got.Amendments[0].ID {
		t.Fatalf("outbox: %+v", pend)
	}
	if err := s.Acknowledge(ctx, 2, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, r.ID)
	if got.State != encounter.Synced || got.Amendments[0].State != encounter.Synced {
		t.Errorf("after ack: record %v, amendment %v", got.State, got.Amendments[0].State)
	}
	// The stored record itself is untouched.
	if err := s.SaveDraft(ctx, got); !errors.Is(err, ErrFinalised) {
		t.Errorf("saving over an amended record: %v", err)
	}
}

func TestPulledAmendment(t *testing.T) {
	s := openMem(t)
	other := uuid.New()
	rec, _ := encounter.New(other, time.Now())
	rec.Premises = encounter.Premises{Name: "Remote Wash", Business: encounter.CarWash}
	rec.FinalisedAt = time.Now().UTC()
	body, _ := rec.Document()
	a, _ := encounter.NewAmendment(rec.ID, other, officer, time.Now())
	a.Reason = "address added"
	a.Changes = []encounter.Change{{Field: encounter.FieldPremisesAddress, To: "3 Example Way"}}
	abody, _ := a.Document()
	err := s.ApplyPulled(ctx, []Pulled{
		{Cursor: 1, Kind: KindEncounter, ID: rec.ID, Device: other, Body: body},
		{Cursor: 2, Kind: KindAmendment, ID: a.ID, Device: other, Body: abody},
	}, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, rec.ID)
	if got.Premises.Address != "3 Example Way" || len(got.Amendments) != 1 || got.Amendments[0].State != encounter.Synced || got.Amendments[0].Author != officer {
		t.Errorf("pulled amendment: %+v", got)
	}
	// Applying the same page again changes nothing.
	s.ApplyPulled(ctx, []Pulled{{Cursor: 2, Kind: KindAmendment, ID: a.ID, Device: other, Body: abody}}, 2)
	if got, _ := s.Get(ctx, rec.ID); len(got.Amendments) != 1 {
		t.Errorf("%d amendments after a repeat", len(got.Amendments))
	}
}

func TestListPutsOverdueCrimeFirst(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s, err := Open(ctx, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mk := func(name string, referredAgo time.Duration) {
		r, _ := encounter.New(s.DeviceID(), now.Add(-referredAgo))
		r.Premises = encounter.Premises{Name: name, Business: encounter.Takeaway}
		if referredAgo > 0 {
			r.People = []encounter.Person{{ID: uuid.New(), AgeYears: 30, Referral: &encounter.Referral{NRM: &encounter.NRM{
				Consent: true, Explained: &encounter.Explained{By: "PC 1", At: now}, ReferredAt: now.Add(-referredAgo),
			}}}}
		}
		if err := s.SaveDraft(ctx, r); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Finalise(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	mk("no referral", 0)
	mk("due in 20h", 4*time.Hour)
	mk("overdue by 2h", 26*time.Hour)
	mk("due in 3h", 21*time.Hour)
	mk("overdue by 10h", 34*time.Hour)
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range list {
		got = append(got, r.Premises.Name)
	}
	want := []string{"overdue by 10h", "overdue by 2h", "due in 3h", "no referral", "due in 20h"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// TestAmendChildNeedsLateReferral: the store refuses an amendment that
// makes a person a child without a referral made after the event.
func TestAmendChildNeedsLateReferral(t *testing.T) {
	s := openMem(t)
	r := draft(t, s, "Example Farm")
	pid := uuid.New()
	r.People = []encounter.Person{{ID: pid, AgeYears: 30, Referral: &encounter.Referral{
		DutyToNotify: &encounter.DutyToNotify{Explained: encounter.Explained{By: "PC 1", At: time.Now()}}}}}
	if err := s.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finalise(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	a := amendment(t, s, r.ID, encounter.PersonField(pid, "age_years"), "15")
	if _, err := s.Amend(ctx, a); !errors.Is(err, encounter.ErrInvalid) {
		t.Fatalf("a child left with a Duty to Notify: %v", err)
	}
	a.Referrals = []encounter.LateReferral{{Person: pid, NRM: encounter.NRM{ReferredAt: time.Now()}}}
	got, err := s.Amend(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := got.Person(pid); p.Referral == nil || p.Referral.NRM == nil || !p.Child() {
		t.Errorf("amended person: %+v", p)
	}
}
