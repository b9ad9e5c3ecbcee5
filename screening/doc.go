// Package screening reads the screening question set from a content pack,
// checks it, and defines the answers an officer records against it.
package screening
