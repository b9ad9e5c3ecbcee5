package content_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/waymark-app/waymark/content"
)

func TestMatch(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	seen := func(ids ...string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	facts := content.Facts{
		Indicators: seen("ind.control.debt_bondage", "ind.control.isolation", "ind.labour.low_pay",
			"ind.vulnerability.language", "ind.from.a_newer_pack"),
		Business: "farm",
	}
	for _, tc := range []struct {
		cond string
		ok   bool
		trig []string
	}{
		{`{"indicator": "ind.control.debt_bondage"}`, true, []string{"ind.control.debt_bondage"}},
		{`{"indicator": "ind.control.threats_to_person"}`, false, nil},
		{`{"indicator": "ind.from.a_newer_pack"}`, false, nil},
		{`{"theme": "theme.control"}`, true, []string{"ind.control.isolation", "ind.control.debt_bondage"}},
		{`{"theme": "theme.sexual"}`, false, nil},
		{`{"exploitation": "exp.labour"}`, true, []string{"ind.labour.low_pay"}},
		{`{"count": {"min": 4}}`, true, []string{"ind.control.isolation", "ind.control.debt_bondage",
			"ind.vulnerability.language", "ind.labour.low_pay"}},
		{`{"count": {"min": 5}}`, false, nil},
		{`{"count": {"min": 2, "theme": "theme.control"}}`, true, []string{"ind.control.isolation", "ind.control.debt_bondage"}},
		{`{"count": {"min": 1, "theme": "theme.control", "exploitation": "exp.labour"}}`, false, nil},
		{`{"business": "farm"}`, true, nil},
		{`{"business": "car_wash"}`, false, nil},
		{`{"child": true}`, false, nil},
		{`{"child": false}`, true, nil},
		{`{"all": [{"indicator": "ind.labour.low_pay"}, {"business": "farm"}]}`, true, []string{"ind.labour.low_pay"}},
		{`{"all": [{"indicator": "ind.labour.low_pay"}, {"business": "nail_bar"}]}`, false, nil},
		{`{"any": [{"indicator": "ind.labour.low_pay"}, {"indicator": "ind.labour.no_ppe"}, {"theme": "theme.vulnerability"}]}`,
			true, []string{"ind.vulnerability.language", "ind.labour.low_pay"}},
		{`{"at_least": {"n": 2, "of": [{"indicator": "ind.labour.low_pay"}, {"indicator": "ind.labour.no_ppe"}, {"child": false}]}}`,
			true, []string{"ind.labour.low_pay"}},
		{`{"at_least": {"n": 3, "of": [{"indicator": "ind.labour.low_pay"}, {"indicator": "ind.labour.no_ppe"}, {"child": false}]}}`,
			false, nil},
		{`{"not": {"indicator": "ind.labour.no_ppe"}}`, true, nil},
		{`{"all": [{"theme": "theme.control"}, {"not": {"theme": "theme.sexual"}}]}`, true,
			[]string{"ind.control.isolation", "ind.control.debt_bondage"}},
		{`{}`, false, nil},
	} {
		var c content.Cond
		if err := json.Unmarshal([]byte(tc.cond), &c); err != nil {
			t.Fatal(err)
		}
		ok, trig := p.Match(&c, facts)
		if ok != tc.ok || !reflect.DeepEqual(trig, tc.trig) {
			t.Errorf("%s: %v %v, want %v %v", tc.cond, ok, trig, tc.ok, tc.trig)
		}
	}
}
