package assets

import (
	"embed"
	"io/fs"
)

// The default content pack: the indicator catalogue, questions, rules and
// action checklists. content.Default parses it; docs/content.md
// describes its files.
//
//go:embed content
var contentFiles embed.FS

// Content is the default content pack's directory, rooted so that
// "pack.json" is at its top.
var Content fs.FS = mustSub(contentFiles, "content")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("embedded content pack: " + err.Error()) // only for a bad literal dir
	}
	return sub
}
