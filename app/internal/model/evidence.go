package model

import (
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/store"
)

// Seals are the verdicts on a record's signatures and its amendments'
// as the store checked them when the record was read, or, in Err, why
// they could not be checked.
type Seals struct {
	store.Evidence
	Err error
}

// SealText says what a signature's verdict means, in words an officer and
// a court would understand, and how to show it: a signature that is
// verified in the success colour, one that cannot be relied on in the
// danger colour, a record made before records were signed as a warning.
func SealText(p *i18n.Printer, v evidence.Verdict) Notice {
	switch v.State {
	case evidence.Verified:
		by := v.By.Number
		if by == "" {
			by = v.By.String()
		}
		if by == "" {
			return Notice{Text: p.T("evidence.verified.unnamed", v.ShortDevice()), Kind: NoticeSuccess}
		}
		return Notice{Text: p.T("evidence.verified", v.ShortDevice(), by), Kind: NoticeSuccess}
	case evidence.Broken:
		return Notice{Text: p.T("evidence.broken", v.ShortDevice()), Kind: NoticeDanger}
	case evidence.KeyUnknown:
		return Notice{Text: p.T("evidence.key_unknown", v.ShortDevice()), Kind: NoticeDanger}
	case evidence.OtherDevice:
		return Notice{Text: p.T("evidence.other_device", v.ShortDevice(), v.ShortMade()), Kind: NoticeDanger}
	}
	return Notice{Text: p.T("evidence.unsigned"), Kind: NoticeWarning}
}

// text is verdict v of one of s's signatures in words, or that none of
// them could be checked.
func (s Seals) text(p *i18n.Printer, v evidence.Verdict) Notice {
	if s.Err != nil {
		return Notice{Text: p.T("evidence.unreadable"), Kind: NoticeWarning}
	}
	return SealText(p, v)
}
