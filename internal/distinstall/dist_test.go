//go:build dist

package distinstall

import (
	"bytes"
	"crypto/tls"
	"debug/elf"
	"debug/pe"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/waymark-app/waymark/internal/xvfb"
)

// repo is the repository's root, from this package's folder.
const repo = "../.."

// appID, appName and binName are what FyneApp.toml and the package
// name the app: the desktop file, the icon and the command.
const (
	appID   = "org.waymark.app"
	appName = "Waymark"
	binName = "waymark"
)

// TestLinuxPackage installs the Linux package as its own Makefile does
// (make install into a DESTDIR, and make user-install into a HOME of its
// own), checks what landed where, and starts the installed app on a
// virtual screen: its window must appear and draw its first screen (the
// choice of a PIN), and the app must quit on SIGTERM, printing no panic
// and no Fyne error.
func TestLinuxPackage(t *testing.T) {
	pkg := artefact(t, "waymark-*-linux-amd64.tar.xz")
	dir := t.TempDir()
	unpacked := filepath.Join(dir, "unpacked")
	must(t, os.Mkdir(unpacked, 0o755))
	run(t, nil, "tar", "-xJf", pkg, "-C", unpacked)
	src := filepath.Join(unpacked, binName)

	root := filepath.Join(dir, "root")
	run(t, nil, "make", "-C", src, "install", "DESTDIR="+root, "PREFIX=/usr")
	bin := filepath.Join(root, "usr", "bin", binName)
	if fi, err := os.Stat(bin); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("make install: %s is not an executable (mode 0755): %v", bin, err)
	}
	icon, err := os.ReadFile(filepath.Join(root, "usr", "share", "pixmaps", appID+".png"))
	must(t, err)
	want, err := os.ReadFile(filepath.Join(repo, "assets", "icon.png"))
	must(t, err)
	if !bytes.Equal(icon, want) {
		t.Error("make install: the icon installed is not assets/icon.png")
	}
	entry := filepath.Join(root, "usr", "share", "applications", appID+".desktop")
	run(t, nil, "desktop-file-validate", entry) // the freedesktop.org specification's own checker
	desktop := readDesktop(t, entry)
	for k, v := range map[string]string{"Type": "Application", "Name": appName, "Exec": binName, "Icon": appID} {
		if desktop[k] != v {
			t.Errorf("make install: the desktop file says %s=%q, want %q", k, desktop[k], v)
		}
	}

	home := filepath.Join(dir, "home")
	run(t, []string{"HOME=" + home}, "make", "-C", src, "user-install")
	user := readDesktop(t, filepath.Join(home, ".local", "share", "applications", appID+".desktop"))
	if got, want := user["Exec"], filepath.Join(home, ".local", "bin", binName); got != want {
		t.Errorf("make user-install: the desktop file runs %q, want %q", got, want)
	} else if same, err := sameFile(got, bin); err != nil || !same {
		t.Errorf("make user-install: %s is not the app make install installed (%v)", got, err)
	}

	shot := launch(t, bin, home, filepath.Join(dir, "data"))
	if dst := os.Getenv("WAYMARK_DIST_SHOT"); dst != "" {
		must(t, os.WriteFile(dst, shot, 0o644))
	}
}

// launch starts bin on a screen of its own with HOME home, waits for its
// window to draw its first screen, stops it with SIGTERM, and returns the
// window's screenshot (PNG).
func launch(t *testing.T, bin, home, data string) []byte {
	display := xvfb.Start(t)
	env := append(os.Environ(), "DISPLAY="+display, "HOME="+home, "LANGUAGE=en",
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"))
	var out bytes.Buffer // written by the command's copier only until Wait returns
	cmd := exec.Command(bin, "--data", data)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("still running 15 s after SIGTERM")
		}
	}

	// The first start draws the screen that asks for a PIN: many colours
	// (text, its anti-aliasing, the buttons), where a window that has not
	// drawn yet is one flat colour.
	var shot []byte
	var why string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("the installed app exited before drawing its first screen (%v):\n%s", err, out.String())
		default:
		}
		window, err := output(env, "xdotool", "search", "--onlyvisible", "--name", "^"+appName+"$")
		if err != nil || window == "" {
			why = "no window named " + appName
			continue
		}
		window = strings.Fields(window)[0]
		png, err := output(env, "import", "-window", window, "png:-")
		if err != nil {
			why = "no screenshot: " + err.Error()
			continue
		}
		if why = drawn([]byte(png)); why == "" {
			shot = []byte(png)
			break
		}
	}
	if shot == nil {
		err := stop()
		t.Fatalf("the installed app did not draw its first screen within 90 s: %s (exit: %v)\n%s", why, err, out.String())
	}
	if err := stop(); err != nil {
		var ee *exec.ExitError
		// SIGTERM's default action ends the program: that is quitting.
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("the installed app did not quit on SIGTERM: %v\n%s", err, out.String())
		}
	}
	if log := fynePrefsRace.ReplaceAllString(out.String(), ""); strings.Contains(log, "panic:") ||
		strings.Contains(log, "Fyne error") || strings.Contains(log, "Error in Fyne call thread") {
		t.Errorf("the installed app printed an error:\n%s", log)
	}
	return shot
}

// fynePrefsRace is Fyne's own message when its preferences watcher reads
// the file while Fyne rewrites it on quitting (Fyne v2.7.1; see the
// launch test): not the app's.
var fynePrefsRace = regexp.MustCompile(`.*Fyne error:  Preferences load error:\n.*Cause: EOF\n`)

// drawn says why the screenshot png shows no drawn screen, or "" if it
// does: at least 400x400 pixels, at least 32 colours, and at least 2 %
// of its pixels unlike the most common (background) colour.
func drawn(png []byte) string {
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return "the screenshot is no image: " + err.Error()
	}
	b := img.Bounds()
	if b.Dx() < 400 || b.Dy() < 400 {
		return fmt.Sprintf("the window is %dx%d", b.Dx(), b.Dy())
	}
	counts := map[[3]uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	total := b.Dx() * b.Dy()
	if len(counts) < 32 || total-top < total/50 {
		return fmt.Sprintf("the window shows %d colours, %d of %d pixels off the background", len(counts), total-top, total)
	}
	return ""
}

// TestServerPackage unpacks the server's archive: a static x86-64 binary
// that says the version make dist stamped, its systemd unit, sysusers
// file, example environment and README; then runs the binary as the unit
// would (the environment file, the store key handed over as the systemd
// credential waymark-store-key), on a loopback port, until it answers
// TLS, and stops it with SIGTERM.
func TestServerPackage(t *testing.T) {
	pkg := artefact(t, "waymark-server-*-linux-amd64.tar.gz")
	dir := t.TempDir()
	run(t, nil, "tar", "-xzf", pkg, "-C", dir)
	name := strings.TrimSuffix(filepath.Base(pkg), ".tar.gz")
	top := filepath.Join(dir, name)
	for _, f := range []string{"waymark-server", "waymark-server.service", "waymark-server.env", "waymark.sysusers", "README.md"} {
		if _, err := os.Stat(filepath.Join(top, f)); err != nil {
			t.Errorf("the archive lacks %s/%s", name, f)
		}
	}
	bin := filepath.Join(top, "waymark-server")
	f, err := elf.Open(bin)
	must(t, err)
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("waymark-server is for %v, want x86-64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("waymark-server is dynamically linked (%v)", p.Type)
		}
	}

	version := appVersion(t)
	if !strings.HasPrefix(name, "waymark-server-"+version+"-") {
		t.Errorf("the archive %s is not named for version %s", name, version)
	}
	said := run(t, nil, bin, "version")
	if !regexp.MustCompile(`^waymark-server ` + regexp.QuoteMeta(version) + `\+g[0-9a-f]{8}(\.dirty)? \(go`).MatchString(said) {
		t.Errorf("waymark-server version says %q, want the stamped version %s+g<commit>", said, version)
	}

	// As the unit runs it: its environment file, then a loopback port
	// instead of the example's address; the key as a credential.
	env := os.Environ()
	for _, line := range strings.Split(string(readFile(t, filepath.Join(top, "waymark-server.env"))), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			env = append(env, line)
		}
	}
	creds := filepath.Join(dir, "credentials")
	must(t, os.Mkdir(creds, 0o700))
	key := bytes.Repeat([]byte{0x5a}, 32) // a synthetic key
	must(t, os.WriteFile(filepath.Join(creds, "waymark-store-key"), key, 0o400))
	addr := freeAddr(t)
	env = append(env, "CREDENTIALS_DIRECTORY="+creds, "WAYMARK_ADDR="+addr)
	data := filepath.Join(dir, "data")
	run(t, env, bin, "--data", data, "init")
	var out bytes.Buffer
	cmd := exec.Command(bin, "--data", data, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	answered := false
	for deadline := time.Now().Add(60 * time.Second); !answered && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("waymark-server serve exited (%v):\n%s", err, out.String())
		default:
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true}) // its own certificate; only that it answers TLS matters here
		if err == nil {
			c.Close()
			answered = true
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("waymark-server did not stop cleanly on SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Errorf("waymark-server still ran 30 s after SIGTERM")
	}
	if !answered {
		t.Fatalf("waymark-server did not answer TLS on %s within 60 s:\n%s", addr, out.String())
	}
	// The key came from the credential: none may be left beside the data
	// it opens, where a copy of the folder would carry it.
	if _, err := os.Stat(filepath.Join(data, "server.key")); err == nil {
		t.Errorf("the data folder holds server.key although the key came as the credential %s", "waymark-store-key")
	}
}

// TestWindowsBuild checks the Windows build: a 64-bit Windows GUI
// program (no console window) that needs no DLL but Windows' own, whose
// resources carry its name, icon and version from FyneApp.toml.
func TestWindowsBuild(t *testing.T) {
	exe := artefact(t, "waymark-*-windows-amd64.exe")
	f, err := pe.Open(exe)
	must(t, err)
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("the Windows build is for machine %#x, want x86-64", f.Machine)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok || oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("the Windows build is not a 64-bit GUI program (%T)", f.OptionalHeader)
	}
	// A DLL of MinGW's own (libwinpthread-1.dll, libgcc_s_seh-1.dll) is on
	// no officer's laptop: only Windows' own may be imported.
	syms, err := f.ImportedSymbols() // "Name:dll" (ImportedLibraries says nothing for PE)
	must(t, err)
	var dlls []string
	for _, sym := range syms {
		if _, dll, ok := strings.Cut(sym, ":"); ok && !slices.Contains(dlls, dll) {
			dlls = append(dlls, dll)
		}
	}
	if !slices.ContainsFunc(dlls, func(d string) bool { return strings.EqualFold(d, "opengl32.dll") }) {
		t.Errorf("the Windows build does not import OpenGL32.dll, which Fyne draws with (it imports %v)", dlls)
	}
	for _, d := range dlls {
		if strings.HasPrefix(strings.ToLower(d), "lib") {
			t.Errorf("the Windows build needs %s, which Windows does not have", d)
		}
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("the Windows build has no resources (icon, version)")
	}
	res, err := rsrc.Data()
	must(t, err)
	utf16 := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()
	for _, s := range []string{appName, appVersion(t)} {
		enc, err := utf16.String(s)
		must(t, err)
		if !bytes.Contains(res, []byte(enc)) {
			t.Errorf("the Windows build's version resource does not say %q", s)
		}
	}
	if !bytes.Contains(res, []byte{0, 0, 1, 0}) { // an icon directory: reserved 0, type 1
		t.Error("the Windows build's resources hold no icon")
	}
}

// artefact returns the newest file in the dist folder (dist/, or
// WAYMARK_DIST) that matches pattern.
func artefact(t *testing.T, pattern string) string {
	t.Helper()
	dir := os.Getenv("WAYMARK_DIST")
	if dir == "" {
		dir = filepath.Join(repo, "dist")
	}
	found, err := filepath.Glob(filepath.Join(dir, pattern))
	must(t, err)
	if len(found) == 0 {
		t.Fatalf("no %s in %s: run make dist (or make dist-test)", pattern, dir)
	}
	slices.SortFunc(found, func(a, b string) int { return modTime(b).Compare(modTime(a)) })
	abs, err := filepath.Abs(found[0])
	must(t, err)
	return abs
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// appVersion is FyneApp.toml's Version, the one make dist names the
// artefacts and stamps the server with.
func appVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(readFile(t, filepath.Join(repo, "FyneApp.toml")))
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	return string(m[1])
}

// readDesktop reads a desktop entry's [Desktop Entry] keys.
func readDesktop(t *testing.T, path string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	group := ""
	for _, line := range strings.Split(string(readFile(t, path)), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "["):
			group = line
		case group == "[Desktop Entry]" && strings.Contains(line, "="):
			k, v, _ := strings.Cut(line, "=")
			keys[k] = v
		}
	}
	if group == "" {
		t.Fatalf("%s is no desktop entry", path)
	}
	return keys
}

// sameFile says whether a and b hold the same bytes.
func sameFile(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	return bytes.Equal(x, y), err
}

// freeAddr is a loopback address with a port no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().String()
}

// run runs a command with the extra environment env and returns its
// standard output; it fails the test if the command does.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// output runs a command with the environment env and returns its
// standard output.
func output(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.Output()
	return string(out), err
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDrawn checks the check of a drawn screen on made-up screenshots: a
// window still one flat colour, one too small, one with a few colours
// only (a cleared window with a frame) and one with text-like detail.
func TestDrawn(t *testing.T) {
	flat := func(w, h int) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = 0x1b
		}
		return img
	}
	framed := flat(400, 780)
	for x := range 400 {
		framed.Set(x, 0, color.RGBA{0xff, 0xff, 0xff, 0xff})
		framed.Set(x, 779, color.RGBA{0x30, 0x70, 0xff, 0xff})
	}
	detailed := flat(400, 780)
	for y := 100; y < 260; y++ { // a block of "text": many shades
		for x := 10; x < 390; x++ {
			v := uint8((x*7 + y*13) % 256)
			detailed.Set(x, y, color.RGBA{v, v, v, 0xff})
		}
	}
	for _, tc := range []struct {
		name  string
		img   image.Image
		drawn bool
	}{
		{"flat", flat(400, 780), false},
		{"small", detailed.SubImage(image.Rect(0, 0, 300, 300)), false},
		{"framed", framed, false},
		{"detailed", detailed, true},
	} {
		var buf bytes.Buffer
		must(t, png.Encode(&buf, tc.img))
		if why := drawn(buf.Bytes()); (why == "") != tc.drawn {
			t.Errorf("%s: drawn says %q, want drawn=%v", tc.name, why, tc.drawn)
		}
	}
}
