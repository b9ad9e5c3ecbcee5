package model

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// Settings is where the app keeps its preferences: a file outside the
// encrypted store, so nothing in it may say anything about an encounter
// (what does is kept in the store: see Saver.DraftStep).
// fyne.Preferences implements it.
type Settings interface {
	String(key string) string
	StringWithFallback(key, fallback string) string
	SetString(key, value string)
	IntWithFallback(key string, fallback int) int
	SetInt(key string, value int)
	RemoveValue(key string)
}

// valueReader lists every setting kept; Fyne's preferences implement it.
type valueReader interface {
	ReadValues(fn func(map[string]any))
}

// Preference keys: every setting Waymark keeps, and the only place their
// names are written. Languages are kept as BCP 47 tags, never as indexes
// into a list, so a content-pack update that adds, drops or reorders
// languages cannot change what they mean.
const (
	prefOfficerLanguage = "i18n.officer_language"
	prefOfficerName     = "officer.name"
	prefOfficerNumber   = "officer.number"
	prefOfficerAgency   = "officer.agency"
	prefTextSize        = "look.text_size"
	prefAppearance      = "look.appearance"
	prefIdleLock        = "lock.idle_minutes"
)

// legacyKeys are settings earlier versions kept in the preferences file
// that must not be there: the hand-over PIN's hash (the vault holds the
// one PIN now), the officer's name, number and agency (an enrolled
// device's account is in the encrypted store), the language of the last
// person screened, and (legacyPrefixes) the step each draft was left at
// (both in the encrypted store now).
var (
	legacyKeys     = []string{"handover.unlock_pin", prefOfficerName, prefOfficerNumber, prefOfficerAgency, keptPersonLanguage}
	legacyPrefixes = []string{keptDraftStep}
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

// Officer is the officer using this device, as set in Your details on a
// device not enrolled (the interface's own tests). Their agency is police
// unless they said otherwise.
func (p Prefs) Officer() encounter.Officer {
	return encounter.Officer{
		Name:   p.s.String(prefOfficerName),
		Number: p.s.String(prefOfficerNumber),
		Agency: p.s.StringWithFallback(prefOfficerAgency, "police"),
	}
}

// SetOfficer keeps who the officer using this device is. An enrolled
// device never calls it: its officer is its account, kept in the
// encrypted store.
func (p Prefs) SetOfficer(o encounter.Officer) {
	p.s.SetString(prefOfficerName, strings.TrimSpace(o.Name))
	p.s.SetString(prefOfficerNumber, strings.TrimSpace(o.Number))
	p.s.SetString(prefOfficerAgency, o.Agency)
}

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

// IdleLock is how long the app stays open with nothing done before it
// locks: session.DefaultIdleLock unless set, from a minute to
// session.MaxIdleLock.
func (p Prefs) IdleLock() time.Duration {
	m := p.s.IntWithFallback(prefIdleLock, int(session.DefaultIdleLock/time.Minute))
	return min(max(time.Duration(m)*time.Minute, time.Minute), session.MaxIdleLock)
}

// SetIdleLock keeps how long the app stays open with nothing done, in
// whole minutes.
func (p Prefs) SetIdleLock(d time.Duration) { p.s.SetInt(prefIdleLock, int(d/time.Minute)) }

// DropLegacy removes from the preferences what earlier versions kept
// there and must not be outside the encrypted store. Where the settings
// can be listed (Fyne's can), only what is there is removed, so a clean
// file is not written again.
func (p Prefs) DropLegacy() {
	r, ok := p.s.(valueReader)
	if !ok {
		for _, k := range legacyKeys {
			p.s.RemoveValue(k)
		}
		return
	}
	var drop []string
	r.ReadValues(func(values map[string]any) {
		for k := range values {
			if slices.Contains(legacyKeys, k) || slices.ContainsFunc(legacyPrefixes, func(prefix string) bool { return strings.HasPrefix(k, prefix) }) {
				drop = append(drop, k)
			}
		}
	})
	for _, k := range drop { // not inside ReadValues, which holds a lock
		p.s.RemoveValue(k)
	}
}

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
