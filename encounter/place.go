package encounter

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Place is where an encounter happened, reduced to what visit history
// matches on: the postcode without spaces, in capitals, and the address's
// words, lower case, without punctuation, accents, the postcode or common
// abbreviations ("12 High St." and "12, high street" are the same words).
// Two records are at the same place when SamePlace says so, never by
// comparing the text the officers typed.
type Place struct {
	Postcode string   // "LS14AB"; empty if none was given or found
	Words    []string // ["12", "high", "street", "leeds"]
}

// FullAddress is p's address as the officer reads and writes it: with
// the postcode after it when the postcode was given apart (an
// operation's premises, schema 4) and the address does not hold it.
func (p Premises) FullAddress() string {
	pc := NormalisePostcode(p.Postcode)
	if pc == "" {
		return p.Address
	}
	for _, m := range rePostcode.FindAllString(p.Address, -1) {
		if NormalisePostcode(m) == pc {
			return p.Address
		}
	}
	if strings.TrimSpace(p.Address) == "" {
		return p.Postcode
	}
	return p.Address + ", " + p.Postcode
}

// PlaceOf is the place of premises p: its postcode, else the first UK
// postcode written in its address, and its address's words.
func PlaceOf(p Premises) Place {
	return NormalisePlace(p.Address, p.Postcode)
}

// NormalisePlace reduces an address and postcode to a Place. The postcode
// may be empty: the last UK postcode in the address is taken instead.
func NormalisePlace(address, postcode string) Place {
	pc := NormalisePostcode(postcode)
	if pc == "" {
		if m := rePostcode.FindAllString(address, -1); len(m) > 0 {
			pc = NormalisePostcode(m[len(m)-1])
		}
	}
	if pc != "" {
		// Whatever form it took in the address, it is not a word of it.
		address = rePostcode.ReplaceAllStringFunc(address, func(s string) string {
			if NormalisePostcode(s) == pc {
				return " "
			}
			return s
		})
	}
	return Place{Postcode: pc, Words: addressWords(address)}
}

// NormalisePostcode returns s in capitals without spaces if it is a UK
// postcode ("ls1 4ab" → "LS14AB"), else "".
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if s == "" || !rePostcode.MatchString(s) || rePostcode.FindString(s) != s {
		return ""
	}
	return s
}

// abbreviations are expanded so that either spelling matches.
var abbreviations = map[string]string{
	"st": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive",
	"ct": "court", "cres": "crescent", "pl": "place", "sq": "square", "gdns": "gardens",
	"terr": "terrace", "tce": "terrace", "ind": "industrial", "est": "estate", "pk": "park",
	"bldgs": "buildings", "ho": "house", "hse": "house", "cl": "close", "gr": "grove", "hwy": "highway",
	"n": "north", "s": "south", "e": "east", "w": "west", "nr": "near", "apt": "flat",
}

// addressWords splits an address into lower-case words without accents
// or punctuation, abbreviations expanded, "12a" kept whole and "12 a"
// joined to it.
func addressWords(address string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(address) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent, dropped with its letter kept
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	var out []string
	for _, w := range strings.Fields(b.String()) {
		if long, ok := abbreviations[w]; ok {
			w = long
		}
		// "12 a" is "12a": a single letter after a number belongs to it.
		if n := len(out); n > 0 && len(w) == 1 && w[0] >= 'a' && w[0] <= 'z' && isNumber(out[n-1]) {
			out[n-1] += w
			continue
		}
		out = append(out, w)
	}
	return out
}

func isNumber(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// SamePlace reports whether a and b are the same premises: the same
// postcode, and the words of one address begin the other's (so a town
// added or left off does not matter; "12 high street" is not
// "14 high street"). Without a postcode on either side nothing matches:
// a street name alone is too weak to tell an officer "visited before".
func SamePlace(a, b Place) bool {
	if a.Postcode == "" || a.Postcode != b.Postcode || len(a.Words) == 0 || len(b.Words) == 0 {
		return false
	}
	short, long := a.Words, b.Words
	if len(short) > len(long) {
		short, long = long, short
	}
	for i, w := range short {
		if long[i] != w {
			return false
		}
	}
	return true
}
