package encounter

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DtNSheet is what the Duty to Notify copy sheet may show about a person
// and where they were met. A Duty to Notify is anonymous (Modern Slavery
// Act 2015 s52): the person did not consent, so the sheet must not let
// anyone work out who they are. Details that identify nobody alone can
// identify a person together: "a 34-year-old Vietnamese woman at 12 High
// Street, Nails R Us" is one person. The rule:
//
//   - Place: the business type and the postcode district (the outward
//     code, "M1"), never the premises name, street address or full
//     postcode, and no time of day (the date only).
//   - Age: a band (18–24, 25–34, 35–44, 45–54, 55–64, 65 and over),
//     never the years.
//   - Sex and nationality: only if at least MinPeopleForDetails people
//     were present; with fewer, they would pick the person out.
//   - Languages, English ability, interpreter: as sex and nationality.
//   - The account: the officer's text, which must carry no identifier
//     (Check refuses one; names are the officer's to leave out).
//
// A force may tune MinPeopleForDetails; the rule is written down in
// docs/security.md.
type DtNSheet struct {
	Business  Business
	District  string // postcode outward code, or empty
	Date      string // YYYY-MM-DD of the encounter, the day in the officer's time zone
	AgeBand   string // "25–34"; empty if the age is not known
	Sex       string // empty when withheld or not known
	Nation    string // nationality; empty when withheld or not known
	Languages []string
	English   string
	// Interpreter says whether an interpreter was used; false when
	// withheld.
	Interpreter bool
	Withheld    bool // sex, nationality, languages and interpreter left out: too few people present
	Account     string
	Indicators  []string // indicator ids seen, on the premises and for the person
}

// MinPeopleForDetails is the fewest people present for a Duty to Notify
// sheet to give sex, nationality and languages.
const MinPeopleForDetails = 3

var reOutward = regexp.MustCompile(`(?i)\b([A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s*\d[ABD-HJLNP-UW-Z]{2}\b`)

// DutyToNotifySheet returns what the copy sheet of person p's Duty to
// Notify may show, by the rule on DtNSheet. p must be one of r's people.
// zone is the officer's time zone (on the device, time.Local): the date
// is the day the officer met the person, which in UTC is a day early
// between midnight and 1 am in a British summer. A nil zone is UTC.
func (r Record) DutyToNotifySheet(p Person, zone *time.Location) DtNSheet {
	if zone == nil {
		zone = time.UTC
	}
	s := DtNSheet{Business: r.Premises.Business, Date: r.OccurredAt.In(zone).Format(time.DateOnly)}
	if m := reOutward.FindStringSubmatch(r.Premises.FullAddress()); m != nil {
		s.District = strings.ToUpper(m[1])
	}
	s.AgeBand = AgeBand(p.AgeYears)
	present := max(r.PeoplePresent, len(r.People))
	if present >= MinPeopleForDetails {
		s.Sex, s.Nation, s.Languages, s.English, s.Interpreter = p.Gender, p.Nationality, p.Languages, p.EnglishAbility, p.InterpreterUsed
	} else {
		s.Withheld = true
	}
	if p.Referral != nil && p.Referral.DutyToNotify != nil {
		s.Account = p.Referral.DutyToNotify.Account
	}
	s.Indicators = append(append([]string{}, r.Indicators...), p.Indicators...)
	return s
}

// AgeBand is the age band of years ("25–34"), or empty if unknown.
func AgeBand(years int) string {
	switch {
	case years <= 0:
		return ""
	case years < AdultAge:
		return "under 18"
	case years < 25:
		return "18–24"
	case years >= 65:
		return "65 and over"
	}
	lo := (years-25)/10*10 + 25
	return fmt.Sprintf("%d–%d", lo, lo+9)
}
