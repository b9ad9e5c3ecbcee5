package content

// Source is the language every officer-facing text is written in first.
// Every Text must have it; any other language falls back to it.
const Source = "en"

// Text is one officer-facing string in several languages, keyed by BCP 47
// tag ("en", "cy"). In a pack file it is written as an object:
// {"en": "Passport held by someone else", "cy": "..."}.
type Text map[string]string

// In returns the text in lang, matched exactly, then by its base language
// ("cy" for "cy-GB"), then in English. It returns "" only for a Text with
// no English, which a validated pack never has.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t[baseTag(lang)]; s != "" {
		return s
	}
	return t[Source]
}

// String returns the English text, so that a Text prints sensibly in logs
// and test failures.
func (t Text) String() string { return t[Source] }
