package content_test

import (
	"archive/zip"
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/store"
)

func TestLibrary(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := version(t, 1)
	lib, err := content.OpenLibrary(ctx, st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lib.Current() != base || lib.ContentVersion() != 1 {
		t.Fatalf("fresh library uses version %d", lib.ContentVersion())
	}
	var heard []int
	lib.Subscribe(func(p *content.Pack) { heard = append(heard, p.Version) })

	v2 := version(t, 2, on("pack.json", func(d map[string]any) { d["name"] = map[string]any{"en": "Version two"} }))
	if err := lib.InstallContent(ctx, v2.Bundle()); err != nil {
		t.Fatal(err)
	}
	if lib.ContentVersion() != 2 || lib.Current().Name.In("en") != "Version two" || len(heard) != 1 {
		t.Errorf("after install: version %d, heard %v", lib.ContentVersion(), heard)
	}
	// A record made under version 1 is still shown with it.
	if p := lib.For(base.ID, 1); p.Version != 1 {
		t.Errorf("For(v1) gave version %d", p.Version)
	}

	refused := []struct {
		name   string
		bundle []byte
	}{
		{"not a bundle", []byte("not a zip")},
		{"an older pack", base.Bundle()},
		{"another lineage", version(t, 5, on("pack.json", func(d map[string]any) { d["id"] = "force.other" })).Bundle()},
		{"an indicator deleted", version(t, 3, func(tb testing.TB, files fstest.MapFS) {
			on("indicators.json", func(d map[string]any) { d["indicators"] = without(d, "indicators", "ind.general.few_possessions") })(tb, files)
		}).Bundle()},
		{"a rule naming an unknown indicator", brokenBundle(t)},
	}
	for _, r := range refused {
		err := lib.InstallContent(ctx, r.bundle)
		if !errors.Is(err, content.ErrRefused) || err.Error() == "" {
			t.Errorf("%s: %v, want refused", r.name, err)
		}
		if lib.ContentVersion() != 2 {
			t.Fatalf("%s: the pack in use changed to %d", r.name, lib.ContentVersion())
		}
	}

	// Reopened, the device still uses what it installed.
	again, err := content.OpenLibrary(ctx, st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ContentVersion() != 2 {
		t.Errorf("after reopening: version %d, want 2", again.ContentVersion())
	}
}

// brokenBundle is a bundle whose rule names an indicator no pack has: it
// must fail validation on the device.
func brokenBundle(t *testing.T) []byte {
	files := packFiles(t)
	on("pack.json", func(d map[string]any) { d["version"] = 4 })(t, files)
	on("rules.json", func(d map[string]any) {
		r := d["rules"].([]any)[0].(map[string]any)
		r["when"] = map[string]any{"indicator": "ind.made.up"}
	})(t, files)
	if _, err := content.Parse(files); err == nil {
		t.Fatal("broken pack parsed")
	}
	var entries [][2]string
	for name, f := range files {
		entries = append(entries, [2]string{name, string(f.Data)})
	}
	return zipOf(t, "waymark content bundle 1", zip.Store, entries...)
}
