package assess_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

func defaultPack(t testing.TB) *content.Pack {
	t.Helper()
	p, err := content.Default()
	if err != nil {
		t.Fatalf("default pack: %v", err)
	}
	return p
}

// scenario is one visit and what the default pack must make of it.
// Reasons name a rule, or "rule@person" for a person rule (person "" for
// one tested with nobody screened); the result may hold more.
type scenario struct {
	name       string
	business   encounter.Business
	premises   []string
	people     []assess.Person
	level      content.Level
	reasons    []string
	notReasons []string
	actions    []string
	notActions []string
	// exp, when given, is exactly the exploitation types suggested.
	exp []string
	// evidence names what some reason must rest on, as "by:question" or
	// "by:indicator" (see assess.Evidence); notIndicators, indicators no
	// reason may name.
	evidence      []string
	notIndicators []string
}

// adult returns a screened adult with the given indicators.
func adult(id string, inds ...string) assess.Person {
	return assess.Person{ID: id, AgeYears: 30, Indicators: inds}
}

var scenarios = []scenario{
	{
		name:       "car wash, nothing seen",
		business:   encounter.CarWash,
		people:     []assess.Person{adult("p1")},
		level:      content.Green,
		reasons:    []string{"rule.green.nothing_seen"},
		actions:    []string{"act.record.visit", "act.advice.helpline"},
		notActions: []string{"act.intel.submit", "act.nrm.referral", "act.safeguard.now"},
	},
	{
		name:       "car wash, cash only and nothing else",
		business:   encounter.CarWash,
		premises:   []string{"ind.labour.cash_only"},
		level:      content.Green,
		reasons:    []string{"rule.green.noticed"},
		notReasons: []string{"rule.amber.several", "rule.green.nothing_seen"},
		actions:    []string{"act.intel.submit", "act.record.visit"},
	},
	{
		name:       "car wash, labour signs without control",
		business:   encounter.CarWash,
		premises:   []string{"ind.labour.no_ppe", "ind.labour.cash_only"},
		people:     []assess.Person{adult("p1", "ind.labour.long_hours", "ind.labour.low_pay")},
		level:      content.Amber,
		reasons:    []string{"rule.amber.labour", "rule.amber.several"},
		actions:    []string{"act.partner.glaa", "act.intel.submit", "act.partner.refer", "act.nrm.offer", "act.followup.plan"},
		notActions: []string{"act.nrm.referral", "act.dtn.notify", "act.record.visit"},
	},
	{
		name:     "car wash, low pay and passport held",
		business: encounter.CarWash,
		premises: []string{"ind.labour.no_ppe"},
		people:   []assess.Person{adult("p1", "ind.labour.low_pay", "ind.control.documents_withheld")},
		level:    content.Red,
		reasons:  []string{"rule.red.exploited_under_control@p1", "rule.amber.labour"},
		actions: []string{"act.safeguard.now", "act.nrm.referral", "act.dtn.notify", "act.crime.record",
			"act.partner.glaa", "act.scene.preserve", "act.supervisor.notify"},
		notActions: []string{"act.nrm.offer", "act.record.visit"},
	},
	{
		name:     "car wash, documents and movement noticed with nobody screened",
		business: encounter.CarWash,
		premises: []string{"ind.control.documents_withheld", "ind.control.restricted_movement"},
		level:    content.Red,
		reasons:  []string{"rule.red.documents_and_movement@"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral"},
	},
	{
		name:     "nail bar, two workers, nothing seen",
		business: encounter.NailBar,
		people:   []assess.Person{adult("p1"), adult("p2")},
		level:    content.Green,
		reasons:  []string{"rule.green.nothing_seen"},
		actions:  []string{"act.record.visit", "act.advice.helpline"},
	},
	{
		name:     "nail bar, someone speaks for a worker with little English",
		business: encounter.NailBar,
		premises: []string{"ind.general.living_at_workplace"},
		people:   []assess.Person{adult("p1", "ind.general.speaks_for_them", "ind.vulnerability.language")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.several", "rule.amber.vulnerable@p1"},
		actions:  []string{"act.followup.speak_alone"},
	},
	{
		name:     "nail bar, a 16-year-old worker and nothing else",
		business: encounter.NailBar,
		people:   []assess.Person{{ID: "p1", AgeYears: 16}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.safeguard.now", "act.safeguard.childrens_services", "act.nrm.referral", "act.crime.record"},
	},
	{
		name:     "nail bar, age unknown but in doubt",
		business: encounter.NailBar,
		people:   []assess.Person{{ID: "p1", AgeInDoubt: true}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.nrm.referral"},
	},
	{
		name:       "nail bar, a worker aged exactly 18",
		business:   encounter.NailBar,
		people:     []assess.Person{{ID: "p1", AgeYears: 18}},
		level:      content.Green,
		reasons:    []string{"rule.green.nothing_seen"},
		notReasons: []string{"rule.red.child@p1"},
		notActions: []string{"act.nrm.referral"},
		actions:    []string{"act.record.visit"},
	},
	{
		name:     "takeaway, living at work and long hours",
		business: encounter.Takeaway,
		people:   []assess.Person{adult("p1", "ind.general.living_at_workplace", "ind.labour.long_hours")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.several", "rule.amber.labour"},
		actions:  []string{"act.partner.glaa"},
	},
	{
		name:       "takeaway, passport held and nothing else",
		business:   encounter.Takeaway,
		people:     []assess.Person{adult("p1", "ind.control.documents_withheld")},
		level:      content.Amber,
		reasons:    []string{"rule.amber.control@p1"},
		notReasons: []string{"rule.red.documents_and_movement@p1"},
		actions:    []string{"act.followup.speak_alone", "act.nrm.offer"},
		notActions: []string{"act.nrm.referral"},
	},
	{
		name:     "takeaway, debt and isolation",
		business: encounter.Takeaway,
		people:   []assess.Person{adult("p1", "ind.control.debt_bondage", "ind.control.isolation")},
		level:    content.Red,
		reasons:  []string{"rule.red.debt_bondage@p1"},
		actions:  []string{"act.nrm.referral", "act.dtn.notify"},
	},
	{
		name:     "brothel, adverts only",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.adverts"},
		level:    content.Amber,
		reasons:  []string{"rule.amber.sexual"},
		actions:  []string{"act.partner.support", "act.intel.submit"},
	},
	{
		name:     "brothel, moved around and not free to leave",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.pop_up"},
		people:   []assess.Person{adult("p1", "ind.sexual.moved_around", "ind.control.restricted_movement")},
		level:    content.Red,
		reasons:  []string{"rule.red.exploited_under_control@p1", "rule.amber.sexual"},
		actions:  []string{"act.partner.support", "act.nrm.referral", "act.scene.preserve"},
	},
	{
		name:     "pop-up brothel with a 15-year-old",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.pop_up"},
		people:   []assess.Person{{ID: "p1", AgeYears: 15, Indicators: []string{"ind.sexual.made_to_sell_sex"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.amber.sexual"},
		actions:  []string{"act.safeguard.childrens_services", "act.nrm.referral"},
	},
	{
		name:     "brothel, one woman threatened, answered by question",
		business: encounter.Brothel,
		people: []assess.Person{
			{ID: "p1", AgeYears: 25, Answers: map[string]string{"q.threatened": "them", "q.sex_work": "yes"}},
			adult("p2", "ind.sexual.made_to_sell_sex"),
		},
		level:      content.Red,
		reasons:    []string{"rule.red.threats@p1", "rule.red.exploited_under_control@p1"},
		notReasons: []string{"rule.red.threats@p2"},
		actions:    []string{"act.safeguard.now", "act.nrm.referral", "act.dtn.notify", "act.partner.support"},
	},
	{
		name:     "farm, gang workers in poor housing",
		business: encounter.Farm,
		premises: []string{"ind.general.poor_housing", "ind.general.dropped_off"},
		people:   []assess.Person{adult("p1", "ind.labour.low_pay")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.labour", "rule.amber.several"},
		actions:  []string{"act.partner.glaa", "act.partner.refer"},
	},
	{
		name:     "farm, pay taken and a debt",
		business: encounter.Farm,
		people:   []assess.Person{adult("p1", "ind.control.pay_taken", "ind.control.debt_bondage", "ind.labour.long_hours")},
		level:    content.Red,
		reasons:  []string{"rule.red.debt_bondage@p1", "rule.red.exploited_under_control@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral", "act.crime.record"},
	},
	{
		name:     "farm, learning difficulties and not paid",
		business: encounter.Farm,
		people:   []assess.Person{adult("p1", "ind.vulnerability.learning_difficulty", "ind.general.not_paid")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.vulnerable@p1", "rule.amber.several"},
		actions:  []string{"act.followup.speak_alone", "act.nrm.offer", "act.partner.refer"},
	},
	{
		name:       "factory, one worker with little English",
		business:   encounter.Factory,
		people:     []assess.Person{{ID: "p1", AgeYears: 40, Answers: map[string]string{"q.english": "no"}}},
		level:      content.Green,
		reasons:    []string{"rule.green.noticed"},
		actions:    []string{"act.intel.submit"},
		notReasons: []string{"rule.green.nothing_seen"},
	},
	{
		name:     "factory, workers locked in, nobody screened",
		business: encounter.Factory,
		premises: []string{"ind.control.locked_in", "ind.labour.unsafe_conditions"},
		level:    content.Red,
		reasons:  []string{"rule.red.locked_in", "rule.red.exploited_under_control@"},
		actions:  []string{"act.scene.preserve", "act.safeguard.now"},
	},
	{
		name:     "factory, three signs of control",
		business: encounter.Factory,
		people:   []assess.Person{adult("p1", "ind.control.isolation", "ind.control.watched", "ind.control.pay_taken")},
		level:    content.Red,
		reasons:  []string{"rule.red.control_several@p1"},
		actions:  []string{"act.safeguard.now", "act.supervisor.notify", "act.nrm.referral"},
	},
	{
		name:     "cannabis grow, someone living inside",
		business: encounter.CannabisGrow,
		premises: []string{"ind.cannabis.set_up"},
		people:   []assess.Person{adult("p1", "ind.cannabis.living_in_grow")},
		level:    content.Red,
		reasons:  []string{"rule.red.living_in_grow@p1", "rule.amber.criminal@p1"},
		actions:  []string{"act.investigation.victim_first", "act.scene.preserve", "act.nrm.referral"},
	},
	{
		name:       "cannabis grow, a gardener and nothing else",
		business:   encounter.CannabisGrow,
		people:     []assess.Person{adult("p1", "ind.cannabis.gardener")},
		level:      content.Amber,
		reasons:    []string{"rule.amber.criminal@p1"},
		actions:    []string{"act.investigation.victim_first", "act.nrm.offer"},
		notActions: []string{"act.nrm.referral"},
	},
	{
		name:     "cannabis grow, locked in with a gardener of doubtful age",
		business: encounter.CannabisGrow,
		premises: []string{"ind.control.locked_in"},
		people:   []assess.Person{{ID: "p1", AgeInDoubt: true, Indicators: []string{"ind.cannabis.gardener"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.red.locked_in", "rule.red.forced_criminality@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.investigation.victim_first"},
	},
	{
		name:     "private house, a worker who never leaves",
		business: encounter.PrivateHouse,
		people:   []assess.Person{{ID: "p1", AgeYears: 35, Answers: map[string]string{"q.never_leaves_house": "yes"}}},
		level:    content.Amber,
		reasons:  []string{"rule.amber.domestic@p1"},
		actions:  []string{"act.followup.speak_alone"},
	},
	{
		name:     "private house, domestic servitude under control",
		business: encounter.PrivateHouse,
		premises: []string{"ind.domestic.sleeps_apart"},
		people: []assess.Person{adult("p1", "ind.domestic.always_on_call",
			"ind.control.documents_withheld", "ind.control.restricted_movement")},
		level:   content.Red,
		reasons: []string{"rule.red.documents_and_movement@p1", "rule.red.exploited_under_control@p1", "rule.amber.domestic@p1"},
		actions: []string{"act.nrm.referral", "act.dtn.notify", "act.crime.record"},
	},
	{
		name:     "private house, cuckooed home of an adult with a drug habit",
		business: encounter.PrivateHouse,
		premises: []string{"ind.county_lines.cuckooing"},
		people:   []assess.Person{adult("p1", "ind.vulnerability.substance")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.criminal@p1", "rule.amber.vulnerable@p1"},
		actions:  []string{"act.investigation.victim_first", "act.followup.speak_alone", "act.intel.submit"},
	},
	{
		name:     "construction site, nothing seen",
		business: encounter.Construction,
		people:   []assess.Person{adult("p1"), adult("p2"), adult("p3")},
		level:    content.Green,
		reasons:  []string{"rule.green.nothing_seen"},
		actions:  []string{"act.record.visit", "act.advice.helpline"},
	},
	{
		name:     "construction site, no PPE, unsafe, dropped off",
		business: encounter.Construction,
		premises: []string{"ind.labour.no_ppe", "ind.labour.unsafe_conditions", "ind.general.dropped_off"},
		level:    content.Amber,
		reasons:  []string{"rule.amber.labour", "rule.amber.several"},
		actions:  []string{"act.partner.glaa"},
	},
	{
		name:     "construction site, an injured worker",
		business: encounter.Construction,
		people:   []assess.Person{{ID: "p1", AgeYears: 45, Answers: map[string]string{"q.injuries": "yes"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.injuries@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral", "act.dtn.notify"},
	},
	{
		name:     "street, source document: couple shoplifting to pay a travel debt",
		business: encounter.Other,
		people:   sourceCouple(),
		level:    content.Red,
		reasons: []string{
			"rule.red.forced_criminality@arrested-1", "rule.red.debt_bondage@arrested-1", "rule.red.threats@arrested-1",
			"rule.red.forced_criminality@arrested-2", "rule.red.debt_bondage@arrested-2", "rule.red.threats@arrested-2",
		},
		actions: []string{"act.nrm.referral", "act.dtn.notify", "act.crime.record",
			"act.investigation.victim_first", "act.safeguard.now", "act.supervisor.notify"},
	},
	{
		name:     "street, county lines: a 15-year-old far from home",
		business: encounter.Other,
		people: []assess.Person{{ID: "p1", AgeYears: 15,
			Indicators: []string{"ind.county_lines.phones", "ind.county_lines.far_from_home"}}},
		level:   content.Red,
		reasons: []string{"rule.red.child@p1", "rule.amber.criminal@p1"},
		actions: []string{"act.investigation.victim_first", "act.nrm.referral", "act.safeguard.childrens_services"},
	},
	{
		name:     "street, county lines: a threatened adult runner",
		business: encounter.Other,
		people: []assess.Person{adult("p1", "ind.county_lines.phones",
			"ind.county_lines.drugs_on_body", "ind.control.threats_to_person")},
		level:   content.Red,
		reasons: []string{"rule.red.threats@p1", "rule.red.forced_criminality@p1"},
		actions: []string{"act.safeguard.now", "act.investigation.victim_first", "act.nrm.referral"},
	},
	{
		name:     "street, forced begging, watched",
		business: encounter.Other,
		people: []assess.Person{adult("p1", "ind.shoplifting_begging.hands_over_takings",
			"ind.shoplifting_begging.quota", "ind.control.watched")},
		level:   content.Red,
		reasons: []string{"rule.red.forced_criminality@p1"},
		actions: []string{"act.investigation.victim_first", "act.safeguard.now"},
	},
	{
		name:       "street, begging money handed over and nothing else",
		business:   encounter.Other,
		people:     []assess.Person{{ID: "p1", AgeYears: 50, Answers: map[string]string{"q.made_to_offend": "beg"}}},
		level:      content.Amber,
		reasons:    []string{"rule.amber.criminal@p1"},
		notReasons: []string{"rule.red.forced_criminality@p1"},
		actions:    []string{"act.investigation.victim_first", "act.nrm.offer"},
	},
	{
		name:     "other, benefit fraud with bank card taken",
		business: encounter.Other,
		people:   []assess.Person{adult("p1", "ind.criminal.benefit_fraud", "ind.control.pay_taken")},
		level:    content.Red,
		reasons:  []string{"rule.red.forced_criminality@p1"},
		actions:  []string{"act.investigation.victim_first", "act.nrm.referral"},
	},
	{
		name:     "other, asked to sell a kidney",
		business: encounter.Other,
		people:   []assess.Person{{ID: "p1", AgeYears: 29, Answers: map[string]string{"q.organ": "organ"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.organ_removal@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral"},
	},
	{
		name:       "other, unexplained surgery and a debt",
		business:   encounter.Other,
		people:     []assess.Person{adult("p1", "ind.organ.surgery_scar", "ind.control.debt_bondage")},
		level:      content.Red,
		reasons:    []string{"rule.red.organ_removal@p1", "rule.amber.control@p1"},
		notReasons: []string{"rule.red.debt_bondage@p1"},
		actions:    []string{"act.safeguard.now", "act.nrm.referral"},
	},
	{
		name:       "other, one child and one adult with nothing seen",
		business:   encounter.Other,
		people:     []assess.Person{adult("adult"), {ID: "child", AgeYears: 12}},
		level:      content.Red,
		reasons:    []string{"rule.red.child@child"},
		notReasons: []string{"rule.red.child@adult"},
		actions:    []string{"act.safeguard.childrens_services", "act.nrm.referral"},
	},
	{
		name:     "car wash, an indicator from a newer pack",
		business: encounter.CarWash,
		people:   []assess.Person{adult("p1", "ind.future.unknown_sign")},
		level:    content.Green,
		reasons:  []string{"rule.green.nothing_seen"},
		actions:  []string{"act.record.visit"},
	},
}

// sourceCouple is the source document's example (3.11): a professional
// couple tricked into coming for legitimate work, told on arrival to go
// shoplifting to cover the cost of travel and accommodation, the debt
// enforced by threats of violence to them and their families. One is
// recorded by ticking indicators, the other by answering the questions.
func sourceCouple() []assess.Person {
	return []assess.Person{
		adult("arrested-1",
			"ind.criminal.made_to_offend", "ind.shoplifting_begging.forced_theft",
			"ind.general.deceived", "ind.control.debt_bondage",
			"ind.control.threats_to_person", "ind.control.threats_to_family"),
		{ID: "arrested-2", AgeYears: 34, Answers: map[string]string{
			"q.made_to_offend": "steal",
			"q.deceived":       "yes",
			"q.debt":           "yes",
			"q.threatened":     "both",
			"q.afraid":         "yes",
		}},
	}
}

func (s scenario) input() assess.Input {
	return assess.Input{Business: string(s.business), Premises: s.premises, People: s.people}
}

func TestScenarios(t *testing.T) {
	p := defaultPack(t)
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			res := assess.Assess(p, s.input())
			if res.Level != s.level {
				t.Errorf("level %s, want %s; reasons:\n%s", res.Level, s.level, describe(res))
			}
			for _, want := range s.reasons {
				if !hasReason(res, want) {
					t.Errorf("no reason %s; reasons:\n%s", want, describe(res))
				}
			}
			for _, not := range s.notReasons {
				if hasReason(res, not) {
					t.Errorf("unexpected reason %s", not)
				}
			}
			for _, want := range s.actions {
				if !slices.Contains(res.Actions, want) {
					t.Errorf("no action %s in %v", want, res.Actions)
				}
			}
			for _, not := range s.notActions {
				if slices.Contains(res.Actions, not) {
					t.Errorf("unexpected action %s in %v", not, res.Actions)
				}
			}
			if s.exp != nil && !slices.Equal(res.Exploitation, s.exp) {
				t.Errorf("exploitation %v, want %v", res.Exploitation, s.exp)
			}
			for _, want := range s.evidence {
				if !hasEvidence(res, want) {
					t.Errorf("no reason rests on %s:\n%s", want, describe(res))
				}
			}
			for _, not := range s.notIndicators {
				for _, r := range res.Reasons {
					if slices.Contains(r.Indicators, not) {
						t.Errorf("%s names %s, which nothing established", r.Rule, not)
					}
				}
			}
			if s.level == content.Unassessed || len(s.reasons) == 0 || len(s.actions) == 0 {
				t.Error("a scenario states its level, its reasons and its must-have actions")
			}
			checkResult(t, p, res)
		})
	}
}

// checkResult checks what every result must satisfy, whatever the input.
func checkResult(t *testing.T, p *content.Pack, res assess.Result) {
	t.Helper()
	if res.Pack != p.ID || res.PackVersion != p.Version {
		t.Errorf("made under %s %d, want %s %d", res.Pack, res.PackVersion, p.ID, p.Version)
	}
	if len(res.Reasons) == 0 {
		t.Errorf("no reason given for %s: every assessment must say why", res.Level)
	}
	for _, r := range res.Reasons {
		if r.Level > res.Level {
			t.Errorf("reason %s at %s above the result %s", r.Rule, r.Level, res.Level)
		}
		if r.Text.In("en") == "" || r.Text.In("cy") == "" {
			t.Errorf("reason %s has no words", r.Rule)
		}
	}
	if len(res.Actions) == 0 {
		t.Errorf("no actions for %s", res.Level)
	}
	for i, id := range res.Actions {
		a, ok := p.Action(id)
		if !ok {
			t.Errorf("unknown action %s", id)
		}
		if slices.Index(res.Actions, id) != i {
			t.Errorf("action %s listed twice", id)
		}
		if i > 0 && p.Order(res.Actions[i-1]) > p.Order(id) {
			t.Errorf("actions out of pack order: %v", res.Actions)
		}
		_ = a
	}
	if res.Level == content.Red && res.Actions[0] != "act.safeguard.now" {
		t.Errorf("a Red checklist starts with %s, want act.safeguard.now first", res.Actions[0])
	}
}

func hasEvidence(res assess.Result, want string) bool {
	by, what, _ := strings.Cut(want, ":")
	for _, r := range res.Reasons {
		for _, e := range r.Evidence {
			if e.By == by && (e.Question == what || e.Indicator == what) {
				return true
			}
		}
	}
	return false
}

func hasReason(res assess.Result, want string) bool {
	rule, person, perPerson := strings.Cut(want, "@")
	for _, r := range res.Reasons {
		if r.Rule == rule && (!perPerson || r.Person == person) {
			return true
		}
	}
	return false
}

func describe(res assess.Result) string {
	var b strings.Builder
	for _, r := range res.Reasons {
		b.WriteString("\t" + r.Level.String() + " " + r.Rule + "@" + r.Person + " " + strings.Join(r.Indicators, ",") + "\n")
	}
	return b.String()
}

// TestScenarioCoverage keeps the table honest: every business type, every
// exploitation type, every theme and every live rule of the default pack
// appears in some scenario.
func TestScenarioCoverage(t *testing.T) {
	p := defaultPack(t)
	if len(scenarios) < 60 {
		t.Errorf("%d scenarios, want at least 60", len(scenarios))
	}
	byType := map[string]int{}
	business := map[string]bool{}
	exploitation := map[string]bool{}
	themes := map[string]bool{}
	rules := map[string]bool{}
	for _, s := range scenarios {
		business[string(s.business)] = true
		res := assess.Assess(p, s.input())
		for _, x := range res.Exploitation {
			exploitation[x] = true
			byType[x]++
		}
		if len(res.Exploitation) == 0 {
			byType["none"]++
		}
		for _, per := range s.people {
			switch {
			case per.AgeInDoubt:
				byType["child or age in doubt"]++
			case hasReason(res, "rule.red.child@"+per.ID):
				byType["child or age in doubt"]++
			}
		}
		for _, r := range res.Reasons {
			rules[r.Rule] = true
			for _, id := range r.Indicators {
				ind, _ := p.Indicator(id)
				themes[ind.Theme] = true
			}
		}
	}
	for _, b := range encounter.Businesses {
		if !business[string(b)] {
			t.Errorf("no scenario at a %s", b)
		}
	}
	for _, x := range p.Exploitation {
		if !exploitation[x.ID] {
			t.Errorf("no scenario shows %s", x.ID)
		}
	}
	for _, th := range p.Themes {
		if !themes[th.ID] {
			t.Errorf("no scenario's reasons rest on an indicator of %s", th.ID)
		}
	}
	for _, r := range p.Rules {
		if !r.Retired && !rules[r.ID] {
			t.Errorf("rule %s fires in no scenario", r.ID)
		}
	}
	for _, x := range p.Exploitation {
		if byType[x.ID] < 3 {
			t.Errorf("only %d scenarios suggest %s", byType[x.ID], x.ID)
		}
	}
	t.Logf("%d scenarios; by exploitation type suggested (a scenario may suggest several): %v", len(scenarios), byType)
}

func TestSourceDocumentCouple(t *testing.T) {
	p := defaultPack(t)
	res := assess.Assess(p, assess.Input{Business: string(encounter.Other), People: sourceCouple()})
	if res.Level != content.Red {
		t.Fatalf("level %s, want red", res.Level)
	}
	// The second person was recorded by questions: the reasons must say
	// which answers led to them.
	for _, tc := range []struct {
		rule      string
		questions []string
		inds      []string
	}{
		{"rule.red.forced_criminality", []string{"q.threatened", "q.debt", "q.made_to_offend"},
			[]string{"ind.control.threats_to_person", "ind.control.threats_to_family", "ind.control.debt_bondage",
				"ind.shoplifting_begging.forced_theft"}},
		{"rule.red.debt_bondage", []string{"q.threatened", "q.debt"},
			[]string{"ind.control.threats_to_person", "ind.control.threats_to_family", "ind.control.debt_bondage"}},
		{"rule.red.threats", []string{"q.threatened"},
			[]string{"ind.control.threats_to_person", "ind.control.threats_to_family"}},
	} {
		var got *assess.Reason
		for i, r := range res.Reasons {
			if r.Rule == tc.rule && r.Person == "arrested-2" {
				got = &res.Reasons[i]
			}
		}
		if got == nil {
			t.Errorf("no %s for arrested-2", tc.rule)
			continue
		}
		if !reflect.DeepEqual(got.Questions, tc.questions) {
			t.Errorf("%s: questions %v, want %v", tc.rule, got.Questions, tc.questions)
		}
		if !reflect.DeepEqual(got.Indicators, tc.inds) {
			t.Errorf("%s: indicators %v, want %v", tc.rule, got.Indicators, tc.inds)
		}
	}
	if !slices.Contains(res.Exploitation, "exp.criminal") {
		t.Errorf("exploitation %v, want exp.criminal", res.Exploitation)
	}
}

func TestDeterministic(t *testing.T) {
	p := defaultPack(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range scenarios {
		want := assess.Assess(p, s.input())
		for range 20 {
			in := s.input()
			in.Premises = shuffled(rng, in.Premises)
			in.People = shuffled(rng, in.People)
			for i := range in.People {
				in.People[i].Indicators = shuffled(rng, in.People[i].Indicators)
			}
			if got := assess.Assess(p, in); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: shuffled input gave\n%+v\nwant\n%+v", s.name, got, want)
			}
		}
	}
}

func shuffled[T any](rng *rand.Rand, s []T) []T {
	out := slices.Clone(s)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestDuplicatePeopleMerge(t *testing.T) {
	p := defaultPack(t)
	res := assess.Assess(p, assess.Input{Business: "farm", People: []assess.Person{
		adult("p1", "ind.control.documents_withheld"),
		{ID: "p1", AgeYears: 17, Indicators: []string{"ind.control.restricted_movement"}},
	}})
	for _, want := range []string{"rule.red.documents_and_movement@p1", "rule.red.child@p1"} {
		if !hasReason(res, want) {
			t.Errorf("no %s:\n%s", want, describe(res))
		}
	}
}

func TestIgnored(t *testing.T) {
	p := defaultPack(t)
	res := assess.Assess(p, assess.Input{
		Business: "car_wash",
		Premises: []string{"ind.future.premises"},
		People: []assess.Person{{ID: "p1", AgeYears: 30,
			Indicators: []string{"ind.future.person"},
			Answers:    map[string]string{"q.future": "yes", "q.documents": "perhaps"}}},
	})
	want := []string{"ind.future.person", "ind.future.premises", "q.documents=perhaps", "q.future=yes"}
	if !reflect.DeepEqual(res.Ignored, want) {
		t.Errorf("ignored %v, want %v", res.Ignored, want)
	}
	if res.Level != content.Green || !hasReason(res, "rule.green.nothing_seen") {
		t.Errorf("unknown IDs counted:\n%s", describe(res))
	}
}

// withChildRule returns a copy of the default pack whose child rule is
// changed by edit, bypassing validation as a pack built in code could.
func withChildRule(t *testing.T, edit func(*content.Rule)) *content.Pack {
	p := *defaultPack(t)
	p.Rules = slices.Clone(p.Rules)
	for i := range p.Rules {
		if p.Rules[i].ID == "rule.red.child" {
			edit(&p.Rules[i])
		}
	}
	return &p
}

func TestChildSafetyNet(t *testing.T) {
	for name, edit := range map[string]func(*content.Rule){
		"rule retired":        func(r *content.Rule) { r.Retired = true },
		"referral left out":   func(r *content.Rule) { r.Actions = []string{"act.safeguard.now"} },
		"rule made Amber":     func(r *content.Rule) { r.Level = content.Amber; r.Actions = nil },
		"rule needs evidence": func(r *content.Rule) { r.When = content.Cond{Theme: "theme.control"} },
	} {
		t.Run(name, func(t *testing.T) {
			p := withChildRule(t, edit)
			for _, per := range []assess.Person{{ID: "c", AgeYears: 9}, {ID: "c", AgeInDoubt: true}} {
				res := assess.Assess(p, assess.Input{Business: "nail_bar", People: []assess.Person{per, adult("a")}})
				if res.Level != content.Red {
					t.Errorf("level %s, want red", res.Level)
				}
				if !hasReason(res, assess.ChildSafetyNet+"@c") || hasReason(res, assess.ChildSafetyNet+"@a") {
					t.Errorf("safety net reasons wrong:\n%s", describe(res))
				}
				if !slices.Contains(res.Actions, "act.nrm.referral") {
					t.Errorf("no NRM referral for a child: %v", res.Actions)
				}
				if res.Reasons[0].Rule != assess.ChildSafetyNet {
					t.Errorf("safety net reason is not first:\n%s", describe(res))
				}
			}
		})
	}
	// With the pack's own child rule in place the net stays out of sight.
	res := assess.Assess(defaultPack(t), assess.Input{Business: "nail_bar", People: []assess.Person{{ID: "c", AgeYears: 9}}})
	if hasReason(res, assess.ChildSafetyNet) {
		t.Errorf("safety net fired although the pack refers the child:\n%s", describe(res))
	}
}

// TestChildSafetyNetWithoutReferralAction: with every nrm_referral action
// retired the net still names the referral, by its well-known ID.
func TestChildSafetyNetWithoutReferralAction(t *testing.T) {
	p := withChildRule(t, func(r *content.Rule) { r.Retired = true })
	p.Actions = slices.Clone(p.Actions)
	for i := range p.Actions {
		if p.Actions[i].Kind == content.KindNRMReferral {
			p.Actions[i].Retired = true
		}
	}
	res := assess.Assess(p, assess.Input{Business: "other", People: []assess.Person{{ID: "c", AgeYears: 14}}})
	if res.Level != content.Red || !slices.Contains(res.Actions, "act.nrm.referral") {
		t.Errorf("%s, actions %v: want red with act.nrm.referral", res.Level, res.Actions)
	}
}

func TestImplied(t *testing.T) {
	p := defaultPack(t)
	inds, unknown := assess.Implied(p, map[string]string{
		"q.threatened":     "both",
		"q.free_to_leave":  "no",
		"q.documents":      "yes",
		"q.pay":            "properly",
		"q.english":        "not_known",
		"q.made_to_offend": "steal",
		"q.nonsense":       "yes",
		"q.hours":          "sometimes",
	})
	want := []string{
		"ind.control.documents_withheld", "ind.control.restricted_movement",
		"ind.control.threats_to_person", "ind.control.threats_to_family",
		"ind.shoplifting_begging.forced_theft",
	}
	if !reflect.DeepEqual(inds, want) {
		t.Errorf("implied %v, want %v", inds, want)
	}
	if wantU := []string{"q.hours=sometimes", "q.nonsense=yes"}; !reflect.DeepEqual(unknown, wantU) {
		t.Errorf("unknown %v, want %v", unknown, wantU)
	}
}

func TestDiff(t *testing.T) {
	p := defaultPack(t)
	in := assess.Input{Business: "car_wash", People: []assess.Person{
		{ID: "p1", AgeYears: 30, Answers: map[string]string{"q.threatened": "no"}},
	}}
	before := assess.Assess(p, in)
	in.People[0].Answers = map[string]string{"q.threatened": "family"}
	after := assess.Assess(p, in)

	c := assess.Diff(before, after)
	if c.From != content.Green || c.To != content.Red {
		t.Errorf("level %s -> %s, want green -> red", c.From, c.To)
	}
	if got := rules(c.ReasonsAdded); !slices.Contains(got, "rule.red.threats") || !slices.Contains(got, "rule.amber.control") {
		t.Errorf("reasons added %v", got)
	}
	if got := rules(c.ReasonsRemoved); !reflect.DeepEqual(got, []string{"rule.green.nothing_seen"}) {
		t.Errorf("reasons removed %v", got)
	}
	if !slices.Contains(c.ActionsAdded, "act.nrm.referral") || !slices.Contains(c.ActionsRemoved, "act.record.visit") {
		t.Errorf("actions added %v, removed %v", c.ActionsAdded, c.ActionsRemoved)
	}
	if c.None() {
		t.Error("None for a change from green to red")
	}
	back := assess.Diff(after, before)
	if !reflect.DeepEqual(back.ReasonsAdded, c.ReasonsRemoved) || !reflect.DeepEqual(back.ActionsRemoved, c.ActionsAdded) {
		t.Errorf("diff is not symmetric: %+v vs %+v", back, c)
	}
	if same := assess.Diff(after, assess.Assess(p, in)); !same.None() {
		t.Errorf("re-assessing the same input changed %+v", same)
	}
}

func rules(rs []assess.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

// TestResultJSON freezes the stable names a record stores.
func TestResultJSON(t *testing.T) {
	p := defaultPack(t)
	res := assess.Assess(p, assess.Input{Business: "nail_bar", People: []assess.Person{{ID: "p1", AgeYears: 16}}})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"level":"red"`, `"rule":"rule.red.child"`, `"person":"p1"`, `"pack":"waymark.default"`, `"pack_version":2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s not in %s", want, b)
		}
	}
	var back assess.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("round trip changed the result:\n%+v\n%+v", back, res)
	}
}

func TestLevelNames(t *testing.T) {
	for l, want := range map[content.Level]string{content.Green: "green", content.Amber: "amber", content.Red: "red", content.Unassessed: "unassessed"} {
		if l.String() != want {
			t.Errorf("%d is %q, want %q", int(l), l, want)
		}
	}
	if !(content.Green < content.Amber && content.Amber < content.Red) {
		t.Error("levels out of order")
	}
}

// TestSaysUnder18 treats a person who says they are under 18, or cannot
// say their age, as a child whatever the officer estimated.
func TestSaysUnder18(t *testing.T) {
	p := defaultPack(t)
	for _, ind := range []string{"ind.vulnerability.says_under_18", "ind.vulnerability.age_unclear"} {
		res := assess.Assess(p, assess.Input{Business: "car_wash", People: []assess.Person{{ID: "p1", AgeYears: 25, Indicators: []string{ind}}}})
		if res.Level != content.Red || !p.HasKind(res.Actions, content.KindNRMReferral) {
			t.Errorf("%s: level %v, actions %v", ind, res.Level, res.Actions)
		}
	}
}
