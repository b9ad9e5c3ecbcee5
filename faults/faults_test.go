package faults

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
)

// cluster is the PostgreSQL the replica cycles run on: one throwaway
// cluster for the package, started only in the test process (children
// re-executed as devices or servers do not start one).
var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	if IsChild() {
		os.Exit(RunChild())
	}
	pgtest.Main(m, &cluster)
}

// TestShortRun runs one cycle of each kind, small, with real device and
// server processes. make faults runs many more.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	var log strings.Builder
	rep, err := Run(context.Background(), Options{Cycles: 2 * len(Kinds), Seed: 5, Scale: 0.5, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Print(&out)
	t.Logf("\n%s\n%s", log.String(), out.String())
	if !rep.OK() {
		t.Fatal("fault cycles failed")
	}
	if rep.DeviceKills < 2 || rep.ServerKills+rep.ServerTerms < len(Kinds) || rep.Audits < 2*len(Kinds) || rep.Acked == 0 || rep.DraftsChecked == 0 {
		t.Errorf("the faults did not all happen: %+v", rep)
	}
}

func TestNotes(t *testing.T) {
	for _, size := range []int{0, 10, 100, 5000} {
		for _, n := range []int{1, 7, 1234} {
			s := draftNotes(n, size)
			gn, gs, ok := parseNotes(s)
			if !ok || gn != n || gs != size || (size > 40 && len(s) != size) {
				t.Errorf("draftNotes(%d, %d) = %.40q: parsed %d, %d, %v", n, size, s, gn, gs, ok)
			}
			if _, _, ok := parseNotes(s[:len(s)-1]); ok {
				t.Errorf("a cut-short draftNotes(%d, %d) passed as whole", n, size)
			}
		}
	}
}

// TestModelCheck feeds the draft check a store that lost or damaged what
// a child reported saved: it must say so.
func TestModelCheck(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, err := auth.NewKey(st.DeviceID())
	if err != nil {
		t.Fatal(err)
	}
	st.SetSigner(key)
	save := func(notes string) uuid.UUID {
		r, _ := encounter.New(st.DeviceID(), time.Now().Add(-time.Hour))
		r.Premises = encounter.Premises{Name: "Harness premises", Business: encounter.Farm}
		r.Notes = notes
		if err := st.SaveDraft(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	intact, inFlight, behind, damaged := save(draftNotes(4, 300)), save(draftNotes(5, 300)), save(draftNotes(2, 300)), save(draftNotes(4, 300)[:200])
	final := save(draftNotes(1, 300))
	if _, err := st.Finalise(ctx, final); err != nil {
		t.Fatal(err)
	}
	m := newModel()
	for _, l := range []string{
		"saved " + intact.String() + " 4",
		"saved " + inFlight.String() + " 4", // edit 5 was in flight: fine
		"saved " + behind.String() + " 3",   // the store lost edit 3
		"saved " + damaged.String() + " 4",
		"saved " + uuid.NewString() + " 1", // never stored
		"final " + final.String(),
		"final " + uuid.NewString(), // never stored
	} {
		if err := m.apply(l); err != nil {
			t.Fatal(err)
		}
	}
	problems, n, err := m.check(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 || len(problems) != 4 {
		t.Fatalf("checked %d drafts, problems:\n%s", n, strings.Join(problems, "\n"))
	}
	for i, want := range []string{"holds edit 2", "damaged", "is missing", "finalised record"} {
		if !strings.Contains(strings.Join(problems, "\n"), want) {
			t.Errorf("problem %d (%q) not reported:\n%s", i, want, strings.Join(problems, "\n"))
		}
	}
	if err := m.apply("fatal store broke"); err == nil {
		t.Error("a fatal line from a child was not an error")
	}
}

// TestReplicaRun runs cycles against three server processes on one
// PostgreSQL database behind the fault proxy as their load balancer: one
// replica killed during pushes, the whole service killed, connections
// cut; make faults runs many more.
func TestReplicaRun(t *testing.T) {
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	rep, err := Run(context.Background(), Options{Cycles: 4, Seed: 7, Scale: 0.4, Log: &log, Postgres: url,
		Kinds: []string{KindKillReplica, KindCuts, KindKillServer}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Print(&out)
	t.Logf("\n%s\n%s", log.String(), out.String())
	if !rep.OK() {
		t.Fatal("fault cycles failed")
	}
	if rep.ReplicaKills == 0 || rep.Audits < 8 || rep.Acked == 0 {
		t.Errorf("the faults did not all happen: %+v", rep)
	}
}
