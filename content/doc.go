// Package content reads, validates and publishes content packs: the
// versioned indicator catalogue, questions, Red/Amber/Green rules and
// action checklists that a force tunes without changing code.
package content
