package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/internal/model"
)

// identifierScreen is the check of what was written before an encounter
// is finalised (model.IdentifierCheck): each field in which something
// looks like a phone number, a date of birth, a postcode, an e-mail
// address or a document number, with what was found highlighted where it
// is; in a Duty to Notify it must go, elsewhere the officer confirms it
// belongs; a Duty to Notify also needs the officer's word that it names
// nobody, since names cannot be found. Finalise… goes on to the usual
// confirmation once nothing is left to answer.
//
// Nothing moves under the thumb: in each card the buttons come before
// the text they change, and the card's advice never changes; what the
// officer still has to do is a line of fixed height above the button.
type identifierScreen struct {
	u        *UI
	m        identifierModel
	onChange func(model.FindingView) // Change it: to the field
	onDone   func()                  // the button at the foot, once nothing is left
	cards    map[string]*findingCard // by field path
	order    []string
	names    *toggleRow
	blocking *widget.Label
	finalise *widget.Button
	scroll   *container.Scroll
	content  fyne.CanvasObject
}

// identifierModel is what the check's screen shows and changes: the
// draft being finalised (model.Flow) or an amendment being saved
// (model.AmendCheck).
type identifierModel interface {
	Identifiers(shown ...string) model.IdentifierCheck
	RemoveFinding(path string)
	ConfirmFinding(path string, on bool)
	ConfirmNoNames(on bool)
}

// findingCard shows one field's finding.
type findingCard struct {
	text   *widget.RichText
	keep   *toggleRow      // nil in a Duty to Notify
	remove *choiceButton   // takes what is highlighted out, in place
	change *choiceButton   // goes to the field; nil for the person's own answers
	state  *widget.Label   // "Nothing identifying is left here."
	box    *fyne.Container // the card's parts
}

// openIdentifiers shows the identifier check of the encounter on screen.
func (fs *flowScreen) openIdentifiers() *identifierScreen {
	s := fs.u.openIdentifierCheck(fs.m, fs.u.p.T("form.finalise"), fs.onChangeFinding, func() {
		fs.u.pop()
		fs.confirmFinalise()
	})
	fs.steps.identifiers = s
	return s
}

// openIdentifierCheck shows check m with done on the button at its foot,
// which calls onDone once nothing is left to answer; Change it calls
// onChange with the finding.
func (u *UI) openIdentifierCheck(m identifierModel, done string, onChange func(model.FindingView), onDone func()) *identifierScreen {
	p := u.p
	s := &identifierScreen{u: u, m: m, onChange: onChange, onDone: onDone, cards: map[string]*findingCard{}}
	c := m.Identifiers()
	body := container.NewVBox(wrapped(c.Intro))
	if c.None != "" {
		body.Add(caption(c.None))
	}
	for _, v := range c.Findings {
		card := s.card(v)
		s.cards[v.Path] = card
		s.order = append(s.order, v.Path)
		body.Add(widget.NewCard("", "", card.box))
	}
	if c.DutyToNotify {
		note := wrapped(c.NamesNote)
		note.Importance = widget.WarningImportance
		s.names = newToggleRow(c.NamesConfirm, "", c.NamesConfirmed, func(on bool) {
			m.ConfirmNoNames(on)
			s.update()
		})
		body.Add(widget.NewSeparator())
		body.Add(note)
		body.Add(s.names)
	}
	s.blocking = caption("")
	var fin fyne.CanvasObject
	s.finalise, fin = newButton(done, theme.ConfirmIcon(), widget.HighImportance, s.onDone)
	footer := container.NewVBox(widget.NewSeparator(), lines(s.blocking, 2), fin)
	s.scroll = container.NewVScroll(container.NewPadded(body))
	s.content = container.NewBorder(nil, footer, nil, nil, s.scroll)
	u.push(screen{title: p.T("privacy.title"), content: s.content})
	s.update()
	return s
}

// card lays out finding v: where it is and what to do, the buttons, then
// the text with what was found highlighted, and the tick that keeps it.
func (s *identifierScreen) card(v model.FindingView) *findingCard {
	p, m := s.u.p, s.m
	path := v.Path
	c := &findingCard{text: widget.NewRichText(), state: caption("")}
	c.text.Wrapping = fyne.TextWrapWord
	where := heading(v.Where)
	advice := wrapped(v.Advice)
	advice.Importance = widget.WarningImportance
	if v.MustRemove {
		advice.Importance = widget.DangerImportance
	}
	c.remove = newChoiceButton(p.T("privacy.remove_button"), func() {
		m.RemoveFinding(path)
		s.update()
	})
	buttons := newChoiceGrid(c.remove)
	if v.Editable {
		c.change = newChoiceButton(p.T("privacy.go"), func() { s.onChange(v) })
		buttons.Add(c.change)
	}
	c.box = container.NewVBox(where, advice, buttons, c.text)
	if !v.MustRemove {
		c.keep = newToggleRow(v.ConfirmLabel, "", v.Confirmed, func(on bool) {
			m.ConfirmFinding(path, on)
			s.update()
		})
		c.box.Add(c.keep)
	}
	c.box.Add(c.state)
	return c
}

// update shows the check as it now stands, in place.
func (s *identifierScreen) update() {
	p, m := s.u.p, s.m
	c := m.Identifiers(s.order...)
	for _, v := range c.Findings {
		card := s.cards[v.Path]
		if card == nil {
			continue // found after the screen opened: it shows next time
		}
		card.text.Segments = highlighted(v)
		card.text.Refresh()
		if v.Resolved {
			card.remove.SetDisabled(true)
			card.state.Importance = widget.SuccessImportance
			card.state.SetText(v.Advice)
			if card.keep != nil {
				card.keep.Hide()
			}
		}
		if card.keep != nil {
			card.keep.SetOn(v.Confirmed)
		}
	}
	if s.names != nil {
		s.names.SetOn(c.NamesConfirmed)
	}
	if c.Ready {
		s.blocking.Importance = widget.SuccessImportance
		s.blocking.SetText(p.T("privacy.ready"))
		s.finalise.Enable()
		return
	}
	s.blocking.Importance = widget.DangerImportance
	s.blocking.SetText(c.Blocking[0])
	s.finalise.Disable()
}

// highlighted is the finding's text, what was found in bold and
// coloured (the colour is never the only mark).
func highlighted(v model.FindingView) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for _, seg := range v.Segments {
		style := widget.RichTextStyleInline
		if seg.Kind != "" {
			style.TextStyle = fyne.TextStyle{Bold: true}
			style.ColorName = theme.ColorNameWarning
			if v.MustRemove {
				style.ColorName = theme.ColorNameError
			}
		}
		out = append(out, &widget.TextSegment{Text: seg.Text, Style: style})
	}
	return out
}

// onChangeFinding goes to the field of finding v, on its step, ready to
// type.
func (fs *flowScreen) onChangeFinding(v model.FindingView) {
	fs.u.pop()
	fs.goTo(v.Step)
	name := v.Entry
	if v.Person != uuid.Nil {
		name += "/" + v.Person.String()
	}
	if e := fs.steps.entries[name]; e != nil {
		fs.reveal(e)
		fs.u.win.Canvas().Focus(e)
	}
}
