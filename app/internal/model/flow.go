package model

import (
	"errors"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/privacy"
	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// Step is one step of the encounter flow.
type Step int

// The steps, in order. Steps about people are skipped when nobody was
// screened.
const (
	StepPremises Step = iota
	StepPeople
	StepObserve
	StepQuestions
	StepAssess
	StepReferral
)

var stepKeys = [...]string{"premises", "people", "observe", "questions", "assess", "referral"}

// StepKeys are the names of the steps, as message keys "flow.<name>" and
// as kept in the preferences.
var StepKeys = stepKeys[:]

// Key is the step's stable name.
func (s Step) Key() string { return stepKeys[s] }

// ParseStep returns the step named key.
func ParseStep(key string) (Step, bool) {
	i := slices.Index(stepKeys[:], key)
	return Step(i), i >= 0
}

// FlowDeps are what the encounter flow works with.
type FlowDeps struct {
	// Pack is the content pack the record is made under.
	Pack    *content.Pack
	Printer *i18n.Printer
	// Saver writes the draft, and keeps the step it was left at.
	Saver *Saver
	// Officer is who ticks actions and records decisions.
	Officer func() encounter.Officer
	// Now returns the current time.
	Now func() time.Time
	// Finalised, if set, runs once the record is finalised: the app
	// tells the sync engine.
	Finalised func(encounter.Record)
}

// Notice is a message about the last thing that happened, until the next.
type Notice struct {
	Text string
	Kind NoticeKind
}

// NoticeKind says how a notice is shown.
type NoticeKind int

// The kinds of notice.
const (
	NoticeInfo NoticeKind = iota
	NoticeSuccess
	NoticeDanger
	NoticeWarning
)

// Flow guides the officer through one encounter: premises, people, what
// they see, questions about each person, the assessment with its reasons
// and checklist, and referrals. Every change is saved as a draft (by the
// Saver, off the interface's goroutine); a change that bears on the
// assessment runs it again, and once the officer has reached a step that
// assesses, the banner shows the level and the first thing to do.
//
// Flow's methods are called on the interface's goroutine. The results of
// saves come back there too (through the Saver's deliver), and OnUpdate
// tells the view to read the model again.
type Flow struct {
	d   FlowDeps
	p   *i18n.Printer
	rec encounter.Record

	written bool // a save of rec has been asked for
	result  assess.Result
	known   bool   // the officer has seen a step that assesses
	note    string // what changed in the level, until the next step
	step    Step

	// The assessment's reasons when the officer last saw the assessment
	// step, to mark what is new and what went; nil before the first look.
	seen []assess.Reason

	// checked is the last identifier check, whose confirmations the next
	// carries over (check).
	checked *privacy.Model

	saveErr error // why the last save failed; nil if it worked
	notice  Notice
	done    bool // finalised or discarded

	// OnUpdate, if set, runs when the model changed by itself: a save
	// finished or failed, the record was finalised.
	OnUpdate func()
}

// NewFlow opens the flow for draft r; stored says whether r is already
// on the device. The flow opens at the step the draft was left at.
func NewFlow(d FlowDeps, r encounter.Record, stored bool) *Flow {
	if d.Now == nil {
		d.Now = time.Now
	}
	f := &Flow{d: d, p: d.Printer, rec: r, written: stored}
	if r.Content.ID == "" {
		f.rec.Content = encounter.PackRef{ID: d.Pack.ID, Version: d.Pack.Version}
	}
	// A draft made before a rule changed may lack a child's referral.
	if f.rec.ReferChildren() && stored {
		defer f.save()
	}
	f.result = f.assess()
	f.known = len(r.Indicators) > 0 || len(r.People) > 0
	if s, ok := d.Saver.DraftStep(r.ID); ok && stored && slices.Contains(f.Steps(), s) {
		f.step = s
	}
	if f.step >= StepObserve {
		f.known = true
	}
	return f
}

// Record is the draft as it stands.
func (f *Flow) Record() encounter.Record { return f.rec }

// Pack is the content pack the record is made under.
func (f *Flow) Pack() *content.Pack { return f.d.Pack }

// Title names the encounter for the title bar.
func (f *Flow) Title() string { return f.p.T("form.title") }

// Steps returns the steps this encounter goes through.
func (f *Flow) Steps() []Step {
	if len(f.rec.People) == 0 {
		return []Step{StepPremises, StepPeople, StepObserve, StepAssess}
	}
	return []Step{StepPremises, StepPeople, StepObserve, StepQuestions, StepAssess, StepReferral}
}

// Step is the step on screen.
func (f *Flow) Step() Step { return f.step }

// StepName names step s.
func (f *Flow) StepName(s Step) string { return f.p.T("flow." + s.Key()) }

// StepTitle is the heading of the step on screen: "Step 2 of 6 · People".
func (f *Flow) StepTitle() string {
	steps := f.Steps()
	return f.p.T("flow.step", slices.Index(steps, f.step)+1, len(steps), f.StepName(f.step))
}

// GoTo shows step s, if the encounter has it. The draft remembers it.
func (f *Flow) GoTo(s Step) {
	if !slices.Contains(f.Steps(), s) || f.done {
		return
	}
	if f.step == StepAssess {
		f.seen = slices.Clone(f.result.Reasons)
	}
	f.step = s
	f.note = ""
	f.notice = Notice{}
	if s >= StepObserve && !f.known {
		f.known = true
	}
	if f.written {
		f.d.Saver.SetDraftStep(f.rec.ID, s)
	}
}

// Next returns the step after the one on screen; false on the last.
func (f *Flow) Next() (Step, bool) {
	steps := f.Steps()
	i := slices.Index(steps, f.step)
	if i < 0 || i+1 >= len(steps) {
		return f.step, false
	}
	return steps[i+1], true
}

// Prev returns the step before the one on screen; false on the first.
func (f *Flow) Prev() (Step, bool) {
	steps := f.Steps()
	i := slices.Index(steps, f.step)
	if i <= 0 {
		return f.step, false
	}
	return steps[i-1], true
}

// NextLabel is the label of the button that moves on: "Next: People",
// or on the last step the finalise button's.
func (f *Flow) NextLabel() string {
	if n, ok := f.Next(); ok {
		return f.p.T("flow.next", f.StepName(n))
	}
	return f.p.T("form.finalise")
}

// Banner is what the banner at the top of every step shows.
type Banner struct {
	Level content.Level
	// Title says the level in words: "RED · Act now".
	Title string
	// Line is the first thing to do at Red, or else what changed, or a
	// hint while nothing is assessed.
	Line string
	// Note says what the level was before the last change: "was Amber".
	Note string
}

// Banner returns the banner as it stands.
func (f *Flow) Banner() Banner {
	if !f.known {
		return Banner{Level: content.Unassessed, Title: f.p.T("rag.unassessed"), Line: f.p.T("rag.unassessed.hint")}
	}
	b := Banner{Level: f.result.Level, Title: f.p.T("rag." + f.result.Level.String()), Note: f.note}
	if f.result.Level == content.Red {
		for _, id := range f.result.Actions {
			if a, ok := f.d.Pack.Action(id); ok {
				b.Line = f.p.T("rag.first", a.Label.In(Lang(f.p)))
				break
			}
		}
	} else {
		b.Line = f.p.T("rag.line." + f.result.Level.String())
	}
	return b
}

// Result is the assessment of the record as it stands.
func (f *Flow) Result() assess.Result { return f.result }

// Notice is the message about the last thing that happened, if any.
func (f *Flow) Notice() Notice {
	if f.saveErr != nil {
		return Notice{Text: f.saveProblem(f.saveErr), Kind: NoticeDanger}
	}
	return f.notice
}

func (f *Flow) saveProblem(err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return f.p.T("form.disk_full")
	}
	return f.p.T("form.save_failed")
}

// assess runs the assessment on the record as it stands.
func (f *Flow) assess() assess.Result {
	return assess.Assess(f.d.Pack, assess.InputOf(f.rec))
}

// edited saves the draft after a change; reassess runs the assessment
// again, for a change that bears on it. The rule that a child is always
// referred is applied here, after the edit, never while a screen is drawn.
func (f *Flow) edited(reassess bool) {
	if f.done {
		return
	}
	if reassess {
		f.rec.ReferChildren()
		before := f.result.Level
		f.result = f.assess()
		if f.known && before != f.result.Level && before != content.Unassessed {
			f.note = f.p.T("rag.was", LevelWord(f.p, before))
		}
	}
	f.save()
}

// save asks the Saver to write the draft, with the assessment as it now
// stands.
func (f *Flow) save() {
	// Until the officer has seen a step that assesses, the draft holds no
	// level: the list would show a Green that nobody has judged.
	f.rec.Assessment = nil
	if f.known {
		f.rec.Assessment = f.result.Snapshot(f.d.Now())
	}
	if !f.written {
		f.written = true
		f.d.Saver.SetDraftStep(f.rec.ID, f.step)
	}
	f.d.Saver.SaveDraft(f.rec, f.onSaved)
}

func (f *Flow) onSaved(err error) {
	if err == nil && f.saveErr != nil {
		f.notice = Notice{Text: f.p.T("form.saved_again"), Kind: NoticeSuccess}
	}
	f.saveErr = err
	if f.OnUpdate != nil {
		f.OnUpdate()
	}
}

// person returns the person with id on the draft, or nil.
func (f *Flow) person(id uuid.UUID) *encounter.Person {
	ps, _ := f.rec.Person(id)
	return ps
}

// personTitle names the person with id.
func (f *Flow) personTitle(id uuid.UUID) string { return personTitleOf(f.p, f.rec, id) }

// Empty reports whether the officer has entered nothing.
func (f *Flow) Empty() bool {
	r := f.rec
	return strings.TrimSpace(r.Premises.Name) == "" && strings.TrimSpace(r.Premises.Address) == "" &&
		r.Premises.Business == "" && r.PeoplePresent == 0 && strings.TrimSpace(r.Notes) == "" &&
		strings.TrimSpace(r.Operation) == "" && len(r.Indicators) == 0 && len(r.People) == 0
}

// Leave runs when the officer goes back out of the flow: a draft left
// empty is removed; anything else stays, to be resumed at this step.
func (f *Flow) Leave() {
	if f.done || !f.Empty() {
		return
	}
	f.done = true
	f.d.Saver.ForgetDraft(f.rec.ID)
	if f.written {
		f.d.Saver.Discard(f.rec.ID, nil)
	}
}

// Discard deletes the draft, after the officer confirmed it; then gets
// the result.
func (f *Flow) Discard(then func(error)) {
	f.done = true
	f.d.Saver.ForgetDraft(f.rec.ID)
	if !f.written {
		then(nil)
		return
	}
	f.d.Saver.Discard(f.rec.ID, then)
}

// Done reports whether the draft was finalised or discarded.
func (f *Flow) Done() bool { return f.done }
