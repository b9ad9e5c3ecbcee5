package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/content"
)

// observeStep lists what an officer may see at the premises, grouped by
// theme, the indicators typical of this business type first and open,
// each quick to tick with a line on what it looks like.
func (f *flow) observeStep() fyne.CanvasObject {
	p, lang := f.u.p, f.u.lang()
	intro := widget.NewLabel(p.T("observe.intro"))
	intro.Wrapping = fyne.TextWrapWord
	premises := func(ind content.Indicator) bool {
		return !ind.Retired && ind.Scope != content.ScopePerson
	}
	checks := func(inds []content.Indicator) fyne.CanvasObject {
		box := container.NewVBox()
		for _, ind := range inds {
			box.Add(f.indicatorCheck(ind, func() []string { return f.rec.Indicators }, func(ids []string) { f.rec.Indicators = ids }))
		}
		return box
	}

	acc := widget.NewAccordion()
	acc.MultiOpen = true
	if biz, ok := f.pack.Business(string(f.rec.Premises.Business)); ok {
		var typical []content.Indicator
		for _, id := range biz.Indicators {
			if ind, ok := f.pack.Indicator(id); ok && premises(ind) {
				typical = append(typical, ind)
			}
		}
		if len(typical) > 0 {
			acc.Append(widget.NewAccordionItem(p.T("observe.typical", biz.Label.In(lang)), checks(typical)))
			acc.Open(0)
		}
	}
	for _, th := range f.pack.Themes {
		if th.Retired {
			continue
		}
		inds := slices.DeleteFunc(f.pack.IndicatorsOf(th.ID), func(ind content.Indicator) bool { return !premises(ind) })
		if len(inds) > 0 {
			acc.Append(widget.NewAccordionItem(th.Label.In(lang), checks(inds)))
		}
	}
	return container.NewVBox(intro, acc)
}

// indicatorCheck is one indicator to tick, with its hint underneath. get
// and set read and write the list of ticked indicators it belongs to; the
// same indicator may appear in two groups, so each check reads the list
// afresh.
func (f *flow) indicatorCheck(ind content.Indicator, get func() []string, set func([]string)) fyne.CanvasObject {
	lang := f.u.lang()
	check := widget.NewCheck(ind.Label.In(lang), nil)
	check.Checked = slices.Contains(get(), ind.ID)
	check.OnChanged = func(on bool) {
		if on == slices.Contains(get(), ind.ID) {
			return
		}
		set(toggle(get(), ind.ID, on))
		f.changed()
	}
	f.refresh = append(f.refresh, func() {
		if on := slices.Contains(get(), ind.ID); on != check.Checked {
			check.SetChecked(on)
		}
	})
	hint := widget.NewLabel(ind.Hint.In(lang))
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	hint.Importance = widget.MediumImportance
	return container.NewVBox(check, container.NewPadded(hint))
}
