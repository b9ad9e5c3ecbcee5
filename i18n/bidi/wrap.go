package bidi

import (
	"github.com/go-text/typesetting/segmenter"
)

// A Line is one line of a wrapped paragraph.
type Line struct {
	Start, End int   // rune offsets of the line in the paragraph; End is exclusive
	Runs       []Run // the line's runs in visual order, left to right
}

// Wrap breaks the paragraph into lines no wider than width, at the line
// break opportunities of UAX #14 (spaces, and between ideographs), and
// inside a word only when the word alone is wider than width. measure
// gives the width of a piece of text as it will be drawn. A width of 0 or
// less gives one line.
func (p *Paragraph) Wrap(width float32, measure func(string) float32) []Line {
	n := len(p.runes)
	if n == 0 {
		return nil
	}
	fits := func(start, end int) bool {
		for end > start && isTrailingSpace(p.classes[end-1]) {
			end--
		}
		return width <= 0 || measure(string(p.runes[start:end])) <= width
	}
	var lines []Line
	emit := func(start, end int) {
		if end > start {
			lines = append(lines, Line{Start: start, End: end, Runs: p.Line(start, end)})
		}
	}

	var seg segmenter.Segmenter
	seg.Init(p.runes)
	it := seg.LineIterator()
	start, end := 0, 0 // the line so far
	for it.Next() {
		l := it.Line()
		segEnd := l.Offset + len(l.Text)
		if end > start && !fits(start, segEnd) {
			emit(start, end)
			start = end
		}
		if !fits(start, segEnd) {
			// A word wider than the line: break it between graphemes.
			start = p.breakWord(start, segEnd, fits, emit)
		}
		end = segEnd
		if l.IsMandatoryBreak && end < n {
			emit(start, end)
			start = end
		}
	}
	emit(start, n)
	return lines
}

// breakWord emits lines of whole graphemes from runes[start:end] while
// more remain than fit, and returns where the last, partial line starts.
func (p *Paragraph) breakWord(start, end int, fits func(int, int) bool, emit func(int, int)) int {
	var seg segmenter.Segmenter
	seg.Init(p.runes[start:end])
	it := seg.GraphemeIterator()
	lineStart, lineEnd := start, start
	for it.Next() {
		g := it.Grapheme()
		gEnd := start + g.Offset + len(g.Text)
		if lineEnd > lineStart && !fits(lineStart, gEnd) {
			emit(lineStart, lineEnd)
			lineStart = lineEnd
		}
		lineEnd = gEnd
	}
	return lineStart
}
