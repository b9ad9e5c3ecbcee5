package bidi

import (
	"sort"

	xbidi "golang.org/x/text/unicode/bidi"
)

// sequence is an isolating run sequence (BD13): the unit rules W1 to I2
// work on.
type sequence struct {
	p        *Paragraph
	idx      []int // indices into the paragraph, in logical order
	level    uint8
	sos, eos xbidi.Class // L or R
}

func dirOfLevel(l uint8) xbidi.Class {
	if l%2 == 1 {
		return xbidi.R
	}
	return xbidi.L
}

// isolatingRunSequences splits the paragraph into level runs of the
// characters X9 keeps (BD7) and chains runs across isolates (BD13, X10).
func (p *Paragraph) isolatingRunSequences() []*sequence {
	n := len(p.runes)
	var runs [][]int
	var cur []int
	for i := 0; i < n; i++ {
		if p.removed[i] {
			continue
		}
		if len(cur) > 0 && p.levels[i] != p.levels[cur[0]] {
			runs = append(runs, cur)
			cur = nil
		}
		cur = append(cur, i)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}

	matched := map[int]bool{} // PDIs that close an initiator
	runAt := map[int][]int{}  // runs by their first index
	for i, c := range p.classes {
		if isIsolateInitiator(c) {
			if m := p.matchingPDI(i); m < n {
				matched[m] = true
			}
		}
	}
	for _, r := range runs {
		runAt[r[0]] = r
	}

	var seqs []*sequence
	for _, r := range runs {
		if matched[r[0]] {
			continue // chained onto the sequence of its initiator
		}
		idx := append([]int(nil), r...)
		for {
			last := idx[len(idx)-1]
			if !isIsolateInitiator(p.classes[last]) {
				break
			}
			m := p.matchingPDI(last)
			next, ok := runAt[m]
			if m >= n || !ok {
				break
			}
			idx = append(idx, next...)
		}
		seqs = append(seqs, p.newSequence(idx))
	}
	return seqs
}

func (p *Paragraph) newSequence(idx []int) *sequence {
	s := &sequence{p: p, idx: idx, level: p.levels[idx[0]]}
	prev := p.base
	for i := idx[0] - 1; i >= 0; i-- {
		if !p.removed[i] {
			prev = p.levels[i]
			break
		}
	}
	s.sos = dirOfLevel(max(prev, s.level))

	last := idx[len(idx)-1]
	next := p.base
	if !isIsolateInitiator(p.classes[last]) {
		for i := last + 1; i < len(p.runes); i++ {
			if !p.removed[i] {
				next = p.levels[i]
				break
			}
		}
	}
	s.eos = dirOfLevel(max(next, s.level))
	return s
}

func (s *sequence) t(k int) xbidi.Class        { return s.p.types[s.idx[k]] }
func (s *sequence) set(k int, c xbidi.Class)   { s.p.types[s.idx[k]] = c }
func (s *sequence) original(k int) xbidi.Class { return s.p.classes[s.idx[k]] }
func (s *sequence) embeddingDir() xbidi.Class  { return dirOfLevel(s.level) }

// resolveWeak applies rules W1 to W7.
func (s *sequence) resolveWeak() {
	n := len(s.idx)
	// W1: a non-spacing mark takes the type of what it follows.
	for k := 0; k < n; k++ {
		if s.t(k) != xbidi.NSM {
			continue
		}
		switch {
		case k == 0:
			s.set(k, s.sos)
		case isIsolateInitiator(s.t(k-1)) || s.t(k-1) == xbidi.PDI:
			s.set(k, xbidi.ON)
		default:
			s.set(k, s.t(k-1))
		}
	}
	// W2, W3: European numbers after Arabic letters are Arabic numbers;
	// Arabic letters are then R.
	last := s.sos
	for k := 0; k < n; k++ {
		switch c := s.t(k); c {
		case xbidi.L, xbidi.R, xbidi.AL:
			last = c
		case xbidi.EN:
			if last == xbidi.AL {
				s.set(k, xbidi.AN)
			}
		}
	}
	for k := 0; k < n; k++ {
		if s.t(k) == xbidi.AL {
			s.set(k, xbidi.R)
		}
	}
	// W4: one separator between two numbers of a kind joins them.
	for k := 1; k < n-1; k++ {
		c, before, after := s.t(k), s.t(k-1), s.t(k+1)
		switch {
		case c == xbidi.ES && before == xbidi.EN && after == xbidi.EN:
			s.set(k, xbidi.EN)
		case c == xbidi.CS && before == xbidi.EN && after == xbidi.EN:
			s.set(k, xbidi.EN)
		case c == xbidi.CS && before == xbidi.AN && after == xbidi.AN:
			s.set(k, xbidi.AN)
		}
	}
	// W5: terminators next to European numbers become European numbers.
	for k := 0; k < n; k++ {
		if s.t(k) != xbidi.ET {
			continue
		}
		end := k
		for end < n && s.t(end) == xbidi.ET {
			end++
		}
		if (k > 0 && s.t(k-1) == xbidi.EN) || (end < n && s.t(end) == xbidi.EN) {
			for j := k; j < end; j++ {
				s.set(j, xbidi.EN)
			}
		}
		k = end - 1
	}
	// W6: separators and terminators left over are neutral.
	for k := 0; k < n; k++ {
		switch s.t(k) {
		case xbidi.ES, xbidi.ET, xbidi.CS:
			s.set(k, xbidi.ON)
		}
	}
	// W7: European numbers in left-to-right context are L.
	last = s.sos
	for k := 0; k < n; k++ {
		switch c := s.t(k); c {
		case xbidi.L, xbidi.R:
			last = c
		case xbidi.EN:
			if last == xbidi.L {
				s.set(k, xbidi.L)
			}
		}
	}
}

// strong returns the direction c counts as in rules N0 to N2: numbers
// count as R. It returns ON for neutrals.
func strong(c xbidi.Class) xbidi.Class {
	switch c {
	case xbidi.L:
		return xbidi.L
	case xbidi.R, xbidi.AL, xbidi.EN, xbidi.AN:
		return xbidi.R
	}
	return xbidi.ON
}

// maxBracketDepth is BD16's stack size.
const maxBracketDepth = 63

// canonicalBracket maps the two brackets with canonical decompositions
// to their equivalents (BD16 compares canonical equivalents).
func canonicalBracket(r rune) rune {
	switch r {
	case 0x2329:
		return 0x3008
	case 0x232A:
		return 0x3009
	}
	return r
}

// pairedBracket returns the Bidi_Paired_Bracket of an opening bracket,
// through x/text, whose AppendReverse swaps a bracket for its pair.
func pairedBracket(r rune) rune {
	rs := []rune(string(xbidi.AppendReverse(nil, []byte(string(r)))))
	if len(rs) != 1 {
		return r
	}
	return rs[0]
}

type bracketPair struct{ open, close int } // positions in the sequence

// bracketPairs finds the bracket pairs of the sequence (BD16), sorted by
// the position of the opening bracket.
func (s *sequence) bracketPairs() []bracketPair {
	type opener struct {
		want rune // the closing bracket that matches, canonical
		pos  int
	}
	var stack []opener
	var pairs []bracketPair
	for k, i := range s.idx {
		if s.t(k) != xbidi.ON {
			continue
		}
		r := s.p.runes[i]
		props, _ := xbidi.LookupRune(r)
		if !props.IsBracket() {
			continue
		}
		if props.IsOpeningBracket() {
			if len(stack) == maxBracketDepth {
				break
			}
			stack = append(stack, opener{want: canonicalBracket(pairedBracket(r)), pos: k})
			continue
		}
		c := canonicalBracket(r)
		for j := len(stack) - 1; j >= 0; j-- {
			if stack[j].want == c {
				pairs = append(pairs, bracketPair{open: stack[j].pos, close: k})
				stack = stack[:j]
				break
			}
		}
	}
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].open < pairs[b].open })
	return pairs
}

// resolveBrackets applies rule N0: a bracket pair takes the direction of
// the strong text inside it, in the light of the text before it.
func (s *sequence) resolveBrackets() {
	e := s.embeddingDir()
	for _, bp := range s.bracketPairs() {
		foundE, foundOpposite := false, false
		for k := bp.open + 1; k < bp.close; k++ {
			switch strong(s.t(k)) {
			case e:
				foundE = true
			case xbidi.ON:
			default:
				foundOpposite = true
			}
		}
		var dir xbidi.Class
		switch {
		case foundE:
			dir = e
		case foundOpposite:
			before := s.sos
			for k := bp.open - 1; k >= 0; k-- {
				if d := strong(s.t(k)); d != xbidi.ON {
					before = d
					break
				}
			}
			dir = e
			if before != e {
				dir = before
			}
		default:
			continue
		}
		for _, k := range []int{bp.open, bp.close} {
			s.set(k, dir)
			for j := k + 1; j < len(s.idx) && s.original(j) == xbidi.NSM; j++ {
				s.set(j, dir)
			}
		}
	}
}

func isNeutralOrIsolate(c xbidi.Class) bool {
	switch c {
	case xbidi.B, xbidi.S, xbidi.WS, xbidi.ON, xbidi.LRI, xbidi.RLI, xbidi.FSI, xbidi.PDI:
		return true
	}
	return false
}

// resolveNeutrals applies rules N1 and N2.
func (s *sequence) resolveNeutrals() {
	n := len(s.idx)
	e := s.embeddingDir()
	for k := 0; k < n; k++ {
		if !isNeutralOrIsolate(s.t(k)) {
			continue
		}
		end := k
		for end < n && isNeutralOrIsolate(s.t(end)) {
			end++
		}
		before, after := s.sos, s.eos
		if k > 0 {
			before = strong(s.t(k - 1))
		}
		if end < n {
			after = strong(s.t(end))
		}
		dir := e
		if before == after {
			dir = before
		}
		for j := k; j < end; j++ {
			s.set(j, dir)
		}
		k = end - 1
	}
}

// resolveImplicit applies rules I1 and I2.
func (s *sequence) resolveImplicit() {
	for k, i := range s.idx {
		l := s.level
		switch c := s.t(k); {
		case l%2 == 0 && c == xbidi.R:
			l++
		case l%2 == 0 && (c == xbidi.AN || c == xbidi.EN):
			l += 2
		case l%2 == 1 && (c == xbidi.L || c == xbidi.EN || c == xbidi.AN):
			l++
		}
		s.p.levels[i] = l
	}
}
