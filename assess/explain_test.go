package assess_test

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/i18n"
)

func printers(t *testing.T) (en, cy *i18n.Printer) {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b.Printer(language.English), b.Printer(language.MustParse("cy"))
}

// TestExplain reads the reasons of the visits as an officer
// would read them to a supervisor.
func TestExplain(t *testing.T) {
	p := defaultPack(t)
	en, cy := printers(t)
	for _, tc := range []struct {
		name  string
		in    assess.Input
		pr    *i18n.Printer
		wants []string // each in some sentence
	}{
		{"screened answers, in the officer's words",
			assess.Input{Business: "car_wash", People: []assess.Person{screened("p1", 33, said("documents.kept", "yes", "movement.free", "no"))}},
			en, []string{
				"Their documents are held by someone else and they are not free to come and go: they appear to be under someone's control now. " +
					"This rests on: they answered “Yes” to “Does someone else keep your passport or ID card?”; " +
					"they answered “No” to “Can you leave your work or home when you want to?”.",
			}},
		{"a Green reason under a Red result says it is Green on its own",
			assess.Input{Business: "nail_bar", People: []assess.Person{{ID: "p1", AgeYears: 16}}},
			en, []string{
				"A child (under 18, or age in doubt): a child is always referred to the NRM, without consent, and safeguarded now. This rests on: you put their age at 16.",
				"Also noted, on its own Green: No indicators were seen.",
			}},
		{"the officer's answers and what they saw",
			assess.Input{Business: "construction", Premises: []string{"ind.labour.no_ppe"},
				People: []assess.Person{{ID: "p1", AgeYears: 38, Answers: map[string]string{"q.medical": "yes"}}}},
			en, []string{
				"This rests on: you answered “Yes” to “Are they hurt or ill, and kept from medical help or refusing it?”.",
				"Also noted, on its own Amber: Two or more indicators seen on this visit. This rests on: " +
					"you answered “Yes” to “Are they hurt or ill, and kept from medical help or refusing it?”; you saw “No protective equipment”.",
			}},
		{"in Welsh",
			assess.Input{Business: "nail_bar", People: []assess.Person{{ID: "p1", AgeInDoubt: true}}},
			cy, []string{"Mae hyn yn seiliedig ar: ticiasoch y gallent fod dan 18 oed.", "Nodwyd hefyd, ar ei ben ei hun yn Gwyrdd:"}},
		{"a screened child in Welsh, in the Welsh screening words",
			assess.Input{Business: "nail_bar", People: []assess.Person{screened("p1", 20, said("age.range", "14_17"))}},
			cy, []string{"atebon nhw “"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := assess.Assess(p, tc.in)
			ss := assess.Explain(p, res, tc.pr)
			var all []string
			for _, s := range ss {
				all = append(all, s.Text)
			}
			for _, want := range tc.wants {
				if !strings.Contains(strings.Join(all, "\n"), want) {
					t.Errorf("no sentence says %q:\n%s", want, strings.Join(all, "\n"))
				}
			}
		})
	}
}

// TestExplainEveryScenario: every reason of every scenario reads as a
// sentence; a lower-level one says so; one that rests on anything says
// what.
func TestExplainEveryScenario(t *testing.T) {
	p := defaultPack(t)
	en, cy := printers(t)
	for _, s := range scenarios {
		res := assess.Assess(p, s.input())
		for _, pr := range []*i18n.Printer{en, cy} {
			ss := assess.Explain(p, res, pr)
			if len(ss) != len(res.Reasons) {
				t.Fatalf("%s: %d sentences for %d reasons", s.name, len(ss), len(res.Reasons))
			}
			also := strings.SplitN(pr.T("reason.also", "%s", "%s"), "%", 2)[0]
			rests := strings.SplitN(pr.T("reason.rests_on", "%s"), "%", 2)[0]
			for i, sn := range ss {
				r := res.Reasons[i]
				if sn.Lower != (r.Level < res.Level) || sn.Lower != strings.HasPrefix(sn.Text, also) {
					t.Errorf("%s: %s at %s under %s: %q", s.name, r.Rule, r.Level, res.Level, sn.Text)
				}
				if len(r.Evidence) > 0 && !strings.Contains(sn.Text, rests) {
					t.Errorf("%s: %s rests on %v but does not say so: %q", s.name, r.Rule, r.Evidence, sn.Text)
				}
				if strings.Contains(sn.Text, "%!") || strings.Contains(sn.Text, "ind.") || strings.Contains(sn.Text, "q.") {
					t.Errorf("%s: raw IDs or format errors in %q", s.name, sn.Text)
				}
				if r.Level == content.Red && sn.Lower {
					t.Errorf("a Red reason marked lower")
				}
			}
		}
	}
}
