package client_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// pushWatch passes requests on and notes how many entries each push
// carried; it loses the answer of the pushes listed in lose (counted
// from 1), after the server has handled them.
type pushWatch struct {
	next http.RoundTripper
	lose []int

	mu    sync.Mutex // guards sizes
	sizes []int
}

var errAnswerLost = errors.New("answer lost on the way back")

func (w *pushWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != wire.PathPush {
		return w.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var req wire.PushRequest
	if err := json.NewDecoder(zr).Decode(&req); err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.sizes = append(w.sizes, len(req.Entries))
	n := len(w.sizes)
	w.mu.Unlock()
	res, err := w.next.RoundTrip(r)
	if err == nil && slices.Contains(w.lose, n) {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return nil, errAnswerLost
	}
	return res, err
}

func (w *pushWatch) pushes() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.sizes)
}

// TestPushBatchesAdapt syncs over a link where every push is quick (the
// quick mark is an hour), so that the batch sizes follow from the
// policy alone: doubling after each answer, halving after a lost one.
// The answer of the second push is lost while the first push's
// acknowledgement is being written: the first batch stays acknowledged,
// the second is sent again, and the server holds every record once.
func TestPushBatchesAdapt(t *testing.T) {
	sys := newSystem(t)
	account := sys.newAccount("north", wire.RoleOfficer)
	watch := &pushWatch{lose: []int{2}}
	o := client.Options{BatchEntries: 10, MaxBatchEntries: 40, BatchRoundTrip: time.Hour}
	// The engine's own client, with the pushes watched.
	o.HTTPClient = client.DefaultHTTPClient(sys.srv.Pin)
	watch.next, o.HTTPClient.Transport = o.HTTPClient.Transport, watch
	a := sys.deviceWith(account, o)
	a.record(t, 100, "a")

	err := a.eng.SyncOnce(ctx)
	if !errors.Is(err, errAnswerLost) {
		t.Fatalf("sync with the second answer lost: %v, want it to fail with the lost answer", err)
	}
	if got, want := watch.pushes(), []int{10, 20}; !slices.Equal(got, want) {
		t.Fatalf("pushes carried %v entries, want %v", got, want)
	}
	if q := a.eng.Status().Queued; q != 90 {
		t.Errorf("queued after the second answer was lost: %d, want 90 (the first batch acknowledged)", q)
	}
	if st, _ := sys.srv.Server.Stats(ctx); st.Records != 30 {
		t.Errorf("server stored %d records, want 30 (both batches)", st.Records)
	}

	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// Halved to 10 after the loss (11 to 20, answered with ack 30: the
	// server holds the lost answer's batch), then doubled (31 to 50) to
	// the maximum of 40 (51 to 90), and the rest (91 to 100).
	if got, want := watch.pushes(), []int{10, 20, 10, 20, 40, 10}; !slices.Equal(got, want) {
		t.Errorf("pushes carried %v entries, want %v", got, want)
	}
	if got := a.states(t); got[encounter.Synced] != 100 {
		t.Errorf("device states %v, want 100 synced", got)
	}
	if n := len(sys.serverRecords(t)); n != 100 {
		t.Errorf("server holds %d records, want 100", n)
	}
}
