package console

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
)

// chromiumPath finds Debian's chromium (scripts/deps.sh installs it). A
// machine without it fails the test: the browser tests are never skipped.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatal("no chromium: run scripts/deps.sh (as root) to install Debian's chromium package")
	return ""
}

// tab is a headless Chromium tab on the system's console.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string // folder of screenshots
}

// newTab starts a headless Chromium of its own (a fresh profile), which
// trusts the server's certificate by its public key and nothing else.
func (sys *system) newTab(t *testing.T, shots string) *tab {
	spki := strings.TrimPrefix(sys.srv.Pin, "sha256/")
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("ignore-certificate-errors-spki-list", spki),
		chromedp.WindowSize(1366, 900))
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	return &tab{t: t, ctx: ctx, base: sys.srv.URL, shots: shots}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *tab) html(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("html of %s: %v", sel, err)
	}
	return s
}

func (b *tab) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(s, b.base)
}

// open goes to path and waits for its heading.
func (b *tab) open(path string) string {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
	return b.text("h1")
}

// submit clicks sel (a submit button) and waits for the next page's wait.
// The page before is marked first, and the mark must be gone: otherwise
// wait, present on the page before too, would be found before the next
// page arrives.
func (b *tab) submit(sel, wait string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.body.setAttribute("data-stale", "1"), 1`)); err != nil {
		b.t.Fatal(err)
	}
	b.do(chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("body[data-stale]")), chromedp.WaitVisible(chromedp.CSS(wait)))
}

// overflow lists what reaches past the page's width (the vertical
// scrollbar left out): the page scrolls sideways if anything does.
const overflow = `(() => {
	const w = document.documentElement.clientWidth, out = [];
	if (document.documentElement.scrollWidth > w) out.push("page " + document.documentElement.scrollWidth + " > " + w);
	for (const e of document.querySelectorAll("body *")) {
		const r = e.getBoundingClientRect();
		if (r.right > w + 0.5) out.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " ends at " + Math.round(r.right));
	}
	return out.slice(0, 8);
})()`

// shoot saves a screenshot of the whole of path at desktop (1366) and
// tablet (800) width, as <name>-1366.png and <name>-800.png, and fails
// if anything on it reaches past the page's width at either. The shot is
// taken with a viewport as tall as the page: a full-page capture of a
// page with a vertical scrollbar is clipped to the width beside the
// scrollbar (785 of 800 px) while the page is drawn without it at
// 800, which looked like ~15 px lost on the right.
func (b *tab) shoot(name, path string) {
	b.t.Helper()
	for _, w := range []int64{1366, 800} {
		b.do(chromedp.EmulateViewport(w, 900), chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](overflow))
		if err != nil {
			b.t.Fatal(err)
		}
		if len(out) > 0 {
			b.t.Errorf("%s at %d px reaches past the page: %q", path, w, out)
		}
		height, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
		if err != nil {
			b.t.Fatal(err)
		}
		b.do(chromedp.EmulateViewport(w, max(height, 900)))
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(1366, 900))
}

func (b *tab) signIn(sys *system, account string) {
	b.t.Helper()
	b.open("/console/signin")
	b.do(chromedp.SetValue(chromedp.CSS(`input[name=account]`), account),
		chromedp.SetValue(chromedp.CSS(`input[name=password]`), password),
		chromedp.SetValue(chromedp.CSS(`input[name=code]`), sys.code(account)))
	b.submit(`form.signin button`, `nav`)
}

func (b *tab) signOut() {
	b.t.Helper()
	b.submit(`form.who button`, `form.signin`)
}

// download clicks sel, a link or button that downloads a file, and
// returns the file's content.
func (b *tab) download(sel string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	for range 200 { // 20 s at most
		if m, _ := filepath.Glob(filepath.Join(dir, "*.csv")); len(m) == 1 {
			b, err := os.ReadFile(m[0])
			if err == nil && len(b) > 0 {
				return string(b)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatal("the CSV export was not downloaded")
	return ""
}

// TestConsoleInBrowser drives the console in a real headless Chromium:
// sign in with a TOTP code, create an operation, see a device's
// encounter appear after its sync, filter, open a record, follow an
// overdue crime record, export CSV; a partner sees only what is theirs.
// Screenshots of every page at desktop and tablet width go to
// $WAYMARK_CONSOLE_SHOTS (a temporary folder if unset).
func TestConsoleInBrowser(t *testing.T) {
	shots := os.Getenv("WAYMARK_CONSOLE_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)
	sys := newSystem(t)
	north, south, glaa := sys.device("pc101"), sys.device("pc202"), sys.device("glaa1")
	now := time.Now()
	wash := encounter.Premises{Name: "Example Hand Car Wash", Address: "1 Example Road, Exampleton", Postcode: "EX1 1AA", Business: encounter.CarWash}
	nails := encounter.Premises{Name: "Example Nails", Address: "2 Sample Street", Postcode: "EX2 2BB", Business: encounter.NailBar}
	overdue := south.record(t, overdueNRM, nails, now.Add(-30*time.Hour), nil)
	dtn := south.record(t, dutyNotify, wash, now.Add(-50*24*time.Hour), nil)
	theirs := glaa.record(t, green, encounter.Premises{Name: "Example Farm", Business: encounter.Farm, Postcode: "EX3 3CC", Address: "Example Lane"}, now.Add(-3*time.Hour), nil)
	for _, d := range []*device{south, glaa} {
		d.sync(t)
	}

	b := sys.newTab(t, shots)
	b.shoot("signin", "/console/signin")
	b.signIn(sys, "sup1")

	// Create an operation: two premises, the north officer in a team,
	// the GLAA inspector among the partners.
	if h := b.open("/console/operations/new"); h != "New operation" {
		t.Fatalf("new operation page: %q", h)
	}
	today := now.In(time.UTC).Format(time.DateOnly)
	b.do(chromedp.SetValue(chromedp.CSS(`input[name=name]`), "Operation Example"),
		chromedp.SetValue(chromedp.CSS(`input[name=start]`), today),
		chromedp.SetValue(chromedp.CSS(`input[name=end]`), today),
		chromedp.SetValue(chromedp.CSS(`textarea[name=briefing]`), "Car washes and nail bars on the ring road. Labour exploitation suspected."),
		chromedp.SetValue(chromedp.CSS(`input[name=rendezvous]`), "Example Road police station, 07:00"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=teams]`), "North: pc101"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=partners]`), "glaa | Inspector on duty | glaa1"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=interpreters]`), "Interpreter A | ro, sq | 01000 000000"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=premises]`),
			"Example Hand Car Wash | 1 Example Rd, Exampleton | EX1 1AA | car_wash | Workers seen sleeping on site | Dog on premises\n"+
				"Example Nails | 2 Sample Street | EX2 2BB | nail_bar | Cash only | "))
	b.submit(`form.opform button`, `.notice`)
	loc := b.location()
	opID, err := uuid.Parse(strings.TrimSuffix(strings.TrimPrefix(loc, "/console/operations/"), "?saved=1"))
	if err != nil {
		t.Fatalf("after saving: at %s", loc)
	}
	if got := b.text(".premises"); !strings.Contains(got, "Visits here") || !strings.Contains(got, "Dog on premises") {
		t.Errorf("premises shown as %q", got)
	}
	// The earlier visit to the car wash (another address spelling) shows
	// as its visit history.
	if got := b.html("main"); !strings.Contains(got, dtn.ID.String()) {
		t.Error("the operation page does not show the car wash's earlier visit")
	}
	b.shoot("operation", loc)
	b.shoot("operation-edit", "/console/operations/"+opID.String()+"/edit")
	b.shoot("operations", "/console/operations")

	// The north officer's device receives it at its next sync, starts an
	// encounter from the car wash, and the day shows it once synced.
	north.sync(t)
	br, err := north.st.Briefings(ctx)
	if err != nil || len(br.Operations) != 1 {
		t.Fatalf("the officer's device holds %d operations (%v)", len(br.Operations), err)
	}
	var op operation.Operation = br.Operations[0]
	fromList := north.record(t, overdueNRM, op.Premises[0].Encounter(), now.Add(-time.Hour), func(r *encounter.Record) {
		r.OperationID, r.PremisesID, r.Operation = op.ID, op.Premises[0].ID, op.Name
		r.Present = []encounter.Presence{{Agency: "glaa", Name: "Inspector Example"}}
	})
	if got := b.open("/console/?op=" + opID.String()); !strings.Contains(got, "Operation Example") {
		t.Fatalf("the day: %q", got)
	}
	if got := b.text(".tiles"); !strings.Contains(got, "0 / 2") {
		t.Errorf("before the sync the day says %q", got)
	}
	north.sync(t)
	// The GLAA inspector, on the operation as a partner, records their own
	// observations of the same visit on their own device: the same
	// operation and premises link the two records.
	glaa.sync(t)
	if gb, err := glaa.st.Briefings(ctx); err != nil || len(gb.Operations) != 1 {
		t.Fatalf("the partner's device holds %d operations (%v)", len(gb.Operations), err)
	}
	obs := glaa.record(t, green, op.Premises[0].Encounter(), now.Add(-50*time.Minute), func(r *encounter.Record) {
		r.OperationID, r.PremisesID, r.Operation = op.ID, op.Premises[0].ID, op.Name
		r.Notes = "GLAA findings: no payslips; workers paid in cash below the minimum wage."
	})
	glaa.sync(t)
	b.open("/console/?op=" + opID.String())
	if got := b.text(".tiles"); !strings.Contains(got, "1 / 2") || !strings.Contains(got, "1\nRed") && !strings.Contains(got, "1 Red") {
		t.Errorf("after the sync the day says %q", got)
	}
	if got := b.html("table"); !strings.Contains(got, "visited") || !strings.Contains(got, "GLAA") {
		t.Errorf("premises table: %s", got)
	}
	b.shoot("day", "/console/?op="+opID.String())

	// Filter the encounters: Red only.
	b.open("/console/encounters")
	if got := b.text(".count"); !strings.Contains(got, "of 5 encounters") {
		t.Errorf("all encounters: %q", got)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`select[name=level]`), "red"))
	b.submit(`form.filters button`, `table.rows`)
	rows := b.html("table.rows")
	if !strings.Contains(rows, overdue.ID.String()) || !strings.Contains(rows, fromList.ID.String()) || strings.Contains(rows, dtn.ID.String()) || strings.Contains(rows, theirs.ID.String()) {
		t.Errorf("Red encounters: %s", rows)
	}
	if !strings.Contains(b.location(), "level=red") {
		t.Errorf("the filter is not in the address: %s", b.location())
	}
	b.shoot("encounters", "/console/encounters")
	b.shoot("encounters-red", "/console/encounters?level=red&q=example")

	// Open a record: its signature is verified, its read is logged.
	b.do(chromedp.Click(chromedp.CSS(`a[href="/console/encounters/`+fromList.ID.String()+`"]`)), chromedp.WaitVisible(chromedp.CSS(".sig")))
	if got := b.text(".sig"); !strings.Contains(got, "verified") {
		t.Errorf("signature: %q", got)
	}
	if got := b.html("main"); !strings.Contains(got, "Inspector Example") || !strings.Contains(got, "Operation Example") {
		t.Error("the record does not show the partner present or its operation")
	}
	if got := b.html("main"); !strings.Contains(got, `href="/console/encounters/`+obs.ID.String()+`"`) {
		t.Error("the officer's record does not link the partner's record of the same visit")
	}
	b.shoot("record", "/console/encounters/"+fromList.ID.String())

	// Follow the overdue crime record: first in the list.
	b.open("/console/referrals")
	first := b.html("table.rows tbody tr")
	if !strings.Contains(first, "overdue") || !strings.Contains(first, overdue.ID.String()) {
		t.Errorf("first row of the referrals: %s", first)
	}
	b.do(chromedp.Click(chromedp.CSS(`table.rows tbody tr a`)), chromedp.WaitVisible(chromedp.CSS(".sig")))
	if got := b.location(); got != "/console/encounters/"+overdue.ID.String() {
		t.Errorf("followed the overdue record to %s", got)
	}
	if got := b.html("dl.facts"); !strings.Contains(got, "overdue by") {
		t.Errorf("the overdue record says %s", got)
	}
	b.shoot("referrals", "/console/referrals")

	// Export CSV.
	b.open("/console/exports")
	csv := b.download(`form[action="/console/exports/encounters.csv"] button`)
	for _, id := range []uuid.UUID{overdue.ID, fromList.ID, theirs.ID} {
		if !strings.Contains(csv, id.String()) {
			t.Errorf("the CSV has no row for %s:\n%s", id, csv)
		}
	}
	if strings.Contains(csv, dtn.ID.String()) {
		t.Error("the CSV of the last week has a record of 50 days ago")
	}
	b.shoot("exports", "/console/exports")
	q := (int(now.Month())-1)/3 + 1
	b.shoot("dtn", fmt.Sprintf("/console/exports/dtn?year=%d&quarter=%d", now.Year(), q))
	b.shoot("aside", "/console/aside")

	reads := sys.reads(t, "console:sup1", "console: record")
	if !reads[fromList.ID] || !reads[overdue.ID] {
		t.Error("the records opened are not in the server's log of reads")
	}

	// A partner sees the briefing and their own agency's records only.
	b.signOut()
	b.signIn(sys, "glaa1")
	b.open("/console/encounters")
	rows = b.html("main")
	if !strings.Contains(rows, theirs.ID.String()) || !strings.Contains(rows, obs.ID.String()) || strings.Contains(rows, overdue.ID.String()) || strings.Contains(rows, fromList.ID.String()) {
		t.Errorf("the partner's encounters: %s", rows)
	}
	// Their own record of the visit does not lead them to the police's.
	b.open("/console/encounters/" + obs.ID.String())
	if got := b.html("main"); strings.Contains(got, fromList.ID.String()) {
		t.Error("the partner's record links the police record of the visit")
	}
	if h := b.open("/console/encounters/" + overdue.ID.String()); !strings.HasPrefix(h, "404") {
		t.Errorf("a police record opened by the partner: %q", h)
	}
	if h := b.open("/console/referrals"); !strings.HasPrefix(h, "403") {
		t.Errorf("the referrals opened by the partner: %q", h)
	}
	if h := b.open("/console/operations/" + opID.String()); h != "Operation Example" {
		t.Errorf("the partner's briefing: %q", h)
	}
	if got := b.html("main"); strings.Contains(got, dtn.ID.String()) {
		t.Error("the partner sees the police's visit history")
	}
	b.open("/console/exports")
	csv = b.download(`form[action="/console/exports/encounters.csv"] button`)
	if !strings.Contains(csv, theirs.ID.String()) || strings.Contains(csv, overdue.ID.String()) || strings.Contains(csv, fromList.ID.String()) {
		t.Errorf("the partner's CSV:\n%s", csv)
	}
	b.shoot("partner-day", "/console/")
	b.shoot("partner-encounters", "/console/encounters")
	b.shoot("partner-operation", "/console/operations/"+opID.String())
	b.shoot("partner-forbidden", "/console/referrals")

	// An administrator: accounts and devices, an enrolment code's QR.
	b.signOut()
	b.signIn(sys, "admin1")
	b.shoot("accounts", "/console/accounts")
	b.open("/console/accounts")
	b.submit(`form[action="/console/accounts/pc202/enrol"] button`, `.enrol img`)
	if got := b.text(".enrol .code"); len(got) != 14 {
		t.Errorf("enrolment code shown as %q", got)
	}
	// The QR image is drawn (the CSP lets data: images through, and the
	// template did not sanitise its address away).
	if w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector(".enrol img").naturalWidth`)); err != nil || w == 0 {
		t.Errorf("the enrolment QR image is not drawn (natural width %d, %v)", w, err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "accounts-enrol-1366.png"), png, 0o644)
}
