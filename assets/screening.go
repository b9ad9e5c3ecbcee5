package assets

import (
	"embed"
	"io/fs"
)

//go:embed content/screening
var screeningFiles embed.FS

// Screening is the screening question set of the content pack: the
// folder screening.Parse reads (questions.json and lang/<tag>.json).
var Screening fs.FS = sub(screeningFiles, "content/screening")

func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant that the embed above holds
	}
	return s
}
