package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

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
)

// Prefs reads and writes Waymark's settings in Fyne's preferences.
type Prefs struct {
	p fyne.Preferences
}

// NewPrefs returns typed accessors over p.
func NewPrefs(p fyne.Preferences) Prefs { return Prefs{p: p} }

func (p Prefs) tag(key string) (language.Tag, bool) {
	s := p.p.String(key)
	if s == "" {
		return language.Und, false
	}
	t, err := language.Parse(s)
	return t, err == nil
}

// OfficerLanguage is the language the officer chose for the interface.
func (p Prefs) OfficerLanguage() (language.Tag, bool) { return p.tag(prefOfficerLanguage) }

// SetOfficerLanguage keeps the officer's choice of interface language.
func (p Prefs) SetOfficerLanguage(t language.Tag) { p.p.SetString(prefOfficerLanguage, t.String()) }

// PersonLanguage is the language of the last person screened.
func (p Prefs) PersonLanguage() (language.Tag, bool) { return p.tag(prefPersonLanguage) }

// SetPersonLanguage keeps the language of the person being screened.
func (p Prefs) SetPersonLanguage(t language.Tag) { p.p.SetString(prefPersonLanguage, t.String()) }

// Officer is the officer using this device, as set in Your details.
// Their agency is police unless they said otherwise.
func (p Prefs) Officer() encounter.Officer {
	return encounter.Officer{
		Name:   p.p.String(prefOfficerName),
		Number: p.p.String(prefOfficerNumber),
		Agency: p.p.StringWithFallback(prefOfficerAgency, "police"),
	}
}

// SetOfficer keeps who the officer using this device is.
func (p Prefs) SetOfficer(o encounter.Officer) {
	p.p.SetString(prefOfficerName, strings.TrimSpace(o.Name))
	p.p.SetString(prefOfficerNumber, strings.TrimSpace(o.Number))
	p.p.SetString(prefOfficerAgency, o.Agency)
}

func (p Prefs) unlockPIN() string        { return p.p.String(prefUnlockPIN) }
func (p Prefs) setUnlockPIN(hash string) { p.p.SetString(prefUnlockPIN, hash) }

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
