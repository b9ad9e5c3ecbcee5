package strictjson

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// doc is shaped like a record document: nested structs, pointers, maps,
// slices, and types that decode themselves.
type doc struct {
	ID      uuid.UUID         `json:"id"`
	Seq     uint64            `json:"seq"`
	Age     int8              `json:"age,omitempty"`
	Ratio   float32           `json:"ratio,omitempty"`
	Name    string            `json:"name,omitempty"`
	OK      bool              `json:"ok,omitempty"`
	At      time.Time         `json:"at,omitzero"`
	Sig     []byte            `json:"sig,omitempty"`
	Tags    []string          `json:"tags,omitempty"`
	Answers map[string]string `json:"answers,omitempty"`
	Ref     *ref              `json:"referral,omitempty"`
	Pair    [2]int            `json:"pair,omitzero"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Local   string            `json:"-"`
}

type ref struct {
	NRM *nrm `json:"nrm,omitempty"`
	DtN *struct {
		Account string `json:"account"`
	} `json:"duty_to_notify,omitempty"`
}

type nrm struct {
	Identity struct {
		Name string `json:"name,omitempty"`
	} `json:"identity,omitzero"`
}

const id = `"0192f1a0-1111-7111-8111-000000000001"`

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		rule string // empty: accepted
		path string
	}{
		{"minimal", `{"id":` + id + `}`, "", ""},
		{"everything", `{"id":` + id + `,"seq":18446744073709551615,"age":-128,"ratio":1.5e3,"name":"a\u00e9\ud83d\ude00","ok":true,` +
			`"at":"2026-03-14T09:30:00Z","sig":"AAEC","tags":["x","y"],"answers":{"q1":"yes","Q1":"no"},` +
			`"referral":{"nrm":null,"duty_to_notify":{"account":"seen"}},"pair":[1,2],"body":{"any":[1,{"b":null}]}}`, "", ""},
		{"white space", " \t\r\n{ \"id\" : " + id + " } \n", "", ""},
		{"empty", "", RuleEmpty, ""},
		{"only space", "   ", RuleEmpty, ""},
		{"two values", `{"id":` + id + `} {}`, RuleTrailing, ""},
		{"trailing comma", `{"id":` + id + `,}`, RuleSyntax, ""},
		{"single quotes", `{'id':1}`, RuleSyntax, ""},
		{"duplicate key", `{"id":` + id + `,"id":` + id + `}`, RuleDuplicate, "id"},
		{"duplicate key escaped", `{"name":"a","n\u0061me":"b"}`, RuleDuplicate, "name"},
		{"duplicate nested: the issue's Duty to Notify", `{"referral":{"nrm":{"identity":{"name":"x"}},"nrm":null}}`, RuleDuplicate, "referral.nrm"},
		{"duplicate map key", `{"answers":{"q":"a","q":"b"}}`, RuleDuplicate, "answers.*"},
		{"duplicate in raw body", `{"body":{"a":1,"a":2}}`, RuleDuplicate, "body.*"},
		{"many keys then a duplicate", `{"body":{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"r":1,"a":2}}`, RuleDuplicate, "body.*"},
		{"case-folded key", `{"ID":` + id + `}`, RuleCaseFolded, ""},
		{"unknown field", `{"id":` + id + `,"device":"x"}`, RuleUnknown, ""},
		{"unknown nested", `{"referral":{"nrm":{"identity":{"dob":"x"}}}}`, RuleUnknown, "referral.nrm.identity"},
		{"invalid UTF-8 in a value", "{\"name\":\"a\xff\"}", RuleUTF8, "name"},
		{"invalid UTF-8 in a key", "{\"n\xc3\":1}", RuleUTF8, ""},
		{"UTF-8 surrogate bytes", "{\"name\":\"\xed\xa0\x80\"}", RuleUTF8, "name"},
		{"overlong UTF-8", "{\"name\":\"\xc0\xaf\"}", RuleUTF8, "name"},
		{"lone high surrogate", `{"name":"\ud800"}`, RuleSurrogate, "name"},
		{"lone low surrogate", `{"name":"\udc00x"}`, RuleSurrogate, "name"},
		{"reversed pair", `{"name":"\udc00\ud800"}`, RuleSurrogate, "name"},
		{"control character", "{\"name\":\"a\nb\"}", RuleSyntax, "name"},
		{"bad escape", `{"name":"\x41"}`, RuleSyntax, "name"},
		{"number too long", `{"body":` + strings.Repeat("9", MaxNumberLen+1) + `}`, RuleNumber, "body"},
		{"number infinite", `{"body":1e999}`, RuleNumber, "body"},
		{"uint negative", `{"seq":-1}`, RuleNumber, "seq"},
		{"uint overflow", `{"seq":18446744073709551616}`, RuleNumber, "seq"},
		{"int8 overflow", `{"age":128}`, RuleNumber, "age"},
		{"int with fraction", `{"age":1.0}`, RuleNumber, "age"},
		{"int with exponent", `{"age":1e1}`, RuleNumber, "age"},
		{"float32 overflow", `{"ratio":1e39}`, RuleNumber, "ratio"},
		{"leading zero", `{"seq":01}`, RuleSyntax, ""},
		{"number as string", `{"seq":"1"}`, RuleType, "seq"},
		{"string as number", `{"name":1}`, RuleType, "name"},
		{"null string", `{"name":null}`, RuleNull, "name"},
		{"null number", `{"seq":null}`, RuleNull, "seq"},
		{"null bool", `{"ok":null}`, RuleNull, "ok"},
		{"null time", `{"at":null}`, RuleNull, "at"},
		{"null uuid", `{"id":null}`, RuleNull, "id"},
		{"null pointer", `{"referral":null}`, "", ""},
		{"null slice", `{"tags":null}`, "", ""},
		{"null document", `null`, RuleNull, ""},
		{"array for object", `[]`, RuleType, ""},
		{"bad uuid", `{"id":"John Smith"}`, RuleFormat, "id"},
		{"bad time", `{"at":"14/03/2026"}`, RuleFormat, "at"},
		{"bad base64", `{"sig":"!!"}`, RuleFormat, "sig"},
		{"short array", `{"pair":[1]}`, RuleLength, "pair"},
		{"long array", `{"pair":[1,2,3]}`, RuleLength, "pair"},
		{"index in path", `{"tags":["a",2]}`, RuleType, "tags[1]"},
		{"too deep", `{"body":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, RuleDepth, "body" + strings.Repeat("[0]", MaxDepth-1)},
		{"deep but allowed", `{"body":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`, "", ""},
		{"unterminated string", `{"name":"abc`, RuleSyntax, "name"},
		{"unterminated object", `{"name":"abc"`, RuleSyntax, ""},
		{"bare word", `{"ok":yes}`, RuleType, "ok"},
		{"truncated literal", `{"ok":tru}`, RuleSyntax, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := Unmarshal([]byte(tt.in), &d)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var want doc
				if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
					t.Fatalf("encoding/json refuses what was accepted: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Rule != tt.rule || e.Path != tt.path {
				t.Errorf("rule %q at %q, want %q at %q (%v)", e.Rule, e.Path, tt.rule, tt.path, err)
			}
		})
	}
}

func TestAllowUnknown(t *testing.T) {
	var d doc
	o := Options{AllowUnknown: true}
	if err := o.Unmarshal([]byte(`{"id":`+id+`,"added_later":{"x":[1]}}`), &d); err != nil {
		t.Errorf("unknown field refused: %v", err)
	}
	for _, in := range []string{
		`{"id":` + id + `,"Seq":4}`,     // encoding/json would set seq
		`{"added_later":{"x":1,"x":2}}`, // still checked as JSON
		"{\"added_later\":\"\xff\"}",    // and as UTF-8
		`{"id":` + id + `,"added":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
	} {
		if err := o.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestValid(t *testing.T) {
	for in, ok := range map[string]bool{
		`{"a":[1,2,{"b":"c"}]}`: true,
		`"x"`:                   true,
		`-0.5e-3`:               true,
		`{"a":1,"a":1}`:         false,
		`[1,]`:                  false,
		"\"\xff\"":              false,
	} {
		if err := Valid([]byte(in)); (err == nil) != ok {
			t.Errorf("Valid(%q) = %v", in, err)
		}
	}
}

// TestErrorsNeverQuote is the package's promise: whatever the input, an
// error's text holds field names the type defines, indices, rules and
// offsets, never the sender's keys or values.
func TestErrorsNeverQuote(t *testing.T) {
	const canary = "CANARYzq7"
	for _, in := range []string{
		`{"` + canary + `":1}`,
		`{"answers":{"` + canary + `":1}}`,
		`{"name":"` + canary + `","name":"x"}`,
		`{"id":"` + canary + `"}`,
		`{"at":"` + canary + `"}`,
		`{"sig":"` + canary + `!"}`,
		`{"seq":"` + canary + `"}`,
		`{"body":{"` + canary + `":{"` + canary + `":1,"` + canary + `":2}}}`,
		"{\"name\":\"" + canary + "\xff\"}",
		`{"` + canary + `"}`,
		`{"ID` + canary + `":1}`,
	} {
		var d doc
		err := Unmarshal([]byte(in), &d)
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("error quotes the input: %v", err)
		}
	}
}

var safePath = regexp.MustCompile(`^(\.?[a-z_]+|\[[0-9]+\]|\.?\*)*$`)

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"id":` + id + `,"referral":{"nrm":{"identity":{"name":"x"}},"nrm":null}}`))
	f.Add([]byte(`{"answers":{"a":"\ud83d\ude00"},"body":[1,{"x":null}],"pair":[1,2],"sig":"AA=="}`))
	f.Add([]byte(`{"at":"2026-03-14T09:30:00.5+01:00","seq":7,"ratio":-0.0}`))
	f.Add([]byte("{\"name\":\"\xed\xa0\x80\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d doc
		err := Unmarshal(b, &d)
		if err == nil {
			// Whatever is accepted, encoding/json reads the same way, and
			// is valid UTF-8 JSON.
			if !json.Valid(b) || !utf8.Valid(b) {
				t.Fatalf("accepted what is not valid UTF-8 JSON: %q", b)
			}
			var again doc
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatalf("encoding/json refuses what was accepted: %v", err)
			}
			out, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var back doc
			if err := Unmarshal(out, &back); err != nil {
				t.Fatalf("our own encoding refused: %v\n%s", err, out)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *Error: %v", err)
		}
		if !safePath.MatchString(e.Path) {
			t.Fatalf("path %q may quote the input", e.Path)
		}
		if e.Offset < 0 || e.Offset > len(b) {
			t.Fatalf("offset %d outside %d bytes", e.Offset, len(b))
		}
	})
}

func FuzzValid(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":"c"}],"d":-1.5e7}`))
	f.Add([]byte(`"\u00e9\ud834\udd1e"`))
	f.Add([]byte(`{"a":1,"\u0061":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Valid(b)
		if err == nil && (!json.Valid(b) || !utf8.Valid(b)) {
			t.Fatalf("accepted what is not valid UTF-8 JSON: %q", b)
		}
		if err != nil && json.Valid(b) && utf8.Valid(b) {
			// Refused valid JSON: only for a rule encoding/json does not
			// have.
			var e *Error
			errors.As(err, &e)
			switch e.Rule {
			case RuleDuplicate, RuleSurrogate, RuleDepth, RuleNumber:
			default:
				t.Fatalf("valid JSON refused for %q: %v", e.Rule, err)
			}
		}
	})
}
