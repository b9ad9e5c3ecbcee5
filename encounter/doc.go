// Package encounter defines the encounter record: one contact between an
// officer and a place or people, kept as evidence.
package encounter
