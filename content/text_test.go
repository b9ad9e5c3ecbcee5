package content_test

import (
	"testing"

	"github.com/waymark-app/waymark/content"
)

func TestTextFallback(t *testing.T) {
	tx := content.Text{"en": "Car wash", "cy": "Golchfa geir"}
	for lang, want := range map[string]string{
		"en": "Car wash", "cy": "Golchfa geir", "cy-GB": "Golchfa geir",
		"fr": "Car wash", "": "Car wash", "en-GB": "Car wash",
	} {
		if got := tx.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := (content.Text{"en": "Farm", "cy": ""}).In("cy"); got != "Farm" {
		t.Errorf("empty Welsh gave %q, want the English", got)
	}
}

func TestParseLevel(t *testing.T) {
	for _, name := range []string{"green", "amber", "red"} {
		l, err := content.ParseLevel(name)
		if err != nil || l.String() != name {
			t.Errorf("ParseLevel(%q) = %v, %v", name, l, err)
		}
	}
	if _, err := content.ParseLevel("Red"); err == nil {
		t.Error("level names are lowercase")
	}
	var l content.Level
	if err := l.UnmarshalText([]byte("purple")); err == nil {
		t.Error("purple accepted")
	}
}
