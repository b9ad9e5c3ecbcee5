package model

import (
	"slices"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// Settings is where the app keeps its preferences. fyne.Preferences
// implements it.
type Settings interface {
	String(key string) string
	StringWithFallback(key, fallback string) string
	SetString(key, value string)
	RemoveValue(key string)
}

// Preference keys: every setting Waymark keeps, and the only place their
// names are written. Languages are kept as BCP 47 tags, never as indexes
// into a list, so a content-pack update that adds, drops or reorders
// languages cannot change what they mean.
const (
	prefOfficerLanguage = "i18n.officer_language"
	prefPersonLanguage  = "screening.person_language"
	prefUnlockPIN       = "handover.unlock_pin" // an argon2id hash, see pin.go
	prefOfficerName     = "officer.name"
	prefOfficerNumber   = "officer.number"
	prefOfficerAgency   = "officer.agency"
	prefTextSize        = "look.text_size"
	prefAppearance      = "look.appearance"
	prefDraftStep       = "flow.step." // + the draft's id: the step it was left at
)

// TextSize is how large the officer wants text: the interface scales
// text, padding and controls by its factor.
type TextSize string

// The text sizes offered.
const (
	TextNormal TextSize = "normal"
	TextLarge  TextSize = "large"
	TextLarger TextSize = "larger"
)

// TextSizes lists the text sizes in the order a picker shows them.
var TextSizes = []TextSize{TextNormal, TextLarge, TextLarger}

// Scale is the factor text and controls are scaled by.
func (t TextSize) Scale() float32 {
	switch t {
	case TextLarge:
		return 1.2
	case TextLarger:
		return 1.4
	}
	return 1
}

// Appearance is the officer's choice of light or dark colours, or the
// device's own setting.
type Appearance string

// The appearances offered.
const (
	AppearanceSystem Appearance = "system"
	AppearanceLight  Appearance = "light"
	AppearanceDark   Appearance = "dark"
)

// Appearances lists the appearances in the order a picker shows them.
var Appearances = []Appearance{AppearanceSystem, AppearanceLight, AppearanceDark}

// Prefs reads and writes Waymark's settings.
type Prefs struct {
	s Settings
}

// NewPrefs returns typed accessors over s.
func NewPrefs(s Settings) Prefs { return Prefs{s: s} }

func (p Prefs) tag(key string) (language.Tag, bool) {
	s := p.s.String(key)
	if s == "" {
		return language.Und, false
	}
	t, err := language.Parse(s)
	return t, err == nil
}

// OfficerLanguage is the language the officer chose for the interface.
func (p Prefs) OfficerLanguage() (language.Tag, bool) { return p.tag(prefOfficerLanguage) }

// SetOfficerLanguage keeps the officer's choice of interface language.
func (p Prefs) SetOfficerLanguage(t language.Tag) { p.s.SetString(prefOfficerLanguage, t.String()) }

// PersonLanguage is the language of the last person screened.
func (p Prefs) PersonLanguage() (language.Tag, bool) { return p.tag(prefPersonLanguage) }

// SetPersonLanguage keeps the language of the person being screened.
func (p Prefs) SetPersonLanguage(t language.Tag) { p.s.SetString(prefPersonLanguage, t.String()) }

// Officer is the officer using this device, as set in Your details.
// Their agency is police unless they said otherwise.
func (p Prefs) Officer() encounter.Officer {
	return encounter.Officer{
		Name:   p.s.String(prefOfficerName),
		Number: p.s.String(prefOfficerNumber),
		Agency: p.s.StringWithFallback(prefOfficerAgency, "police"),
	}
}

// SetOfficer keeps who the officer using this device is.
func (p Prefs) SetOfficer(o encounter.Officer) {
	p.s.SetString(prefOfficerName, strings.TrimSpace(o.Name))
	p.s.SetString(prefOfficerNumber, strings.TrimSpace(o.Number))
	p.s.SetString(prefOfficerAgency, o.Agency)
}

// UnlockPIN is the hash of the officer's hand-over PIN, or "".
func (p Prefs) UnlockPIN() string { return p.s.String(prefUnlockPIN) }

// SetUnlockPIN keeps the hash of the officer's hand-over PIN.
func (p Prefs) SetUnlockPIN(hash string) { p.s.SetString(prefUnlockPIN, hash) }

// TextSize is the officer's text size; normal unless they chose another.
func (p Prefs) TextSize() TextSize {
	if t := TextSize(p.s.String(prefTextSize)); slices.Contains(TextSizes, t) {
		return t
	}
	return TextNormal
}

// SetTextSize keeps the officer's text size.
func (p Prefs) SetTextSize(t TextSize) { p.s.SetString(prefTextSize, string(t)) }

// Appearance is the officer's choice of colours; the device's own unless
// they chose.
func (p Prefs) Appearance() Appearance {
	if a := Appearance(p.s.String(prefAppearance)); slices.Contains(Appearances, a) {
		return a
	}
	return AppearanceSystem
}

// SetAppearance keeps the officer's choice of colours.
func (p Prefs) SetAppearance(a Appearance) { p.s.SetString(prefAppearance, string(a)) }

// DraftStep is the step a draft was left at, so that it opens there
// again. Only the draft's id and a step name are kept outside the
// encrypted store, nothing the officer wrote.
func (p Prefs) DraftStep(id uuid.UUID) (Step, bool) {
	return ParseStep(p.s.String(prefDraftStep + id.String()))
}

// SetDraftStep keeps the step a draft is at.
func (p Prefs) SetDraftStep(id uuid.UUID, s Step) { p.s.SetString(prefDraftStep+id.String(), s.Key()) }

// ForgetDraft drops what is kept about a draft once it is finalised or
// discarded.
func (p Prefs) ForgetDraft(id uuid.UUID) { p.s.RemoveValue(prefDraftStep + id.String()) }

// OfficerPrinter returns a printer in the officer's language: the one
// they chose, or the closest the catalogue has, or else the one that best
// fits the system's locale (a BCP 47 tag, as fyne's lang package gives).
func OfficerPrinter(b *i18n.Bundle, p Prefs, systemLocale string) *i18n.Printer {
	if t, ok := p.OfficerLanguage(); ok {
		if m, ok := i18n.NewMatcher(b.Languages()...).Match(t); ok {
			return b.Printer(m)
		}
	}
	return b.Printer(b.Match(systemLocale))
}
