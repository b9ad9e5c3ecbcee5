package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/privacy"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// IdentifierCheck is the check of the record's free text before it is
// finalised (app/privacy), as its screen shows it: each field in which
// something looks like an identifying detail, highlighted where it is;
// for a Duty to Notify, the sentence that names cannot be found and the
// officer's confirmation that it names nobody; what still stops the
// record being finalised.
type IdentifierCheck struct {
	Intro    string
	Findings []FindingView
	// None says nothing was found, when nothing was; else "".
	None string
	// DutyToNotify is set when the record holds a Duty to Notify: the
	// officer must confirm that it names nobody (NamesConfirm, ticked in
	// NamesConfirmed), after reading NamesNote.
	DutyToNotify   bool
	NamesNote      string
	NamesConfirm   string
	NamesConfirmed bool
	// Blocking says what stops the record being finalised; Ready is set
	// when nothing does.
	Blocking []string
	Ready    bool
}

// FindingView is one field with something identifying in it, or in
// which there was until the officer removed it.
type FindingView struct {
	// Path names the field, as encounter.Record.FreeText does.
	Path string
	// Where names the field: "Officer's notes", "Person 1 · Label".
	Where string
	// Step is the step of the flow the field is on.
	Step Step
	// Segments are the field's text, the identifiers apart, to be
	// highlighted by Kind.
	Segments []privacy.Segment
	// Advice says what to do: remove it (MustRemove: a Duty to Notify),
	// or keep it only if it belongs (ticked in Confirmed, with
	// ConfirmLabel).
	Advice       string
	MustRemove   bool
	Confirmed    bool
	ConfirmLabel string
	// Resolved is set when nothing identifying is left in the field.
	Resolved bool
	// Person is who the field is about (uuid.Nil for the notes);
	// Editable is set for a field the officer writes in on Step (the
	// notes, a label, a Duty to Notify's account or who explained it),
	// not for the answers the person gave; Entry says which of those it
	// is: "notes", "label", "account" or "explained".
	Person   uuid.UUID
	Editable bool
	Entry    string
}

// check runs the identifier check on the record as it stands, keeping
// the confirmations of the last check whose text has not changed.
func (f *Flow) check() *privacy.Model {
	m := privacy.Check(f.rec)
	m.ConfirmedBefore(f.checked)
	f.checked = m
	return m
}

// IdentifiersChecked reports whether the record may be finalised as far
// as identifying details go: nothing to remove, everything found
// confirmed, and a Duty to Notify confirmed to name nobody.
func (f *Flow) IdentifiersChecked() bool { return f.check().Ready() }

// Identifiers is the identifier check of the record as it stands. The
// fields at shown (paths of FindingView), if they no longer hold
// anything identifying, are in it too, Resolved: a screen that showed
// them keeps them where they were.
func (f *Flow) Identifiers(shown ...string) IdentifierCheck {
	return identifierCheck(f.p, f.check(), f.rec.FreeText(), shown, f.findingView)
}

// identifierCheck is check m of fields as its screen shows it, the
// fields at shown kept (Resolved) when nothing is left in them; view
// names a field and says where it is.
func identifierCheck(p *i18n.Printer, m *privacy.Model, fields []encounter.TextField, shown []string, view func(encounter.TextField) FindingView) IdentifierCheck {
	c := IdentifierCheck{
		Intro: p.T("privacy.intro"), DutyToNotify: m.DutyToNotify,
		NamesNote: p.T(privacy.MsgNamesNotFound), NamesConfirm: p.T(privacy.MsgConfirmNames),
		NamesConfirmed: m.NoNamesConfirmed(), Ready: m.Ready(),
	}
	if len(m.Findings) == 0 {
		c.None = p.T("privacy.none")
	}
	found := map[string]bool{}
	for i, fd := range m.Findings {
		found[fd.Field.Path] = true
		v := view(fd.Field)
		v.Segments, v.MustRemove, v.Confirmed = fd.Segments(), fd.MustRemove, m.Confirmed(i)
		if fd.MustRemove {
			v.Advice = p.T(privacy.MsgRemove)
		} else {
			v.Advice = p.T(privacy.MsgConfirm, kindsText(p, fd.Spans))
		}
		c.Findings = append(c.Findings, v)
	}
	for _, tf := range fields {
		if slices.Contains(shown, tf.Path) && !found[tf.Path] {
			v := view(tf)
			v.Segments, v.Advice, v.Resolved = []privacy.Segment{{Text: tf.Text}}, p.T("privacy.resolved"), true
			c.Findings = append(c.Findings, v)
		}
	}
	for _, key := range m.Blocking() {
		c.Blocking = append(c.Blocking, p.T(key))
	}
	return c
}

// findingView is what every view of a finding in field tf shows.
func (f *Flow) findingView(tf encounter.TextField) FindingView {
	v := FindingView{Path: tf.Path, Where: f.fieldName(tf), Step: fieldStep(tf.Path), ConfirmLabel: f.p.T("privacy.keep")}
	if tf.Person != nil {
		v.Person = tf.Person.ID
	}
	switch {
	case tf.Path == "notes":
		v.Entry = "notes"
	case strings.HasSuffix(tf.Path, ".label"):
		v.Entry = "label"
	case strings.HasSuffix(tf.Path, ".explained.by"):
		v.Entry = "explained"
	case strings.HasSuffix(tf.Path, ".account"):
		v.Entry = "account"
	}
	v.Editable = v.Entry != ""
	return v
}

// finding is the index of the check's finding in the field at path, or
// -1.
func finding(m *privacy.Model, path string) int {
	return slices.IndexFunc(m.Findings, func(fd privacy.Finding) bool { return fd.Field.Path == path })
}

// ConfirmFinding records that what was found in the field at path belongs
// in the record, or takes that back. A finding in a Duty to Notify cannot
// be kept: only removed.
func (f *Flow) ConfirmFinding(path string, on bool) {
	m := f.check()
	i := finding(m, path)
	switch {
	case i < 0:
	case on:
		m.Confirm(i)
	default:
		m.Unconfirm(i)
	}
}

// RemoveFinding takes what looks identifying out of the field at path,
// each piece replaced by a mark that says so ("[removed]"), and saves the
// draft. A confirmation that the Duty to Notify names nobody stands. It is the only way to take an identifier out of a person's own
// screening answer, which is not otherwise edited.
func (f *Flow) RemoveFinding(path string) {
	m := f.check()
	i := finding(m, path)
	if i < 0 {
		return
	}
	fd := m.Findings[i]
	names := m.NoNamesConfirmed()
	if f.rec.SetFreeText(path, redact(f.p, fd.Field.Text, fd.Spans)) {
		f.edited(false)
		if names {
			// Taking an identifier out adds no name: the officer's word
			// that the Duty to Notify names nobody still holds.
			f.check().ConfirmNoNames()
		}
	}
}

// ConfirmNoNames records the officer's confirmation that the Duty to
// Notify names nobody, or takes it back.
func (f *Flow) ConfirmNoNames(on bool) {
	m := f.check()
	if on {
		m.ConfirmNoNames()
	} else {
		m.UnconfirmNoNames()
	}
}

// identifierBlocking is what the check still asks of the officer, for the
// finalise plan. Identifiers in a Duty to Notify are left to the record's
// own validation, which names the person.
func (f *Flow) identifierBlocking() []string {
	var out []string
	for _, key := range f.check().Blocking() {
		if key != privacy.MsgBlockedRemove {
			out = append(out, f.p.T(key))
		}
	}
	return out
}

// IdentifierHint says, under a field as the officer writes in it, what
// in text looks like an identifying detail, and what to do: remove it if
// the text is part of person's Duty to Notify (a danger), else keep it
// only if it belongs (a warning). person is uuid.Nil for text about
// nobody (the notes). Its text is "" when nothing looks identifying.
func (f *Flow) IdentifierHint(person uuid.UUID, text string) Notice {
	return identifierHint(f.p, f.rec, person, text)
}

// identifierHint is IdentifierHint of text about person on r.
func identifierHint(p *i18n.Printer, r encounter.Record, person uuid.UUID, text string) Notice {
	spans := encounter.FindIdentifiers(text, r.OccurredAt)
	if len(spans) == 0 {
		return Notice{}
	}
	items := make([]string, len(spans))
	for i, s := range spans {
		items[i] = p.T("privacy.hint.item", p.T(privacy.MsgKindPrefix+string(s.Kind)), text[s.Start:s.End])
	}
	n := Notice{Text: p.T("privacy.hint.confirm", strings.Join(items, "; ")), Kind: NoticeWarning}
	if ps, ok := r.Person(person); ok && ps.Referral != nil && ps.Referral.DutyToNotify != nil {
		n = Notice{Text: p.T("privacy.hint.remove", strings.Join(items, "; ")), Kind: NoticeDanger}
	}
	return n
}

// redact replaces the spans of text with a mark that says something was
// removed ("[removed]").
func redact(p *i18n.Printer, text string, spans []encounter.Span) string {
	var b strings.Builder
	at := 0
	for _, s := range spans {
		b.WriteString(text[at:s.Start])
		b.WriteString(p.T("privacy.removed"))
		at = s.End
	}
	b.WriteString(text[at:])
	return b.String()
}

// kindsText names the kinds of identifier among spans, each once.
func kindsText(p *i18n.Printer, spans []encounter.Span) string {
	var kinds []string
	seen := map[encounter.Identifier]bool{}
	for _, s := range spans {
		if !seen[s.Kind] {
			seen[s.Kind] = true
			kinds = append(kinds, p.T(privacy.MsgKindPrefix+string(s.Kind)))
		}
	}
	return strings.Join(kinds, ", ")
}

// fieldName names a free-text field of encounter.Record.FreeText in the
// officer's words, with the person it is about.
func (f *Flow) fieldName(tf encounter.TextField) string {
	p := f.p
	if tf.Person == nil {
		return p.T("form.notes")
	}
	// The person by their label, unless the label is itself something
	// to check: then by their number, so the heading does not repeat it.
	who := f.personTitle(tf.Person.ID)
	if len(encounter.FindIdentifiers(tf.Person.Label, f.rec.OccurredAt)) > 0 {
		for i, ps := range f.rec.People {
			if ps.ID == tf.Person.ID {
				who = p.T("person.n", i+1)
			}
		}
	}
	var what string
	switch sub := tf.Path[strings.Index(tf.Path, "].")+2:]; {
	case sub == "label":
		what = p.T("person.label")
	case strings.HasPrefix(sub, "answers["):
		what = strings.TrimSuffix(strings.TrimPrefix(sub, "answers["), "]")
		for _, q := range f.d.Pack.Questions {
			if q.ID == what {
				what = q.Text.In(Lang(p))
			}
		}
	case strings.HasPrefix(sub, "screening["):
		n, _ := strconv.Atoi(sub[len("screening["):strings.Index(sub, "]")])
		q := f.screeningQuestion(tf.Person.Screening[n].Question)
		what = p.T("privacy.where.screening", q)
		if strings.HasSuffix(sub, ".translation") {
			what = p.T("privacy.where.translation", q)
		}
	case strings.HasSuffix(sub, ".explained.by"):
		what = p.T("referral.explained_by")
	default:
		what = p.T("referral.account")
	}
	return who + " · " + what
}

// fieldStep is the step of the flow on which the field at path is
// written.
func fieldStep(path string) Step {
	switch {
	case path == "notes":
		return StepPremises
	case strings.HasSuffix(path, ".label"):
		return StepPeople
	case strings.Contains(path, ".referral."):
		return StepReferral
	}
	return StepQuestions // the officer's answers and the screening's
}

// screeningQuestion is the screening question id in the officer's words,
// or its id if the pack has no such question.
func (f *Flow) screeningQuestion(id string) string {
	set := f.d.Pack.Screening
	if set == nil {
		return id
	}
	q, ok := set.Question(id)
	if !ok {
		return id
	}
	officer, _ := set.Match(f.p.Tag())
	return officer.Get(q.TextKey()).Text
}
