package assets

import "io/fs"

// Screening is the screening question set of the default content pack:
// the folder screening.Parse reads (questions.json and lang/<tag>.json).
var Screening fs.FS = mustSub(contentFiles, "content/screening")
