package encounter

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

var visit = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func TestFindIdentifiers(t *testing.T) {
	tests := []struct {
		text string
		want []string // kind:matched text, in order
	}{
		{"Call her on 07700 900123 after six.", []string{"phone:07700 900123"}},
		{"mobile +44 7700 900123", []string{"phone:+44 7700 900123"}},
		{"landline (020) 7946 0958", []string{"phone:(020) 7946 0958"}},
		{"tel 0044 (0)161-496-0000", []string{"phone:0044 (0)161-496-0000"}},
		{"lives near M1 1AE with others", []string{"postcode:M1 1AE"}},
		{"postcode sw1a1aa", []string{"postcode:sw1a1aa"}},
		{"e-mail a.example+x@mail.example.org please", []string{"email:a.example+x@mail.example.org"}},
		{"born 12/03/1990 in Tirana", []string{"date:12/03/1990"}},
		{"DOB: 3-7-85", []string{"date:3-7-85"}},
		{"date of birth 1990-03-12", []string{"date:1990-03-12"}},
		{"she gave 4th of July 1999 as her birthday", []string{"date:4th of July 1999"}},
		{"March 12, 1990", []string{"date:March 12, 1990"}},
		{"born in 1990", []string{"date:1990"}},
		{"arrived 14/02/2019 by lorry", []string{"date:14/02/2019"}},
		{"passport 123456789 held by boss", []string{"document:123456789"}},
		{"document AB1234567C seen", []string{"document:AB1234567C"}},
		{"NI number QQ 12 34 56 C", []string{"document:QQ 12 34 56 C"}},
		{"phone 07700900123, email x@y.co, M1 1AE", []string{"phone:07700900123", "email:x@y.co", "postcode:M1 1AE"}},
		// Not identifiers.
		{"Four workers, two sleeping in the back room; cash only.", nil},
		{"We visited on 14/03/2026 at 09:30 and again on 01/02/2026.", nil},
		{"Paid £350 for 72 hours; owes 2000 euros.", nil},
		{"Room 12, flat 3; 6 mattresses", nil},
		{"31/02/1990 is not a date", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range FindIdentifiers(tt.text, visit) {
			got = append(got, string(s.Kind)+":"+tt.text[s.Start:s.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.text, got, tt.want)
		}
	}
}

func dtnRecord(account, label string) Record {
	p := Person{ID: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), AgeYears: 30, Label: label,
		Referral: &Referral{DutyToNotify: &DutyToNotify{Explained: Explained{By: "PC 1", At: visit}, Account: account, NotifiedAt: visit}}}
	return Record{ID: uuid.New(), Schema: Schema, Premises: Premises{Name: "Example Nails", Business: NailBar},
		OccurredAt: visit, FinalisedAt: visit, People: []Person{p}}
}

// TestCheckRefusesIdentifiersInDutyToNotify: the server (and the device,
// at finalise) refuses a Duty to Notify whose text holds an identifier;
// the same text outside a Duty to Notify is the officer's to confirm.
func TestCheckRefusesIdentifiersInDutyToNotify(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     Record
		wantP bool
	}{
		{"clean", dtnRecord("Worked seven days a week; passport held by the manager.", "woman at the back"), false},
		{"phone in the account", dtnRecord("Her sister's number is 07700 900123.", "woman at the back"), true},
		{"phone in who explained it", func() Record {
			r := dtnRecord("Long hours.", "P1")
			r.People[0].Referral.DutyToNotify.Explained.By = "PC 1, call 07700 900123"
			return r
		}(), true},
		{"postcode in the label", dtnRecord("Long hours.", "lives at M1 1AE"), true},
		{"screening free text", func() Record {
			r := dtnRecord("Long hours.", "P1")
			r.People[0].Screening = []ScreeningAnswer{{Question: "q", Text: "me llamo, nací 12/03/1990", Lang: "es", Mode: "handover", At: visit}}
			return r
		}(), true},
		{"NRM may carry identity", func() Record {
			r := dtnRecord("", "P1")
			r.People[0].Referral = &Referral{NRM: &NRM{Consent: true, Explained: &Explained{By: "PC 1", At: visit}, Account: "phone 07700 900123", ReferredAt: visit}}
			r.Crime = &Crime{Due: visit.Add(CrimeWindow)}
			return r
		}(), false},
		{"notes are the officer's", func() Record {
			r := dtnRecord("Long hours.", "P1")
			r.Notes = "manager's phone 07700 900123"
			return r
		}(), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Check()
			var ve *ValidationError
			has := errors.As(err, &ve) && slices.ContainsFunc(ve.Problems, func(p Problem) bool { return p.Code == DtNIdentifier.Code })
			if has != tt.wantP {
				t.Fatalf("Check() = %v, want the identifier problem: %v", err, tt.wantP)
			}
			if has && strings.Contains(err.Error(), "07700") {
				t.Errorf("the problem repeats the value: %v", err)
			}
		})
	}
}

func TestFreeText(t *testing.T) {
	r := dtnRecord("account", "label")
	r.Notes = "notes"
	r.People[0].Answers = map[string]string{"b": "two", "a": "one"}
	var paths []string
	for _, f := range r.FreeText() {
		paths = append(paths, strings.TrimPrefix(f.Path, "people[0192f1a0-2222-7222-8222-000000000001]."))
		if f.Path != "notes" && !f.DutyToNotify {
			t.Errorf("%s not marked as Duty to Notify text", f.Path)
		}
	}
	want := []string{"notes", "label", "answers[a]", "answers[b]", "referral.duty_to_notify.explained.by", "referral.duty_to_notify.account"}
	if !slices.Equal(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
}

func FuzzFindIdentifiers(f *testing.F) {
	f.Add("born 12/03/1990, phone 07700 900123, M1 1AE, a@b.co, AB1234567")
	f.Add("nací el 4 de julio de 1999 \u202e 07700")
	f.Fuzz(func(t *testing.T, text string) {
		end := 0
		for _, s := range FindIdentifiers(text, visit) {
			if s.Start < end || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("span %+v after %d in %d bytes", s, end, len(text))
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[s.Start:s.End]) {
				t.Fatalf("span %+v cuts a character", s)
			}
			end = s.End
		}
	})
}

func TestDutyToNotifySheet(t *testing.T) {
	r := dtnRecord("Long hours, no pay.", "woman at the back")
	r.Premises = Premises{Name: "Nails R Us", Address: "12 High Street, Manchester M1 1AE", Business: NailBar}
	r.OccurredAt = time.Date(2026, 3, 14, 21, 45, 0, 0, time.UTC)
	p := &r.People[0]
	p.AgeYears, p.Gender, p.Nationality, p.Languages, p.InterpreterUsed = 33, "female", "VN", []string{"vi"}, true
	r.PeoplePresent = 1
	s := r.DutyToNotifySheet(*p, time.UTC)
	if s.District != "M1" || s.Date != "2026-03-14" || s.AgeBand != "25–34" || s.Business != NailBar {
		t.Errorf("sheet %+v", s)
	}
	if !s.Withheld || s.Sex != "" || s.Nation != "" || s.Languages != nil || s.Interpreter {
		t.Errorf("a lone worker's sex, nationality and languages shown: %+v", s)
	}
	text := strings.Join([]string{s.District, s.Date, s.AgeBand, s.Account, string(s.Business)}, " ")
	for _, leak := range []string{"Nails R Us", "High Street", "1AE", "21:45", "33"} {
		if strings.Contains(text, leak) {
			t.Errorf("sheet shows %q: %s", leak, text)
		}
	}
	r.PeoplePresent = 5
	if s := r.DutyToNotifySheet(*p, nil); s.Withheld || s.Sex != "female" || s.Nation != "VN" || !s.Interpreter {
		t.Errorf("five present: %+v", s)
	}
	// Just after midnight in a British summer, the officer's day is not
	// the UTC one.
	summer := time.FixedZone("BST", 3600)
	r.OccurredAt = time.Date(2026, 6, 1, 0, 30, 0, 0, summer).UTC()
	if s := r.DutyToNotifySheet(*p, summer); s.Date != "2026-06-01" {
		t.Errorf("met at 00:30 BST on 1 June: the sheet says %s", s.Date)
	}
	for years, band := range map[int]string{0: "", 17: "under 18", 18: "18–24", 24: "18–24", 25: "25–34", 44: "35–44", 64: "55–64", 65: "65 and over"} {
		if got := AgeBand(years); got != band {
			t.Errorf("AgeBand(%d) = %q, want %q", years, got, band)
		}
	}
}

// TestSetFreeText: every field FreeText lists can be set through its
// path, and FreeText then shows the new text there; a path FreeText
// would not give is refused.
func TestSetFreeText(t *testing.T) {
	r := dtnRecord("call 07700 900123", "woman at the back")
	p := &r.People[0]
	r.Notes = "manager's e-mail a@example.com"
	p.Answers = map[string]string{"q.notes": "DOB 12/03/1990"}
	p.Screening = []ScreeningAnswer{{Question: "q1", Text: "M1 1AE", Translation: "postcode M1 1AE"}}
	fields := r.FreeText()
	if len(fields) != 7 {
		t.Fatalf("%d fields: %+v", len(fields), fields)
	}
	for i, f := range fields {
		want := fmt.Sprintf("text %d", i)
		if !r.SetFreeText(f.Path, want) {
			t.Errorf("%s: refused", f.Path)
		}
		if got := r.FreeText()[i]; got.Path != f.Path || got.Text != want {
			t.Errorf("%s: FreeText then says %q at %s", f.Path, got.Text, got.Path)
		}
	}
	for _, path := range []string{"", "premises.name", "people[" + p.ID.String() + "].nationality", "people[nobody].label",
		"people[" + p.ID.String() + "].screening[1].text", "people[" + p.ID.String() + "].screening[0].lang", "people[" + p.ID.String() + "].answers[q.other]"} {
		if r.SetFreeText(path, "x") {
			t.Errorf("%q accepted", path)
		}
	}
}

// TestCheckAmendmentIdentifiers: an amendment may not write an
// identifier into a Duty to Notify (a person's label, an answer), as a
// record may not carry one; the refusal names the person, never the
// value. Text outside a Duty to Notify is the officer's to confirm. A
// record that already carries one (accepted under an older rule) can
// still be amended elsewhere, but not given another.
func TestCheckAmendmentIdentifiers(t *testing.T) {
	clean := dtnRecord("Worked seven days a week.", "woman at the till")
	legacy := dtnRecord("Her sister's number is 07700 900123.", "woman at the till")
	nrm := func() Record {
		r := dtnRecord("", "woman at the till")
		r.People[0].Referral = &Referral{NRM: &NRM{Consent: true, Explained: &Explained{By: "PC 1", At: visit}, ReferredAt: visit}}
		r.Crime = &Crime{Due: visit.Add(CrimeWindow)}
		return r
	}()
	id := clean.People[0].ID
	label := func(to string) Change { return Change{Field: PersonField(id, "label"), To: to} }
	for _, tt := range []struct {
		name   string
		r      Record
		change Change
		ok     bool
	}{
		{"a clean label", clean, label("woman at the back"), true},
		{"a phone number in the label", clean, label("woman at the till, 07700 900123"), false},
		{"a postcode in the label", clean, label("lives at M1 1AE"), false},
		{"a date of birth in an answer", clean, Change{Field: PersonField(id, AnswerField("q.notes")), To: "born 12/03/1990"}, false},
		{"a phone number in the notes", clean, Change{Field: FieldNotes, To: "manager 07700 900124"}, true},
		{"a phone number added to the notes", clean, Change{Field: FieldAddendum, To: "manager 07700 900124"}, true},
		{"a phone number in an NRM referral's label", nrm, label("woman at the till, 07700 900123"), true},
		{"an older record: the premises name", legacy, Change{Field: FieldPremisesName, To: "Example Nails Ltd"}, true},
		{"an older record: a clean label", legacy, label("woman at the back"), true},
		{"an older record: a phone number in the label", legacy, label("woman at the till, 07700 900125"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := NewAmendment(tt.r.ID, device, Officer{Name: "A Example", Number: "PC 1"}, visit.Add(time.Hour))
			a.Reason = "Corrected after the visit"
			a.Changes = []Change{tt.change}
			err := tt.r.CheckAmendment(a)
			if tt.ok != (err == nil) {
				t.Fatalf("CheckAmendment = %v, want ok %v", err, tt.ok)
			}
			if err == nil {
				return
			}
			if !hasProblem(err, DtNIdentifier) || problemsOf(err)[0].Person != id {
				t.Errorf("the refusal does not name the rule and the person: %v", err)
			}
			if strings.Contains(err.Error(), tt.change.To) || strings.Contains(err.Error(), "0770") {
				t.Errorf("the refusal repeats the value: %v", err)
			}
		})
	}
}
