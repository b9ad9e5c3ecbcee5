package screening_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// required are languages the guidance and the issues ask for: the set
// must offer them. It is not a count: adding a language file needs no
// change here.
var required = []string{
	"en", "cy", "sq", "vi", "ti", "ar", "so", "ro", "fa", "prs", "ps", "ckb", "zh-Hans", "pl", "bg", "am",
	"ur", "pa", "hi", "bn", "ml", "ta", "ne", "tl", "pt", "es", "uk", "ru", "kmr",
}

// rtl are the required languages written right to left.
var rtl = map[string]bool{"ar": true, "fa": true, "prs": true, "ps": true, "ckb": true, "ur": true}

func parseBundled(t *testing.T) *screening.Set {
	t.Helper()
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestBundledSet(t *testing.T) {
	set := parseBundled(t)
	if set.Source != language.English || set.Languages()[0] != language.English {
		t.Errorf("source %v, languages %v", set.Source, set.Languages())
	}
	if set.Version == "" {
		t.Error("no version")
	}
	for _, w := range set.Warnings {
		t.Errorf("warning: %s", w)
	}
	for _, s := range required {
		if set.Language(language.MustParse(s)) == nil {
			t.Errorf("no %s", s)
		}
	}
	for _, tag := range set.Languages() {
		l := set.Language(tag)
		if want, ok := i18n.DirectionOf(tag); ok && l.Dir != want {
			t.Errorf("%s direction %v, its script's is %v", tag, l.Dir, want)
		}
		if rtl[tag.String()] && l.Dir != i18n.RightToLeft {
			t.Errorf("%s is not right to left", tag)
		}
		c := l.Coverage()
		// Everything in the pack is a machine draft: no one has
		// reviewed it, and nothing may claim otherwise.
		if c.Reviewed != 0 {
			t.Errorf("%s claims %d reviewed strings", tag, c.Reviewed)
		}
		if c.Translated != c.Total || c.Copies != 0 {
			t.Errorf("%s: %d of %d strings, %d copies of English: %v", tag, c.Translated, c.Total, c.Copies, c.Missing)
		}
		t.Logf("%-8s %s %d of %d strings: %d draft, %d reviewed", tag, l.Dir, c.Translated, c.Total, c.Draft, c.Reviewed)
	}
	// The themes the issue names are all covered.
	themes := map[string]bool{}
	for _, q := range set.Questions {
		themes[q.Theme] = true
	}
	for _, th := range []string{"age", "documents", "movement", "control", "threats", "debt", "pay", "housing", "consent"} {
		if !themes[th] {
			t.Errorf("no question about %s", th)
		}
	}
}

func TestIndicatorsAndCheck(t *testing.T) {
	set := parseBundled(t)
	for _, c := range []struct {
		a    screening.Answer
		want []string
	}{
		{screening.Answer{Question: "documents.kept", Choice: screening.Yes}, []string{"ind.control.documents_withheld"}},
		{screening.Answer{Question: "documents.kept", Choice: screening.No}, nil},
		// Not able to get it does not say who has it.
		{screening.Answer{Question: "documents.access", Choice: screening.No}, []string{"ind.general.no_documents"}},
		{screening.Answer{Question: "age.range", Choice: "14_17"}, []string{"ind.vulnerability.says_under_18"}},
		// Being paid in cash is no sign on its own.
		{screening.Answer{Question: "pay.how", Choice: "cash"}, nil},
		{screening.Answer{Question: "housing.workplace", Choice: screening.Yes}, []string{"ind.general.living_at_workplace"}},
		{screening.Answer{Question: "threats.hurt", Choice: screening.PreferNot}, nil},
	} {
		if err := set.Check(c.a); err != nil {
			t.Errorf("Check(%+v): %v", c.a, err)
		}
		if got := set.Indicators(c.a); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Indicators(%s=%s) = %v, want %v", c.a.Question, c.a.Choice, got, c.want)
		}
	}
	for _, a := range []screening.Answer{
		{Question: "no.such", Choice: screening.Yes},
		{Question: "documents.kept", Choice: "cash"},
		{Question: "nrm.what", Choice: screening.Yes},
		{Question: "documents.kept"},
	} {
		if err := set.Check(a); err == nil {
			t.Errorf("Check(%+v) accepted it", a)
		}
	}
	if err := set.Check(screening.Answer{Question: "work.what", Text: "car wash"}); err != nil {
		t.Errorf("free text refused: %v", err)
	}
}

// mapFS copies the bundled set into a map the test can change.
func mapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(assets.Screening, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.Screening, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// languageFile is a language file as a map, to edit in tests.
func languageFile(t *testing.T, m fstest.MapFS, tag string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m["lang/"+tag+".json"].Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func put(t *testing.T, m fstest.MapFS, name string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	m[name] = &fstest.MapFile{Data: b}
}

// TestAddLanguageIsContentOnly adds languages by adding files, as a force
// would, and finds them working with no change to code.
func TestAddLanguageIsContentOnly(t *testing.T) {
	m := mapFS(t)
	// Dutch: a language x/text knows, written left to right.
	nl := languageFile(t, m, "en")
	nl["tag"] = "nl"
	nl["strings"].(map[string]any)["answer.yes"] = map[string]any{"text": "Ja", "status": "draft"}
	put(t, m, "lang/nl.json", nl)
	// Sindhi: Arabic script, so right to left, from its tag alone.
	sd := languageFile(t, m, "ar")
	sd["tag"] = "sd"
	put(t, m, "lang/sd.json", sd)
	// A language with a private-use tag x/text knows nothing about: its
	// names come from the file, its direction from its text.
	qaa := languageFile(t, m, "ckb")
	qaa["tag"] = "qaa"
	qaa["name"] = "زمانی نموونە"
	qaa["names"] = map[string]string{"en": "Sample language"}
	put(t, m, "lang/qaa.json", qaa)

	set, err := screening.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, before := len(set.Languages()), len(parseBundled(t).Languages()); got != before+3 {
		t.Errorf("%d languages, want the %d bundled and 3 more", got, before)
	}
	l, ok := set.Match(language.MustParse("nl-BE"))
	if !ok || l.Tag != language.Dutch || l.Get("answer.yes").Text != "Ja" || l.Dir != i18n.LeftToRight {
		t.Errorf("nl-BE matched %v %v", l.Tag, ok)
	}
	if l := set.Language(language.MustParse("sd")); l == nil || l.Dir != i18n.RightToLeft {
		t.Errorf("Sindhi not right to left: %+v", l)
	}
	qaaTag := language.MustParse("qaa")
	if l := set.Language(qaaTag); l == nil || l.Dir != i18n.RightToLeft {
		t.Errorf("qaa direction not taken from its text: %+v", l)
	}
	names := set.Names()
	if got := names.Self(qaaTag); got != "زمانی نموونە" {
		t.Errorf("qaa own name %q", got)
	}
	if got := names.In(qaaTag, language.MustParse("cy")); got != "Sample language" {
		t.Errorf("qaa name for a Welsh reader %q, want the English name", got)
	}
	if got := names.Self(language.MustParse("sd")); got != "سنڌي" {
		t.Errorf("Sindhi own name %q", got)
	}
}

// TestPersonLanguageSurvivesUpdate: a preference stored as a tag still
// finds its language when an update renames the file, here Dari from
// "prs" to "fa-AF", and the source when the language is gone.
func TestPersonLanguageSurvivesUpdate(t *testing.T) {
	m := mapFS(t)
	prs := languageFile(t, m, "prs")
	prs["tag"] = "fa-AF"
	delete(m, "lang/prs.json")
	put(t, m, "lang/fa-AF.json", prs)
	set, err := screening.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := set.Match(language.MustParse("prs")); !ok || l.Tag.String() != "fa-AF" {
		t.Errorf("prs matched %v", l.Tag)
	}
	if l, ok := set.Match(language.MustParse("fa")); !ok || l.Tag.String() != "fa" {
		t.Errorf("fa matched %v: Persian must not become Dari", l.Tag)
	}
	delete(m, "lang/fa-AF.json")
	set, err = screening.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := set.Match(language.MustParse("fa-AF")); l.Tag.String() == "prs" {
		t.Errorf("matched a removed file")
	}
}

func TestReviewedString(t *testing.T) {
	m := mapFS(t)
	sq := languageFile(t, m, "sq")
	sq["strings"].(map[string]any)["answer.yes"] = map[string]any{
		"text": "Po", "status": "reviewed", "reviewer": "Example Reviewer, NRPSI 00000", "date": "2026-12-01"}
	put(t, m, "lang/sq.json", sq)
	set, err := screening.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	s := set.Language(language.Albanian).Get("answer.yes")
	if s.IsDraft() || s.Reviewer != "Example Reviewer, NRPSI 00000" || s.Date != "2026-12-01" {
		t.Errorf("reviewed string: %+v", s)
	}
	c := set.Language(language.Albanian).Coverage()
	if c.Reviewed != 1 || c.Draft != c.Translated-1 {
		t.Errorf("coverage %+v", c)
	}
}

// TestParseReportsEveryProblem breaks the questions and the source
// language in many ways at once and expects one error that names each.
func TestParseReportsEveryProblem(t *testing.T) {
	m := mapFS(t)
	var qf map[string]any
	if err := json.Unmarshal(m["questions.json"].Data, &qf); err != nil {
		t.Fatal(err)
	}
	qs := qf["questions"].([]any)
	qs = append(qs,
		map[string]any{"id": "documents.kept", "kind": "yesno", "theme": "documents"},
		map[string]any{"id": "Bad ID", "kind": "maybe", "theme": "x"},
		map[string]any{"id": "pay.extra", "kind": "choice", "theme": "pay", "options": []string{"yes", "a"},
			"indicators": map[string][]string{"b": {"ind.labour.x"}, "a": {"not an indicator"}}},
	)
	qf["questions"] = qs
	put(t, m, "questions.json", qf)
	en := languageFile(t, m, "en")
	strs := en["strings"].(map[string]any)
	delete(strs, "q.debt.owe")
	strs["ui.progress"] = map[string]any{"text": "Question {n} of {all}", "status": "draft"}
	put(t, m, "lang/en.json", en)

	_, err := screening.Parse(m)
	var pe *screening.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *screening.Error", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"questions.json: documents.kept: two questions have this ID",
		"questions.json: Bad ID: the ID must be",
		`questions.json: Bad ID: kind "maybe" is not one of`,
		`questions.json: pay.extra: option "yes" is an answer every question has`,
		`questions.json: pay.extra: indicators given for "b"`,
		`questions.json: pay.extra: indicator "not an indicator" must look like`,
		"lang/en.json: q.debt.owe: missing",
		"lang/en.json: q.pay.extra: missing",
		"lang/en.json: ui.progress: lacks the placeholder {total}",
		"lang/en.json: ui.progress: unknown placeholder {all}",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q", want)
		}
	}
	if t.Failed() {
		t.Log(msg)
	}
}

// TestTranslationProblemsAreWarnings breaks translations in many ways:
// the set is still used, each problem is a warning, and what it concerns
// falls back to another language, marked.
func TestTranslationProblemsAreWarnings(t *testing.T) {
	m := mapFS(t)
	pl := languageFile(t, m, "pl")
	strs := pl["strings"].(map[string]any)
	delete(strs, "q.debt.owe")
	strs["q.no.such"] = map[string]any{"text": "x", "status": "draft"}
	strs["answer.yes"] = map[string]any{"text": "Tak", "status": "reviewed"}
	strs["answer.no"] = map[string]any{"text": "Nie", "status": "reviewed", "reviewer": "R", "date": "1 Dec"}
	strs["ui.progress"] = map[string]any{"text": "Pytanie {n} z {razem}", "status": "draft"}
	strs["ui.next"] = map[string]any{"text": " ", "status": "final"}
	strs["ui.back"] = map[string]any{"text": "Back", "status": "draft"}
	strs["q.work.what"] = map[string]any{"text": "What work do you do?", "status": "draft", "same_as_source": true}
	put(t, m, "lang/pl.json", pl)
	bg := languageFile(t, m, "bg")
	bg["colour"] = "blue"
	put(t, m, "lang/bg.json", bg)
	ro := languageFile(t, m, "ro")
	ro["tag"] = "ru"
	put(t, m, "lang/ro.json", ro)
	m["lang/not a tag.json"] = &fstest.MapFile{Data: []byte(`{"tag": "x", "strings": {}}`)}

	set, err := screening.Parse(m)
	if err != nil {
		t.Fatalf("a broken translation refused the whole set: %v", err)
	}
	var warnings []string
	for _, w := range set.Warnings {
		warnings = append(warnings, w.String())
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{
		"lang/pl.json: q.no.such: not a string the question set uses",
		"lang/pl.json: answer.yes: reviewed, but by whom?",
		`lang/pl.json: answer.no: review date "1 Dec" is not YYYY-MM-DD`,
		"lang/pl.json: ui.progress: lacks the placeholder {total}",
		"lang/pl.json: ui.progress: unknown placeholder {razem}",
		"lang/pl.json: ui.next: empty text",
		`lang/pl.json: ui.next: status "final" is neither draft nor reviewed`,
		"lang/pl.json: ui.back: the same as the en text",
		`lang/bg.json: not valid: json: unknown field "colour"`,
		`lang/ro.json: tag "ru" differs from the file name`,
		"lang/not a tag.json: the file name is not a BCP 47 language tag",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings do not say %q", want)
		}
	}
	if strings.Contains(all, "q.work.what") {
		t.Error("a string marked same_as_source was taken for a copy")
	}
	if set.Language(language.Bulgarian) != nil || set.Language(language.Romanian) != nil {
		t.Error("a language file that cannot be read is still offered")
	}
	l := set.Language(language.Polish)
	c := l.Coverage()
	if c.Copies != 1 || c.Translated+len(c.Missing) != c.Total || len(c.Missing) != 6 {
		t.Errorf("coverage %+v", c)
	}
	welsh := set.Language(language.MustParse("cy"))
	for key, wantLang := range map[string]*screening.Language{"q.debt.owe": welsh, "ui.back": welsh, "answer.yes": welsh, "q.housing.room": l} {
		s := l.Lookup(key, welsh)
		if s.Tag != wantLang.Tag || s.Fallback != (wantLang != l) {
			t.Errorf("%s: %+v, want from %s", key, s, wantLang.Tag)
		}
	}
	if s := l.Get("q.debt.owe"); s.Tag != language.English || !s.Fallback || s.Dir != i18n.LeftToRight {
		t.Errorf("without the officer's language a missing string falls back to the source: %+v", s)
	}
	if t.Failed() {
		t.Log(all)
	}
}

// TestRightToLeftFallbackKeepsItsDirection: a missing Arabic string shown
// in English is laid out left to right, so its full stop stays at its end.
func TestRightToLeftFallbackKeepsItsDirection(t *testing.T) {
	m := mapFS(t)
	ar := languageFile(t, m, "ar")
	delete(ar["strings"].(map[string]any), "ui.done")
	put(t, m, "lang/ar.json", ar)
	set, err := screening.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	l := set.Language(language.Arabic)
	s := l.Get("ui.done")
	if !s.Fallback || s.Dir != i18n.LeftToRight || l.Dir != i18n.RightToLeft {
		t.Errorf("fallback %+v in a %v language", s, l.Dir)
	}
	if own := l.Get("ui.start"); own.Fallback || own.Dir != i18n.RightToLeft {
		t.Errorf("own string %+v", own)
	}
}

func TestLatest(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	got := screening.Latest([]screening.Answer{
		{Question: "a", Choice: screening.Yes, At: at},
		{Question: "b", Choice: screening.No, At: at},
		{Question: "a", Choice: screening.No, At: at.Add(time.Minute)},
	})
	if got["a"].Choice != screening.No || got["b"].Choice != screening.No || len(got) != 2 {
		t.Errorf("Latest = %+v", got)
	}
}
