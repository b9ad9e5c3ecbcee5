// Package app is the officer app's Fyne interface: views, one file per
// screen, that render the view models of app/internal/model and forward
// the officer's taps and typing to them (docs/architecture.md). It does
// not import fyne.io/fyne/v2/app, so its tests run headless with
// fyne.io/fyne/v2/test; main wires it to a real window and calls Start
// once the app runs.
package app
