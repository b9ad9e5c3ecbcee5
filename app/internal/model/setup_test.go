package model

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"golang.org/x/text/language"
)

var ctx = context.Background()

var (
	testNow     = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)
	testOfficer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}
)

// settings is an in-memory preference store, as fyne's are in memory for
// an app without storage.
type settings struct {
	mu      sync.Mutex
	m       map[string]string
	removed int // RemoveValue calls
}

func newSettings() *settings { return &settings{m: map[string]string{}} }

func (s *settings) String(k string) string { s.mu.Lock(); defer s.mu.Unlock(); return s.m[k] }
func (s *settings) StringWithFallback(k, fb string) string {
	if v := s.String(k); v != "" {
		return v
	}
	return fb
}
func (s *settings) SetString(k, v string) { s.mu.Lock(); defer s.mu.Unlock(); s.m[k] = v }
func (s *settings) IntWithFallback(k string, fb int) int {
	if n, err := strconv.Atoi(s.String(k)); err == nil {
		return n
	}
	return fb
}
func (s *settings) SetInt(k string, v int) { s.SetString(k, strconv.Itoa(v)) }

// ReadValues lists every setting, as Fyne's preferences do.
func (s *settings) ReadValues(fn func(map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]any{}
	for k, v := range s.m {
		m[k] = v
	}
	fn(m)
}
func (s *settings) RemoveValue(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	s.removed++
}

// env is what a model test works with: the real default content pack,
// the real catalogues, a real store in memory and a Saver writing to it.
type env struct {
	t      *testing.T
	pack   *content.Pack
	bundle *i18n.Bundle
	p      *i18n.Printer
	st     *store.Store
	saver  *Saver
	prefs  Prefs
	set    *settings
	now    time.Time
	final  []encounter.Record // records the flow said were finalised
	inbox  *inbox             // the saver's results, waiting for the test's goroutine
}

// inbox holds the saver's results until the test's goroutine runs them,
// as fyne.Do hands them to the interface's goroutine in the app: the
// models are not safe for two goroutines at once, and need not be.
type inbox struct {
	mu   sync.Mutex // guards jobs
	jobs []func()
}

// deliver is the Saver's deliver: it keeps f for run.
func (b *inbox) deliver(f func()) {
	b.mu.Lock()
	b.jobs = append(b.jobs, f)
	b.mu.Unlock()
}

// run runs the results kept so far, in order, and says how many.
func (b *inbox) run() int {
	b.mu.Lock()
	jobs := b.jobs
	b.jobs = nil
	b.mu.Unlock()
	for _, f := range jobs {
		f()
	}
	return len(jobs)
}

var (
	packOnce sync.Once
	thePack  *content.Pack
	bundle   *i18n.Bundle
)

func newEnv(t *testing.T) *env {
	t.Helper()
	packOnce.Do(func() {
		var err error
		if thePack, err = content.Default(); err != nil {
			panic(err)
		}
		if bundle, err = i18n.Load(); err != nil {
			panic(err)
		}
	})
	st, err := store.Open(ctx, store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	// An enrolled device signs what it finalises.
	key, err := auth.NewKey(st.DeviceID())
	if err != nil {
		t.Fatal(err)
	}
	st.SetSigner(key)
	e := &env{t: t, pack: thePack, bundle: bundle, p: bundle.Printer(language.English), st: st, now: testNow}
	e.inbox = &inbox{}
	e.saver = NewSaver(st, e.inbox.deliver)
	e.set = newSettings()
	e.prefs = NewPrefs(e.set)
	t.Cleanup(func() {
		e.saver.Close()
		st.Close()
	})
	return e
}

// settle waits for the saver to run everything asked of it and runs
// its results on the test's goroutine, until a result asks for nothing
// more.
func (e *env) settle() {
	for {
		e.saver.Wait()
		if e.inbox.run() == 0 {
			return
		}
	}
}

// welsh switches the env's printer to Welsh.
func (e *env) welsh() { e.p = e.bundle.Printer(language.MustParse("cy")) }

// flow starts a new encounter, or continues r if given.
func (e *env) flow(r *encounter.Record) *Flow {
	e.t.Helper()
	stored := r != nil
	if r == nil {
		n, err := encounter.New(e.st.DeviceID(), e.now)
		if err != nil {
			e.t.Fatal(err)
		}
		n.Officer = testOfficer
		r = &n
	}
	return NewFlow(FlowDeps{
		Pack: e.pack, Printer: e.p, Saver: e.saver,
		Officer:   func() encounter.Officer { return testOfficer },
		Now:       func() time.Time { return e.now },
		Finalised: func(r encounter.Record) { e.final = append(e.final, r) },
	}, *r, stored)
}

// stored waits for the saver and returns record id as stored.
func (e *env) stored(f *Flow) encounter.Record {
	e.t.Helper()
	e.settle()
	r, err := e.st.Get(ctx, f.Record().ID)
	if err != nil {
		e.t.Fatalf("get %s: %v", f.Record().ID, err)
	}
	return r
}

// seals checks the signatures of record id as the detail screen does.
func (e *env) seals(id uuid.UUID) Seals {
	e.t.Helper()
	var s Seals
	e.saver.Evidence(id, func(ev store.Evidence, err error) { s = Seals{Evidence: ev, Err: err} })
	e.settle()
	return s
}

// TestNoFyne: the view models import nothing of Fyne, so they can be
// tested, and reasoned about, without a window.
func TestNoFyne(t *testing.T) {
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") {
			t.Errorf("package model depends on %s", dep)
		}
	}
}

// person returns the person with id on f's draft.
func person(t *testing.T, f *Flow, id uuid.UUID) encounter.Person {
	t.Helper()
	r := f.Record()
	ps, ok := r.Person(id)
	if !ok {
		t.Fatalf("no person %s", id)
	}
	return *ps
}
