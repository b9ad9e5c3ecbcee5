package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// The steps of an encounter, in order. Steps about people are skipped
// when nobody was screened.
type step int

const (
	stepPremises step = iota
	stepPeople
	stepObserve
	stepQuestions
	stepAssess
	stepReferral
)

var stepKeys = [...]string{"premises", "people", "observe", "questions", "assess", "referral"}

// flow guides the officer through one encounter: premises, people,
// what they see, questions about each person, the assessment with its
// reasons and checklist, and referrals. Every change is saved to the
// device at once and re-runs the assessment, which, once known, shows on
// every step as a coloured word with the first thing to do.
type flow struct {
	u      *UI
	pack   *content.Pack
	rec    encounter.Record
	stored bool // rec has been written to the store at least once

	saveErr error // why the last save failed, nil if it worked

	result    assess.Result // the assessment of rec as it stands
	shown     assess.Result // the assessment the officer last saw
	known     bool          // the officer has reached a step that assesses
	banners   []*ragBanner  // one per step screen pushed
	screening *Interpreter  // the screening screen last opened
	refresh   []func()      // redraws the step screens that show the result
	headers   []func()      // rewrite the "Step n of m" of each step screen
}

// openFlow starts or continues the flow for draft r. stored says whether
// r is already in the store.
func (u *UI) openFlow(r encounter.Record, stored bool) *flow {
	f := &flow{u: u, rec: r, stored: stored}
	f.pack = u.deps.Content.For(r.Content.ID, r.Content.Version)
	if r.Content.ID == "" {
		f.rec.Content = encounter.PackRef{ID: f.pack.ID, Version: f.pack.Version}
	}
	f.result = f.assess()
	f.shown = f.result
	f.known = len(r.Indicators) > 0 || len(r.People) > 0
	u.flow = f
	f.open(stepPremises)
	return f
}

// lang is the officer's language, for the pack's texts.
func (u *UI) lang() string {
	base, _ := u.p.Tag().Base()
	return base.String()
}

// steps returns the steps this encounter goes through.
func (f *flow) steps() []step {
	if len(f.rec.People) == 0 {
		return []step{stepPremises, stepPeople, stepObserve, stepAssess}
	}
	return []step{stepPremises, stepPeople, stepObserve, stepQuestions, stepAssess, stepReferral}
}

// next returns the step after s, or -1 after the last.
func (f *flow) next(s step) step {
	steps := f.steps()
	i := slices.Index(steps, s)
	if i < 0 || i+1 >= len(steps) {
		return -1
	}
	return steps[i+1]
}

// open pushes the screen of step s.
func (f *flow) open(s step) {
	if s >= stepObserve {
		f.known = true
	}
	p := f.u.p
	banner := newRAGBanner()
	f.banners = append(f.banners, banner)
	head := widget.NewLabel("")
	head.SizeName = theme.SizeNameCaptionText
	// Adding or removing people adds or removes steps: keep count.
	setHead := func() {
		steps := f.steps()
		head.SetText(p.T("flow.step", slices.Index(steps, s)+1, len(steps), p.T("flow."+stepKeys[s])))
	}
	setHead()
	f.headers = append(f.headers, setHead)
	problems := widget.NewLabel("")
	problems.Wrapping = fyne.TextWrapWord
	problems.Importance = widget.DangerImportance
	problems.Hide()

	var body fyne.CanvasObject
	switch s {
	case stepPremises:
		body = f.premisesStep()
	case stepPeople:
		body = f.peopleStep()
	case stepObserve:
		body = f.observeStep()
	case stepQuestions:
		body = f.questionsStep()
	case stepAssess:
		body = f.assessStep()
	case stepReferral:
		body = f.referralStep()
	}

	var content *fyne.Container
	var nav *widget.Button
	if n := f.next(s); n >= 0 {
		nav = widget.NewButtonWithIcon(p.T("flow.next", p.T("flow."+stepKeys[n])), theme.NavigateNextIcon(), func() {
			f.open(f.next(s)) // the steps may have changed since
		})
	} else {
		nav = widget.NewButtonWithIcon(p.T("form.save"), theme.DocumentSaveIcon(), func() {
			if msg := f.finalise(); msg != "" {
				problems.SetText(msg)
				problems.Show()
				relayout(content)
			}
		})
	}
	nav.Importance = widget.HighImportance
	content = container.NewVBox(head, banner.box, body, problems, nav)
	scr := screen{title: p.T("form.title"), content: container.NewVScroll(content)}
	if s == stepPremises {
		scr.onLeave = f.onLeave
	}
	f.u.push(scr)
	f.showBanners("")
	relayout(content)
}

// assess runs the assessment on the record as it stands.
func (f *flow) assess() assess.Result {
	return assess.Assess(f.pack, assess.InputOf(f.rec))
}

// changed saves the draft after an edit and re-runs the assessment. If
// the assessment changed from what the officer last saw, every banner says
// how.
func (f *flow) changed() {
	f.result = f.assess()
	f.save()
	for _, fn := range f.headers {
		fn()
	}
	if !f.known {
		return
	}
	change := ""
	if d := assess.Diff(f.shown, f.result); !d.None() {
		change = f.describe(d)
	}
	f.shown = f.result
	f.showBanners(change)
	for _, fn := range f.refresh {
		fn()
	}
}

// showBanners sets every step's banner to the current assessment.
func (f *flow) showBanners(change string) {
	level, first := content.Unassessed, ""
	if f.known {
		level = f.result.Level
		if len(f.result.Actions) > 0 && level == content.Red {
			if a, ok := f.pack.Action(f.result.Actions[0]); ok {
				first = f.u.p.T("rag.first", a.Label.In(f.u.lang()))
			}
		}
	}
	for _, b := range f.banners {
		b.show(level, f.u.p.T("rag."+level.String()), first, change)
	}
	relayout(f.u.win.Content()) // the banner on screen may have grown or shrunk
}

// describe says in words what changed in the assessment.
func (f *flow) describe(d assess.Change) string {
	p, lang := f.u.p, f.u.lang()
	var parts []string
	if d.From != d.To {
		parts = append(parts, p.T("rag.changed", p.T("rag.word."+d.From.String()), p.T("rag.word."+d.To.String())))
	}
	for _, r := range d.ReasonsAdded {
		parts = append(parts, "+ "+f.reasonText(r, lang))
	}
	for _, r := range d.ReasonsRemoved {
		parts = append(parts, "− "+f.reasonText(r, lang))
	}
	return strings.Join(parts, "\n")
}

// reasonText is a reason in words, with the person it is about.
func (f *flow) reasonText(r assess.Reason, lang string) string {
	text := r.Text.In(lang)
	if r.Person != "" {
		text = f.personName(r.Person) + ": " + text
	}
	return text
}

// personName is how a person is named on screen.
func (f *flow) personName(id string) string {
	for i, ps := range f.rec.People {
		if ps.ID.String() == id {
			return f.u.personLabel(ps, i)
		}
	}
	return id
}

// save writes the draft, with the assessment as it now stands.
func (f *flow) save() {
	f.rec.Assessment = snapshot(f.result, f.u.deps.Now())
	err := f.u.deps.Records.SaveDraft(context.Background(), f.rec)
	switch {
	case err != nil:
		f.u.toast(f.u.saveFailed(err), widget.DangerImportance)
	case f.saveErr != nil:
		f.u.toast(f.u.p.T("form.saved_again"), widget.SuccessImportance)
	}
	f.saveErr = err
	if err == nil {
		f.stored = true
	}
}

// snapshot turns an assessment into the form a record keeps.
func snapshot(r assess.Result, now time.Time) *encounter.Assessment {
	a := &encounter.Assessment{
		Level:   r.Level.String(),
		Actions: slices.Clone(r.Actions),
		Pack:    encounter.PackRef{ID: r.Pack, Version: r.PackVersion},
		At:      now.UTC(),
	}
	for _, rs := range r.Reasons {
		id, _ := uuid.Parse(rs.Person)
		a.Reasons = append(a.Reasons, encounter.Reason{
			Rule: rs.Rule, Level: rs.Level.String(), Indicators: slices.Clone(rs.Indicators), Person: id,
		})
	}
	return a
}

// finalise saves the encounter for good, or returns what stops it in
// words.
func (f *flow) finalise() string {
	p := f.u.p
	if !f.stored {
		f.save()
	}
	// A person the assessment puts at Red needs a referral decision: an
	// NRM referral, or a Duty to Notify.
	var lines []string
	for i, ps := range f.rec.People {
		if ps.Referral == nil && !ps.Child() && f.personLevel(ps.ID.String()) == content.Red {
			lines = append(lines, "• "+p.T("flow.referral_needed", f.u.personLabel(ps, i)))
		}
	}
	if len(lines) == 0 {
		_, err := f.u.deps.Records.Finalise(context.Background(), f.rec.ID)
		var ve *encounter.ValidationError
		switch {
		case errors.As(err, &ve):
			for _, pr := range ve.Problems {
				lines = append(lines, "• "+f.u.problemText(f.rec, pr))
			}
		case err != nil:
			return f.u.saveFailed(err)
		default:
			f.stored = false // finalised: nothing for onLeave to tidy
			f.u.deps.Sync.Notify()
			f.u.popToRoot()
			f.u.list.showNotice(p.T("form.saved"), widget.SuccessImportance)
			return ""
		}
	}
	return p.T("form.fix") + "\n" + strings.Join(lines, "\n")
}

// saveFailed says why a save failed, in words the officer can act on. A
// full device gets its own message (store.ErrDiskFull matches ENOSPC).
func (u *UI) saveFailed(err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return u.p.T("form.disk_full")
	}
	return u.p.T("form.save_failed")
}

// personLevel is the highest level of the reasons about one person.
func (f *flow) personLevel(id string) content.Level {
	l := content.Unassessed
	for _, r := range f.result.Reasons {
		if r.Person == id {
			l = max(l, r.Level)
		}
	}
	return l
}

// onLeave runs when the officer goes back out of the flow: a draft left
// empty is removed, anything else stays as a draft.
func (f *flow) onLeave() {
	if f.stored && isEmpty(f.rec) {
		f.u.deps.Records.DeleteDraft(context.Background(), f.rec.ID)
	}
	f.u.list.reload()
}

// isEmpty reports whether the officer has entered nothing in r.
func isEmpty(r encounter.Record) bool {
	return strings.TrimSpace(r.Premises.Name) == "" && strings.TrimSpace(r.Premises.Address) == "" &&
		r.Premises.Business == "" && r.PeoplePresent == 0 && strings.TrimSpace(r.Notes) == "" &&
		len(r.Indicators) == 0 && len(r.People) == 0
}

// problemText says what a validation problem means, naming the person.
func (u *UI) problemText(r encounter.Record, pr encounter.Problem) string {
	if pr.Person == uuid.Nil {
		return u.p.T(pr.Key())
	}
	for i, ps := range r.People {
		if ps.ID == pr.Person {
			return u.p.T(pr.Key(), u.personLabel(ps, i))
		}
	}
	return u.p.T(pr.Key(), pr.Person.String())
}

// person returns the person with id on the draft. The flow only asks for
// people it listed from the draft, so one is always there.
func (f *flow) person(id uuid.UUID) *encounter.Person {
	ps, _ := f.rec.Person(id)
	return ps
}

// perPerson is a step of one card per person screened, under an intro.
func (f *flow) perPerson(introKey string, card func(i int, id uuid.UUID) fyne.CanvasObject) fyne.CanvasObject {
	intro := widget.NewLabel(f.u.p.T(introKey))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(intro)
	for i, ps := range f.rec.People {
		box.Add(card(i, ps.ID))
	}
	return box
}

// toggle adds id to ids if on, else removes it.
func toggle(ids []string, id string, on bool) []string {
	ids = slices.DeleteFunc(ids, func(s string) bool { return s == id })
	if on {
		ids = append(ids, id)
	}
	return ids
}
