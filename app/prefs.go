package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// Preference keys: every setting Waymark keeps, and the only place their
// names are written. Languages are kept as BCP 47 tags, never as indexes
// into a list, so a content-pack update that adds, drops or reorders
// languages cannot change what they mean.
const (
	prefOfficerLanguage = "i18n.officer_language"
	prefPersonLanguage  = "screening.person_language"
	prefIdleLock        = "lock.idle_minutes"
	prefOfficerName     = "officer.name"
	prefOfficerNumber   = "officer.number"
	prefOfficerAgency   = "officer.agency"
)

// Prefs reads and writes Waymark's settings in Fyne's preferences, a
// file outside the encrypted store, except those that say something about
// a record: the language of the last person screened is kept in the
// encrypted store once there is one (withStore).
type Prefs struct {
	p       fyne.Preferences
	private settingStore // nil: no store; everything in p
}

// settingStore keeps settings encrypted with the records. *store.Store
// implements it.
type settingStore interface {
	Setting(ctx context.Context, name string) ([]byte, error)
	SetSetting(ctx context.Context, name string, b []byte) error
}

// withStore returns p with the settings about records kept in st.
func (p Prefs) withStore(st settingStore) Prefs {
	p.private = st
	return p
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
func (p Prefs) PersonLanguage() (language.Tag, bool) {
	if p.private == nil {
		return p.tag(prefPersonLanguage)
	}
	b, err := p.private.Setting(context.Background(), prefPersonLanguage)
	if err != nil {
		return language.Und, false
	}
	t, err := language.Parse(string(b))
	return t, err == nil
}

// SetPersonLanguage keeps the language of the person being screened: in
// the encrypted store, where there is one, since it says something about
// an encounter.
func (p Prefs) SetPersonLanguage(t language.Tag) {
	if p.private == nil {
		p.p.SetString(prefPersonLanguage, t.String())
		return
	}
	if err := p.private.SetSetting(context.Background(), prefPersonLanguage, []byte(t.String())); err != nil {
		fyne.LogError("keep the language of the person screened", err)
	}
}

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

// IdleLock is how long the app stays open with nothing done before it
// locks: session.DefaultIdleLock unless set, at most
// session.MaxIdleLock.
func (p Prefs) IdleLock() time.Duration {
	m := p.p.IntWithFallback(prefIdleLock, int(session.DefaultIdleLock/time.Minute))
	return min(max(time.Duration(m)*time.Minute, time.Minute), session.MaxIdleLock)
}

// SetIdleLock keeps how long the app stays open with nothing done, in
// whole minutes.
func (p Prefs) SetIdleLock(d time.Duration) { p.p.SetInt(prefIdleLock, int(d/time.Minute)) }

// legacyKeys are settings earlier versions kept in the preferences file
// that must not be there: the hand-over PIN's hash (the vault holds the
// one PIN now), the officer's name and number (the enrolment's account
// says who the officer is, inside the encrypted store) and the language
// of the last person screened (in the encrypted store now).
var legacyKeys = []string{"handover.unlock_pin", prefOfficerName, prefOfficerNumber, prefOfficerAgency, prefPersonLanguage}

// DropLegacy removes from the preferences what earlier versions kept
// there and must not be outside the encrypted store.
func (p Prefs) DropLegacy() {
	for _, k := range legacyKeys {
		p.p.RemoveValue(k)
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
