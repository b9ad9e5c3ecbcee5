package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// ragColor is the colour of a level, dark enough for white words. Only
// risk levels are drawn filled in these colours: sync states are chips
// in the text colour (stateIcon), so a synced Red record never shows
// green.
func ragColor(l content.Level) color.Color {
	switch l {
	case content.Red:
		return color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff}
	case content.Amber:
		return color.NRGBA{R: 0xa8, G: 0x52, B: 0x00, A: 0xff}
	case content.Green:
		return color.NRGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 0xff}
	}
	return color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
}

// stateIcon is the icon of a sync state's chip.
func stateIcon(s encounter.State) fyne.Resource {
	switch s {
	case encounter.Queued:
		return theme.UploadIcon()
	case encounter.Synced:
		return theme.ConfirmIcon()
	case encounter.Held:
		return theme.WarningIcon()
	}
	return theme.DocumentCreateIcon()
}

// crimeImportance is how urgent a crime-recording clock looks.
func crimeImportance(s encounter.CrimeStatus) widget.Importance {
	switch s {
	case encounter.CrimeOverdue:
		return widget.DangerImportance
	case encounter.CrimeDueSoon:
		return widget.WarningImportance
	case encounter.CrimeRecorded:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}
