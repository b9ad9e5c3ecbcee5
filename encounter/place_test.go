package encounter

import (
	"slices"
	"testing"
)

func TestNormalisePostcode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"LS1 4AB", "LS14AB"},
		{" ls1   4ab ", "LS14AB"},
		{"ls14ab", "LS14AB"},
		{"SW1A 1AA", "SW1A1AA"},
		{"M1 1AE", "M11AE"},
		{"", ""},
		{"not a postcode", ""},
		{"LS1 4AB extra", ""},
		{"12345", ""},
	} {
		if got := NormalisePostcode(c.in); got != c.want {
			t.Errorf("NormalisePostcode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalisePlace(t *testing.T) {
	for _, c := range []struct {
		name, address, postcode string
		want                    Place
	}{
		{"abbreviations and punctuation", "12 High St., Leeds", "LS1 4AB", Place{"LS14AB", []string{"12", "high", "street", "leeds"}}},
		{"postcode found in the address", "12 High Street, Leeds LS1 4AB", "", Place{"LS14AB", []string{"12", "high", "street", "leeds"}}},
		{"postcode in the address and apart", "12 High Street LS14AB", "ls1 4ab", Place{"LS14AB", []string{"12", "high", "street"}}},
		{"accents dropped", "3 Rue Café", "M1 1AE", Place{"M11AE", []string{"3", "rue", "cafe"}}},
		{"a house letter joins its number", "12 A Mill Ln", "M1 1AE", Place{"M11AE", []string{"12a", "mill", "lane"}}},
		{"unit numbers kept", "Unit 4, Mill Lane Ind Est", "M1 1AE", Place{"M11AE", []string{"unit", "4", "mill", "lane", "industrial", "estate"}}},
		{"no postcode", "12 High Street", "", Place{"", []string{"12", "high", "street"}}},
		{"empty", "", "", Place{"", nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := NormalisePlace(c.address, c.postcode)
			if got.Postcode != c.want.Postcode || !slices.Equal(got.Words, c.want.Words) {
				t.Errorf("NormalisePlace(%q, %q) = %+v, want %+v", c.address, c.postcode, got, c.want)
			}
		})
	}
}

func TestSamePlace(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b Premises
		want bool
	}{
		{"same words, other spelling", Premises{Address: "12 High St", Postcode: "LS1 4AB"}, Premises{Address: "12, high street", Postcode: "ls14ab"}, true},
		{"town left off", Premises{Address: "12 High Street, Leeds", Postcode: "LS1 4AB"}, Premises{Address: "12 High Street", Postcode: "LS1 4AB"}, true},
		{"postcode only in one address", Premises{Address: "12 High Street, Leeds LS1 4AB"}, Premises{Address: "12 High St", Postcode: "LS1 4AB"}, true},
		{"another number", Premises{Address: "12 High Street", Postcode: "LS1 4AB"}, Premises{Address: "14 High Street", Postcode: "LS1 4AB"}, false},
		{"another postcode", Premises{Address: "12 High Street", Postcode: "LS1 4AB"}, Premises{Address: "12 High Street", Postcode: "LS1 4AD"}, false},
		{"no postcode on either", Premises{Address: "12 High Street"}, Premises{Address: "12 High Street"}, false},
		{"an empty address", Premises{Postcode: "LS1 4AB"}, Premises{Address: "12 High Street", Postcode: "LS1 4AB"}, false},
		{"flat letters", Premises{Address: "12a Mill Lane", Postcode: "M1 1AE"}, Premises{Address: "12 A Mill Ln", Postcode: "M1 1AE"}, true},
		{"flat letter against none", Premises{Address: "12a Mill Lane", Postcode: "M1 1AE"}, Premises{Address: "12 Mill Lane", Postcode: "M1 1AE"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := SamePlace(PlaceOf(c.a), PlaceOf(c.b)); got != c.want {
				t.Errorf("SamePlace = %v, want %v (%+v, %+v)", got, c.want, PlaceOf(c.a), PlaceOf(c.b))
			}
			if got := SamePlace(PlaceOf(c.b), PlaceOf(c.a)); got != c.want {
				t.Errorf("SamePlace reversed = %v, want %v", got, c.want)
			}
		})
	}
}

// TestFullAddress: a postcode given apart is shown after the address,
// unless the address holds it already (in any spelling); the copy
// sheet's district comes from it too.
func TestFullAddress(t *testing.T) {
	for _, tt := range []struct{ address, postcode, want string }{
		{"1 Example Road, Exampleton", "EX1 1AA", "1 Example Road, Exampleton, EX1 1AA"},
		{"1 Example Road, Exampleton ex11aa", "EX1 1AA", "1 Example Road, Exampleton ex11aa"},
		{"1 Example Road", "", "1 Example Road"},
		{"", "EX1 1AA", "EX1 1AA"},
		{"1 Example Road, M1 1AE", "EX1 1AA", "1 Example Road, M1 1AE, EX1 1AA"},
	} {
		if got := (Premises{Address: tt.address, Postcode: tt.postcode}).FullAddress(); got != tt.want {
			t.Errorf("FullAddress(%q, %q) = %q, want %q", tt.address, tt.postcode, got, tt.want)
		}
	}
	r := Record{Premises: Premises{Address: "1 Example Road", Postcode: "EX1 1AA", Business: CarWash}, OccurredAt: t0}
	if s := r.DutyToNotifySheet(Person{AgeYears: 30}, nil); s.District != "EX1" {
		t.Errorf("district %q from a postcode given apart", s.District)
	}
}
