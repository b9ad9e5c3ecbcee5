// Package bidi lays out a paragraph of mixed-direction text for drawing:
// it resolves embedding levels with the Unicode Bidirectional Algorithm
// (UAX #9, on golang.org/x/text/unicode/bidi's character data), breaks the
// paragraph into lines that fit a width, and gives each line's directional
// runs in visual order (rules L1 and L2), so a renderer that shapes one
// run at a time in one direction draws the line correctly.
package bidi
