package screening

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/i18n/bidi"
)

// The files of a question set, relative to the folder given to Parse.
const (
	QuestionsFile = "questions.json"
	LanguageDir   = "lang" // holds one <BCP 47 tag>.json per language
)

// Problem is one thing wrong with the content.
type Problem struct {
	File string // the file, relative to the set's folder
	Key  string // the question ID or string key, if any
	Msg  string
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.File + ": " + p.Msg
	}
	return p.File + ": " + p.Key + ": " + p.Msg
}

// Error lists every problem Parse found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("screening content has %d problems:\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// questionsFile is the JSON form of QuestionsFile.
type questionsFile struct {
	Version   string         `json:"version"`
	Source    string         `json:"source"`
	Note      string         `json:"note"`
	Questions []questionJSON `json:"questions"`
}

type questionJSON struct {
	ID         string              `json:"id"`
	Kind       Kind                `json:"kind"`
	Theme      string              `json:"theme"`
	Options    []string            `json:"options"`
	Indicators map[string][]string `json:"indicators"`
}

// languageFile is the JSON form of one language.
type languageFile struct {
	Tag     string                `json:"tag"`
	Name    string                `json:"name"`
	Names   map[string]string     `json:"names"`
	Dir     string                `json:"dir"`
	Note    string                `json:"note"`
	Strings map[string]stringJSON `json:"strings"`
}

type stringJSON struct {
	Text     string `json:"text"`
	Status   Status `json:"status"`
	Reviewer string `json:"reviewer"`
	Date     string `json:"date"`
	Note     string `json:"note"`
	// SameAsSource says a text identical to the source language's is
	// meant to be (a name, a number): it is not taken for a copy.
	SameAsSource bool `json:"same_as_source"`
}

var (
	idPattern        = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	optionPattern    = regexp.MustCompile(`^[a-z0-9_]+$`)
	indicatorPattern = regexp.MustCompile(`^ind\.[a-z_]+\.[a-z0-9_]+$`)
	placeholderRE    = regexp.MustCompile(`\{[a-z_]+\}`)
)

// parser collects problems as it goes: those that stop the set being
// used, and warnings about translations, which only leave out what they
// concern.
type parser struct {
	problems []Problem
	warnings []Problem
}

func (p *parser) add(file, key, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: file, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warn(file, key, format string, args ...any) {
	p.warnings = append(p.warnings, Problem{File: file, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// decode reads JSON strictly: unknown fields are problems, so a misspelt
// field does not silently lose its content.
func (p *parser) decode(fsys fs.FS, name string, v any) bool {
	return p.decodeTo(fsys, name, v, p.add)
}

func (p *parser) decodeTo(fsys fs.FS, name string, v any, report func(file, key, format string, args ...any)) bool {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		report(name, "", "cannot read: %v", err)
		return false
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		report(name, "", "not valid: %v", err)
		return false
	}
	return true
}

// Parse reads and checks the question set in fsys: QuestionsFile and one
// file per language in LanguageDir. A language is added by adding its
// file; no code changes. The source language must have every string; any
// other may have some of them, and the rest fall back (see
// Language.Lookup). Problems with the questions or the source language
// stop the set, and Parse reports every one in one *Error; problems with
// a translation only leave out the string or the file concerned, and are
// listed in Set.Warnings.
func Parse(fsys fs.FS) (*Set, error) {
	p := &parser{}
	set := &Set{}
	var qf questionsFile
	haveQuestions := p.decode(fsys, QuestionsFile, &qf)
	if haveQuestions {
		p.questions(set, qf)
	}

	names, err := fs.Glob(fsys, LanguageDir+"/*.json")
	if err != nil {
		p.add(LanguageDir, "", "cannot list: %v", err)
	}
	sort.Strings(names)
	if len(names) == 0 {
		p.add(LanguageDir, "", "no language files")
	}
	required := set.requiredKeys()
	// The source first: translations are checked against it.
	sourceFile := path.Join(LanguageDir, qf.Source+".json")
	sort.SliceStable(names, func(i, j int) bool { return names[i] == sourceFile && names[j] != sourceFile })
	var source *Language
	for _, name := range names {
		isSource := name == sourceFile && haveQuestions
		l := p.language(fsys, name, required, haveQuestions, isSource, source)
		if l == nil {
			continue
		}
		if other := set.Language(l.Tag); other != nil {
			p.warn(name, "", "a second file for %s: left out", l.Tag)
			continue
		}
		if isSource {
			source = l
		}
		set.langs = append(set.langs, l)
	}
	if haveQuestions && set.Source != language.Und && source == nil {
		p.add(QuestionsFile, "", "no usable file %s for the source language", sourceFile)
	}
	if len(p.problems) > 0 {
		return nil, &Error{Problems: p.problems}
	}
	keys := make([]string, 0, len(required))
	for k := range required {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, l := range set.langs {
		l.keys = keys
		if l != source {
			l.source = source
		}
	}
	sort.SliceStable(set.langs, func(i, j int) bool {
		if set.langs[i].Tag == set.Source || set.langs[j].Tag == set.Source {
			return set.langs[i].Tag == set.Source
		}
		return set.langs[i].Tag.String() < set.langs[j].Tag.String()
	})
	set.Warnings = p.warnings
	set.matcher = i18n.NewMatcher(set.Languages()...)
	return set, nil
}

func (p *parser) questions(set *Set, qf questionsFile) {
	const f = QuestionsFile
	set.Version = qf.Version
	if qf.Version == "" {
		p.add(f, "", "no version")
	}
	if t, err := language.Parse(qf.Source); err != nil {
		p.add(f, "", "source %q is not a BCP 47 language tag", qf.Source)
	} else {
		set.Source = t
	}
	if len(qf.Questions) == 0 {
		p.add(f, "", "no questions")
	}
	seen := map[string]bool{}
	for i, qj := range qf.Questions {
		key := qj.ID
		if key == "" {
			key = fmt.Sprintf("question %d", i+1)
		}
		switch {
		case !idPattern.MatchString(qj.ID):
			p.add(f, key, "the ID must be lowercase words joined by dots, like documents.held")
		case seen[qj.ID]:
			p.add(f, key, "two questions have this ID")
		}
		seen[qj.ID] = true
		if qj.Theme == "" {
			p.add(f, key, "no theme")
		}
		q := Question{ID: qj.ID, Kind: qj.Kind, Theme: qj.Theme, Options: qj.Options, Indicators: qj.Indicators}
		switch qj.Kind {
		case YesNo, Text, Info:
			if len(qj.Options) > 0 {
				p.add(f, key, "only a choice question has options")
			}
		case Choice:
			if len(qj.Options) < 2 {
				p.add(f, key, "a choice question needs at least two options")
			}
			opts := map[string]bool{}
			for _, o := range qj.Options {
				switch {
				case !optionPattern.MatchString(o):
					p.add(f, key, "option %q must be lowercase letters, digits and _", o)
				case o == Yes || o == No || o == DontKnow || o == PreferNot:
					p.add(f, key, "option %q is an answer every question has", o)
				case opts[o]:
					p.add(f, key, "option %q twice", o)
				}
				opts[o] = true
			}
		default:
			p.add(f, key, "kind %q is not one of yesno, choice, text, info", qj.Kind)
		}
		choices := map[string]bool{}
		for _, c := range q.Choices() {
			choices[c] = true
		}
		answers := make([]string, 0, len(qj.Indicators))
		for a := range qj.Indicators {
			answers = append(answers, a)
		}
		sort.Strings(answers)
		for _, a := range answers {
			if !choices[a] {
				p.add(f, key, "indicators given for %q, which is not an answer to this question", a)
			}
			for _, ind := range qj.Indicators[a] {
				if !indicatorPattern.MatchString(ind) {
					p.add(f, key, "indicator %q must look like ind.<theme>.<name>", ind)
				}
			}
		}
		set.Questions = append(set.Questions, q)
	}
}

// requiredKeys returns every string key a language must have.
func (s *Set) requiredKeys() map[string]bool {
	keys := map[string]bool{}
	for _, k := range UIKeys {
		keys[k] = true
	}
	for _, c := range []string{Yes, No, DontKnow, PreferNot} {
		keys["answer."+c] = true
	}
	for _, q := range s.Questions {
		keys[q.TextKey()] = true
		for _, o := range q.Options {
			keys[q.ChoiceKey(o)] = true
		}
	}
	return keys
}

// language reads one language file. Problems in the source language's
// file are errors; in any other, warnings, and the string (or, if the
// file cannot be read as a language, the file) is left out.
func (p *parser) language(fsys fs.FS, name string, required map[string]bool, checkKeys, isSource bool, source *Language) *Language {
	report := p.warn
	if isSource {
		report = p.add
	}
	var lf languageFile
	if !p.decodeTo(fsys, name, &lf, report) {
		return nil
	}
	base := strings.TrimSuffix(path.Base(name), ".json")
	tag, err := language.Parse(base)
	if err != nil {
		report(name, "", "the file name is not a BCP 47 language tag: left out")
		return nil
	}
	if lf.Tag != base {
		report(name, "", "tag %q differs from the file name: left out", lf.Tag)
		return nil
	}
	l := &Language{Tag: tag, Name: lf.Name, Names: lf.Names, Note: lf.Note, strs: map[string]String{}}
	for in := range lf.Names {
		if _, err := language.Parse(in); err != nil {
			report(name, "names", "%q is not a BCP 47 language tag", in)
			delete(l.Names, in)
		}
	}
	switch lf.Dir {
	case "rtl":
		l.Dir = i18n.RightToLeft
	case "ltr":
		l.Dir = i18n.LeftToRight
	case "":
		if d, ok := i18n.DirectionOf(tag); ok {
			l.Dir = d
		} else {
			// An unknown language: go by its text, as a browser would.
			var texts []string
			for _, sj := range lf.Strings {
				texts = append(texts, sj.Text)
			}
			sort.Strings(texts)
			l.Dir = bidi.NewAuto(strings.Join(texts, " "), i18n.LeftToRight).Direction()
		}
	default:
		report(name, "dir", "%q is neither ltr nor rtl", lf.Dir)
	}

	keys := make([]string, 0, len(lf.Strings))
	for k := range lf.Strings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sj := lf.Strings[k]
		if checkKeys && !required[k] {
			report(name, k, "not a string the question set uses")
			continue
		}
		if !p.checkString(name, k, sj, report) {
			continue
		}
		if source != nil && !sj.SameAsSource {
			if src, ok := source.strs[k]; ok && sameText(src.Text, sj.Text) {
				p.warn(name, k, "the same as the %s text: translate it, or mark it \"same_as_source\": true if it is right as it is; until then it is shown as not translated", source.Tag)
				l.copies++
				continue
			}
		}
		l.strs[k] = String{Text: sj.Text, Review: Review{Status: sj.Status, Reviewer: sj.Reviewer, Date: sj.Date, Note: sj.Note}, Tag: tag, Dir: l.Dir}
	}
	if checkKeys && isSource {
		var missing []string
		for k := range required {
			if _, ok := l.strs[k]; !ok {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		for _, k := range missing {
			p.add(name, k, "missing: the source language needs every string")
		}
	}
	return l
}

// sameText reports whether a translation copies the source text: the
// same words, where there are words to translate.
func sameText(src, text string) bool {
	if strings.TrimSpace(src) != strings.TrimSpace(text) {
		return false
	}
	return strings.IndexFunc(text, unicode.IsLetter) >= 0
}

// checkString reports what is wrong with one string, and whether it can
// be used.
func (p *parser) checkString(file, k string, sj stringJSON, report func(file, key, format string, args ...any)) bool {
	ok := true
	bad := func(format string, args ...any) {
		report(file, k, format, args...)
		ok = false
	}
	if strings.TrimSpace(sj.Text) == "" {
		bad("empty text")
	}
	switch sj.Status {
	case Draft:
		if sj.Reviewer != "" || sj.Date != "" {
			bad("a draft has no reviewer or review date; set status to reviewed")
		}
	case Reviewed:
		if strings.TrimSpace(sj.Reviewer) == "" {
			bad("reviewed, but by whom? give the reviewer")
		}
		if _, err := time.Parse(time.DateOnly, sj.Date); err != nil {
			bad("review date %q is not YYYY-MM-DD", sj.Date)
		}
	default:
		bad("status %q is neither draft nor reviewed", sj.Status)
	}
	want := placeholders[k]
	got := placeholderRE.FindAllString(sj.Text, -1)
	for _, w := range want {
		if !strings.Contains(sj.Text, w) {
			bad("lacks the placeholder %s", w)
		}
	}
	for _, g := range got {
		known := false
		for _, w := range want {
			known = known || g == w
		}
		if !known {
			bad("unknown placeholder %s", g)
		}
	}
	return ok
}
