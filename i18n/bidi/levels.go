package bidi

import (
	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/waymark-app/waymark/i18n"
)

// maxDepth is UAX #9's max_depth: the deepest embedding level.
const maxDepth = 125

// Paragraph is one paragraph of text with its resolved embedding levels.
type Paragraph struct {
	runes   []rune
	classes []xbidi.Class // original Bidi_Class of each rune
	types   []xbidi.Class // current types while resolving
	base    uint8         // paragraph embedding level
	levels  []uint8       // resolved levels, rules X1 to I2
	removed []bool        // removed by rule X9 (embedding controls, BN)
}

// New resolves text as one paragraph in direction dir, as HTML's dir
// attribute would: the paragraph level is forced, not guessed from the
// text. Only the text up to the first paragraph separator is used.
func New(text string, dir i18n.Direction) *Paragraph {
	p := newParagraph(text)
	if dir == i18n.RightToLeft {
		p.base = 1
	}
	p.resolve()
	return p
}

// NewAuto resolves text as one paragraph whose direction is that of its
// first strong character (rules P2 and P3), or dir if it has none.
func NewAuto(text string, dir i18n.Direction) *Paragraph {
	p := newParagraph(text)
	switch p.firstStrong(0, len(p.runes)) {
	case xbidi.R, xbidi.AL:
		p.base = 1
	case xbidi.L:
	default:
		if dir == i18n.RightToLeft {
			p.base = 1
		}
	}
	p.resolve()
	return p
}

func newParagraph(text string) *Paragraph {
	p := &Paragraph{}
	for _, r := range text {
		props, _ := xbidi.LookupRune(r)
		c := props.Class()
		if c == xbidi.B {
			break
		}
		p.runes = append(p.runes, r)
		p.classes = append(p.classes, c)
	}
	return p
}

// Runes returns the paragraph's text. The caller must not change it.
func (p *Paragraph) Runes() []rune { return p.runes }

// Direction is the paragraph's direction.
func (p *Paragraph) Direction() i18n.Direction {
	if p.base%2 == 1 {
		return i18n.RightToLeft
	}
	return i18n.LeftToRight
}

// Levels returns the resolved embedding level of each rune (rules up to
// I2, before line breaking). A rune removed by rule X9 takes the level of
// the rune before it, so zero-width joiners stay inside their run.
func (p *Paragraph) Levels() []uint8 { return append([]uint8(nil), p.levels...) }

func isIsolateInitiator(c xbidi.Class) bool {
	return c == xbidi.LRI || c == xbidi.RLI || c == xbidi.FSI
}

func isRemovedByX9(c xbidi.Class) bool {
	switch c {
	case xbidi.LRE, xbidi.RLE, xbidi.LRO, xbidi.RLO, xbidi.PDF, xbidi.BN:
		return true
	}
	return false
}

// matchingPDI returns the index of the PDI that closes the isolate
// initiator at i (BD9), or len(runes) if none does.
func (p *Paragraph) matchingPDI(i int) int {
	depth := 1
	for j := i + 1; j < len(p.classes); j++ {
		switch c := p.classes[j]; {
		case isIsolateInitiator(c):
			depth++
		case c == xbidi.PDI:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(p.classes)
}

// firstStrong returns the class (L, R or AL) of the first strong
// character in [from, to), skipping isolates (P2), or ON if there is none.
func (p *Paragraph) firstStrong(from, to int) xbidi.Class {
	for i := from; i < to; i++ {
		switch c := p.classes[i]; {
		case c == xbidi.L || c == xbidi.R || c == xbidi.AL:
			return c
		case isIsolateInitiator(c):
			i = p.matchingPDI(i)
		}
	}
	return xbidi.ON
}

// status is an entry of the directional status stack (X1).
type status struct {
	level    uint8
	override xbidi.Class // ON for none, else L or R
	isolate  bool
}

// resolve applies rules X1 to I2.
func (p *Paragraph) resolve() {
	n := len(p.runes)
	p.levels = make([]uint8, n)
	p.removed = make([]bool, n)
	p.types = append([]xbidi.Class(nil), p.classes...)
	p.explicit()

	for _, seq := range p.isolatingRunSequences() {
		seq.resolveWeak()
		seq.resolveBrackets()
		seq.resolveNeutrals()
		seq.resolveImplicit()
	}
	p.types = nil
	// Removed characters take the level of the one before them.
	for i := range p.levels {
		if p.removed[i] {
			if i == 0 {
				p.levels[i] = p.base
			} else {
				p.levels[i] = p.levels[i-1]
			}
		}
	}
}

// explicit applies rules X1 to X9: explicit levels and directions, and
// overrides written into types.
func (p *Paragraph) explicit() {
	types := p.types
	stack := []status{{level: p.base, override: xbidi.ON}}
	overflowIsolates, overflowEmbeddings, validIsolates := 0, 0, 0
	nextLevel := func(rtl bool) uint8 {
		l := stack[len(stack)-1].level
		if rtl {
			return (l + 1) | 1
		}
		return (l + 2) &^ 1
	}
	apply := func(i int) {
		top := stack[len(stack)-1]
		p.levels[i] = top.level
		if top.override != xbidi.ON {
			types[i] = top.override
		}
	}
	for i, c := range p.classes {
		switch c {
		case xbidi.RLE, xbidi.LRE, xbidi.RLO, xbidi.LRO: // X2 to X5
			p.levels[i] = stack[len(stack)-1].level
			p.removed[i] = true
			l := nextLevel(c == xbidi.RLE || c == xbidi.RLO)
			if l <= maxDepth && overflowIsolates == 0 && overflowEmbeddings == 0 {
				o := xbidi.ON
				switch c {
				case xbidi.RLO:
					o = xbidi.R
				case xbidi.LRO:
					o = xbidi.L
				}
				stack = append(stack, status{level: l, override: o})
			} else if overflowIsolates == 0 {
				overflowEmbeddings++
			}
		case xbidi.RLI, xbidi.LRI, xbidi.FSI: // X5a to X5c
			apply(i)
			rtl := c == xbidi.RLI
			if c == xbidi.FSI {
				s := p.firstStrong(i+1, p.matchingPDI(i))
				rtl = s == xbidi.R || s == xbidi.AL
			}
			l := nextLevel(rtl)
			if l <= maxDepth && overflowIsolates == 0 && overflowEmbeddings == 0 {
				validIsolates++
				stack = append(stack, status{level: l, override: xbidi.ON, isolate: true})
			} else {
				overflowIsolates++
			}
		case xbidi.PDI: // X6a
			switch {
			case overflowIsolates > 0:
				overflowIsolates--
			case validIsolates == 0:
			default:
				overflowEmbeddings = 0
				for !stack[len(stack)-1].isolate {
					stack = stack[:len(stack)-1]
				}
				stack = stack[:len(stack)-1]
				validIsolates--
			}
			apply(i)
		case xbidi.PDF: // X7
			switch {
			case overflowIsolates > 0:
			case overflowEmbeddings > 0:
				overflowEmbeddings--
			case !stack[len(stack)-1].isolate && len(stack) >= 2:
				stack = stack[:len(stack)-1]
			}
			p.levels[i] = stack[len(stack)-1].level
			p.removed[i] = true
		case xbidi.BN: // X9
			p.levels[i] = stack[len(stack)-1].level
			p.removed[i] = true
		default: // X6
			apply(i)
		}
	}
}
