package model

import (
	"slices"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// ReasonView is one reason of the assessment, in plain words.
type ReasonView struct {
	Level     content.Level
	LevelWord string
	// Text is the reason, naming the person it is about.
	Text string
	// New marks a reason that appeared since the officer last looked at
	// the assessment.
	New bool
}

// Reasons are why the assessment is what it is, highest level first.
func (f *Flow) Reasons() []ReasonView {
	out := ReasonsOf(f.p, f.d.Pack, f.rec, f.result)
	if f.seen != nil {
		for i, r := range f.result.Reasons {
			out[i].New = !slices.ContainsFunc(f.seen, func(s assess.Reason) bool { return sameReason(s, r) })
		}
	}
	return out
}

// Gone are the reasons the officer last saw on the assessment step that
// no longer hold, in words.
func (f *Flow) Gone() []string {
	var out []string
	for _, r := range f.seen {
		if !slices.ContainsFunc(f.result.Reasons, func(s assess.Reason) bool { return sameReason(s, r) }) {
			out = append(out, f.p.T("assess.gone", reasonText(f.p, f.d.Pack, f.rec, r)))
		}
	}
	return out
}

func sameReason(a, b assess.Reason) bool { return a.Rule == b.Rule && a.Person == b.Person }

// ReasonsOf shows the reasons of res, an assessment of r under pack, as
// sentences that say what each rests on (assess.Explain), naming the
// person each is about.
func ReasonsOf(p *i18n.Printer, pack *content.Pack, r encounter.Record, res assess.Result) []ReasonView {
	sentences := assess.Explain(pack, res, p)
	out := make([]ReasonView, len(sentences))
	for i, sn := range sentences {
		out[i] = ReasonView{Level: sn.Level, LevelWord: LevelWord(p, sn.Level), Text: withPerson(p, r, sn.Person, sn.Text)}
	}
	return out
}

// withPerson puts the name of the person with id before text.
func withPerson(p *i18n.Printer, r encounter.Record, id, text string) string {
	for i, ps := range r.People {
		if ps.ID.String() == id {
			return PersonTitle(p, ps, i) + ": " + text
		}
	}
	return text
}

// reasonText is a reason's rule in words, with the person it is about.
func reasonText(p *i18n.Printer, _ *content.Pack, r encounter.Record, rs assess.Reason) string {
	return withPerson(p, r, rs.Person, rs.Text.In(Lang(p)))
}

// ActionView is one action of the checklist.
type ActionView struct {
	ID    string
	Label string
	Hint  string
	Done  bool
	// State says who did it and when, or that it is not done yet: it
	// always holds words, so ticking never changes the layout.
	State string
}

// Checklist is what to do now, each action ticked or not.
func (f *Flow) Checklist() []ActionView { return checklist(f.p, f.d.Pack, f.rec, f.result.Actions) }

func checklist(p *i18n.Printer, pack *content.Pack, r encounter.Record, actions []string) []ActionView {
	lang := Lang(p)
	out := make([]ActionView, 0, len(actions))
	for _, id := range actions {
		v := ActionView{ID: id, Label: id, State: p.T("assess.not_done")}
		if a, ok := pack.Action(id); ok {
			v.Label, v.Hint = a.Label.In(lang), a.Hint.In(lang)
		}
		if t, ok := r.Ticked(id); ok {
			v.Done, v.State = true, p.T("assess.done", TimeText(t.At), t.By)
		}
		out = append(out, v)
	}
	return out
}

// Tick ticks or unticks an action: a tick records when, and by whom.
func (f *Flow) Tick(id string, on bool) {
	if _, ticked := f.rec.Ticked(id); ticked == on {
		return
	}
	f.rec.Checklist = slices.DeleteFunc(f.rec.Checklist, func(t encounter.Tick) bool { return t.Action == id })
	if on {
		f.rec.Checklist = append(f.rec.Checklist, encounter.Tick{Action: id, At: f.d.Now().UTC(), By: f.d.Officer().String()})
	}
	f.edited(false)
}

// NoReasons is what the assessment step says when nothing raises a
// concern.
func (f *Flow) NoReasons() string { return f.p.T("assess.no_reasons") }
