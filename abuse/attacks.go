package abuse

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// attack is one row of the table: what it does, what a server that holds
// answers, and whether it runs in the short version.
type attack struct {
	name  string
	want  string
	short bool
	run   func(ctx context.Context, e *env) (got string, ok bool, note string)
}

// is reports whether a is status with code.
func is(a answer, status int, code string) bool {
	return a.err == nil && a.status == status && a.code == code
}

// check turns one answer into a row's result.
func check(a answer, status int, code string) (string, bool, string) {
	return a.String(), is(a, status, code), ""
}

// rejected is a push answered 200 whose only entry was refused with code,
// without moving the device's ack past what it was.
func rejected(a answer, code string) (string, bool, string) {
	ack, codes := pushResult(a)
	got := a.String()
	if a.status == 200 {
		got = fmt.Sprintf("200, entry refused: %s (ack %d)", strings.Join(codes, ","), ack)
	}
	return got, a.status == 200 && len(codes) == 1 && codes[0] == code, ""
}

func (e *env) pull(ctx context.Context, d *device, body string) answer {
	return e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: []byte(body), signer: d})
}

// pushOne pushes one entry of the hostile device's under its next
// sequence (the sequence is used up whatever the answer).
func (e *env) pushOne(ctx context.Context, id, kind string, doc []byte, sig string) answer {
	e.me.seq++
	a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: push(entry(e.me, e.me.seq, id, kind, doc, sig)), gzip: true, signer: e.me})
	e.answers = append(e.answers, a.body)
	return a
}

// rawPush sends body as a push of the hostile device, signed, not
// compressed.
func (e *env) rawPush(ctx context.Context, body []byte) answer {
	a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: body, signer: e.me})
	e.answers = append(e.answers, a.body)
	return a
}

// doc is a record document of the hostile device's, changed by change.
func (e *env) doc(change func(*encounter.Record)) (uuid.UUID, []byte) {
	now := time.Now().UTC().Add(-time.Hour)
	r := encounter.Record{ID: uuid.Must(uuid.NewV7()), Schema: encounter.Schema, Device: uuid.MustParse(e.me.id),
		Officer:  encounter.Officer{Name: e.me.name, Number: e.me.number, Agency: e.me.agency},
		Premises: encounter.Premises{Name: "Example Takeaway", Business: encounter.Takeaway}, OccurredAt: now.Truncate(time.Minute),
		PeoplePresent: 2, CreatedAt: now, UpdatedAt: now, FinalisedAt: now}
	if change != nil {
		change(&r)
	}
	b, err := r.Document()
	if err != nil {
		panic(err)
	}
	return r.ID, b
}

// amendment is an amendment document by author of record.
func amendment(dev string, author *device, record uuid.UUID, to string) (uuid.UUID, []byte) {
	a, _ := encounter.NewAmendment(record, uuid.MustParse(dev), encounter.Officer{Name: author.name, Number: author.number, Agency: author.agency}, time.Now())
	a.Reason = "replaced"
	a.Changes = []encounter.Change{{Field: encounter.FieldNotes, To: to}}
	b, _ := a.Document()
	return a.ID, b
}

// canaryFields counts the fields the canary is put in by canaryRecord.
var canaryFields int

// canaryRecord is a Duty to Notify of the hostile device's with the
// canary in every free-text field, and, if identifiers, a phone number,
// a date of birth and a postcode with it.
func (e *env) canaryRecord(identifiers bool) (uuid.UUID, []byte) {
	c := e.canary
	phone, dob, postcode := "", "", ""
	if identifiers {
		phone, dob, postcode = " 07700 900123", " born 12/03/1990", " M1 1AE"
	}
	return e.doc(func(r *encounter.Record) {
		r.Premises.Name, r.Premises.Address, r.Notes, r.Operation = c+" premises", c+" 1 High Street"+postcode, c+" notes"+phone, c+" op"
		r.Indicators = []string{c}
		p := encounter.Person{ID: uuid.New(), Label: c + " label", AgeYears: 30, Gender: c, Nationality: c, Languages: []string{c},
			EnglishAbility: c, Indicators: []string{c}, Answers: map[string]string{c: c + " answer"},
			Screening: []encounter.ScreeningAnswer{{Question: c, Choice: c, Text: c + dob, Translation: c, Interpreter: c, Lang: "en", Mode: "handover", At: time.Now().UTC(), Set: c}},
			Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Explained: encounter.Explained{By: c, At: time.Now().UTC()},
				Account: c + " her number is" + phone, NotifiedAt: time.Now().UTC()}}}
		r.People = []encounter.Person{p}
		r.Checklist = []encounter.Tick{{Action: c, At: time.Now().UTC(), By: c}}
		r.Content = encounter.PackRef{ID: c, Version: 1}
		canaryFields = 23
	})
}

var attacks = []attack{
	{name: "plain HTTP to the TLS port", want: "400, nothing served", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		res, err := http.Get("http://" + e.srv.addr + "/healthz")
		if err != nil {
			return "connection ended", true, ""
		}
		res.Body.Close()
		return fmt.Sprint(res.StatusCode), res.StatusCode == 400, ""
	}},
	{name: "anonymous pull", want: "401 unauthenticated", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: []byte(`{"since":0}`)}), 401, "unauthenticated")
	}},
	{name: "protocol 1 pull of everything, naming the victim's device", want: "400 protocol_version", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "POST", path: "/v1/pull", version: "1", body: []byte(`{"device":"` + e.victim.id + `","since":0}`)}), 400, "protocol_version")
	}},
	{name: "protocol 2 push (an app not updated)", want: "400 protocol_version", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "POST", path: "/v2/push", version: "2", body: []byte(`{"entries":[]}`), signer: e.me}), 400, "protocol_version")
	}},
	{name: "forged signature naming the victim's device", want: "401 unauthenticated", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		forged := &device{id: e.victim.id, priv: newKey()}
		return check(e.pull(ctx, forged, `{"since":0}`), 401, "unauthenticated")
	}},
	{name: "push as the victim's device with a forged signature", want: "401 unauthenticated", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		forged := &device{id: e.victim.id, priv: newKey(), name: e.victim.name, number: e.victim.number, agency: e.victim.agency}
		id, doc := record(forged, "Forged", "")
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/push", body: push(entry(forged, 99, id.String(), "encounter", doc, "")), signer: forged}), 401, "unauthenticated")
	}},
	{name: "a device the server never enrolled", want: "401 unauthenticated", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, &device{id: uuid.NewString(), priv: newKey()}, `{"since":0}`), 401, "unauthenticated")
	}},
	{name: "a record naming another officer", want: "entry refused: identity_mismatch", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(func(r *encounter.Record) { r.Officer.Number = e.victim.number; r.Officer.Name = e.victim.name })
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, ""), "identity_mismatch")
	}},
	{name: "a record naming another device", want: "entry refused: identity_mismatch", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(func(r *encounter.Record) { r.Device = uuid.MustParse(e.victim.id) })
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, ""), "identity_mismatch")
	}},
	{name: "an amendment of another team's record", want: "entry refused: invalid_record", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := amendment(e.me.id, e.me, e.southRec, "notes replaced")
		return rejected(e.pushOne(ctx, id.String(), "amendment", doc, ""), "invalid_record")
	}},
	{name: "an amendment of a team record in another officer's name", want: "entry refused: identity_mismatch", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := amendment(e.me.id, e.victim, e.victimRec, "notes replaced")
		return rejected(e.pushOne(ctx, id.String(), "amendment", doc, ""), "identity_mismatch")
	}},
	{name: "a record signed by another key", want: "entry refused: signature_invalid", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		other := &device{priv: newKey()}
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, recordSig(other, "encounter", doc)), "signature_invalid")
	}},
	{name: "a record whose body changed after signing", want: "entry refused: signature_invalid", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		sig := recordSig(e.me, "encounter", doc)
		doc = bytes.Replace(doc, []byte(`"people_present":2`), []byte(`"people_present":3`), 1)
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, sig), "signature_invalid")
	}},
	{name: "a record without its signature", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		e.me.seq++
		return check(e.rawPush(ctx, []byte(fmt.Sprintf(`{"entries":[{"seq":%d,"id":%q,"kind":"encounter","body":%s}]}`, e.me.seq, id, doc))), 400, "bad_request")
	}},
	{name: "replay of a captured request", want: "401 replayed", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		body := []byte(`{"since":0,"limit":1}`)
		h := authorization(e.me, "POST", "/v3/pull", time.Now(), body)
		first := e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: body, auth: h})
		again := e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: body, auth: h})
		return "first " + first.String() + ", again " + again.String(), first.status == 200 && is(again, 401, "replayed"), ""
	}},
	{name: "a signature moved to another path and body", want: "401 unauthenticated", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		h := authorization(e.me, "POST", "/v3/pull", time.Now(), []byte(`{}`))
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/content", body: []byte(`{"have":0}`), auth: h}), 401, "unauthenticated")
	}},
	{name: "a request signed 10 minutes ahead", want: "401 clock_skew", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: []byte(`{}`), signer: e.me, ts: time.Now().Add(10 * time.Minute)}), 401, "clock_skew")
	}},
	{name: "a revoked device", want: "403 device_revoked", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, e.revoked, `{}`), 403, "device_revoked")
	}},
	{name: "a guessed enrolment code", want: "403 enrolment_refused", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		b, _ := json.Marshal(map[string]any{"code": "ZZZZ", "device": uuid.NewString(), "public_key": make([]byte, 32), "proof": make([]byte, 32)})
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/enrol", body: b}), 403, "enrolment_refused")
	}},
	{name: "an unknown path carrying the canary", want: "404 not_found", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "GET", path: "/v3/" + e.canary}), 404, "not_found")
	}},
	{name: "duplicate keys: a name under nrm, then \"nrm\":null (issue 11)", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		dup := fmt.Sprintf(`,"people":[{"id":%q,"age_years":30,"referral":{"nrm":{"identity":{"name":%q}},"nrm":null,"duty_to_notify":{"explained":{"by":"PC 1","at":"2026-03-14T09:30:00Z"},"notified_at":"2026-03-14T09:30:00Z"}}}]}`,
			uuid.NewString(), e.canary+" Name")
		doc = append(doc[:len(doc)-1], dup...)
		a := e.pushOne(ctx, id.String(), "encounter", doc, "")
		return check(a, 400, "bad_request")
	}},
	{name: "duplicate keys in a request", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, e.me, `{"since":0,"since":99}`), 400, "bad_request")
	}},
	{name: "a key differing from a field only in case", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, e.me, `{"Since":0}`), 400, "bad_request")
	}},
	{name: "invalid UTF-8 in a record", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(func(r *encounter.Record) { r.Notes = "NOTES" })
		doc = bytes.Replace(doc, []byte("NOTES"), []byte("NO\xffTES"), 1)
		e.me.seq++
		return check(e.rawPush(ctx, push(entry(e.me, e.me.seq, id.String(), "encounter", doc, ""))), 400, "bad_request")
	}},
	{name: "a lone surrogate escape", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, e.me, `{"since":0,"x":"\ud800"}`), 400, "bad_request")
	}},
	{name: "an unknown field in a record", want: "entry refused: invalid_record", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		doc = append(doc[:len(doc)-1], fmt.Sprintf(`,%q:%q}`, e.canary, e.canary+" 1990-03-12")...)
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, ""), "invalid_record")
	}},
	{name: "a number out of range in a record", want: "entry refused: invalid_record", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		doc = bytes.Replace(doc, []byte(`"people_present":2`), []byte(`"people_present":1e300`), 1)
		return rejected(e.pushOne(ctx, id.String(), "encounter", doc, ""), "invalid_record")
	}},
	{name: "a sequence number of 1e40", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.rawPush(ctx, []byte(`{"entries":[{"seq":1e40}]}`)), 400, "bad_request")
	}},
	{name: "nesting 100,000 deep", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		n := 100000
		body := `{"entries":[{"seq":1,"body":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}`
		return check(e.rawPush(ctx, []byte(body)), 400, "bad_request")
	}},
	{name: "a gzip bomb", want: "413 too_large", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		size := int64(1 << 30)
		if e.opts.Short {
			size = 256 << 20
		}
		bomb := zeros(size)
		a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: bomb, headers: map[string]string{"Content-Encoding": "gzip"}, signer: e.me})
		return a.String(), is(a, 413, "too_large"), fmt.Sprintf("%s of gzip, %s inflated", mib(int64(len(bomb))), mib(size))
	}},
	{name: "a 50 MB body", want: "413 too_large, or the connection closed", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		body := bytes.Repeat([]byte(" "), 50<<20)
		a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: body, signer: e.me})
		return a.String(), is(a, 413, "too_large") || a.err != nil, ""
	}},
	{name: "a body sent a byte every 3 seconds", want: "cut off after the body grace", short: true, run: slowBody},
	{name: "headers sent a line every 3 seconds", want: "closed within the header timeout (10 s)", run: slowHeaders},
	{name: "a 1 MB header", want: "431", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		a := e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: []byte(`{}`), headers: map[string]string{"X-Filler": strings.Repeat("a", 1<<20)}})
		return a.String(), a.status == http.StatusRequestHeaderFieldsTooLarge, ""
	}},
	{name: "an XML body", want: "415 unsupported_encoding", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.h.do(ctx, req{method: "POST", path: "/v3/pull", body: []byte(`<a/>`), headers: map[string]string{"Content-Type": "application/xml"}, signer: e.me}), 415, "unsupported_encoding")
	}},
	{name: "sequence games: a used sequence with other content", want: "entry refused: sequence_reused (kept aside)", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: push(entry(e.me, 1, id.String(), "encounter", doc, "")), signer: e.me})
		return rejected(a, "sequence_reused")
	}},
	{name: "sequence games: sequence 0, and sequences going back", want: "400 bad_request, twice", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(nil)
		a := e.rawPush(ctx, push(entry(e.me, 0, id.String(), "encounter", doc, "")))
		b := e.rawPush(ctx, push(entry(e.me, 9, id.String(), "encounter", doc, ""), entry(e.me, 8, id.String(), "encounter", doc, "")))
		return a.String() + ", " + b.String(), is(a, 400, "bad_request") && is(b, 400, "bad_request"), ""
	}},
	{name: "sequence games: a refused entry at sequence 2^63", want: "entry refused: invalid_record; ack unmoved", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		id, doc := e.doc(func(r *encounter.Record) { r.FinalisedAt = time.Time{} })
		a := e.rawPush(ctx, push(entry(e.me, 1<<63, id.String(), "encounter", doc, "")))
		ack, codes := pushResult(a)
		return fmt.Sprintf("%s, refused %v, ack %d", a, codes, ack), a.status == 200 && ack < 1<<20 && len(codes) == 1 && codes[0] == "invalid_record", ""
	}},
	{name: "refused entries carrying a canary in every field", want: "every one refused; the canary kept nowhere", short: true, run: canaryAttack},
	{name: "conflict flood: pushes of 1,000 conflicting records", want: "kept aside up to the quota, then 507 aside_full", short: true, run: conflictFlood},
	{name: "four pulls of large records, never read", want: "pages bounded in bytes; memory bounded", short: true, run: unreadPulls},
	{name: "a pull asking for 100,000 operations", want: "400 bad_request", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		return check(e.pull(ctx, e.me, `{"since":0,"limit":100000}`), 400, "bad_request")
	}},
	{name: "a connection flood (1,100 connections)", want: "server up; answers again once they close", run: connectionFlood},
	{name: "a request flood from one device (300 at once)", want: "429 rate_limited with Retry-After", short: true, run: requestFlood},
	{name: "enrolment guessing (40 wrong proofs)", want: "429 rate_limited", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		var last answer
		for range 40 {
			b, _ := json.Marshal(map[string]any{"code": "ZZZZ", "device": uuid.NewString(), "public_key": make([]byte, 32), "proof": make([]byte, 32)})
			last = e.h.do(ctx, req{method: "POST", path: "/v3/enrol", body: b})
		}
		return "last: " + last.String(), is(last, 429, "rate_limited"), ""
	}},
	// Last: it blocks this address's signed requests for a minute.
	{name: "bad signatures from one address (200)", want: "429 rate_limited", short: true, run: func(ctx context.Context, e *env) (string, bool, string) {
		var last answer
		for range 200 {
			last = e.pull(ctx, &device{id: uuid.NewString(), priv: newKey()}, `{}`)
		}
		return "last: " + last.String(), is(last, 429, "rate_limited") && last.retryAfter != "", ""
	}},
}

func newKey() ed25519.PrivateKey {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	return k
}

// zeros is n zero bytes, gzip-compressed.
func zeros(n int64) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		c := min(n, int64(len(chunk)))
		zw.Write(chunk[:c])
		n -= c
	}
	zw.Close()
	return buf.Bytes()
}

// dialTLS opens a TLS connection to the server, trusting anything.
func (e *env) dialTLS() (*tls.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", e.srv.addr, &tls.Config{InsecureSkipVerify: true})
}

// slowBody sends a signed push whose body arrives a byte every 3
// seconds, and times how long the server holds it.
func slowBody(ctx context.Context, e *env) (string, bool, string) {
	c, err := e.dialTLS()
	if err != nil {
		return err.Error(), false, ""
	}
	defer c.Close()
	body := bytes.Repeat([]byte(" "), 1000)
	fmt.Fprintf(c, "POST /v3/push HTTP/1.1\r\nHost: x\r\nWaymark-Protocol: 3\r\nContent-Type: application/json\r\nContent-Length: %d\r\nAuthorization: %s\r\n\r\n",
		len(body), authorization(e.me, "POST", "/v3/push", time.Now(), body))
	start := time.Now()
	done := make(chan string, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			done <- "closed"
			return
		}
		res.Body.Close()
		done <- fmt.Sprint(res.StatusCode)
	}()
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	limit := 130 * time.Second // the attack of the issue: two minutes
	for i := 0; ; i++ {
		select {
		case got := <-done:
			held := time.Since(start).Round(time.Second)
			max := 15 * time.Second
			if e.opts.Short {
				max = 7 * time.Second
			}
			return fmt.Sprintf("answered %s after %v, %d bytes sent", got, held, i), held <= max, ""
		case <-tick.C:
			if time.Since(start) > limit {
				return "still held after two minutes", false, ""
			}
			c.SetWriteDeadline(time.Now().Add(time.Second))
			c.Write([]byte(" "))
		}
	}
}

// slowHeaders sends a request's header a line every 3 seconds.
func slowHeaders(ctx context.Context, e *env) (string, bool, string) {
	c, err := e.dialTLS()
	if err != nil {
		return err.Error(), false, ""
	}
	defer c.Close()
	start := time.Now()
	c.Write([]byte("POST /v3/pull HTTP/1.1\r\nHost: x\r\n"))
	for i := 0; time.Since(start) < 60*time.Second; i++ {
		c.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := fmt.Fprintf(c, "X-Slow-%d: a\r\n", i); err != nil {
			break
		}
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
			break
		}
	}
	held := time.Since(start).Round(time.Second)
	return fmt.Sprintf("closed after %v", held), held <= 20*time.Second, ""
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// canaryAttack pushes refused entries with the canary in every field:
// a Duty to Notify carrying identifiers, the same naming another officer,
// signed by another key, as a draft, and an amendment whose field name
// and values are the canary. Every one must be refused; Run counts the
// canary in the log, the answers and the store afterwards.
func canaryAttack(ctx context.Context, e *env) (string, bool, string) {
	var got []string
	ok := true
	try := func(a answer, want string) {
		_, codes := pushResult(a)
		got = append(got, strings.Join(codes, ","))
		ok = ok && a.status == 200 && len(codes) == 1 && codes[0] == want
	}
	id, doc := e.canaryRecord(true)
	try(e.pushOne(ctx, id.String(), "encounter", doc, ""), "invalid_record") // a Duty to Notify with identifiers
	id, doc = e.canaryRecord(false)
	doc = bytes.Replace(doc, []byte(`"number":"`+e.me.number+`"`), []byte(`"number":"`+e.canary+`"`), 1)
	try(e.pushOne(ctx, id.String(), "encounter", doc, ""), "identity_mismatch")
	id, doc = e.canaryRecord(false)
	try(e.pushOne(ctx, id.String(), "encounter", doc, recordSig(&device{priv: newKey()}, "encounter", doc)), "signature_invalid")
	id, doc = e.canaryRecord(false)
	doc = bytes.Replace(doc, []byte(`"finalised_at"`), []byte(`"updated"`), 1)
	try(e.pushOne(ctx, id.String(), "encounter", doc, ""), "invalid_record")
	a, _ := encounter.NewAmendment(e.mine, uuid.MustParse(e.me.id), encounter.Officer{Name: e.me.name, Number: e.me.number, Agency: e.me.agency}, time.Now())
	a.Reason = e.canary
	a.Changes = []encounter.Change{{Field: e.canary, From: e.canary, To: e.canary}, {Field: encounter.PersonField(uuid.New(), "age_years"), To: e.canary}}
	adoc, _ := a.Document()
	try(e.pushOne(ctx, a.ID.String(), "amendment", adoc, ""), "invalid_record")
	return "refused: " + strings.Join(got, "; "), ok, "canary counted after the run"
}

// conflictFlood pushes records that conflict with one the hostile device
// stored, 1,000 a push as in the issue (there: ten pushes of 374 KB of
// gzip, 31 MB each decompressed; here 14 MB each, under the 16 MiB a
// request may now decompress to), and measures what the store grows by.
func conflictFlood(ctx context.Context, e *env) (string, bool, string) {
	pushes, per := 10, 1000
	if e.opts.Short {
		pushes, per = 3, 200
	}
	var r encounter.Record
	json.Unmarshal(e.mineDoc, &r)
	notes := strings.Repeat("conflicting notes ", 760) // about 14 KB a body, compressible
	before := e.srv.disk()
	var last answer
	var sent int64
	kept := 0
	for p := range pushes {
		var entries []string
		for i := range per {
			r.Notes = fmt.Sprintf("%s %d-%d", notes, p, i)
			doc, _ := r.Document()
			e.me.seq++
			entries = append(entries, entry(e.me, e.me.seq, e.mine.String(), "encounter", doc, ""))
		}
		body := push(entries...)
		last = e.h.do(ctx, req{method: "POST", path: "/v3/push", body: body, gzip: true, signer: e.me})
		sent += int64(len(gz(body)))
		if last.status == 200 {
			_, codes := pushResult(last)
			kept += len(codes)
		}
		e.me.seq -= uint64(per) // the device would resend what was not acknowledged
		if ack, _ := pushResult(last); ack > e.me.seq {
			e.me.seq = ack
		}
	}
	time.Sleep(time.Second) // Badger's files settle
	grew := e.srv.disk() - before
	note := fmt.Sprintf("%d pushes, %s of gzip sent; store grew %s", pushes, mib(sent), mib(grew))
	return last.String(), is(last, 507, "aside_full") && last.retryAfter != "" && grew < 64<<20, note
}

// unreadPulls opens four pulls of everything and never reads the
// answers, while watching the server's memory; then checks one page is
// bounded in bytes.
func unreadPulls(ctx context.Context, e *env) (string, bool, string) {
	before, _ := e.srv.memory()
	var conns []*tls.Conn
	for range 4 {
		c, err := e.dialTLS()
		if err != nil {
			return err.Error(), false, ""
		}
		defer c.Close()
		body := []byte(`{"since":0,"limit":1000}`)
		fmt.Fprintf(c, "POST /v3/pull HTTP/1.1\r\nHost: x\r\nWaymark-Protocol: 3\r\nContent-Type: application/json\r\nContent-Length: %d\r\nAuthorization: %s\r\n\r\n%s",
			len(body), authorization(e.me, "POST", "/v3/pull", time.Now(), body), body)
		conns = append(conns, c)
	}
	peak := before
	for range 10 {
		time.Sleep(300 * time.Millisecond)
		if m, _ := e.srv.memory(); m > peak {
			peak = m
		}
	}
	for _, c := range conns {
		c.Close()
	}
	a := e.pull(ctx, e.me, `{"since":0,"limit":1000}`)
	var pr struct {
		Ops  []json.RawMessage `json:"ops"`
		More bool              `json:"more"`
	}
	json.Unmarshal(a.body, &pr)
	grew := peak - before
	note := fmt.Sprintf("%d large records stored; server memory %s → peak %s (+%s) with 4 unread pulls; one page: %d ops, %s, more=%v",
		e.large, mib(before), mib(peak), mib(grew), len(pr.Ops), mib(int64(len(a.body))), pr.More)
	ok := a.status == 200 && len(a.body) <= 5<<20 && grew < 256<<20 && (pr.More || e.opts.Short)
	return fmt.Sprintf("200, a page of %s", mib(int64(len(a.body)))), ok, note
}

// connectionFlood opens 1,100 connections and holds them, then checks
// the server answers once they close.
func connectionFlood(ctx context.Context, e *env) (string, bool, string) {
	var conns []net.Conn
	for range 1100 {
		c, err := net.DialTimeout("tcp", e.srv.addr, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	time.Sleep(2 * time.Second)
	m, _ := e.srv.memory()
	for _, c := range conns {
		c.Close()
	}
	time.Sleep(time.Second)
	a := e.pull(ctx, e.me, `{"limit":1}`)
	return fmt.Sprintf("%d connections held; then %s", len(conns), a), a.status == 200, "server memory while held " + mib(m)
}

// requestFlood sends 300 pulls at once from the hostile device.
func requestFlood(ctx context.Context, e *env) (string, bool, string) {
	var mu sync.Mutex
	counts := map[string]int{}
	retry := ""
	var wg sync.WaitGroup
	for range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := e.pull(ctx, e.me, `{"since":0,"limit":1}`)
			mu.Lock()
			defer mu.Unlock()
			k := fmt.Sprint(a.status)
			if a.code != "" {
				k += " " + a.code
			}
			counts[k]++
			if a.status == 429 && a.retryAfter != "" {
				retry = a.retryAfter
			}
		}()
	}
	wg.Wait()
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%d × %s", n, k))
	}
	return strings.Join(parts, ", ") + ", Retry-After " + retry, counts["429 rate_limited"] > 0 && retry != "" && counts["200"] > 0, ""
}
