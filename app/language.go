package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
)

// languageSelect picks a language. Each is shown with the reader's name
// for it and its own name in its own script ("Albanian — shqip"), and
// the list is sorted as the reader's language sorts.
type languageSelect struct {
	sel    *widget.Select
	tags   []language.Tag
	labels []string
}

func newLanguageSelect(tags []language.Tag, names *i18n.Names, reader language.Tag, onChanged func(language.Tag)) *languageSelect {
	s := &languageSelect{tags: append([]language.Tag(nil), tags...)}
	names.Sort(s.tags, reader)
	for _, t := range s.tags {
		s.labels = append(s.labels, names.Label(t, reader))
	}
	s.sel = widget.NewSelect(s.labels, nil)
	s.sel.OnChanged = func(label string) {
		if t, ok := s.tagOf(label); ok && onChanged != nil {
			onChanged(t)
		}
	}
	return s
}

func (s *languageSelect) tagOf(label string) (language.Tag, bool) {
	for i, l := range s.labels {
		if l == label {
			return s.tags[i], true
		}
	}
	return language.Und, false
}

// set shows t as chosen without calling onChanged.
func (s *languageSelect) set(t language.Tag) {
	on := s.sel.OnChanged
	s.sel.OnChanged = nil
	for i, tag := range s.tags {
		if tag == t {
			s.sel.SetSelected(s.labels[i])
		}
	}
	s.sel.OnChanged = on
}

// NewOfficerLanguageSelect returns a picker of the officer interface's
// languages, showing current. A choice is kept in prefs, so it holds
// across restarts, and handed to onChanged as a printer in the new
// language, for the caller to rebuild the interface with.
func NewOfficerLanguageSelect(b *i18n.Bundle, prefs Prefs, current *i18n.Printer, onChanged func(*i18n.Printer)) fyne.CanvasObject {
	s := newLanguageSelect(b.Languages(), &i18n.Names{}, current.Tag(), func(t language.Tag) {
		prefs.SetOfficerLanguage(t)
		if onChanged != nil {
			onChanged(b.Printer(t))
		}
	})
	s.set(current.Tag())
	return s.sel
}
