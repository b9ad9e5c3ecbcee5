package i18n

import (
	"reflect"
	"testing"

	"golang.org/x/text/language"
)

var welsh = language.MustParse("cy")

func TestWelshPlurals(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Match("cy-GB"); got != welsh {
		t.Fatalf("Match(cy-GB) = %v", got)
	}
	p := b.Printer(welsh)
	// CLDR's Welsh rules: 0 zero, 1 one, 2 two, 3 few, 6 many, the rest
	// other; the noun mutates after 2 (soft), 3 and 6 (aspirate).
	for n, want := range map[int]string{
		0:  "Dim byd i'w anfon",
		1:  "1 cofnod i'w anfon",
		2:  "2 gofnod i'w anfon",
		3:  "3 chofnod i'w anfon",
		4:  "4 cofnod i'w anfon",
		6:  "6 chofnod i'w anfon",
		7:  "7 cofnod i'w anfon",
		11: "11 cofnod i'w anfon",
	} {
		if got := p.T("sync.queued", n); got != want {
			t.Errorf("sync.queued %d = %q, want %q", n, got, want)
		}
	}
	if got := p.T("screening.answered", 2); got != "2 gwestiwn wedi'u hateb" {
		t.Errorf("screening.answered 2 = %q", got)
	}
	if len(b.Texts(welsh)) < len(b.Texts(Source)) {
		t.Errorf("Welsh has %d texts, English %d", len(b.Texts(welsh)), len(b.Texts(Source)))
	}
}

func TestNames(t *testing.T) {
	var n Names
	for _, c := range []struct {
		tag, self, en, cy string
	}{
		{"sq", "shqip", "Albanian", "Albaneg"},
		{"ar", "العربية", "Arabic", "Arabeg"},
		{"ti", "ትግርኛ", "Tigrinya", "Tigrinya"},
		{"prs", "دری", "Dari", "Dari"},
		{"fa-AF", "دری", "Dari", "Dari"},
		{"ckb", "کوردیی ناوەندی", "Kurdish (Sorani)", "Cwrdeg Sorani"},
		{"zh-Hans", "简体中文", "Chinese (Simplified)", "Tsieineeg Symledig"},
		{"cy", "Cymraeg", "Welsh", "Cymraeg"},
	} {
		tag := language.MustParse(c.tag)
		if got := n.Self(tag); got != c.self {
			t.Errorf("Self(%s) = %q, want %q", c.tag, got, c.self)
		}
		if got := n.In(tag, language.English); got != c.en {
			t.Errorf("In(%s, en) = %q, want %q", c.tag, got, c.en)
		}
		if got := n.In(tag, welsh); got != c.cy {
			t.Errorf("In(%s, cy) = %q, want %q", c.tag, got, c.cy)
		}
	}
	if got := n.Label(language.Albanian, language.English); got != "Albanian — shqip" {
		t.Errorf("Label = %q", got)
	}
	if got := n.Label(welsh, welsh); got != "Cymraeg" {
		t.Errorf("Label of Welsh in Welsh = %q", got)
	}
	n.Add(language.Albanian, language.Und, "Shqip")
	if got := n.Self(language.Albanian); got != "Shqip" {
		t.Errorf("an added name does not come first: %q", got)
	}
}

func TestSortCollates(t *testing.T) {
	var n Names
	tags := []language.Tag{language.MustParse("lb"), language.MustParse("br"), language.MustParse("lv"), language.English, language.MustParse("cs")}
	// In Welsh, "ll" and "ch" are letters of their own: Llydaweg
	// (Breton) comes after Lwcsembwrgeg, Tsieceg sits under T.
	n.Sort(tags, welsh)
	var got []string
	for _, t := range tags {
		got = append(got, n.In(t, welsh))
	}
	want := []string{"Latfieg", "Lwcsembwrgeg", "Llydaweg", "Saesneg", "Tsieceg"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Welsh order %q, want %q", got, want)
	}
	s := []string{"Zebra", "Ålesund", "apple", "Éclair"}
	SortStrings(s, language.English)
	if want := []string{"Ålesund", "apple", "Éclair", "Zebra"}; !reflect.DeepEqual(s, want) {
		t.Errorf("English order %q, want %q", s, want)
	}
}

func TestMatcherAliases(t *testing.T) {
	m := NewMatcher(language.English, language.MustParse("fa"), language.MustParse("prs"), language.MustParse("zh-Hans"))
	for pref, want := range map[string]string{
		"fa-AF": "prs", "prs": "prs", "fa": "fa", "fa-IR": "fa", "zh-CN": "zh-Hans", "en-GB": "en",
	} {
		if got, ok := m.MatchStrings(pref); !ok || got.String() != want {
			t.Errorf("Match(%s) = %v, %v; want %s", pref, got, ok, want)
		}
	}
	if got, ok := m.MatchStrings("ja"); ok || got != language.English {
		t.Errorf("Match(ja) = %v, %v; want the fallback and false", got, ok)
	}
	other := NewMatcher(language.English, language.MustParse("fa-AF"))
	if got, _ := other.MatchStrings("prs"); got.String() != "fa-AF" {
		t.Errorf("prs against a fa-AF file: %v", got)
	}
}

func TestDirectionOf(t *testing.T) {
	for tag, want := range map[string]Direction{
		"ar": RightToLeft, "fa": RightToLeft, "prs": RightToLeft, "fa-AF": RightToLeft, "ps": RightToLeft,
		"ckb": RightToLeft, "ur": RightToLeft, "en": LeftToRight, "ti": LeftToRight, "zh-Hans": LeftToRight, "bg": LeftToRight,
	} {
		if got, ok := DirectionOf(language.MustParse(tag)); !ok || got != want {
			t.Errorf("DirectionOf(%s) = %v, %v", tag, got, ok)
		}
	}
}

func TestNumber(t *testing.T) {
	for tag, want := range map[string]string{"en": "12", "fa": "۱۲", "prs": "۱۲", "ps": "۱۲", "ar": "١٢", "ckb": "١٢", "am": "12", "zh-Hans": "12"} {
		if got := Number(language.MustParse(tag), 12); got != want {
			t.Errorf("Number(%s, 12) = %q, want %q", tag, got, want)
		}
	}
}
