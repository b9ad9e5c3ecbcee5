package operation

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var agencies = []string{"police", "glaa", "immigration"}

// example is a synthetic operation: no real place or person.
func example() Operation {
	return Operation{
		ID: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), Revision: 2,
		Name: "Operation Example", Start: "2026-03-14", End: "2026-03-15",
		Briefing: "Car washes and nail bars on the ring road.", Rendezvous: "Example Road police station, 07:00",
		Teams:        []Team{{Name: "North", Members: []string{"pc101", "pc102"}}},
		Partners:     []Partner{{Agency: "glaa", Contact: "Inspector on duty", Members: []string{"glaa1"}}},
		Interpreters: []Interpreter{{Name: "Interpreter A", Languages: []string{"ro", "sq"}, Phone: "01000 000000"}},
		Premises: []Premises{{ID: uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a1"), Name: "Example Hand Car Wash",
			Address: "1 Example Road, Exampleton", Postcode: "EX1 1AA", Business: encounter.CarWash,
			Intelligence: "Workers seen sleeping on site.", Safety: "Dog on premises."}},
		UpdatedAt: time.Date(2026, 3, 13, 17, 0, 0, 0, time.UTC), UpdatedBy: "sup1",
	}
}

func TestDocumentGolden(t *testing.T) {
	b, err := example().Document()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "operation.json")
	if *update {
		os.WriteFile(path, b, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), b) {
		t.Errorf("document changed:\n got %s\nwant %s", b, want)
	}
	o, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, example()) {
		t.Errorf("parsed %+v", o)
	}
	if _, err := Parse([]byte(`{"id":"0192f1a0-2222-7222-8222-000000000001","extra":1}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Operation)
		field  string // "" when valid
	}{
		{"valid", func(*Operation) {}, ""},
		{"no id", func(o *Operation) { o.ID = uuid.Nil }, "id"},
		{"no name", func(o *Operation) { o.Name = " " }, "name"},
		{"name over lines", func(o *Operation) { o.Name = "a\nb" }, "name"},
		{"bad start", func(o *Operation) { o.Start = "14/03/2026" }, "start"},
		{"end before start", func(o *Operation) { o.End = "2026-03-01" }, "end"},
		{"too long", func(o *Operation) { o.End = "2026-06-01" }, "end"},
		{"unknown agency", func(o *Operation) { o.Partners[0].Agency = "mi5" }, "partners[0].agency"},
		{"team without a name", func(o *Operation) { o.Teams[0].Name = "" }, "teams[0].name"},
		{"interpreter without a language", func(o *Operation) { o.Interpreters[0].Languages = nil }, "interpreters[0].languages"},
		{"premises without a postcode", func(o *Operation) { o.Premises[0].Postcode = "nowhere" }, "premises[0].postcode"},
		{"premises of no business type", func(o *Operation) { o.Premises[0].Business = "bank" }, "premises[0].business"},
		{"premises repeated", func(o *Operation) { o.Premises = append(o.Premises, o.Premises[0]) }, "premises[1].id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := example()
			c.change(&o)
			err := o.Validate(agencies)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !bytes.Contains([]byte(err.Error()), []byte("field "+c.field+" ")) {
				t.Fatalf("err = %v, want one naming %s", err, c.field)
			}
		})
	}
}

func TestAssigned(t *testing.T) {
	o := example()
	for id, want := range map[string]bool{"pc101": true, "glaa1": true, "pc999": false} {
		if o.Assigned(id) != want {
			t.Errorf("Assigned(%s) = %v", id, !want)
		}
	}
	if o.InTeam("glaa1") || !o.InTeam("pc102") {
		t.Error("InTeam wrong")
	}
}

func TestChanges(t *testing.T) {
	old := example()
	o := example()
	o.Briefing = "New briefing"
	o.Premises[0].Safety = "Two dogs."
	o.Premises = append(o.Premises, Premises{ID: uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a2"), Name: "Example Nails"})
	got := Changes(old, o)
	want := []Change{
		{What: "briefing", How: ChangeChanged},
		{What: "premises Example Hand Car Wash", How: ChangeChanged, Premises: "Example Hand Car Wash"},
		{What: "premises Example Nails", How: ChangeAdded, Premises: "Example Nails"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Changes = %+v", got)
	}
	if back := Changes(o, old); len(back) != 3 || back[2].How != ChangeRemoved {
		t.Errorf("reverse = %+v", back)
	}
	if Changes(Operation{}, o) != nil {
		t.Error("no earlier revision should list no change")
	}
}
