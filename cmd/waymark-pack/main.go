// Command waymark-pack checks, bundles and compares content packs, for the
// analyst who tunes a force's indicators, rules and checklists.
//
//	waymark-pack check PACK           validate a pack directory or bundle, and
//	                                  print each language's coverage
//	waymark-pack bundle DIR OUT       validate DIR and write its bundle to OUT
//	waymark-pack upgrade CUR NEXT     may NEXT replace CUR on devices?
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/i18n"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  waymark-pack check PACK          validate a pack directory or bundle
  waymark-pack bundle DIR OUT      validate DIR and write its bundle to OUT
  waymark-pack upgrade CUR NEXT    check that NEXT may replace CUR on devices
`

// run carries out one command and returns the exit status: 0 for
// success, 1 for a refused pack, 2 for a usage mistake.
func run(args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, err)
		return 1
	}
	switch {
	case len(args) == 2 && args[0] == "check":
		p, err := open(args[1])
		if err != nil {
			return fail(err)
		}
		summary(stdout, p)
	case len(args) == 3 && args[0] == "bundle":
		p, err := content.Parse(os.DirFS(args[1]))
		if err != nil {
			return fail(err)
		}
		if err := os.WriteFile(args[2], p.Bundle(), 0o644); err != nil {
			return fail(err)
		}
		summary(stdout, p)
	case len(args) == 3 && args[0] == "upgrade":
		cur, err := open(args[1])
		if err != nil {
			return fail(err)
		}
		next, err := open(args[2])
		if err != nil {
			return fail(err)
		}
		if err := content.CheckUpgrade(cur, next); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s version %d may replace version %d\n", next.ID, next.Version, cur.Version)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	return 0
}

// open parses a pack from a directory or a bundle file.
func open(name string) (*content.Pack, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return content.Parse(os.DirFS(name))
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	p, err := content.ParseBundle(b)
	if err != nil && !errors.Is(err, content.ErrInvalid) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, err
}

func summary(w io.Writer, p *content.Pack) {
	fmt.Fprintf(w, "%s version %d, published %s: valid\n", p.ID, p.Version, p.Published.Format("2006-01-02"))
	fmt.Fprintf(w, "  %d indicators in %d themes, %d questions, %d rules, %d actions\n",
		len(p.Indicators), len(p.Themes), len(p.Questions), len(p.Rules), len(p.Actions))
	for _, l := range p.Languages {
		if l.Status == content.ReviewSource {
			continue
		}
		fmt.Fprintf(w, "  %s: %s, %d texts untranslated\n", l.Tag, l.Status, len(p.Untranslated(l.Tag)))
	}
	fmt.Fprintf(w, "  digest %s\n", p.Digest)
	coverageTable(w, p)
	if len(p.Warnings) > 0 {
		fmt.Fprintf(w, "\n%d warnings (the pack is usable; what they concern falls back, marked \"not translated\"):\n", len(p.Warnings))
		for _, pr := range p.Warnings {
			fmt.Fprintf(w, "  %s\n", pr)
		}
	}
}

// coverageTable prints how far each language covers the pack, and its
// review status.
func coverageTable(w io.Writer, p *content.Pack) {
	names := &i18n.Names{}
	if p.Screening != nil {
		names = p.Screening.Names()
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "language\tname\tofficer texts\tstatus\tscreening\tdraft\treviewed\tcopies\t")
	dash := func(n, total int) string {
		if total == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d", n, total)
	}
	for _, c := range p.Coverage() {
		status := string(c.Status)
		switch {
		case status != "":
		case c.Draft > 0:
			status = string(content.ReviewDraft) // a screening language: by its strings
		case c.Reviewed > 0:
			status = string(content.ReviewReviewed)
		default:
			status = "-"
		}
		tag, _ := language.Parse(c.Tag)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n", c.Tag, names.In(tag, language.English),
			dash(c.Texts, c.TextsTotal), status, dash(c.Screening, c.ScreeningTotal), c.Draft, c.Reviewed, c.Copies)
	}
	tw.Flush()
}
