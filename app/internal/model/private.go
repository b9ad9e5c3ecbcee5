package model

import (
	"context"

	"github.com/google/uuid"
	"golang.org/x/text/language"
)

// What the app remembers about encounters outside the records, kept as
// settings in the encrypted store, never in the preferences file: even a
// draft's id or the language of a person says something about an
// encounter. The names are the only place these settings are written.
const (
	keptPersonLanguage = "screening.person_language"
	keptDraftStep      = "flow.step." // + the draft's id: the step it was left at
)

// DraftStep is the step the draft id was left at, so that it opens there
// again.
func (s *Saver) DraftStep(id uuid.UUID) (Step, bool) {
	v, ok := s.kept(keptDraftStep + id.String())
	if !ok {
		return 0, false
	}
	return ParseStep(v)
}

// SetDraftStep keeps the step draft id is at.
func (s *Saver) SetDraftStep(id uuid.UUID, st Step) { s.keep(keptDraftStep+id.String(), st.Key()) }

// ForgetDraft drops what is kept about draft id once it is finalised or
// discarded.
func (s *Saver) ForgetDraft(id uuid.UUID) { s.keep(keptDraftStep+id.String(), "") }

// PersonLanguage is the language of the last person screened.
func (s *Saver) PersonLanguage() (language.Tag, bool) {
	v, ok := s.kept(keptPersonLanguage)
	if !ok {
		return language.Und, false
	}
	t, err := language.Parse(v)
	return t, err == nil
}

// SetPersonLanguage keeps the language of the person being screened.
func (s *Saver) SetPersonLanguage(t language.Tag) { s.keep(keptPersonLanguage, t.String()) }

// keep writes the setting name (removes it if value is ""), in order
// after the writes asked for before, on the saver's goroutine: a write
// to the store waits for the disk. Until then, kept answers from memory,
// so a read always sees the last keep.
func (s *Saver) keep(name, value string) {
	s.mu.Lock()
	if s.settings == nil {
		s.settings = map[string]string{}
	}
	s.settings[name] = value
	s.mu.Unlock()
	s.Do(func(ctx context.Context) func() {
		var err error
		if value == "" {
			err = s.records.DeleteSetting(ctx, name)
		} else {
			err = s.records.SetSetting(ctx, name, []byte(value))
		}
		s.mu.Lock()
		if err == nil && s.settings[name] == value {
			// On disk, and nothing newer asked for: the store answers.
			delete(s.settings, name)
		}
		// A write that failed stays in memory: only a convenience is
		// lost at the next start (a draft opens at its first step, a
		// language is asked again), never the record.
		s.mu.Unlock()
		return nil
	})
}

// kept reads the setting name: the last keep not yet written, else the
// store's (a read, which does not wait for the disk to sync). A setting
// that cannot be read is as if never kept.
func (s *Saver) kept(name string) (string, bool) {
	s.mu.Lock()
	v, waiting := s.settings[name]
	s.mu.Unlock()
	if waiting {
		return v, v != ""
	}
	b, err := s.records.Setting(context.Background(), name)
	return string(b), err == nil && len(b) > 0
}
