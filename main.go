// Command waymark is the officer app: offline encounter capture, kept
// encrypted on the device under the officer's PIN and synced to a
// Waymark server when it can be reached.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/waymark-app/waymark/app"
	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/session"
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
	// Before anything is written: every file the app makes is its user's
	// alone (0600, folders 0700), Fyne's preferences and Badger's too.
	session.PrivateFiles()
	serverURL := flag.String("server", env("WAYMARK_SERVER", "https://127.0.0.1:8765"), "server address offered when enrolling (env WAYMARK_SERVER); once enrolled, the enrolment's")
	dataDir := flag.String("data", env("WAYMARK_DATA", ""), "folder for the encrypted store; empty: the app's own storage (env WAYMARK_DATA)")
	enrolLink := flag.String("enrol", env("WAYMARK_ENROL", ""), "if not enrolled yet, enrol with this link (waymark://enrol?...) once the PIN is chosen (env WAYMARK_ENROL)")
	enrolQR := flag.String("enrol-qr", "", "if not enrolled yet, enrol with the link in this QR code image once the PIN is chosen")
	devHTTP := flag.Bool("insecure-dev-http", false, "accept a plain http:// server: local development only")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	a.Settings().SetTheme(app.NewTheme())
	prefs := app.NewPrefs(a.Preferences())
	root := a.Storage().RootURI().Path()
	if err := session.Narrow(root); err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		dir = root
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	printer := func() *i18n.Printer {
		return app.OfficerPrinter(bundle, prefs, lang.SystemLocale().LanguageString())
	}
	base, err := content.Default()
	if err != nil {
		return fmt.Errorf("the content pack built into this app is broken: %w", err)
	}
	link, err := enrolText(*enrolLink, *enrolQR)
	if err != nil {
		log.Warn("the enrolment QR code could not be read; the enrolment screen asks", "err", err)
	}

	ctx := context.Background()
	s, err := session.Open(ctx, session.Options{Dir: dir, Content: base, Sync: client.Options{Logger: log},
		IdleLock: prefs.IdleLock(), Logger: log})
	if err != nil {
		return err
	}
	defer s.Close()

	w := a.NewWindow(printer().T("app.title"))
	w.Resize(fyne.NewSize(400, 780))
	// On a desktop the window losing the focus is not the app going to
	// the background: the idle lock sees to it (docs/security.md).
	gate := wire(w, s, a.Preferences(), bundle, printer,
		app.GateDeps{Server: *serverURL, AllowHTTP: *devHTTP, EnrolLink: link, Desktop: !fyne.CurrentDevice().IsMobile()})
	// The officer's screens listen to the sync engine only once the app
	// runs: before that, the mobile driver runs fyne.Do at once, on the
	// engine's goroutine, while this one may still be building a screen.
	// What earlier versions left in the preferences file goes then too:
	// Fyne saves preferences on its own goroutine only once it runs.
	a.Lifecycle().SetOnStarted(func() {
		prefs.DropLegacy()
		gate.Start()
	})
	a.Lifecycle().SetOnExitedForeground(gate.OnBackground)
	w.ShowAndRun()
	gate.Close()
	return nil
}

// wire shows the app in w over the session s: the gate, which opens the
// officer's screens once the device is unlocked and enrolled. deps gives
// the enrolment's settings; wire fills in the rest.
func wire(w fyne.Window, s *session.Session, prefs fyne.Preferences, bundle *i18n.Bundle, printer func() *i18n.Printer, deps app.GateDeps) *app.Gate {
	deps.Session, deps.Printer, deps.Prefs = s, printer, prefs
	deps.Open = func() *app.UI {
		return app.New(w, app.Deps{Records: s.Records(), Sync: s.Engine(), Content: s.Library(),
			Printer: printer(), Bundle: bundle, Prefs: prefs, Officer: s.Officer(), Session: s, Operations: s.Records()})
	}
	return app.NewGate(w, deps)
}

// enrolText is the enrolment link given on the command line, or read
// from a QR code image.
func enrolText(link, qrFile string) (string, error) {
	if link != "" || qrFile == "" {
		return link, nil
	}
	f, err := os.Open(qrFile)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return enrolqr.Decode(f)
}
