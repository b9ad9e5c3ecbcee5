// Package app is the officer app's Fyne interface: views, one file per
// screen, that render the view models of app/internal/model and of
// package session (the PIN screens) and forward the officer's taps and
// typing to them (docs/architecture.md). The gate shows what the
// session's phase calls for: a PIN first, the officer's screens once
// unlocked. It does not import fyne.io/fyne/v2/app, so its tests run
// headless with fyne.io/fyne/v2/test; main wires it to a real window and
// calls Gate.Start once the app runs.
package app
