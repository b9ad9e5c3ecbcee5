package encounter

import (
	"time"

	"github.com/google/uuid"
)

// AdultAge is the age from which a person is treated as an adult.
const AdultAge = 18

// Person is someone present whom the officer spoke to or screened. It
// holds no name: identifying details exist only inside an NRM referral,
// which an adult consents to; a Duty to Notify has no place for them.
type Person struct {
	ID uuid.UUID `json:"id"`
	// Label tells people apart on the record ("Person 1", "woman in the
	// back room"). It must not be a name.
	Label           string   `json:"label,omitempty"`
	AgeYears        int      `json:"age_years,omitempty"` // approximate; 0: not known
	AgeInDoubt      bool     `json:"age_in_doubt,omitempty"`
	Gender          string   `json:"gender,omitempty"`
	Nationality     string   `json:"nationality,omitempty"`
	Languages       []string `json:"languages,omitempty"` // BCP 47 tags
	EnglishAbility  string   `json:"english_ability,omitempty"`
	InterpreterUsed bool     `json:"interpreter_used,omitempty"`
	// Indicators seen for this person, as content pack ids.
	Indicators []string `json:"indicators,omitempty"`
	// Answers to the officer's questions about this person, by question id.
	Answers map[string]string `json:"answers,omitempty"`
	// Screening holds the person's own answers, given in their language.
	Screening []ScreeningAnswer `json:"screening,omitempty"`
	Referral  *Referral         `json:"referral,omitempty"`
}

// ScreeningAnswer is one answer a person gave to a screening question,
// recorded against the question id and the version of the question set,
// never against its text. Answers are only added: a later answer to the
// same question supersedes an earlier one, which stays on the record.
type ScreeningAnswer struct {
	Question string `json:"question"`
	// Choice is the option chosen: "yes", "no", "dont_know",
	// "prefer_not", or a choice question's option id; empty for free text.
	Choice string `json:"choice,omitempty"`
	// Text is a free-text answer in the language it was given in;
	// Translation is the interpreter's rendering of it into the officer's
	// language, by Interpreter (name, and number or agency).
	Text        string    `json:"text,omitempty"`
	Translation string    `json:"translation,omitempty"`
	Interpreter string    `json:"interpreter,omitempty"`
	Lang        string    `json:"lang"` // BCP 47 tag of the language the question was put in
	Mode        string    `json:"mode"` // "interpreter" or "handover"
	At          time.Time `json:"at"`
	Set         string    `json:"set,omitempty"` // version of the question set
}

// Referral is what was done for a person: an NRM referral, or a Duty to
// Notify for an adult who did not consent. Exactly one is set.
type Referral struct {
	NRM          *NRM          `json:"nrm,omitempty"`
	DutyToNotify *DutyToNotify `json:"duty_to_notify,omitempty"`
}

// Explained records who told the person what the NRM is, what support it
// gives and how information is shared, and when: informed consent needs it.
type Explained struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// NRM is a National Referral Mechanism referral. An adult must consent
// after it was explained; a child is always referred, without consent.
type NRM struct {
	Explained *Explained `json:"explained,omitempty"`
	Consent   bool       `json:"consent"`
	Identity  Identity   `json:"identity,omitzero"`
	// Account is the written account of the case the NRM form asks for.
	Account    string    `json:"account,omitempty"`
	ReferredAt time.Time `json:"referred_at"`
}

// Identity holds the identifying details an NRM referral asks for. It
// exists only inside an NRM.
type Identity struct {
	Name            string   `json:"name,omitempty"`
	Aliases         []string `json:"aliases,omitempty"`
	DateOfBirth     string   `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	OtherReferences []string `json:"other_references,omitempty"`
}

// DutyToNotify is the anonymous notification to the Home Office for an
// adult who did not consent to an NRM referral (Modern Slavery Act 2015
// s52). It has no field for identifying details, by design; its account
// must not name the person either.
type DutyToNotify struct {
	Explained  Explained `json:"explained"`
	Account    string    `json:"account,omitempty"`
	NotifiedAt time.Time `json:"notified_at"`
}
