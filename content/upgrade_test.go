package content_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/waymark-app/waymark/content"
)

// version parses the default pack's files at another version, after
// applying the changes.
func version(t *testing.T, v int, changes ...func(testing.TB, fstest.MapFS)) *content.Pack {
	t.Helper()
	files := packFiles(t)
	on("pack.json", func(d map[string]any) { d["version"] = v })(t, files)
	for _, c := range changes {
		c(t, files)
	}
	p, err := content.Parse(files)
	if err != nil {
		t.Fatalf("version %d: %v", v, err)
	}
	return p
}

func TestCheckUpgrade(t *testing.T) {
	v1 := version(t, 1)
	retire := func(file, list, id string) func(testing.TB, fstest.MapFS) {
		return set(file, list, id, "retired", true)
	}
	drop := func(file, list, id string) func(testing.TB, fstest.MapFS) {
		return on(file, func(d map[string]any) { d[list] = without(d, list, id) })
	}
	for _, tc := range []struct {
		name     string
		next     *content.Pack
		notNewer bool
		want     []string // each the start of a problem; none for an allowed upgrade
	}{
		{name: "newer, nothing dropped", next: version(t, 2)},
		{name: "much newer, items retired", next: version(t, 7,
			retire("indicators.json", "indicators", "ind.general.few_possessions"),
			retire("rules.json", "rules", "rule.amber.vulnerable"))},
		{name: "same version", next: version(t, 1), notNewer: true,
			want: []string{"version 1 is not higher than the version in use (1)"}},
		{name: "older version", next: version(t, 1), notNewer: true},
		{name: "indicator deleted", next: version(t, 2, drop("indicators.json", "indicators", "ind.general.few_possessions")),
			want: []string{`ind.general.few_possessions: indicator ind.general.few_possessions is in version 1 but missing from version 2: records may refer to it, so keep it and mark it "retired": true`}},
		{name: "rule deleted", next: version(t, 2, drop("rules.json", "rules", "rule.amber.vulnerable")),
			want: []string{`rule.amber.vulnerable: rule rule.amber.vulnerable is in version 1 but missing`}},
		{name: "choice deleted", next: version(t, 2, on("questions.json", func(d map[string]any) {
			q := item(d, "questions", "q.pay")
			q["choices"] = q["choices"].([]any)[:3]
		})),
			want: []string{`q.pay: choice to_someone_else of question q.pay is in version 1 but missing`}},
		{name: "another pack", next: version(t, 2, on("pack.json", func(d map[string]any) { d["id"] = "force.other" })),
			want: []string{`pack ID "force.other" is not the ID of the pack in use ("waymark.default")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := v1
			if tc.name == "older version" {
				cur = version(t, 3)
			}
			err := content.CheckUpgrade(cur, tc.next)
			if len(tc.want) == 0 && !tc.notNewer {
				if err != nil {
					t.Fatalf("upgrade refused: %v", err)
				}
				return
			}
			var ue *content.UpgradeError
			if !errors.As(err, &ue) || !errors.Is(err, content.ErrUpgrade) {
				t.Fatalf("error %v, want an *UpgradeError", err)
			}
			if got := errors.Is(err, content.ErrNotNewer); got != tc.notNewer {
				t.Errorf("errors.Is(ErrNotNewer) = %v, want %v", got, tc.notNewer)
			}
			for _, want := range tc.want {
				found := false
				for _, p := range ue.Problems {
					found = found || strings.HasPrefix(p.String(), want)
				}
				if !found {
					t.Errorf("no problem starting %q in:\n%v", want, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "content pack cannot replace the one in use: "+cur.ID) {
				t.Errorf("message does not say which packs: %v", err)
			}
		})
	}
}

// TestUpgradeListsEveryDrop: a pack that drops several things is refused
// with all of them named.
func TestUpgradeListsEveryDrop(t *testing.T) {
	next := version(t, 1,
		on("indicators.json", func(d map[string]any) { d["indicators"] = without(d, "indicators", "ind.general.few_possessions") }),
		on("rules.json", func(d map[string]any) { d["rules"] = without(d, "rules", "rule.amber.vulnerable") }))
	err := content.CheckUpgrade(version(t, 1), next)
	var ue *content.UpgradeError
	if !errors.As(err, &ue) || len(ue.Problems) != 3 {
		t.Fatalf("want 3 problems (version, indicator, rule), got:\n%v", err)
	}
}
