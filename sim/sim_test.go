package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/sync/wire"
)

// TestRunThroughCuts runs a small day of action through a proxy that cuts
// half the connections: every encounter ends up acknowledged, and the
// audit finds nothing lost, duplicated or altered.
func TestRunThroughCuts(t *testing.T) {
	rep, err := Run(context.Background(), Options{
		Devices: 4, Encounters: 30, Edits: 2, SyncEvery: 5, Batch: 7,
		CutProb: 0.5, CutWithin: 4 << 10, Latency: time.Millisecond, Seed: 7, Deadline: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Print(&out)
	t.Log(out.String())
	if !rep.OK() || rep.Audit.Acked != 120 || rep.Audit.Queued != 0 || rep.Audit.OnServer != 120 {
		t.Errorf("run did not end with all 120 encounters stored once:\n%s", out.String())
	}
	if rep.Cuts == 0 || rep.SyncFailures == 0 {
		t.Errorf("no connection was cut (%d) or no sync failed (%d): the faults did not happen", rep.Cuts, rep.SyncFailures)
	}
	if p := Percentiles(rep.Wire.Pushes); p.N == 0 || p.P50 <= 0 || rep.Wire.Up == 0 {
		t.Errorf("nothing measured: %+v, %d bytes up", p, rep.Wire.Up)
	}
	if !strings.HasPrefix(rep.Verdict(), "PASS: 120 acknowledged, 0 lost, 0 duplicated") {
		t.Errorf("verdict %q", rep.Verdict())
	}
}

// TestCompare feeds the audit a server that lost, doubled, altered and
// invented records: it must see each.
func TestCompare(t *testing.T) {
	dev, other := uuid.New(), uuid.New()
	doc := func(id uuid.UUID, s string) []byte {
		b, _ := json.Marshal(map[string]string{"id": id.String(), "notes": s})
		return b
	}
	kept, lost, doubled, altered, queued, invented := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	held := []Held{{
		Device: dev,
		Acked: map[uuid.UUID][]byte{
			kept: doc(kept, "a"), lost: doc(lost, "b"), doubled: doc(doubled, "c"), altered: doc(altered, "d"),
		},
		Queued: map[uuid.UUID][]byte{queued: doc(queued, "e")},
	}}
	op := func(d, id uuid.UUID, body []byte) wire.Op {
		// The server stores bodies compacted; the audit must not mind space.
		var b bytes.Buffer
		json.Indent(&b, body, "", "  ")
		return wire.Op{Device: d, ID: id, Kind: wire.KindEncounter, Body: b.Bytes()}
	}
	ops := []wire.Op{
		op(dev, kept, doc(kept, "a")),
		op(dev, doubled, doc(doubled, "c")),
		op(dev, doubled, doc(doubled, "c")),
		op(dev, altered, doc(altered, "D")),
		op(dev, queued, doc(queued, "e")),
		op(dev, invented, doc(invented, "f")),
		op(other, uuid.New(), doc(uuid.New(), "someone else's")),
	}
	a := Compare(ops, held, false)
	if a.OK() {
		t.Fatal("audit passed a server that lost and doubled records")
	}
	check := func(name string, got []uuid.UUID, want uuid.UUID) {
		t.Helper()
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v, want [%s]", name, got, want)
		}
	}
	check("lost", a.Lost, lost)
	check("duplicated", a.Duplicated, doubled)
	check("altered", a.Altered, altered)
	check("unknown", a.Unknown, invented)
	if a.Acked != 4 || a.Queued != 1 || a.OnServer != 7 || a.Ours != 6 {
		t.Errorf("counts: %+v", a)
	}
	if good := Compare(ops[:1], []Held{{Device: dev, Acked: map[uuid.UUID][]byte{kept: doc(kept, "a")}}}, true); !good.OK() {
		t.Errorf("audit failed a faithful server: %s", good)
	}
	// A server that should hold only these devices' records holds another's.
	if a := Compare(ops[6:], held, true); len(a.Unknown) != 1 || a.Unknown[0] != ops[6].ID {
		t.Errorf("exclusive audit did not flag another device's record: %s", a)
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p := Percentiles(ds)
	if p.N != 100 || p.P50 != 50*time.Millisecond || p.P95 != 95*time.Millisecond || p.P99 != 99*time.Millisecond || p.Max != 100*time.Millisecond {
		t.Errorf("percentiles %+v", p)
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Percentiles sorted its argument in place")
	}
}

// TestRunOnReplicas runs a small day of action against three replicas
// on one PostgreSQL database, each device's connections spread over
// them, half of them cut: every encounter ends up stored once.
func TestRunOnReplicas(t *testing.T) {
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Options{
		Postgres: url, Replicas: 3,
		Devices: 4, Encounters: 30, Edits: 2, SyncEvery: 5, Batch: 7,
		CutProb: 0.3, CutWithin: 4 << 10, Seed: 8, Deadline: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Print(&out)
	t.Log(out.String())
	if !rep.OK() || rep.Audit.Acked != 120 || rep.Audit.OnServer != 120 {
		t.Errorf("run on replicas did not end with all 120 encounters stored once:\n%s", out.String())
	}
}

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &cluster) }
