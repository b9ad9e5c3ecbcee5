package sim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// PullAll fetches every operation the server holds, as the auditor's
// device (a supervisor's, which pushed nothing: it reads every record),
// page by page, straight from the wire: unlike a device's store, it keeps
// an operation served twice, so that the audit can see it.
func PullAll(ctx context.Context, serverURL string, auditor *client.Credential) ([]wire.Op, error) {
	c := client.DefaultHTTPClient(auditor.Pin)
	defer c.CloseIdleConnections()
	var ops []wire.Op
	var since uint64
	for page := 0; ; page++ {
		body, err := wire.EncodeGzip(wire.PullRequest{Since: since, Limit: wire.MaxPullLimit})
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(serverURL, "/")+wire.PathPull, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", wire.Gzip)
		req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		sig, err := auth.Sign(auditor, http.MethodPost, wire.PathPull, time.Now(), body)
		if err != nil {
			return nil, err
		}
		req.Header.Set(auth.Header, sig)
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("pull page %d: %w", page, err)
		}
		var pr wire.PullResponse
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("pull page %d: HTTP %s", page, resp.Status)
		}
		err = wire.DecodeResponse(resp.Body, resp.Header.Get("Content-Encoding"), &pr)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("pull page %d: %w", page, err)
		}
		ops = append(ops, pr.Ops...)
		if !pr.More {
			return ops, nil
		}
		if pr.Cursor <= since {
			return nil, fmt.Errorf("pull page %d: cursor went from %d to %d", page, since, pr.Cursor)
		}
		since = pr.Cursor
	}
}

// Audit compares what devices hold with what the server serves.
type Audit struct {
	Acked    int // records the devices hold as acknowledged
	Queued   int // records finalised but not acknowledged
	OnServer int // operations the server serves, from any device
	Ours     int // of those, from the audited devices

	Lost       []uuid.UUID // acknowledged, but not on the server
	Duplicated []uuid.UUID // served more than once
	Altered    []uuid.UUID // served with a body other than the device's
	Unknown    []uuid.UUID // served, but no audited device finalised it
	Aside      []uuid.UUID // acknowledged as kept aside: a conflict nobody made
}

// OK reports whether nothing was lost, duplicated, altered, invented or
// kept aside.
func (a Audit) OK() bool {
	return len(a.Lost)+len(a.Duplicated)+len(a.Altered)+len(a.Unknown)+len(a.Aside) == 0
}

// String gives the counts, and the first few ids of each kind of fault.
func (a Audit) String() string {
	s := fmt.Sprintf("%d acknowledged, %d still queued; server serves %d records (%d from these devices); lost %d, duplicated %d, altered %d, unknown %d, kept aside %d",
		a.Acked, a.Queued, a.OnServer, a.Ours, len(a.Lost), len(a.Duplicated), len(a.Altered), len(a.Unknown), len(a.Aside))
	for _, l := range []struct {
		name string
		ids  []uuid.UUID
	}{{"lost", a.Lost}, {"duplicated", a.Duplicated}, {"altered", a.Altered}, {"unknown", a.Unknown}, {"aside", a.Aside}} {
		if len(l.ids) > 0 {
			s += fmt.Sprintf("\n  %s: %v", l.name, l.ids[:min(len(l.ids), 5)])
		}
	}
	return s
}

// Compare audits ops, everything a server serves, against what each
// device holds. If exclusive, the server should hold nothing but these
// devices' records, and any other is Unknown; otherwise records from
// other devices are counted, not judged: a shared server holds others'
// work.
func Compare(ops []wire.Op, held []Held, exclusive bool) Audit {
	var a Audit
	type mine struct {
		doc   []byte
		acked bool
	}
	ours := map[uuid.UUID]map[uuid.UUID]mine{} // device → record → what it holds
	for _, h := range held {
		m := map[uuid.UUID]mine{}
		for id, doc := range h.Acked {
			m[id] = mine{doc, true}
		}
		for id, doc := range h.Queued {
			m[id] = mine{doc, false}
		}
		for id := range h.Aside {
			a.Aside = append(a.Aside, id)
		}
		ours[h.Device] = m
		a.Acked += len(h.Acked)
		a.Queued += len(h.Queued)
	}
	served := map[uuid.UUID]int{}
	for _, op := range ops {
		a.OnServer++
		served[op.ID]++
		if served[op.ID] == 2 {
			a.Duplicated = append(a.Duplicated, op.ID)
		}
		m, ok := ours[op.Device]
		if !ok {
			if exclusive {
				a.Unknown = append(a.Unknown, op.ID)
			}
			continue
		}
		a.Ours++
		rec, ok := m[op.ID]
		switch {
		case !ok:
			a.Unknown = append(a.Unknown, op.ID)
		case !bytes.Equal(compact(op.Body), compact(rec.doc)):
			a.Altered = append(a.Altered, op.ID)
		}
	}
	for _, h := range held {
		for id := range h.Acked {
			if served[id] == 0 {
				a.Lost = append(a.Lost, id)
			}
		}
	}
	for _, ids := range [][]uuid.UUID{a.Lost, a.Duplicated, a.Altered, a.Unknown, a.Aside} {
		slices.SortFunc(ids, func(x, y uuid.UUID) int { return bytes.Compare(x[:], y[:]) })
	}
	return a
}

func compact(b []byte) []byte {
	c, err := wire.CompactBody(b)
	if err != nil {
		return b
	}
	return c
}
