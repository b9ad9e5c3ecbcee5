// Command waymark is the officer app: offline encounter capture, kept
// encrypted on the device and synced to a Waymark server when it can be
// reached.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/waymark-app/waymark/app"
	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
)

// appID matches FyneApp.toml.
const appID = "org.waymark.app"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	serverURL := flag.String("server", env("WAYMARK_SERVER", "http://127.0.0.1:8765"), "sync server URL (env WAYMARK_SERVER)")
	dataDir := flag.String("data", env("WAYMARK_DATA", ""), "folder for the encrypted store; empty: the app's own storage (env WAYMARK_DATA)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	a.Settings().SetTheme(app.NewTheme())
	dir := *dataDir
	if dir == "" {
		dir = a.Storage().RootURI().Path()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := store.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(dir, "store"), Key: key, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()

	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	printer := app.OfficerPrinter(bundle, app.NewPrefs(a.Preferences()), lang.SystemLocale().LanguageString())

	base, err := content.Default()
	if err != nil {
		return fmt.Errorf("the content pack built into this app is broken: %w", err)
	}
	lib, err := content.OpenLibrary(ctx, st, base, log)
	if err != nil {
		return err
	}

	eng := client.New(st, client.Options{Server: *serverURL, Logger: log, Content: lib})
	done := make(chan struct{})
	go func() {
		defer close(done)
		eng.Run(ctx)
	}()

	w := a.NewWindow(printer.T("app.title"))
	w.Resize(fyne.NewSize(440, 780))
	ui := app.New(w, app.Deps{Records: st, Sync: eng, Content: lib, Printer: printer, Bundle: bundle, Prefs: a.Preferences()})
	w.ShowAndRun()

	ui.Close()
	cancel()
	<-done
	return nil
}
