// Package model holds the officer app's view models: each screen's state
// and the rules of the flow between screens, in plain Go. The Fyne views
// in package app render a model and forward the officer's taps and typing
// to it; they hold no state of their own worth testing. Nothing here
// imports Fyne, so these tests run in milliseconds; the domain rules
// themselves (the assessment, who is a child, who needs a referral) stay
// in the domain packages, which the models call.
//
// Background work goes through one Saver: durable writes and reads happen
// on its goroutine, and their results come back through the function the
// view gives it (fyne.Do in the app), never by a model touching a widget.
package model
