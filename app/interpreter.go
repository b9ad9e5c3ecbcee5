package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// Interpreter is the screen an officer and an interpreter go through
// together: every question in the officer's language and the person's,
// side by side (stacked on a phone), answers recorded against the
// question's ID, and free text kept in the person's words with the
// interpreter's translation and name.
type Interpreter struct {
	deps       ScreeningDeps
	p          *i18n.Printer
	onHandOver func(language.Tag)
	officer    *screening.Language
	person     *screening.Language
	answers    map[string]screening.Answer // the latest, by question ID

	box      *fyne.Container
	langSel  *languageSelect
	who      *widget.Entry
	notice   *widget.Label
	answered *widget.Label
	list     *fyne.Container
	cards    map[string]*interpreterCard
}

// interpreterCard is one question on the interpreter screen.
type interpreterCard struct {
	q           screening.Question
	box         *fyne.Container
	choices     map[string]*widget.Button
	said        *widget.Entry // the person's words
	translation *widget.Entry // the interpreter's translation of them
	save        *widget.Button
	saved       *widget.Label
	found       *widget.Label // what looks identifying in what was typed
}

// NewInterpreter builds the interpreter screen. onHandOver, if not nil,
// is called with the person's language when the officer chooses to hand
// the device over (see NewHandOver); without it there is no such button.
func NewInterpreter(deps ScreeningDeps, onHandOver func(language.Tag)) *Interpreter {
	s := &Interpreter{deps: deps, p: deps.Officer, onHandOver: onHandOver, answers: map[string]screening.Answer{}}
	for id, a := range deps.Previous {
		s.answers[id] = a
	}
	p := s.p
	s.officer = deps.officerLanguage()
	s.person = deps.personLanguage()

	s.langSel = newLanguageSelect(deps.Set.Languages(), deps.Set.Names(), p.Tag(), s.onPerson)
	s.langSel.set(s.person.Tag)
	s.who = widget.NewEntry()
	s.who.SetPlaceHolder(p.T("screening.interpreter.hint"))
	s.who.OnChanged = func(string) { s.notice.SetText("") }
	s.notice = widget.NewLabel("")
	s.notice.Importance = widget.DangerImportance
	s.answered = widget.NewLabel("")
	s.answered.SizeName = theme.SizeNameCaptionText
	version := widget.NewLabel(p.T("screening.version", deps.Set.Version))
	version.SizeName = theme.SizeNameCaptionText
	version.Importance = widget.LowImportance

	form := widget.NewForm(
		widget.NewFormItem(p.T("lang.person"), tall(s.langSel.sel)),
		widget.NewFormItem(p.T("screening.interpreter"), tall(s.who)),
	)
	form.Orientation = widget.Adaptive
	// The notice keeps its two lines when empty: a problem never moves
	// the questions under the officer's thumb.
	head := container.NewVBox(form, lines(s.notice, 2), container.NewHBox(s.answered, version))
	if onHandOver != nil {
		_, ho := newButton(p.T("screening.handover"), theme.AccountIcon(), widget.MediumImportance, s.onHandOverTapped)
		head.Add(ho)
	}
	s.list = container.NewVBox()
	s.box = container.NewBorder(container.NewVBox(head, widget.NewSeparator()), nil, nil, nil, container.NewVScroll(s.list))
	s.build()
	return s
}

// Content is the screen, for the encounter flow to show.
func (s *Interpreter) Content() fyne.CanvasObject { return s.box }

// Person is the person's language as the screen shows it.
func (s *Interpreter) Person() language.Tag { return s.person.Tag }

func (s *Interpreter) onPerson(t language.Tag) {
	s.person = s.deps.Set.Language(t)
	if s.deps.Kept != nil {
		s.deps.Kept.SetPersonLanguage(t)
	}
	s.build()
}

func (s *Interpreter) onHandOverTapped() { s.onHandOver(s.person.Tag) }

// build lays out every question in the two languages.
func (s *Interpreter) build() {
	s.cards = map[string]*interpreterCard{}
	s.list.RemoveAll()
	for i, q := range s.deps.Set.Questions {
		c := s.newCard(q)
		s.cards[q.ID] = c
		if i > 0 {
			s.list.Add(widget.NewSeparator())
		}
		s.list.Add(c.box)
		s.showAnswer(c)
	}
	s.showCount()
	s.list.Refresh()
}

// textColumn is one language's text of a string, with its review note.
func (s *Interpreter) textColumn(l *screening.Language, str screening.String, bold bool) fyne.CanvasObject {
	label := NewLangLabel(str.Text, str.Tag, str.Dir)
	label.TextStyle.Bold = bold
	col := container.NewVBox(label)
	if str.Fallback && l.Tag != str.Tag {
		n := NewBidiLabel(s.p.T("screening.not_translated", s.deps.Set.Names().In(str.Tag, s.p.Tag())), s.officer.Dir)
		n.SizeName = theme.SizeNameCaptionText
		n.ColorName = theme.ColorNameWarning
		col.Add(n)
	} else if note, colour, ok := draftNote(s.p, s.deps.Set, l, str); ok {
		n := NewBidiLabel(note, s.officer.Dir)
		n.SizeName = theme.SizeNameCaptionText
		n.ColorName = colour
		col.Add(n)
	}
	return col
}

// pair puts the officer's and the person's version of a string side by
// side, or one above the other when the screen is narrow.
func (s *Interpreter) pair(key string, bold bool) fyne.CanvasObject {
	return container.New(&sideBySide{minColumn: 260},
		s.textColumn(s.officer, s.officer.Get(key), bold),
		s.textColumn(s.person, s.person.Lookup(key, s.officer), bold))
}

func (s *Interpreter) newCard(q screening.Question) *interpreterCard {
	c := &interpreterCard{q: q, choices: map[string]*widget.Button{}}
	c.box = container.NewVBox(s.pair(q.TextKey(), true))
	if q.Kind == screening.Info {
		note := widget.NewLabel(s.p.T("screening.read_aloud"))
		note.SizeName = theme.SizeNameCaptionText
		note.Importance = widget.LowImportance
		c.box.Add(note)
		return c
	}
	if q.Kind == screening.Text {
		c.said = widget.NewMultiLineEntry()
		c.said.Wrapping = fyne.TextWrapWord
		c.said.SetPlaceHolder(s.p.T("screening.said"))
		c.translation = widget.NewMultiLineEntry()
		c.translation.Wrapping = fyne.TextWrapWord
		c.translation.SetPlaceHolder(s.p.T("screening.translation"))
		c.save = widget.NewButtonWithIcon(s.p.T("screening.save_text"), theme.DocumentSaveIcon(), func() { s.onSaveText(c) })
		c.saved = widget.NewLabel("")
		c.saved.SizeName = theme.SizeNameCaptionText
		c.box.Add(c.said)
		c.box.Add(c.translation)
		if s.deps.Hint != nil {
			c.found = caption("")
			c.said.OnChanged = func(string) { s.showFound(c) }
			c.translation.OnChanged = c.said.OnChanged
			c.box.Add(lines(c.found, 2))
		}
		c.box.Add(container.NewHBox(tall(c.save), c.saved))
	}
	for _, choice := range q.Choices() {
		key := q.ChoiceKey(choice)
		b := widget.NewButton(s.officer.Get(key).Text, func() { s.onChoice(c, choice) })
		str := s.person.Lookup(key, s.officer)
		person := NewLangLabel(str.Text, str.Tag, str.Dir)
		c.choices[choice] = b
		c.box.Add(container.New(&sideBySide{minColumn: 260, inline: true}, container.NewHBox(tall(b)), person))
	}
	return c
}

// showFound says under a free-text answer what in it looks like an
// identifying detail, the person's words first, then the translation.
func (s *Interpreter) showFound(c *interpreterCard) {
	n := s.deps.Hint(c.said.Text)
	if n.Text == "" {
		n = s.deps.Hint(c.translation.Text)
	}
	c.found.Importance = importance(n.Kind)
	c.found.SetText(n.Text)
}

// interpreterName returns who is interpreting, or "" after telling the
// officer that the screen needs it.
func (s *Interpreter) interpreterName() string {
	who := strings.TrimSpace(s.who.Text)
	if who == "" {
		s.notice.SetText(s.p.T("screening.interpreter.needed"))
	}
	return who
}

func (s *Interpreter) onChoice(c *interpreterCard, choice string) {
	who := s.interpreterName()
	if who == "" {
		return
	}
	s.record(c, screening.Answer{Question: c.q.ID, Choice: choice, Interpreter: who})
}

func (s *Interpreter) onSaveText(c *interpreterCard) {
	who := s.interpreterName()
	if who == "" {
		return
	}
	said, tr := strings.TrimSpace(c.said.Text), strings.TrimSpace(c.translation.Text)
	if said == "" && tr == "" {
		return
	}
	s.record(c, screening.Answer{Question: c.q.ID, Text: said, Translation: tr, Interpreter: who})
}

func (s *Interpreter) record(c *interpreterCard, a screening.Answer) {
	a.Language = s.person.Tag
	a.Mode = screening.InterpreterMode
	a.At = s.deps.now()
	a.SetVersion = s.deps.Set.Version
	if err := s.deps.Record(a); err != nil {
		s.notice.SetText(s.p.T("screening.record_failed"))
		return
	}
	s.notice.SetText("")
	s.answers[a.Question] = a
	s.showAnswer(c)
	s.showCount()
}

// showAnswer marks the card's recorded answer.
func (s *Interpreter) showAnswer(c *interpreterCard) {
	a, ok := s.answers[c.q.ID]
	for choice, b := range c.choices {
		if ok && a.Choice == choice {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	if c.saved != nil && ok && a.Choice == "" {
		c.saved.SetText(s.p.T("screening.saved", a.At.Local().Format("15:04:05")))
	}
}

func (s *Interpreter) showCount() {
	s.answered.SetText(s.p.T("screening.answered", len(s.answers)))
}

// sideBySide lays two objects out in two equal columns, or, when there
// is not room for two columns of minColumn, one above the other; or, if
// inline, the first at its narrowest and the second beside it.
type sideBySide struct {
	minColumn float32
	inline    bool
	wide      bool // laid out in columns last time
}

func (l *sideBySide) columns(width float32) bool {
	return width >= 2*l.minColumn+theme.Padding()
}

func (l *sideBySide) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	l.wide = l.columns(size.Width)
	if l.wide {
		w := (size.Width - pad) / 2
		for i, o := range objs {
			o.Move(fyne.NewPos(float32(i)*(w+pad), 0))
			o.Resize(fyne.NewSize(w, size.Height))
		}
		return
	}
	if l.inline && len(objs) == 2 {
		w := objs[0].MinSize().Width
		objs[0].Move(fyne.NewPos(0, 0))
		objs[0].Resize(fyne.NewSize(w, objs[0].MinSize().Height))
		objs[1].Move(fyne.NewPos(w+pad, 0))
		objs[1].Resize(fyne.NewSize(size.Width-w-pad, size.Height))
		return
	}
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
}

func (l *sideBySide) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h, tallest float32
	for i, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width)
		tallest = max(tallest, m.Height)
		h += m.Height
		if i > 0 {
			h += pad
		}
	}
	// Before the first layout, assume a narrow screen. Laid out in
	// columns, it is one row high, but it can still be narrowed to one
	// column: asking for two columns' width would keep a window as wide
	// as it once was (full screen, under a hand-over).
	if l.wide {
		return fyne.NewSize(w, tallest)
	}
	if l.inline && len(objs) == 2 {
		return fyne.NewSize(objs[0].MinSize().Width+pad+objs[1].MinSize().Width, tallest)
	}
	return fyne.NewSize(w, h)
}
