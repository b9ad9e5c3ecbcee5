package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/waymark-app/waymark/screening"
)

// The files of a pack that this package reads, at the pack's root. Every
// other file and directory (screening/, a README) is carried in the
// bundle untouched and left to whoever owns it.
const (
	filePack       = "pack.json"
	fileThemes     = "themes.json"
	fileIndicators = "indicators.json"
	fileBusinesses = "businesses.json"
	fileQuestions  = "questions.json"
	fileRules      = "rules.json"
	fileActions    = "actions.json"
)

// PackFiles lists the files this package reads from a pack directory.
var PackFiles = []string{
	filePack, fileThemes, fileIndicators, fileBusinesses,
	fileQuestions, fileRules, fileActions,
}

// Limits on what a pack may hold, so that a damaged or hostile bundle
// cannot exhaust a phone's memory.
const (
	MaxFiles     = 512
	MaxFileSize  = 4 << 20
	MaxTotalSize = 32 << 20
)

// The JSON forms of the pack files that differ from the model: levels are
// read as strings so that a wrong one is reported with the rest, not as a
// decoding failure.
type (
	packFile struct {
		Format          int              `json:"format"`
		ID              string           `json:"id"`
		Version         int              `json:"version"`
		Published       string           `json:"published"`
		Name            Text             `json:"name"`
		Languages       []Language       `json:"languages"`
		Simplifications []Simplification `json:"simplifications"`
	}
	themesFile struct {
		Exploitation []Exploitation `json:"exploitation"`
		Themes       []Theme        `json:"themes"`
	}
	indicatorsFile struct {
		Indicators []Indicator `json:"indicators"`
	}
	businessesFile struct {
		Businesses []Business `json:"businesses"`
	}
	questionsFile struct {
		Answers   answerLabels `json:"answers"`
		Age       AgePrompts   `json:"age"`
		Questions []Question   `json:"questions"`
	}
	answerLabels struct {
		Yes      Text `json:"yes"`
		No       Text `json:"no"`
		NotKnown Text `json:"not_known"`
	}
	rulesFile struct {
		Rules []ruleJSON `json:"rules"`
	}
	ruleJSON struct {
		ID      string    `json:"id"`
		Level   string    `json:"level"`
		Scope   RuleScope `json:"scope"`
		When    Cond      `json:"when"`
		Reason  Text      `json:"reason"`
		Actions []string  `json:"actions"`
		// Note is for the analyst who tunes the rule; officers never see it.
		Note    string `json:"note,omitempty"`
		Retired bool   `json:"retired,omitempty"`
	}
	actionsFile struct {
		Actions []actionJSON `json:"actions"`
	}
	actionJSON struct {
		ID      string   `json:"id"`
		Kind    Kind     `json:"kind"`
		Label   Text     `json:"label"`
		Hint    Text     `json:"hint"`
		Levels  []string `json:"levels"`
		Retired bool     `json:"retired,omitempty"`
	}
)

// Parse reads and validates the pack whose files are at the root of
// fsys. It reads the files in PackFiles and carries every other file,
// except those whose names start with "." or "_", into the pack's bundle.
// A pack with any problem is refused with a *ValidationError that lists
// them all.
func Parse(fsys fs.FS) (*Pack, error) {
	files, err := readTree(fsys)
	if err != nil {
		return nil, err
	}
	return parseFiles(files)
}

// readTree reads every file below the root of fsys into memory.
func readTree(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	total := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && ignored(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if len(files) == MaxFiles {
			return fmt.Errorf("more than %d files", MaxFiles)
		}
		b, err := readLimited(fsys, name)
		if err != nil {
			return err
		}
		if total += len(b); total > MaxTotalSize {
			return fmt.Errorf("files larger than %d bytes in all", MaxTotalSize)
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, refused("", Problem{Msg: "read pack: " + err.Error()})
	}
	return files, nil
}

// ignored reports whether a file or directory name is left out of a pack,
// as go:embed leaves it out: editor backups, .git and the like.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxFileSize)
	}
	return b, nil
}

func refused(pack string, ps ...Problem) error {
	return &ValidationError{Pack: pack, Problems: ps}
}

// parseFiles builds and validates a pack from its files, keyed by slash-
// separated path.
func parseFiles(files map[string][]byte) (*Pack, error) {
	bundle, err := encodeBundle(files)
	if err != nil {
		return nil, refused("", Problem{Msg: err.Error()})
	}
	fsys, err := openZip(bundle)
	if err != nil {
		return nil, refused("", Problem{Msg: err.Error()})
	}
	// A newer format may add fields this app would call mistakes: check
	// the format before reading anything strictly.
	var head struct{ Format int }
	if json.Unmarshal(files[filePack], &head) == nil && head.Format > Format {
		return nil, refused("", Problem{File: filePack, Field: "format", Msg: fmt.Sprintf(
			"pack format %d is newer than this app reads (%d): update the app", head.Format, Format)})
	}
	var (
		ps   problems
		meta packFile
		th   themesFile
		ind  indicatorsFile
		bus  businessesFile
		qs   questionsFile
		rs   rulesFile
		as   actionsFile
	)
	for _, f := range []struct {
		name string
		v    any
	}{
		{filePack, &meta}, {fileThemes, &th}, {fileIndicators, &ind},
		{fileBusinesses, &bus}, {fileQuestions, &qs}, {fileRules, &rs},
		{fileActions, &as},
	} {
		data, ok := files[f.name]
		if !ok {
			ps.add(f.name, "", "", "file missing: a pack has %s", strings.Join(PackFiles, ", "))
			continue
		}
		decode(f.name, data, f.v, &ps)
	}
	if len(ps.list) > 0 {
		// A file that cannot be read leaves its items empty, and checking
		// the rest against them would bury the real mistakes in echoes.
		return nil, refused("", ps.list...)
	}
	name := ""
	if meta.ID != "" {
		name = fmt.Sprintf("%s version %d", meta.ID, meta.Version)
	}
	p := &Pack{
		ID:              meta.ID,
		Version:         meta.Version,
		Name:            meta.Name,
		Languages:       meta.Languages,
		Simplifications: meta.Simplifications,
		Exploitation:    th.Exploitation,
		Themes:          th.Themes,
		Indicators:      ind.Indicators,
		Businesses:      bus.Businesses,
		Questions:       qs.Questions,
		Age:             qs.Age,
		Digest:          digest(bundle),
		bundle:          bundle,
		files:           fsys,
	}
	if meta.Published != "" {
		t, err := time.Parse(time.DateOnly, meta.Published)
		if err != nil {
			ps.add(filePack, "", "published", "%q is not a date: write it as YYYY-MM-DD", meta.Published)
		}
		p.Published = t
	}
	for _, r := range rs.Rules {
		p.Rules = append(p.Rules, Rule{
			ID: r.ID, Level: levelOf(r.Level), Scope: r.Scope, When: r.When,
			Reason: r.Reason, Actions: r.Actions, Retired: r.Retired,
		})
	}
	for _, a := range as.Actions {
		act := Action{ID: a.ID, Kind: a.Kind, Label: a.Label, Hint: a.Hint, Retired: a.Retired}
		for _, l := range a.Levels {
			act.Levels = append(act.Levels, levelOf(l))
		}
		p.Actions = append(p.Actions, act)
	}
	p.indexItems()
	p.Screening, p.Warnings = parseScreening(fsys, &ps)
	v := validator{p: p, ps: &ps, answers: qs.Answers}
	v.run(meta, rs.Rules, as.Actions)
	p.Questions = completeChoices(p.Questions, qs.Answers)
	p.checkScreening(&ps)
	if len(ps.list) > 0 {
		return nil, refused(name, ps.list...)
	}
	return p, nil
}

// levelOf returns the named level, or Unassessed for a name the
// validator reports.
func levelOf(name string) Level {
	l, err := ParseLevel(name)
	if err != nil || l == Unassessed {
		return Unassessed
	}
	return l
}

// decode reads one JSON file strictly: an unknown field is most often a
// typing mistake that would otherwise be silently ignored.
func decode(name string, data []byte, v any, ps *problems) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ps.add(name, "", "", "%s", jsonError(data, dec.InputOffset(), err))
		return
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		rest := bytes.TrimLeft(data[end:], " \t\r\n")
		ps.add(name, "", "", "%s: more after the end of the JSON object", position(data, int64(len(data)-len(rest))))
	}
}

// jsonError turns a decoding error into a message with a line and column.
func jsonError(data []byte, at int64, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		at = syn.Offset - 1 // the offset is just past the offending byte
	case errors.As(err, &typ):
		return fmt.Sprintf("%s: %s should be %s, not %s", position(data, typ.Offset), typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "file is empty or ends too early"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if field, ok := strings.CutPrefix(msg, "unknown field "); ok {
		// The decoder does not say where; the first use of the name as a
		// key is where to look.
		if i := keyOffset(data, field); i >= 0 {
			at = int64(i)
		}
		msg += ": check its spelling against docs/content.md"
	}
	return position(data, at) + ": " + msg
}

// keyOffset returns the offset of the first quoted name followed by a
// colon, or -1.
func keyOffset(data []byte, quoted string) int {
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte(quoted))
		if i < 0 {
			return -1
		}
		at := from + i
		rest := bytes.TrimLeft(data[at+len(quoted):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return at
		}
		from = at + len(quoted)
	}
}

// position returns "line L column C" for a byte offset.
func position(data []byte, at int64) string {
	at = min(max(at, 0), int64(len(data)))
	before := data[:at]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d column %d", line, col)
}

// completeChoices gives every question its full list of answers: yes, no
// and not known for a yes/no question, and not known after a choice
// question's own answers.
func completeChoices(qs []Question, labels answerLabels) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		if q.Kind == YesNo {
			q.Choices = []Choice{
				{ID: ChoiceYes, Label: labels.Yes, Implies: q.Yes},
				{ID: ChoiceNo, Label: labels.No, Implies: q.No},
			}
		} else {
			q.Choices = append([]Choice(nil), q.Choices...)
		}
		if _, ok := q.Choice(ChoiceNotKnown); !ok {
			q.Choices = append(q.Choices, Choice{ID: ChoiceNotKnown, Label: labels.NotKnown})
		}
		out[i] = q
	}
	return out
}

// cleanPath reports whether name is a path a pack may hold.
func cleanPath(name string) bool {
	return fs.ValidPath(name) && name != "." && path.Clean(name) == name && !strings.Contains(name, "\\")
}

// screeningDir is the pack's folder of victim screening questions and
// their translations, which package screening reads.
const screeningDir = "screening"

// parseScreening validates the pack's screening set, if it has one,
// adding its problems to ps and returning its warnings.
func parseScreening(fsys fs.FS, ps *problems) (*screening.Set, []Problem) {
	if _, err := fs.Stat(fsys, screeningDir); err != nil {
		return nil, nil
	}
	sub, err := fs.Sub(fsys, screeningDir)
	if err != nil {
		ps.add(screeningDir, "", "", "%v", err)
		return nil, nil
	}
	set, err := screening.Parse(sub)
	var se *screening.Error
	switch {
	case errors.As(err, &se):
		for _, pr := range se.Problems {
			ps.add(path.Join(screeningDir, pr.File), pr.Key, "", "%s", pr.Msg)
		}
		return nil, nil
	case err != nil:
		ps.add(screeningDir, "", "", "%v", err)
		return nil, nil
	}
	var warnings []Problem
	for _, w := range set.Warnings {
		warnings = append(warnings, Problem{File: path.Join(screeningDir, w.File), Item: w.Key, Msg: w.Msg})
	}
	return set, warnings
}

// checkScreening reports screening answers that imply indicators the pack
// does not have: they would be ignored by the assessment without a word.
func (p *Pack) checkScreening(ps *problems) {
	if p.Screening == nil {
		return
	}
	for _, q := range p.Screening.Questions {
		for _, answer := range slices.Sorted(maps.Keys(q.Indicators)) {
			for _, id := range q.Indicators[answer] {
				if ind, ok := p.Indicator(id); !ok || ind.Scope == ScopePremises {
					ps.add(path.Join(screeningDir, "questions.json"), q.ID, "indicators",
						"answer %q implies %q, which is not an indicator about a person in this pack", answer, id)
				}
			}
		}
	}
}
