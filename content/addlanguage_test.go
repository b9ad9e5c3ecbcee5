package content_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/content"
)

// copyPack writes the default pack to a directory a test can add files
// to, as a force's analyst would.
func copyPack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, assets.Content); err != nil {
		t.Fatal(err)
	}
	return dir
}

// marathi is a partly translated screening language: a force's analyst's
// first pass, a handful of strings in Devanagari.
const marathi = `{
  "tag": "mr",
  "note": "Partial draft for a test.",
  "strings": {
    "ui.start_button": {"text": "सुरू करा", "status": "draft"},
    "ui.next": {"text": "पुढे", "status": "draft"},
    "answer.yes": {"text": "हो", "status": "draft"},
    "answer.no": {"text": "नाही", "status": "draft"},
    "q.age.range": {"text": "तुमचे वय किती आहे?", "status": "draft"}
  }
}`

// TestAddLanguageIsOneFile adds a partly translated language to a copy of
// the pack as one file: the whole pack is still accepted, the language is
// offered, its coverage and review status are reported, and what it lacks
// falls back, marked. No code or test lists the languages.
func TestAddLanguageIsOneFile(t *testing.T) {
	dir := copyPack(t)
	before, err := content.Parse(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "screening", "lang", "mr.json"), []byte(marathi), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(os.DirFS(dir))
	if err != nil {
		t.Fatalf("a partly translated language refused the pack: %v", err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings for a partial translation: %v", p.Warnings)
	}
	if got, want := len(p.Coverage()), len(before.Coverage())+1; got != want {
		t.Errorf("%d coverage rows, want %d", got, want)
	}
	var mr content.Coverage
	for _, c := range p.Coverage() {
		if c.Tag == "mr" {
			mr = c
		}
	}
	if mr.Screening != 5 || mr.ScreeningTotal <= mr.Screening || mr.Draft != 5 || mr.Reviewed != 0 || mr.Complete() {
		t.Errorf("Marathi coverage %+v", mr)
	}
	l := p.Screening.Language(language.Marathi)
	if l == nil {
		t.Fatal("Marathi not offered")
	}
	if s := l.Get("q.documents.kept"); !s.Fallback || s.Tag != language.English {
		t.Errorf("a missing string: %+v, want English marked as a fallback", s)
	}
	if s := l.Get("q.age.range"); s.Fallback || s.Text != "तुमचे वय किती आहे?" {
		t.Errorf("a translated string: %+v", s)
	}
}

// TestBrokenTranslationDoesNotRefuseThePack: a translation file that
// cannot be read leaves that language out with a warning; the indicators,
// rules and every other language are still used.
func TestBrokenTranslationDoesNotRefuseThePack(t *testing.T) {
	dir := copyPack(t)
	os.WriteFile(filepath.Join(dir, "screening", "lang", "mr.json"), []byte(`{"tag": "mr", "strings": {`), 0o644)
	copied := strings.Replace(marathi, `"tag": "mr"`, `"tag": "gu"`, 1)
	copied = strings.Replace(copied, `"text": "पुढे"`, `"text": "Next"`, 1)
	os.WriteFile(filepath.Join(dir, "screening", "lang", "gu.json"), []byte(copied), 0o644)
	p, err := content.Parse(os.DirFS(dir))
	if err != nil {
		t.Fatalf("a broken translation refused the pack: %v", err)
	}
	var all []string
	for _, w := range p.Warnings {
		all = append(all, w.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"screening/lang/mr.json: not valid", "screening/lang/gu.json: ui.next: the same as the en text"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings do not say %q:\n%s", want, joined)
		}
	}
	if p.Screening.Language(language.Marathi) != nil || len(p.Rules) == 0 {
		t.Error("the unreadable language is offered, or the rules are gone")
	}
}
