package bidi

import (
	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/waymark-app/waymark/i18n"
)

// A Run is a stretch of one line that is drawn in one direction: its
// runes, in logical order, are shaped together and placed as a block.
type Run struct {
	Start, End int   // rune offsets into the paragraph; End is exclusive
	Level      uint8 // embedding level: odd is right to left
}

// Direction is the direction the run's text is drawn in.
func (r Run) Direction() i18n.Direction {
	if r.Level%2 == 1 {
		return i18n.RightToLeft
	}
	return i18n.LeftToRight
}

// Text returns the run's text in logical order.
func (p *Paragraph) Text(r Run) string { return string(p.runes[r.Start:r.End]) }

// lineLevels returns the levels of runes[start:end] laid out as one line,
// after rule L1: separators, and whitespace before them or at the end of
// the line, go back to the paragraph level.
func (p *Paragraph) lineLevels(start, end int) []uint8 {
	levels := append([]uint8(nil), p.levels[start:end]...)
	trailing := true
	for i := end - 1; i >= start; i-- {
		switch c := p.classes[i]; {
		case c == xbidi.S || c == xbidi.B:
			levels[i-start] = p.base
			trailing = true
		case trailing && (c == xbidi.WS || isIsolateInitiator(c) || c == xbidi.PDI || isRemovedByX9(c)):
			levels[i-start] = p.base
		default:
			trailing = false
		}
	}
	return levels
}

// visualOrder returns the offsets 0..len(levels)-1 in visual order, left
// to right (rule L2): from the highest level down to the lowest odd one,
// every stretch at that level or above is reversed.
func visualOrder(levels []uint8) []int {
	order := make([]int, len(levels))
	for i := range order {
		order[i] = i
	}
	if len(levels) == 0 {
		return order
	}
	highest, lowestOdd := uint8(0), uint8(maxDepth+2)
	for _, l := range levels {
		highest = max(highest, l)
		if l%2 == 1 {
			lowestOdd = min(lowestOdd, l)
		}
	}
	for l := highest; l >= lowestOdd && l > 0; l-- {
		for i := 0; i < len(order); {
			if levels[order[i]] < l {
				i++
				continue
			}
			j := i
			for j < len(order) && levels[order[j]] >= l {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			i = j
		}
	}
	return order
}

// Line lays out runes[start:end] of the paragraph as one line and returns
// its runs in visual order, left to right (rules L1 and L2). Trailing
// whitespace is left out: it has no place on screen.
func (p *Paragraph) Line(start, end int) []Run {
	for end > start && isTrailingSpace(p.classes[end-1]) {
		end--
	}
	if end <= start {
		return nil
	}
	levels := p.lineLevels(start, end)
	var runs []Run
	for _, o := range visualOrder(levels) {
		i, l := start+o, levels[o]
		if n := len(runs); n > 0 && runs[n-1].Level == l {
			last := &runs[n-1]
			if l%2 == 0 && last.End == i {
				last.End++
				continue
			}
			if l%2 == 1 && last.Start == i+1 {
				last.Start--
				continue
			}
		}
		runs = append(runs, Run{Start: i, End: i + 1, Level: l})
	}
	return runs
}

func isTrailingSpace(c xbidi.Class) bool {
	return c == xbidi.WS || c == xbidi.S || isIsolateInitiator(c) || c == xbidi.PDI || isRemovedByX9(c)
}
