package assess_test

import (
	"time"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// said returns screening answers, as the person gave them in hand-over,
// one a minute apart in the order given.
func said(pairs ...string) []encounter.ScreeningAnswer {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var out []encounter.ScreeningAnswer
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, encounter.ScreeningAnswer{Question: pairs[i], Choice: pairs[i+1], Lang: "pl", Mode: "handover",
			At: at.Add(time.Duration(i) * time.Minute)})
	}
	return out
}

// screened is an adult of the given age who answered the screening
// questions.
func screened(id string, age int, answers []encounter.ScreeningAnswer, inds ...string) assess.Person {
	return assess.Person{ID: id, AgeYears: age, Screening: answers, Indicators: inds}
}

func init() { scenarios = append(scenarios, guidance...) }

// guidance are visits written from the Home Office statutory guidance
// indicators, the College of Policing's, and ../shared/DOMAIN.md: the
// gaps the issue found, and every kind of visit, person and answer.
var guidance = []scenario{
	// Domestic servitude.
	{
		name:     "private house, the issue's woman: never leaves, cleans unpaid, no documents, no English",
		business: encounter.PrivateHouse,
		people: []assess.Person{adult("p1", "ind.domestic.never_leaves", "ind.domestic.always_on_call",
			"ind.general.not_paid", "ind.general.no_documents", "ind.vulnerability.language")},
		level:   content.Red,
		reasons: []string{"rule.red.domestic_servitude@p1", "rule.amber.domestic@p1", "rule.amber.vulnerable@p1"},
		actions: []string{"act.safeguard.now", "act.scene.preserve", "act.nrm.referral", "act.dtn.notify", "act.crime.record"},
		exp:     []string{"exp.domestic_servitude"},
	},
	{
		name:       "private house, a live-in carer who rarely goes out, paid and holding her passport",
		business:   encounter.PrivateHouse,
		people:     []assess.Person{adult("p1", "ind.domestic.never_leaves", "ind.domestic.always_on_call")},
		level:      content.Amber,
		reasons:    []string{"rule.amber.domestic@p1", "rule.amber.several"},
		notReasons: []string{"rule.red.domestic_servitude@p1"},
		actions:    []string{"act.followup.speak_alone", "act.nrm.offer", "act.intel.submit"},
		notActions: []string{"act.nrm.referral"},
		exp:        []string{"exp.domestic_servitude"},
	},
	{
		name:     "private house, only out with the family, reported missing by them after she left",
		business: encounter.PrivateHouse,
		people:   []assess.Person{adult("p1", "ind.domestic.only_out_with_family", "ind.domestic.reported_by_household", "ind.domestic.sleeps_apart")},
		level:    content.Red,
		reasons:  []string{"rule.red.domestic_servitude@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral"},
		exp:      []string{"exp.domestic_servitude"},
	},
	{
		name:     "private house, a domestic worker handed the phone: not paid, cannot get her passport",
		business: encounter.PrivateHouse,
		people: []assess.Person{screened("p1", 40, said("pay.paid", "no", "documents.access", "no", "safety.now", "yes"),
			"ind.domestic.never_leaves")},
		level:    content.Red,
		reasons:  []string{"rule.red.domestic_servitude@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral", "act.dtn.notify"},
		evidence: []string{"person:pay.paid", "person:documents.access", "seen:ind.domestic.never_leaves"},
		exp:      []string{"exp.domestic_servitude"},
	},
	{
		name:     "private house, a 16-year-old 'niece' who looks after the children and eats apart",
		business: encounter.PrivateHouse,
		people:   []assess.Person{{ID: "p1", AgeYears: 16, Indicators: []string{"ind.domestic.always_on_call", "ind.domestic.eats_apart"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.amber.domestic@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.nrm.referral", "act.followup.speak_alone"},
		evidence: []string{"age:"},
		exp:      []string{"exp.domestic_servitude"},
	},

	// Injuries and medical help.
	{
		name:     "construction site, an injury explained, but kept from medical help",
		business: encounter.Construction,
		people: []assess.Person{{ID: "p1", AgeYears: 38, Answers: map[string]string{
			"q.injuries": "no", "q.medical": "yes"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.injuries@p1"},
		actions:  []string{"act.safeguard.now", "act.supervisor.notify", "act.nrm.referral"},
		evidence: []string{"officer:q.medical"},
	},
	{
		name:       "construction site, the same injury explained, and treated",
		business:   encounter.Construction,
		people:     []assess.Person{{ID: "p1", AgeYears: 38, Answers: map[string]string{"q.injuries": "no", "q.medical": "no"}}},
		level:      content.Green,
		reasons:    []string{"rule.green.nothing_seen"},
		notReasons: []string{"rule.red.injuries@p1"},
		actions:    []string{"act.record.visit", "act.advice.helpline"},
	},
	{
		name:     "factory, a worker says someone stopped them seeing a doctor",
		business: encounter.Factory,
		people:   []assess.Person{screened("p1", 29, said("safety.doctor", "yes"))},
		level:    content.Red,
		reasons:  []string{"rule.red.injuries@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral"},
		evidence: []string{"person:safety.doctor"},
	},

	// Support to go home.
	{
		name:     "takeaway, a cook who owes the boss money and wants to go home",
		business: encounter.Takeaway,
		people: []assess.Person{{ID: "p1", AgeYears: 31, Answers: map[string]string{"q.return_home": "yes"},
			Screening: said("debt.owe", "yes")}},
		level:    content.Amber,
		reasons:  []string{"rule.amber.control@p1", "rule.green.return_home@p1"},
		actions:  []string{"act.support.return", "act.nrm.offer", "act.followup.speak_alone"},
		evidence: []string{"officer:q.return_home", "person:debt.owe"},
	},
	{
		name:       "farm, a worker who wants to go home, and nothing else",
		business:   encounter.Farm,
		people:     []assess.Person{{ID: "p1", AgeYears: 45, Answers: map[string]string{"q.return_home": "yes"}}},
		level:      content.Green,
		reasons:    []string{"rule.green.nothing_seen"},
		notReasons: []string{"rule.green.return_home@p1"},
		actions:    []string{"act.record.visit", "act.advice.helpline"},
		notActions: []string{"act.support.return"},
	},
	{
		name:     "brothel, a woman who was hurt asks, on the phone, for help to go home",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.security"},
		people:   []assess.Person{screened("p1", 24, said("threats.hurt", "yes", "help.home", "yes", "help.want", "yes"))},
		level:    content.Red,
		reasons:  []string{"rule.red.threats@p1", "rule.amber.sexual", "rule.green.return_home@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral", "act.support.return", "act.partner.support"},
		evidence: []string{"person:help.home", "person:threats.hurt"},
		exp:      []string{"exp.sexual"},
	},

	// Criminal exploitation: county lines, trap houses, grows, theft and begging.
	{
		name:          "street, made to sell drugs, by the officer's answer: no phones were seen",
		business:      encounter.Other,
		people:        []assess.Person{{ID: "p1", AgeYears: 22, Answers: map[string]string{"q.made_to_offend": "drugs"}}},
		level:         content.Amber,
		reasons:       []string{"rule.amber.criminal@p1"},
		notReasons:    []string{"rule.red.forced_criminality@p1"},
		actions:       []string{"act.investigation.victim_first", "act.nrm.offer"},
		notIndicators: []string{"ind.county_lines.phones"},
		evidence:      []string{"officer:q.made_to_offend"},
		exp:           []string{"exp.criminal"},
	},
	{
		name:     "private house, a trap house with a 15-year-old in it",
		business: encounter.PrivateHouse,
		premises: []string{"ind.county_lines.trap_house"},
		people:   []assess.Person{{ID: "p1", AgeYears: 15, Indicators: []string{"ind.county_lines.far_from_home"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.amber.criminal@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.investigation.victim_first", "act.nrm.referral"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:     "private house, a trap house; the adult there was told the police would deport him",
		business: encounter.PrivateHouse,
		premises: []string{"ind.county_lines.trap_house"},
		people:   []assess.Person{screened("p1", 19, said("threats.authorities", "yes"))},
		level:    content.Red,
		reasons:  []string{"rule.red.forced_criminality@p1"},
		actions:  []string{"act.safeguard.now", "act.investigation.victim_first", "act.nrm.referral"},
		evidence: []string{"person:threats.authorities", "seen:ind.county_lines.trap_house"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:     "cannabis grow, a child found locked in, nothing else ticked",
		business: encounter.CannabisGrow,
		premises: []string{"ind.control.locked_in"},
		people:   []assess.Person{{ID: "p1", AgeInDoubt: true}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.red.locked_in"},
		actions:  []string{"act.safeguard.childrens_services", "act.scene.preserve", "act.nrm.referral"},
		evidence: []string{"age_in_doubt:"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:     "cannabis grow, a guarded grow with an adult gardener",
		business: encounter.CannabisGrow,
		premises: []string{"ind.control.grow_guarded", "ind.cannabis.set_up"},
		people:   []assess.Person{adult("p1", "ind.cannabis.gardener")},
		level:    content.Red,
		reasons:  []string{"rule.red.forced_criminality@p1", "rule.amber.criminal@p1"},
		actions:  []string{"act.safeguard.now", "act.investigation.victim_first", "act.nrm.referral", "act.dtn.notify"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:     "cannabis grow, brought in to work it and owing money for the journey",
		business: encounter.CannabisGrow,
		people:   []assess.Person{screened("p1", 26, said("debt.owe", "yes"), "ind.cannabis.brought_to_grow")},
		level:    content.Red,
		reasons:  []string{"rule.red.forced_criminality@p1"},
		actions:  []string{"act.investigation.victim_first", "act.nrm.referral"},
		evidence: []string{"person:debt.owe", "seen:ind.cannabis.brought_to_grow"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:       "cannabis grow, the set-up seen, nobody found",
		business:   encounter.CannabisGrow,
		premises:   []string{"ind.cannabis.set_up"},
		level:      content.Amber,
		reasons:    []string{"rule.amber.criminal@"},
		actions:    []string{"act.investigation.victim_first", "act.intel.submit"},
		notActions: []string{"act.nrm.referral"},
		exp:        []string{"exp.criminal"},
	},
	{
		name:     "street, made to beg, by the officer's answer",
		business: encounter.Other,
		people:   []assess.Person{{ID: "p1", AgeYears: 61, Answers: map[string]string{"q.made_to_offend": "beg"}}},
		level:    content.Amber,
		reasons:  []string{"rule.amber.criminal@p1"},
		actions:  []string{"act.investigation.victim_first", "act.nrm.offer"},
		exp:      []string{"exp.criminal"},
	},
	{
		name:     "street, a shoplifting crew: made to steal, dropped off and watched",
		business: encounter.Other,
		people: []assess.Person{adult("p1", "ind.shoplifting_begging.forced_theft",
			"ind.shoplifting_begging.dropped_and_watched", "ind.control.watched")},
		level:   content.Red,
		reasons: []string{"rule.red.forced_criminality@p1"},
		actions: []string{"act.safeguard.now", "act.investigation.victim_first", "act.nrm.referral"},
		exp:     []string{"exp.criminal"},
	},
	{
		name:     "private house, a cuckooed flat used as a trap house; the tenant drinks",
		business: encounter.PrivateHouse,
		premises: []string{"ind.county_lines.cuckooing", "ind.county_lines.trap_house"},
		people:   []assess.Person{adult("p1", "ind.vulnerability.substance")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.criminal@p1", "rule.amber.vulnerable@p1"},
		actions:  []string{"act.investigation.victim_first", "act.followup.speak_alone", "act.partner.refer"},
		exp:      []string{"exp.criminal"},
	},

	// Children and age in doubt, by what the person said.
	{
		name:     "nail bar, estimated at 20, answered 14 to 17",
		business: encounter.NailBar,
		people:   []assess.Person{screened("p1", 20, said("age.range", "14_17"))},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.nrm.referral"},
		evidence: []string{"person:age.range"},
	},
	{
		name:     "nail bar, answered 'I don't know' to their age",
		business: encounter.NailBar,
		people:   []assess.Person{screened("p1", 0, said("age.range", "dont_know"))},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.nrm.referral", "act.safeguard.now"},
		evidence: []string{"person:age.range"},
	},
	{
		name:     "nail bar, said 14 to 17, then 25 or older: age stays in doubt",
		business: encounter.NailBar,
		people:   []assess.Person{screened("p1", 23, said("age.range", "14_17", "age.range", "25_plus"))},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.nrm.referral"},
	},
	{
		name:     "nail bar, age in doubt, and they prefer not to say their age",
		business: encounter.NailBar,
		people:   []assess.Person{{ID: "p1", AgeYears: 19, AgeInDoubt: true, Screening: said("age.range", "prefer_not")}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.nrm.referral"},
		evidence: []string{"age_in_doubt:"},
	},
	{
		name:       "car wash, answered 18 to 24 and looks it",
		business:   encounter.CarWash,
		people:     []assess.Person{screened("p1", 21, said("age.range", "18_24"))},
		level:      content.Green,
		reasons:    []string{"rule.green.nothing_seen"},
		notReasons: []string{"rule.red.child@p1"},
		actions:    []string{"act.record.visit"},
		notActions: []string{"act.nrm.referral"},
	},

	// Refusals, partial screenings, denial.
	{
		name:     "car wash, a worker prefers not to answer anything while the boss hovers",
		business: encounter.CarWash,
		people: []assess.Person{screened("p1", 30, said("documents.kept", "prefer_not", "movement.free", "prefer_not",
			"pay.paid", "prefer_not", "threats.hurt", "prefer_not"), "ind.general.speaks_for_them")},
		level:      content.Green,
		reasons:    []string{"rule.green.noticed"},
		actions:    []string{"act.intel.submit", "act.record.visit", "act.advice.helpline"},
		notActions: []string{"act.nrm.referral"},
	},
	{
		name:     "car wash, a screening stopped after three answers",
		business: encounter.CarWash,
		people:   []assess.Person{screened("p1", 33, said("documents.kept", "yes", "movement.free", "no", "movement.watched", "dont_know"))},
		level:    content.Red,
		reasons:  []string{"rule.red.documents_and_movement@p1"},
		actions:  []string{"act.safeguard.now", "act.scene.preserve", "act.nrm.referral", "act.dtn.notify"},
		evidence: []string{"person:documents.kept", "person:movement.free"},
	},
	{
		name:     "farm, says he is fine and grateful, while his pay is taken and the debt grows",
		business: encounter.Farm,
		premises: []string{"ind.general.poor_housing"},
		people: []assess.Person{screened("p1", 44, said("debt.grows", "yes", "pay.taken", "yes"),
			"ind.general.not_a_victim")},
		level:    content.Red,
		reasons:  []string{"rule.red.debt_bondage@p1", "rule.amber.several"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral", "act.dtn.notify", "act.crime.record"},
		evidence: []string{"person:debt.grows", "person:pay.taken"},
	},
	{
		name:     "brothel, she says all is well; minders at the door, she cannot refuse clients",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.security"},
		people:   []assess.Person{adult("p1", "ind.sexual.no_control_of_clients", "ind.general.not_a_victim")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.sexual", "rule.amber.several"},
		actions:  []string{"act.partner.support", "act.nrm.offer", "act.intel.submit"},
		exp:      []string{"exp.sexual"},
	},

	// Sexual and labour exploitation.
	{
		name:     "brothel, a woman branded with a name, moved between flats",
		business: encounter.Brothel,
		people:   []assess.Person{adult("p1", "ind.sexual.branded", "ind.sexual.moved_around")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.sexual", "rule.amber.several"},
		actions:  []string{"act.partner.support", "act.followup.plan"},
		exp:      []string{"exp.sexual"},
	},
	{
		name:     "brothel, a pop-up in a short let, nothing said about anyone",
		business: encounter.Brothel,
		premises: []string{"ind.sexual.pop_up", "ind.sexual.adverts"},
		level:    content.Amber,
		reasons:  []string{"rule.amber.sexual", "rule.amber.several"},
		actions:  []string{"act.partner.support", "act.intel.submit"},
		exp:      []string{"exp.sexual"},
	},
	{
		name:     "factory, big deductions from pay, and wages paid into one account",
		business: encounter.Factory,
		premises: []string{"ind.labour.shared_details"},
		people:   []assess.Person{adult("p1", "ind.labour.deductions")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.labour", "rule.amber.several"},
		actions:  []string{"act.partner.glaa", "act.partner.refer", "act.nrm.offer"},
		exp:      []string{"exp.labour"},
	},
	{
		name:     "takeaway, told the police would send her away, nothing else",
		business: encounter.Takeaway,
		people:   []assess.Person{screened("p1", 27, said("threats.authorities", "yes"))},
		level:    content.Amber,
		reasons:  []string{"rule.amber.control@p1"},
		actions:  []string{"act.followup.speak_alone", "act.nrm.offer"},
		evidence: []string{"person:threats.authorities"},
	},
	{
		name:       "farm, owes the gangmaster for the journey, but the debt does not grow",
		business:   encounter.Farm,
		people:     []assess.Person{screened("p1", 35, said("debt.owe", "yes", "debt.grows", "no"), "ind.labour.long_hours")},
		level:      content.Red,
		reasons:    []string{"rule.red.exploited_under_control@p1", "rule.amber.control@p1"},
		notReasons: []string{"rule.red.debt_bondage@p1"},
		actions:    []string{"act.safeguard.now", "act.nrm.referral"},
		exp:        []string{"exp.labour"},
	},
	{
		name:     "construction site, a homeless recruit with no contract and big deductions",
		business: encounter.Construction,
		people:   []assess.Person{adult("p1", "ind.vulnerability.homeless", "ind.labour.no_contract", "ind.labour.deductions")},
		level:    content.Amber,
		reasons:  []string{"rule.amber.labour", "rule.amber.vulnerable@p1"},
		actions:  []string{"act.partner.glaa", "act.followup.speak_alone", "act.nrm.offer"},
		exp:      []string{"exp.labour"},
	},
	{
		name:     "car wash, paid in cash: no sign on its own",
		business: encounter.CarWash,
		people:   []assess.Person{screened("p1", 30, said("pay.how", "cash"))},
		level:    content.Green,
		reasons:  []string{"rule.green.nothing_seen"},
		actions:  []string{"act.record.visit"},
	},

	// Organ removal.
	{
		name:     "other, medical tests arranged by the people who brought him",
		business: encounter.Other,
		people:   []assess.Person{{ID: "p1", AgeYears: 30, Answers: map[string]string{"q.organ": "tests"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.organ_removal@p1"},
		actions:  []string{"act.safeguard.now", "act.nrm.referral"},
		exp:      []string{"exp.organ_removal"},
	},
	{
		name:     "other, a 17-year-old told a kidney would pay the debt",
		business: encounter.Other,
		people:   []assess.Person{{ID: "p1", AgeYears: 17, Indicators: []string{"ind.organ.selling_organ", "ind.control.owes_debt"}}},
		level:    content.Red,
		reasons:  []string{"rule.red.child@p1", "rule.red.organ_removal@p1"},
		actions:  []string{"act.safeguard.childrens_services", "act.nrm.referral"},
		exp:      []string{"exp.organ_removal"},
	},
}
