// Package assess turns what an officer recorded on a visit into a
// Red/Amber/Green assessment, with its reasons and action checklist, by
// applying the rules of a content pack.
package assess
