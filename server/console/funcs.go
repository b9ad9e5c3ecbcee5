package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/waymark-app/waymark/encounter"
)

// Words for stored identifiers: agencies and business types.
var (
	agencyNames = map[string]string{"police": "Police", "immigration": "Immigration Enforcement", "glaa": "GLAA",
		"hmrc": "HMRC", "local_authority": "Local authority", "fire": "Fire service", "ngo": "NGO", "nca": "NCA",
		"home_office": "Home Office", "other": "Other"}
	businessNames = map[encounter.Business]string{encounter.CarWash: "Car wash", encounter.NailBar: "Nail bar",
		encounter.Takeaway: "Takeaway", encounter.Brothel: "Brothel", encounter.Farm: "Farm", encounter.Factory: "Factory or warehouse",
		encounter.CannabisGrow: "Cannabis grow", encounter.PrivateHouse: "Private house", encounter.Construction: "Construction site",
		encounter.Other: "Other"}
)

func agencyName(a string) string {
	if n, ok := agencyNames[a]; ok {
		return n
	}
	return a
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return t.In(c.loc).Format("Mon 2 Jan 2006") },
		"datetime": func(t time.Time) string { return t.In(c.loc).Format("2 Jan 2006 15:04") },
		"time":     func(t time.Time) string { return t.In(c.loc).Format("15:04") },
		"isodate":  func(t time.Time) string { return t.In(c.loc).Format(time.DateOnly) },
		"agency":   agencyName,
		"business": func(b encounter.Business) string {
			if n, ok := businessNames[b]; ok {
				return n
			}
			return string(b)
		},
		"level": func(l string) string {
			switch l {
			case "red", "amber", "green":
				return strings.ToUpper(l[:1]) + l[1:]
			}
			return "Not assessed"
		},
		"left": func(d time.Duration) string { return duration(d) },
		"join": strings.Join,
		"add":  func(a, b int) int { return a + b },
		"pct": func(a, b int) string {
			if b == 0 {
				return "0%"
			}
			return fmt.Sprintf("%d%%", a*100/b)
		},
		"short": func(s string) string { return s[:min(8, len(s))] },
		"list4": func() []int { return []int{1, 2, 3, 4} },
		"pair": func(a string, b any) struct {
			A string
			B any
		} {
			return struct {
				A string
				B any
			}{a, b}
		},
	}
}

// duration says d in hours and minutes: "3 h 05 min".
func duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	if h == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", h, m)
}
