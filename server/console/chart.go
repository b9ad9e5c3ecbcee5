package console

import "fmt"

// A bar chart drawn on the server as SVG: numbers only reach the
// template, which escapes them as any other value. No script.

// chart is a stacked bar chart: one bar per label, one segment per series.
type chart struct {
	Width, Height int
	Bars          []bar
	Ticks         []tick
	Legend        []legendItem
	Title         string
}

type bar struct {
	X, W     int
	Label    string
	LabelX   int
	Segments []segment
	Total    int
}

type segment struct {
	Y, H  int
	Class string
	Title string
}

type tick struct {
	Y     int
	Label string
}

type legendItem struct {
	X     int
	Class string
	Label string
}

// series is one stack level: its class (colour) and label.
type series struct{ Class, Label string }

// stackedChart lays out values[bar][series] as a chart.
func stackedChart(title string, labels []string, ss []series, values [][]int) chart {
	const w, h, left, top, bottom = 720, 260, 40, 30, 40
	c := chart{Width: w, Height: h, Title: title}
	maxV := 1
	for _, vs := range values {
		t := 0
		for _, v := range vs {
			t += v
		}
		maxV = max(maxV, t)
	}
	// A round top for the scale.
	step := 1
	for maxV/step > 5 {
		switch {
		case step%10 == 1 || step == 1:
			step *= 2
		case step%10 == 2 || step == 2:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	top5 := (maxV + step - 1) / step * step
	plotH := h - top - bottom
	for v := 0; v <= top5; v += step {
		c.Ticks = append(c.Ticks, tick{Y: top + plotH - v*plotH/top5, Label: fmt.Sprint(v)})
	}
	n := max(1, len(labels))
	slot := (w - left - 10) / n
	for i, l := range labels {
		b := bar{X: left + i*slot + slot/6, W: slot * 2 / 3, Label: l, LabelX: left + i*slot + slot/2}
		y := top + plotH
		for j, v := range values[i] {
			if v == 0 {
				continue
			}
			hgt := v * plotH / top5
			y -= hgt
			b.Segments = append(b.Segments, segment{Y: y, H: hgt, Class: ss[j].Class, Title: fmt.Sprintf("%s %s: %d", l, ss[j].Label, v)})
			b.Total += v
		}
		c.Bars = append(c.Bars, b)
	}
	for j, s := range ss {
		c.Legend = append(c.Legend, legendItem{X: left + j*130, Class: s.Class, Label: s.Label})
	}
	return c
}
