// Package strictjson decodes JSON that Waymark did not write itself,
// strictly: every decoder of input on the device and on the server goes
// through it.
//
// What encoding/json lets pass, and this package refuses, each with the
// path of the field and the rule broken (never the value, which may be
// personal data):
//
//   - a duplicate key in an object (encoding/json keeps the last one, so a
//     checker and a later reader could see different documents), and a key
//     that matches a field only if case is ignored;
//   - invalid UTF-8, and \u escapes of lone surrogates;
//   - a key the target type has no field for (unless Options.AllowUnknown);
//   - numbers out of the range of their field's type, with a fraction or
//     exponent where a whole number is expected, or longer than
//     MaxNumberLen characters anywhere;
//   - null where the field cannot be absent (a string, number, boolean,
//     struct or fixed-size array);
//   - an array of the wrong length for a fixed-size array;
//   - nesting deeper than MaxDepth;
//   - anything but white space after the value.
//
// Values whose type decodes itself (time.Time, uuid.UUID, []byte) are
// checked by that decoding, and a failure is reported without the value.
// Once Check has passed, encoding/json decodes the bytes: the two can no
// longer disagree about what they mean.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply objects and arrays may nest by default. A
// record document nests about ten deep inside a push request.
const MaxDepth = 32

// MaxNumberLen is the longest number accepted, in characters: more than
// any 64-bit integer needs.
const MaxNumberLen = 32

// Rules a document can break, as Error.Rule names them. They are stable
// identifiers, safe to log and to send back: they never hold a value.
const (
	RuleSyntax     = "not valid JSON"
	RuleEmpty      = "empty"
	RuleTrailing   = "data after the value"
	RuleUTF8       = "invalid UTF-8"
	RuleSurrogate  = "a lone UTF-16 surrogate escape"
	RuleDuplicate  = "a duplicate key"
	RuleUnknown    = "a field the message does not define"
	RuleDepth      = "nested too deeply"
	RuleNumber     = "a number out of range"
	RuleType       = "the wrong type"
	RuleNull       = "null where a value is required"
	RuleLength     = "an array of the wrong length"
	RuleFormat     = "a value in the wrong format"
	RuleCaseFolded = "a key that differs from a field only in case"
)

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("JSON refused")

// Error says where a document breaks which rule. Path uses the target
// type's field names and array indices ("people[0].referral.nrm"); keys
// the type does not define, and map keys, are shown as "*", since they
// are the sender's text. Offset is the byte where the problem was found.
type Error struct {
	Path   string
	Rule   string
	Want   string // for RuleType and RuleFormat: what was expected
	Offset int
}

func (e *Error) Error() string {
	where := e.Path
	if where == "" {
		where = "document"
	}
	msg := fmt.Sprintf("%s: %s", where, e.Rule)
	if e.Want != "" {
		msg += " (want " + e.Want + ")"
	}
	return msg + fmt.Sprintf(" at byte %d", e.Offset)
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *Error) Unwrap() error { return ErrInvalid }

// Options configures a check. The zero value is the strictest.
type Options struct {
	// AllowUnknown lets keys the target type does not define pass (still
	// checked as JSON): a device reading an answer from a newer server.
	AllowUnknown bool
	// MaxDepth bounds nesting; 0 means MaxDepth.
	MaxDepth int
}

// Unmarshal checks b against v's type with the strictest options, then
// decodes it into v.
func Unmarshal(b []byte, v any) error { return Options{}.Unmarshal(b, v) }

// Unmarshal checks b against v's type, then decodes it into v. Every
// failure is an *Error.
func (o Options) Unmarshal(b []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictjson: decode into %T, not a pointer", v)
	}
	if err := o.check(b, rv.Type().Elem()); err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		// Check passed, so this is a gap in it; say so without the
		// decoder's message, which may quote the value.
		return &Error{Rule: RuleFormat, Want: rv.Type().Elem().String()}
	}
	return nil
}

// Check checks that b is one JSON value that v's type could hold, by the
// rules above, without decoding it.
func (o Options) Check(b []byte, v any) error { return o.check(b, reflect.TypeOf(v)) }

// Valid checks that b is one JSON value of any shape, by the rules above
// that do not depend on a type: syntax, UTF-8, duplicate keys, depth,
// number length.
func Valid(b []byte) error { return Options{}.check(b, nil) }

func (o Options) check(b []byte, t reflect.Type) error {
	p := parser{b: b, opts: o, max: o.MaxDepth}
	if p.max == 0 {
		p.max = MaxDepth
	}
	p.space()
	if p.i == len(b) {
		return p.fail(RuleEmpty)
	}
	if err := p.value(t); err != nil {
		return err
	}
	p.space()
	if p.i != len(b) {
		return p.fail(RuleTrailing)
	}
	return nil
}

// parser walks a document once, with the type it should fit.
type parser struct {
	b     []byte
	i     int
	opts  Options
	max   int
	depth int
	path  []string // path elements, joined for errors
}

func (p *parser) fail(rule string) *Error {
	return &Error{Path: strings.Join(p.path, ""), Rule: rule, Offset: p.i}
}

func (p *parser) want(rule, want string) *Error {
	e := p.fail(rule)
	e.Want = want
	return e
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

var (
	rawType       = reflect.TypeFor[json.RawMessage]()
	unmarshalerT  = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshal = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value checks one value against t; nil t accepts any shape.
func (p *parser) value(t reflect.Type) error {
	if p.i >= len(p.b) {
		return p.fail(RuleSyntax)
	}
	if t != nil && t.Kind() == reflect.Interface {
		t = nil
	}
	if t == rawType {
		t = nil
	}
	c := p.b[p.i]
	if c == 'n' {
		if err := p.literal("null"); err != nil {
			return err
		}
		if t != nil && !nullable(t) {
			p.i -= 4
			return p.fail(RuleNull)
		}
		return nil
	}
	if t == nil {
		return p.generic()
	}
	if reflect.PointerTo(t).Implements(unmarshalerT) {
		return p.selfDecoding(t, false)
	}
	if reflect.PointerTo(t).Implements(textUnmarshal) {
		return p.selfDecoding(t, true)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return p.value(t.Elem())
	case reflect.Bool:
		if c != 't' && c != 'f' {
			return p.want(RuleType, "true or false")
		}
		return p.generic()
	case reflect.String:
		if c != '"' {
			return p.want(RuleType, "a string")
		}
		_, err := p.str(false)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return p.typedNumber(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return p.bytes()
		}
		return p.array(t.Elem(), -1)
	case reflect.Array:
		return p.array(t.Elem(), t.Len())
	case reflect.Map:
		return p.object(nil, t.Elem())
	case reflect.Struct:
		return p.object(fieldsOf(t), nil)
	}
	return p.want(RuleType, t.String())
}

// nullable reports whether encoding/json's null means "absent" for t
// rather than "leave as it was".
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// generic checks a value of any shape.
func (p *parser) generic() error {
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(nil, nil)
	case c == '[':
		return p.array(nil, -1)
	case c == '"':
		_, err := p.str(false)
		return err
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, _, err := p.number()
		return err
	}
	return p.fail(RuleSyntax)
}

func (p *parser) literal(s string) error {
	if !bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		return p.fail(RuleSyntax)
	}
	p.i += len(s)
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.max {
		return p.fail(RuleDepth)
	}
	return nil
}

// array checks an array whose elements are elem (nil: any); n is the
// exact length a Go array needs, or -1.
func (p *parser) array(elem reflect.Type, n int) error {
	if p.b[p.i] != '[' {
		return p.want(RuleType, "an array")
	}
	if err := p.enter(); err != nil {
		return err
	}
	p.i++
	p.space()
	count := 0
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
	} else {
		for {
			p.path = append(p.path, "["+strconv.Itoa(count)+"]")
			p.space()
			if err := p.value(elem); err != nil {
				return err
			}
			p.path = p.path[:len(p.path)-1]
			count++
			more, err := p.next(']')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	p.depth--
	if n >= 0 && count != n {
		return p.fail(RuleLength)
	}
	return nil
}

// object checks an object: a struct's, with fields; a map's, whose
// values are elem; or any, with both nil.
func (p *parser) object(fields map[string]reflect.Type, elem reflect.Type) error {
	if p.b[p.i] != '{' {
		return p.want(RuleType, "an object")
	}
	if err := p.enter(); err != nil {
		return err
	}
	p.i++
	p.space()
	var seen []string
	var seenSet map[string]bool
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		return nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.fail(RuleSyntax)
		}
		keyAt := p.i
		key, err := p.str(true)
		if err != nil {
			return err
		}
		dup := false
		if seenSet != nil {
			dup = seenSet[key]
			seenSet[key] = true
		} else {
			for _, k := range seen {
				if k == key {
					dup = true
					break
				}
			}
			seen = append(seen, key)
			if len(seen) > 16 {
				seenSet = make(map[string]bool, 32)
				for _, k := range seen {
					seenSet[k] = true
				}
			}
		}
		var vt reflect.Type
		name := ".*"
		switch {
		case fields != nil:
			ft, ok := fields[key]
			switch {
			case ok:
				vt, name = ft, "."+key
			case folded(fields, key):
				// encoding/json would match it to the field: refused
				// even where unknown keys are allowed.
				e := p.fail(RuleCaseFolded)
				e.Offset = keyAt
				return e
			case p.opts.AllowUnknown:
			default:
				e := p.fail(RuleUnknown)
				e.Offset = keyAt
				return e
			}
		case elem != nil:
			vt = elem
		}
		if len(p.path) == 0 && name[0] == '.' {
			name = name[1:]
		}
		p.path = append(p.path, name)
		if dup {
			e := p.fail(RuleDuplicate)
			e.Offset = keyAt
			return e
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail(RuleSyntax)
		}
		p.i++
		p.space()
		if err := p.value(vt); err != nil {
			return err
		}
		p.path = p.path[:len(p.path)-1]
		more, err := p.next('}')
		if err != nil {
			return err
		}
		if !more {
			p.depth--
			return nil
		}
	}
}

// next reads what follows an element of an array or object: a comma
// (more to come) or the closing bracket.
func (p *parser) next(closing byte) (more bool, err error) {
	p.space()
	switch {
	case p.i >= len(p.b):
		return false, p.fail(RuleSyntax)
	case p.b[p.i] == ',':
		p.i++
		return true, nil
	case p.b[p.i] == closing:
		p.i++
		return false, nil
	}
	return false, p.fail(RuleSyntax)
}

// folded reports whether key names a field when case is ignored, as
// encoding/json would match it.
func folded(fields map[string]reflect.Type, key string) bool {
	for f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}

// str reads a string, checking its escapes and UTF-8, and returns its
// value if keep (keys are compared for duplicates after unescaping:
// "a" and "\u0061" are the same key).
func (p *parser) str(keep bool) (string, error) {
	p.i++ // the opening quote
	start := p.i
	var sb []byte
	escaped := false
	for {
		if p.i >= len(p.b) {
			return "", p.fail(RuleSyntax)
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !keep {
				return "", nil
			}
			if escaped {
				return string(sb), nil
			}
			return string(s), nil
		case c == '\\':
			if !escaped && keep {
				sb = append(sb, p.b[start:p.i]...)
			}
			escaped = true
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			if keep {
				sb = utf8.AppendRune(sb, r)
			}
		case c < 0x20:
			return "", p.fail(RuleSyntax)
		case c < utf8.RuneSelf:
			if escaped && keep {
				sb = append(sb, c)
			}
			p.i++
		default:
			r, n := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.fail(RuleUTF8)
			}
			if escaped && keep {
				sb = append(sb, p.b[p.i:p.i+n]...)
			}
			p.i += n
		}
	}
}

// escape reads one escape sequence at p.i (a backslash) and returns the
// rune it stands for; a surrogate pair counts as one.
func (p *parser) escape() (rune, error) {
	if p.i+1 >= len(p.b) {
		return 0, p.fail(RuleSyntax)
	}
	c := p.b[p.i+1]
	p.i += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
	default:
		p.i -= 2
		return 0, p.fail(RuleSyntax)
	}
	r, ok := p.hex4()
	if !ok {
		return 0, p.fail(RuleSyntax)
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r >= 0xDC00 || p.i+1 >= len(p.b) || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
		return 0, p.fail(RuleSurrogate)
	}
	p.i += 2
	r2, ok := p.hex4()
	if !ok {
		return 0, p.fail(RuleSyntax)
	}
	if r2 < 0xDC00 || r2 > 0xDFFF {
		return 0, p.fail(RuleSurrogate)
	}
	return utf16.DecodeRune(r, r2), nil
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// number reads a number by RFC 8259's grammar and returns its text and
// whether it is a whole number (no fraction, no exponent).
func (p *parser) number() (string, bool, error) {
	start := p.i
	whole := true
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return "", false, p.fail(RuleSyntax)
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		whole = false
		p.i++
		if p.digits() == 0 {
			return "", false, p.fail(RuleSyntax)
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		whole = false
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return "", false, p.fail(RuleSyntax)
		}
	}
	text := string(p.b[start:p.i])
	if len(text) > MaxNumberLen {
		p.i = start
		return "", false, p.fail(RuleNumber)
	}
	if f, err := strconv.ParseFloat(text, 64); err != nil || f != f {
		p.i = start
		return "", false, p.fail(RuleNumber)
	}
	return text, whole, nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// typedNumber checks a number against the range of t.
func (p *parser) typedNumber(t reflect.Type) error {
	c := p.b[p.i]
	if c != '-' && (c < '0' || c > '9') {
		return p.want(RuleType, "a number")
	}
	start := p.i
	text, whole, err := p.number()
	if err != nil {
		return err
	}
	bad := false
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err := strconv.ParseInt(text, 10, t.Bits())
		bad = !whole || err != nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err := strconv.ParseUint(text, 10, t.Bits())
		bad = !whole || err != nil
	case reflect.Float32:
		_, err := strconv.ParseFloat(text, 32)
		bad = err != nil
	}
	if bad {
		p.i = start
		return p.fail(RuleNumber)
	}
	return nil
}

// bytes checks a []byte: a base64 string.
func (p *parser) bytes() error {
	if p.b[p.i] != '"' {
		return p.want(RuleType, "a base64 string")
	}
	start := p.i
	s, err := p.str(true)
	if err != nil {
		return err
	}
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		p.i = start
		return p.want(RuleFormat, "base64")
	}
	return nil
}

// selfDecoding checks a value of a type that decodes itself: it must be
// well-formed JSON first, then the type's own decoder must take it. A
// text decoder is given the string's value.
func (p *parser) selfDecoding(t reflect.Type, text bool) error {
	start := p.i
	if text {
		if p.b[p.i] != '"' {
			return p.want(RuleType, "a string")
		}
		s, err := p.str(true)
		if err != nil {
			return err
		}
		if reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) != nil {
			p.i = start
			return p.want(RuleFormat, typeName(t))
		}
		return nil
	}
	if err := p.generic(); err != nil {
		return err
	}
	if reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(p.b[start:p.i]) != nil {
		p.i = start
		return p.want(RuleFormat, typeName(t))
	}
	return nil
}

// typeName is how a format is named in errors: "time.Time", "uuid.UUID".
func typeName(t reflect.Type) string {
	if t.Name() == "" {
		return t.String()
	}
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "" {
		return t.Name()
	}
	return pkg + "." + t.Name()
}

// fields maps each struct type to its JSON keys and their types, exactly
// as encoding/json names them (tag name, else the Go name; "-" left out;
// embedded structs without a name flattened).
var fields sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fields.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	addFields(m, t)
	fields.Store(t, m)
	return m
}

func addFields(m map[string]reflect.Type, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(m, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
}
