// Package i18n finds, matches and formats the officer interface's messages
// in each language Waymark ships, using golang.org/x/text.
package i18n
