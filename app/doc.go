// Package app is the officer app's Fyne interface: one file per screen.
// It does not import fyne.io/fyne/v2/app, so its tests run headless with
// fyne.io/fyne/v2/test; main wires it to a real window.
package app
