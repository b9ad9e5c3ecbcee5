// Command waymark is the officer app: offline encounter capture, kept
// encrypted on the device and synced to a Waymark server when it can be
// reached.
package main

import (
	"context"
	"errors"
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
	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
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
	serverURL := flag.String("server", env("WAYMARK_SERVER", "https://127.0.0.1:8765"), "server address offered when enrolling (env WAYMARK_SERVER); once enrolled, the enrolment's")
	dataDir := flag.String("data", env("WAYMARK_DATA", ""), "folder for the encrypted store; empty: the app's own storage (env WAYMARK_DATA)")
	enrolLink := flag.String("enrol", env("WAYMARK_ENROL", ""), "if not enrolled yet, enrol with this link (waymark://enrol?...) at start (env WAYMARK_ENROL)")
	enrolQR := flag.String("enrol-qr", "", "if not enrolled yet, enrol with the link in this QR code image at start")
	devHTTP := flag.Bool("insecure-dev-http", false, "accept a plain http:// server: local development only")
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

	// The device's credential; on first start, enrolment makes it.
	enrol := func(ctx context.Context, l auth.Link, allowHTTP bool) error {
		cred, err := client.Enrol(ctx, client.EnrolOptions{Link: l, Device: st.DeviceID(), AllowHTTP: allowHTTP})
		if err != nil {
			return err
		}
		return client.SaveCredential(ctx, st, cred)
	}
	cred, err := client.LoadCredential(ctx, st)
	if errors.Is(err, store.ErrNotEnrolled) && (*enrolLink != "" || *enrolQR != "") {
		if err := enrolFrom(ctx, *enrolLink, *enrolQR, *devHTTP, enrol); err != nil {
			log.Warn("enrolment from the command line failed; the enrolment screen opens", "err", err)
		}
		cred, err = client.LoadCredential(ctx, st)
	}
	if err != nil && !errors.Is(err, store.ErrNotEnrolled) {
		return err
	}

	w := a.NewWindow(printer.T("app.title"))
	w.Resize(fyne.NewSize(400, 780))
	var ui *app.UI
	var done chan struct{}
	// The interface listens to the sync engine only once the app runs:
	// before that, the mobile driver runs fyne.Do at once, on the
	// engine's goroutine, while this one is still building the screen.
	started := false
	a.Lifecycle().SetOnStarted(func() {
		started = true
		if ui != nil {
			ui.Start()
		}
	})
	start := func(cred *client.Credential) {
		st.SetSigner(cred) // records are signed as they are finalised
		eng := client.New(st, client.Options{Server: cred.Server, Signer: cred, Pin: cred.Pin, Logger: log, Content: lib, Operations: st})
		done = make(chan struct{})
		go func() {
			defer close(done)
			eng.Run(ctx)
		}()
		ui = app.New(w, app.Deps{Records: st, Sync: eng, Content: lib, Printer: printer, Bundle: bundle, Prefs: a.Preferences(), Officer: cred.Officer(), Operations: st})
		if started {
			ui.Start()
		}
	}
	if cred != nil {
		start(cred)
	} else {
		app.NewEnrolScreen(w, app.EnrolDeps{
			Printer: printer, Enrol: enrol, Server: *serverURL, AllowHTTP: *devHTTP,
			OnEnrolled: func() {
				cred, err := client.LoadCredential(ctx, st)
				if err != nil {
					log.Error("read the credential just made", "err", err)
					return
				}
				start(cred)
			},
		})
	}
	w.ShowAndRun()

	if ui != nil {
		ui.Close()
	}
	cancel()
	if done != nil {
		<-done
	}
	return nil
}

// enrolFrom enrols with a link given on the command line, or read from a
// QR code image.
func enrolFrom(ctx context.Context, link, qrFile string, allowHTTP bool, enrol app.Enroller) error {
	if link == "" {
		f, err := os.Open(qrFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if link, err = enrolqr.Decode(f); err != nil {
			return err
		}
	}
	l, err := auth.ParseLink(link)
	if err != nil {
		return err
	}
	return enrol(ctx, l, allowHTTP)
}
