package content_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/content"
)

// packFiles returns a fresh copy of the default pack's files.
func packFiles(t testing.TB) fstest.MapFS {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(assets.Content, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.Content, name)
		files[name] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// edit decodes one pack file, lets fn change it, and writes it back.
func edit(t testing.TB, files fstest.MapFS, name string, fn func(doc map[string]any)) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(files[name].Data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fn(doc)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	files[name] = &fstest.MapFile{Data: b}
}

// item returns the element of doc[list] with the given id.
func item(doc map[string]any, list, id string) map[string]any {
	for _, x := range doc[list].([]any) {
		if m := x.(map[string]any); m["id"] == id {
			return m
		}
	}
	panic("no " + id + " in " + list)
}

// without returns doc[list] with the element of the given id removed.
func without(doc map[string]any, list, id string) []any {
	var out []any
	for _, x := range doc[list].([]any) {
		if x.(map[string]any)["id"] != id {
			out = append(out, x)
		}
	}
	return out
}

// raw replaces text in a file, for mistakes JSON decoding must catch.
func raw(name, old, new string) func(testing.TB, fstest.MapFS) {
	return func(t testing.TB, files fstest.MapFS) {
		s := string(files[name].Data)
		if !strings.Contains(s, old) {
			t.Fatalf("%q not in %s", old, name)
		}
		files[name] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
	}
}

func on(name string, fn func(doc map[string]any)) func(testing.TB, fstest.MapFS) {
	return func(t testing.TB, files fstest.MapFS) { edit(t, files, name, fn) }
}

func set(name, list, id, key string, v any) func(testing.TB, fstest.MapFS) {
	return on(name, func(doc map[string]any) { item(doc, list, id)[key] = v })
}

func TestDefaultPackIsValid(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "waymark.default" || p.Version < 1 || p.Published.IsZero() {
		t.Errorf("metadata %q %d %v", p.ID, p.Version, p.Published)
	}
	if len(p.Simplifications) == 0 {
		t.Error("no simplifications noted")
	}
	cy, ok := p.Language("cy-GB")
	if !ok || cy.Status != content.ReviewDraft || cy.ReviewedBy != "" || cy.ReviewedAt != "" {
		t.Errorf("Welsh review status %+v, want an unreviewed draft", cy)
	}
	if missing := p.Untranslated("cy"); len(missing) > 0 {
		t.Errorf("texts with no Welsh draft:\n%s", strings.Join(missing, "\n"))
	}
	if p2, _ := content.Default(); p2 != p {
		t.Error("Default parses again on every call")
	}
}

func TestCatalogueCoversTheField(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, theme := range []string{"theme.general", "theme.control", "theme.vulnerability", "theme.sexual",
		"theme.labour", "theme.domestic", "theme.criminal", "theme.county_lines", "theme.cannabis",
		"theme.shoplifting_begging", "theme.organ"} {
		if len(p.IndicatorsOf(theme)) == 0 {
			t.Errorf("no indicators in %s", theme)
		}
	}
	for _, id := range []string{"ind.control.documents_withheld", "ind.control.restricted_movement",
		"ind.control.threats_to_person", "ind.control.threats_to_family", "ind.control.isolation",
		"ind.control.debt_bondage"} {
		if ind, ok := p.Indicator(id); !ok || ind.Theme != "theme.control" {
			t.Errorf("control indicator %s missing", id)
		}
	}
	for _, b := range p.Businesses {
		if len(b.Indicators) < 5 {
			t.Errorf("business %s lists only %d typical indicators", b.ID, len(b.Indicators))
		}
	}
	for _, q := range p.Questions {
		last := q.Choices[len(q.Choices)-1]
		if last.ID != content.ChoiceNotKnown || last.Label.In("cy") == "" {
			t.Errorf("%s does not end with a labelled not_known: %+v", q.ID, last)
		}
	}
	q, _ := p.Question("q.documents")
	if yes, _ := q.Choice(content.ChoiceYes); len(yes.Implies) != 1 || yes.Implies[0] != "ind.control.documents_withheld" {
		t.Errorf("q.documents yes implies %v", yes.Implies)
	}
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(testing.TB, fstest.MapFS)
		want   []string
	}{
		{"duplicate indicator",
			on("indicators.json", func(d map[string]any) {
				d["indicators"] = append(d["indicators"].([]any), item(d, "indicators", "ind.general.injuries"))
			}),
			[]string{`indicators.json: ind.general.injuries: id: duplicate ID (first used in indicators.json)`}},
		{"rule ID used twice",
			set("rules.json", "rules", "rule.amber.sexual", "id", "rule.amber.domestic"),
			[]string{`rules.json: rule.amber.domestic: id: duplicate ID (first used in rules.json)`}},
		{"ID without its prefix",
			set("indicators.json", "indicators", "ind.general.fearful", "id", "general.fearful"),
			[]string{`indicators.json: general.fearful: id: use lowercase letters, digits and _ in dotted parts, starting "ind."`}},
		{"unknown theme",
			set("indicators.json", "indicators", "ind.general.injuries", "theme", "theme.nope"),
			[]string{`indicators.json: ind.general.injuries: theme: unknown theme "theme.nope"`}},
		{"unknown exploitation type",
			set("indicators.json", "indicators", "ind.labour.no_ppe", "exploitation", []any{"exp.slavery"}),
			[]string{`indicators.json: ind.labour.no_ppe: exploitation[0]: unknown exploitation type "exp.slavery"`}},
		{"unknown scope",
			set("indicators.json", "indicators", "ind.labour.no_ppe", "scope", "room"),
			[]string{`indicators.json: ind.labour.no_ppe: scope: "room" is not one of premises, person, both`}},
		{"no English label",
			on("indicators.json", func(d map[string]any) {
				delete(item(d, "indicators", "ind.general.fearful")["label"].(map[string]any), "en")
			}),
			[]string{`indicators.json: ind.general.fearful: label: no English text ("en")`}},
		{"no hint at all",
			on("actions.json", func(d map[string]any) { delete(item(d, "actions", "act.dtn.notify"), "hint") }),
			[]string{`actions.json: act.dtn.notify: hint: missing: give the text in English ("en") at least`}},
		{"language not declared",
			on("themes.json", func(d map[string]any) {
				item(d, "themes", "theme.control")["label"].(map[string]any)["fr"] = "Contrôle"
			}),
			[]string{`themes.json: theme.control: label: language "fr" is not listed in pack.json languages`}},
		{"empty Welsh",
			on("rules.json", func(d map[string]any) {
				item(d, "rules", "rule.red.threats")["reason"].(map[string]any)["cy"] = " "
			}),
			[]string{`rules.json: rule.red.threats: reason: the cy text is empty`}},
		{"rule names an unknown indicator",
			raw("rules.json", `{"indicator": "ind.control.restricted_movement"}`, `{"indicator": "ind.control.restricted_movment"}`),
			[]string{`rules.json: rule.red.documents_and_movement: when.all[1].indicator: unknown indicator "ind.control.restricted_movment"`}},
		{"rule names an unknown theme",
			set("rules.json", "rules", "rule.amber.control", "when", map[string]any{"theme": "theme.coercion"}),
			[]string{`rules.json: rule.amber.control: when.theme: unknown theme "theme.coercion"`}},
		{"rule names an unknown action",
			set("rules.json", "rules", "rule.red.injuries", "actions", []any{"act.safeguard.now", "act.hospital"}),
			[]string{`rules.json: rule.red.injuries: actions[1]: unknown action "act.hospital"`}},
		{"rule names an unknown business",
			set("rules.json", "rules", "rule.amber.control", "when", map[string]any{"business": "casino"}),
			[]string{`rules.json: rule.amber.control: when.business: unknown business type "casino"`}},
		{"rule level unknown",
			set("rules.json", "rules", "rule.red.threats", "level", "purple"),
			[]string{`rules.json: rule.red.threats: level: "purple" is not a level: use green, amber or red`}},
		{"rule scope unknown",
			set("rules.json", "rules", "rule.red.threats", "scope", "everyone"),
			[]string{`rules.json: rule.red.threats: scope: "everyone" is not one of person, premises`}},
		{"action level unknown",
			set("actions.json", "actions", "act.safeguard.now", "levels", []any{"crimson"}),
			[]string{`actions.json: act.safeguard.now: levels[0]: "crimson" is not a level: use green, amber or red`}},
		{"action kind unknown",
			set("actions.json", "actions", "act.followup.plan", "kind", "hug"),
			[]string{`actions.json: act.followup.plan: kind: "hug" is not an action kind`}},
		{"a level with no checklist",
			on("actions.json", func(d map[string]any) {
				item(d, "actions", "act.record.visit")["levels"] = []any{}
				item(d, "actions", "act.advice.helpline")["levels"] = []any{"amber"}
			}),
			[]string{`actions.json: levels: no live action is listed for level green: every level needs a checklist`}},
		{"business type missing",
			on("businesses.json", func(d map[string]any) { d["businesses"] = without(d, "businesses", "nail_bar") }),
			[]string{`businesses.json: nail_bar: business type missing: every type the app offers needs an entry`}},
		{"business type unknown",
			set("businesses.json", "businesses", "other", "id", "casino"),
			[]string{`businesses.json: casino: id: unknown business type: the app offers only car_wash, nail_bar`,
				`businesses.json: other: business type missing`}},
		{"business lists an unknown indicator",
			set("businesses.json", "businesses", "farm", "indicators", []any{"ind.labour.no_ppe", "ind.labour.no_ppe", "ind.farm.tractor"}),
			[]string{`businesses.json: farm: indicators[1]: indicator "ind.labour.no_ppe" is listed twice`,
				`businesses.json: farm: indicators[2]: unknown indicator "ind.farm.tractor"`}},
		{"child rule removed",
			on("rules.json", func(d map[string]any) { d["rules"] = without(d, "rules", "rule.red.child") }),
			[]string{`rules.json: no rule refers a child to the NRM when nothing else is seen (business car_wash): add a rule with "scope": "person", "when": {"child": true} and an action of kind nrm_referral`}},
		{"child rule without a referral",
			set("rules.json", "rules", "rule.red.child", "actions", []any{"act.safeguard.now", "act.nrm.offer"}),
			[]string{`rules.json: no rule refers a child to the NRM`}},
		{"child rule that needs more than a child",
			set("rules.json", "rules", "rule.red.child", "when", map[string]any{"all": []any{
				map[string]any{"child": true}, map[string]any{"theme": "theme.control"}}}),
			[]string{`rules.json: no rule refers a child to the NRM`}},
		{"condition with two keys",
			set("rules.json", "rules", "rule.red.injuries", "when", map[string]any{
				"indicator": "ind.general.injuries", "theme": "theme.general"}),
			[]string{`rules.json: rule.red.injuries: when: a condition has exactly one key, this has indicator, theme: wrap them in "all" or "any"`}},
		{"empty condition",
			set("rules.json", "rules", "rule.red.injuries", "when", map[string]any{}),
			[]string{`rules.json: rule.red.injuries: when: empty condition`}},
		{"empty any",
			set("rules.json", "rules", "rule.red.injuries", "when", map[string]any{"any": []any{}}),
			[]string{`rules.json: rule.red.injuries: when.any: needs at least one condition`}},
		{"at_least more than it has",
			set("rules.json", "rules", "rule.red.injuries", "when", map[string]any{"at_least": map[string]any{
				"n": 3, "of": []any{map[string]any{"indicator": "ind.general.injuries"}, map[string]any{"theme": "theme.nope"}}}}),
			[]string{`rules.json: rule.red.injuries: when.at_least.n: 3 must be from 1 to the number of conditions (2)`,
				`rules.json: rule.red.injuries: when.at_least.of[1].theme: unknown theme "theme.nope"`}},
		{"count of zero",
			set("rules.json", "rules", "rule.amber.several", "when", map[string]any{"count": map[string]any{"min": 0}}),
			[]string{`rules.json: rule.amber.several: when.count.min: must be 1 or more`}},
		{"child in a premises rule",
			set("rules.json", "rules", "rule.amber.several", "when", map[string]any{"not": map[string]any{"child": true}}),
			[]string{`rules.json: rule.amber.several: when.not.child: "child" is about one person: use it in a rule with "scope": "person"`}},
		{"rule relies on a retired indicator",
			set("indicators.json", "indicators", "ind.general.injuries", "retired", true),
			[]string{`rules.json: rule.red.injuries: when.any[0].indicator: indicator "ind.general.injuries" is retired: refer to a live one, or retire this item too`,
				`questions.json: q.injuries: yes[0]: indicator "ind.general.injuries" is retired`}},
		{"answer condition on an unknown question",
			set("rules.json", "rules", "rule.green.return_home", "when", map[string]any{"answer": map[string]any{"question": "q.nope", "choice": "yes"}}),
			[]string{`rules.json: rule.green.return_home: when.answer.question: unknown question "q.nope"`}},
		{"answer condition with a choice the question lacks",
			set("rules.json", "rules", "rule.green.return_home", "when", map[string]any{"any": []any{
				map[string]any{"answer": map[string]any{"question": "q.pay", "choice": "gold"}},
				map[string]any{"answer": map[string]any{"question": "help.home", "choice": "maybe"}}}}),
			[]string{`rules.json: rule.green.return_home: when.any[0].answer.choice: "gold" is not an answer to q.pay`,
				`rules.json: rule.green.return_home: when.any[1].answer.choice: "maybe" is not an answer to screening question help.home`}},
		{"answer condition in a premises rule",
			set("rules.json", "rules", "rule.amber.several", "when", map[string]any{"answer": map[string]any{"question": "q.pay", "choice": "not_paid"}}),
			[]string{`rules.json: rule.amber.several: when.answer: "answer" is about one person`}},
		{"business points to an unknown exploitation type",
			set("businesses.json", "businesses", "cannabis_grow", "exploitation", []any{"exp.nope"}),
			[]string{`businesses.json: cannabis_grow: exploitation[0]: unknown exploitation type "exp.nope"`}},
		{"a child indicator not marked as one",
			set("indicators.json", "indicators", "ind.vulnerability.age_unclear", "child", false),
			[]string{`indicators.json: ind.vulnerability.age_unclear: child: the child rule treats this as a child`}},
		{"another indicator marked child",
			set("indicators.json", "indicators", "ind.vulnerability.homeless", "child", true),
			[]string{`indicators.json: ind.vulnerability.homeless: child: only ind.vulnerability.says_under_18 and ind.vulnerability.age_unclear can mark a child`}},
		{"an officer's question deciding who is a child",
			set("questions.json", "questions", "q.english", "no", []any{"ind.vulnerability.age_unclear"}),
			[]string{`questions.json: q.english: choices: answer "no" implies ind.vulnerability.age_unclear: an officer's question may not decide who is a child`}},
		{"a screening answer that disagrees with the child rule",
			on("screening/questions.json", func(d map[string]any) {
				item(d, "questions", "age.range")["indicators"] = map[string]any{
					"14_17": []any{"ind.vulnerability.says_under_18"}, "dont_know": []any{"ind.vulnerability.age_unclear"}}
				item(d, "questions", "threats.hurt")["indicators"] = map[string]any{"yes": []any{"ind.vulnerability.says_under_18"}}
			}),
			[]string{`screening/questions.json: age.range: indicators: answer "under_14" implies [] of the child indicators, but the child rule says [ind.vulnerability.says_under_18]`,
				`screening/questions.json: threats.hurt: indicators: answer "yes" implies [ind.vulnerability.says_under_18] of the child indicators, but the child rule says []`}},
		{"question implies an unknown indicator",
			set("questions.json", "questions", "q.documents", "yes", []any{"ind.control.passport"}),
			[]string{`questions.json: q.documents: yes[0]: unknown indicator "ind.control.passport"`}},
		{"yes/no question with choices",
			set("questions.json", "questions", "q.documents", "choices", []any{map[string]any{"id": "maybe", "label": map[string]any{"en": "Maybe"}}}),
			[]string{`questions.json: q.documents: choices: a yes_no question has no choices`}},
		{"choice listed twice",
			on("questions.json", func(d map[string]any) {
				q := item(d, "questions", "q.threatened")
				q["choices"] = append(q["choices"].([]any), q["choices"].([]any)[1])
			}),
			[]string{`questions.json: q.threatened: choices[4].id: choice "them" is listed twice`}},
		{"question kind unknown",
			set("questions.json", "questions", "q.hours", "kind", "scale"),
			[]string{`questions.json: q.hours: kind: "scale" is not one of yes_no, choice`}},
		{"answer label missing",
			on("questions.json", func(d map[string]any) { delete(d["answers"].(map[string]any), "not_known") }),
			[]string{`questions.json: answers: not_known: missing`}},
		{"version zero",
			on("pack.json", func(d map[string]any) { d["version"] = 0 }),
			[]string{`pack.json: version: must be a whole number from 1 up`}},
		{"version not a number",
			raw("pack.json", `"version": 2`, `"version": "one"`),
			[]string{`pack.json: line 4 column 19: version should be int, not string`}},
		{"bad date",
			on("pack.json", func(d map[string]any) { d["published"] = "26/11/2026" }),
			[]string{`pack.json: published: "26/11/2026" is not a date: write it as YYYY-MM-DD`}},
		{"bad pack ID",
			on("pack.json", func(d map[string]any) { d["id"] = "Waymark Default" }),
			[]string{`pack.json: id: "Waymark Default" is not a pack ID`}},
		{"reviewed without a reviewer",
			on("pack.json", func(d map[string]any) {
				d["languages"].([]any)[1].(map[string]any)["status"] = "reviewed"
			}),
			[]string{`pack.json: languages[1]: cy is reviewed: say who reviewed it (reviewed_by) and when (reviewed_at)`}},
		{"English missing",
			on("pack.json", func(d map[string]any) { d["languages"] = d["languages"].([]any)[1:] }),
			[]string{`pack.json: languages: must list English ("en") once, with status "source"`,
				`pack.json: name: language "en" is not listed in pack.json languages`}},
		{"simplification about nothing",
			on("pack.json", func(d map[string]any) {
				d["simplifications"].([]any)[0].(map[string]any)["about"] = []any{"rule.red.kid"}
			}),
			[]string{`pack.json: simp.child_always_red: about[0]: unknown item "rule.red.kid"`}},
		{"syntax error",
			raw("rules.json", `"level": "red",`, `"level": "red"`),
			[]string{`rules.json: line 6 column 7: invalid character '"' after object key:value pair`}},
		{"misspelt field",
			raw("indicators.json", `"hint"`, `"hnit"`),
			[]string{`indicators.json: line 9 column 7: unknown field "hnit": check its spelling against docs/content.md`}},
		{"trailing text",
			raw("actions.json", "  ]\n}\n", "  ]\n}\n}\n"),
			[]string{`actions.json: line 138 column 1: more after the end of the JSON object`}},
		{"file missing",
			func(_ testing.TB, files fstest.MapFS) { delete(files, "actions.json") },
			[]string{`actions.json: file missing: a pack has pack.json, themes.json, indicators.json`}},
		{"newer format",
			on("pack.json", func(d map[string]any) { d["format"] = 2; d["version"] = 0; d["signature"] = "new in format 2" }),
			[]string{`pack.json: format: pack format 2 is newer than this app reads (1): update the app`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := packFiles(t)
			tc.break_(t, files)
			p, err := content.Parse(files)
			if err == nil {
				t.Fatalf("broken pack accepted: %s", p.Digest)
			}
			var ve *content.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, content.ErrInvalid) {
				t.Fatalf("error %T %v, want a *ValidationError", err, err)
			}
			for _, want := range tc.want {
				if !hasProblem(ve, want) {
					t.Errorf("no problem starting %q in:\n%v", want, err)
				}
			}
			if tc.name == "newer format" && len(ve.Problems) != 1 {
				t.Errorf("a newer format should be the only problem reported:\n%v", err)
			}
		})
	}
}

func hasProblem(e *content.ValidationError, prefix string) bool {
	for _, p := range e.Problems {
		if strings.HasPrefix(p.String(), prefix) {
			return true
		}
	}
	return false
}

// TestEveryProblemReported breaks several files at once: the analyst sees
// every mistake in one go, with a summary naming the pack.
func TestEveryProblemReported(t *testing.T) {
	files := packFiles(t)
	set("indicators.json", "indicators", "ind.general.injuries", "theme", "theme.nope")(t, files)
	set("rules.json", "rules", "rule.red.threats", "level", "purple")(t, files)
	set("actions.json", "actions", "act.followup.plan", "kind", "hug")(t, files)
	on("businesses.json", func(d map[string]any) { d["businesses"] = without(d, "businesses", "farm") })(t, files)
	set("questions.json", "questions", "q.hours", "kind", "scale")(t, files)

	_, err := content.Parse(files)
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	if len(ve.Problems) != 5 {
		t.Errorf("%d problems, want 5:\n%v", len(ve.Problems), err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "content pack refused (waymark.default version 2): 5 problems\n\t") {
		t.Errorf("message does not start with a summary:\n%s", msg)
	}
	if strings.Count(msg, "\n\t") != 5 {
		t.Errorf("want one line per problem:\n%s", msg)
	}
}

// TestUnreadableFilesFirst: files that are not valid JSON are all
// reported, and alone, since checking the rest against them would only
// echo them.
func TestUnreadableFilesFirst(t *testing.T) {
	files := packFiles(t)
	raw("questions.json", `"hint"`, `"hnit"`)(t, files)
	raw("rules.json", `"level": "red",`, `"level": "red"`)(t, files)
	_, err := content.Parse(files)
	var ve *content.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("want the two unreadable files, got:\n%v", err)
	}
	if ve.Problems[0].File != "questions.json" || ve.Problems[1].File != "rules.json" {
		t.Errorf("problems not in file order:\n%v", err)
	}
}

func TestUnownedFilesIgnored(t *testing.T) {
	files := packFiles(t)
	files["extra/notes.json"] = &fstest.MapFile{Data: []byte(`{"not": "ours"}`)}
	files["README.md"] = &fstest.MapFile{Data: []byte("notes for the analyst\n")}
	files[".DS_Store"] = &fstest.MapFile{Data: []byte{0, 1, 2}}
	files["_drafts/rules.json"] = &fstest.MapFile{Data: []byte("{broken")}
	p, err := content.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(p.Files(), "extra/notes.json")
	if err != nil || string(b) != `{"not": "ours"}` {
		t.Errorf("unowned file not carried: %q %v", b, err)
	}
	for _, name := range []string{".DS_Store", "_drafts/rules.json"} {
		if _, err := fs.Stat(p.Files(), name); err == nil {
			t.Errorf("%s carried into the pack", name)
		}
	}
	def, _ := content.Default()
	if p.Digest == def.Digest {
		t.Error("digest ignores the files the pack carries")
	}
}
