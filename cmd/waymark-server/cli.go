package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// usageError is a command line that does not parse: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// config is every flag; each command reads the ones it needs.
type config struct {
	addr, data, logFormat, content string
	tlsCert, tlsKey, url           string
	hosts                          []string
	anchors                        []string
	insecureHTTP                   bool
	db, keyFile                    string
	noMigrate                      bool
	outFile, inFile                string
	cpuProfile                     string
	qr                             string
	generate                       bool
	limits                         server.Limits
	// user fields
	name, number, agency, team, roles string
	out                               io.Writer
	in                                io.Reader
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// hostList is a repeatable flag.
type hostList struct{ hosts *[]string }

func (h hostList) String() string     { return "" }
func (h hostList) Set(v string) error { *h.hosts = append(*h.hosts, v); return nil }

// flags registers the flags every command accepts, before or after it.
func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", env("WAYMARK_ADDR", "127.0.0.1:8765"), "address to listen on (env WAYMARK_ADDR)")
	fs.StringVar(&c.data, "data", env("WAYMARK_DATA", "waymark-server-data"), "data folder (env WAYMARK_DATA)")
	fs.StringVar(&c.db, "db", env("WAYMARK_DB", ""), "PostgreSQL address (postgres://…) to keep the store in, shared by every replica; empty: the embedded store in the data folder (env WAYMARK_DB)")
	fs.StringVar(&c.keyFile, "key-file", env("WAYMARK_KEY_FILE", ""), "file holding the store key (32 bytes or 64 hex digits); empty: the systemd credential "+server.CredentialName+", else server.key in the data folder (env WAYMARK_KEY_FILE)")
	fs.BoolVar(&c.noMigrate, "no-migrate", false, "serve: do not migrate the PostgreSQL schema at start (run waymark-server migrate first)")
	fs.StringVar(&c.outFile, "out", "", "export: write to this new file (mode 0600) instead of standard output; backup: the folder to write the backup to, which must not exist or be empty")
	fs.StringVar(&c.inFile, "in", "", "import: read this file instead of standard input")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "serve: write a CPU profile (pprof) to this file until the server stops, for make bench")
	fs.StringVar(&c.logFormat, "log", env("WAYMARK_LOG", "text"), "log format: text or json (env WAYMARK_LOG)")
	fs.StringVar(&c.content, "content", env("WAYMARK_CONTENT", ""), "folder of the content pack to publish; empty: the pack built in (env WAYMARK_CONTENT)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "certificate file (PEM) to use instead of making one, at init")
	fs.StringVar(&c.tlsKey, "tls-key", "", "its private key (PEM)")
	fs.Var(hostList{&c.anchors}, "anchor", "verify: a head printed earlier (<seq>:<hash>) that the log must still pass through (repeatable)")
	fs.Var(hostList{&c.hosts}, "host", "a name or address for the certificate, besides localhost (repeatable), at init")
	fs.StringVar(&c.url, "url", "", "the address devices reach the server at (default https://<first --host or 127.0.0.1>:<port>)")
	fs.BoolVar(&c.insecureHTTP, "insecure-http", false, "serve plain HTTP, without TLS: local development only")
	fs.IntVar(&c.limits.Connections, "max-connections", 0, "serve: open connections at most (0: 1024)")
	fs.IntVar(&c.limits.InFlight, "max-in-flight", 0, "serve: requests answered at once (0: 64); more wait briefly, then get 429")
	fs.Float64Var(&c.limits.DeviceRate, "device-rate", 0, "serve: requests a second each device may make (0: 20)")
	fs.IntVar(&c.limits.DeviceBurst, "device-burst", 0, "serve: requests each device may make at once (0: 120)")
	fs.IntVar(&c.limits.AsideEntries, "aside-entries", 0, "serve: entries kept aside for review per device (0: 100)")
	fs.Int64Var(&c.limits.AsideBytes, "aside-bytes", 0, "serve: bytes kept aside for review per device (0: 16 MiB)")
	fs.DurationVar(&c.limits.BodyGrace, "body-grace", 0, "serve: time a request body may take before it must keep up --body-rate (0: 10s)")
	fs.Int64Var(&c.limits.BodyRate, "body-rate", 0, "serve: bytes a second a request body must arrive at after --body-grace (0: 8192)")
	fs.StringVar(&c.qr, "qr", "", "enrol, user totp: also write the link as a QR code PNG to this file")
	fs.BoolVar(&c.generate, "generate", false, "user passwd: make a random password and print it, instead of reading one line from standard input")
	fs.StringVar(&c.name, "name", "", "user add: the person's name")
	fs.StringVar(&c.number, "number", "", "user add: staff or collar number")
	fs.StringVar(&c.agency, "agency", "", "user add: agency, one of "+strings.Join(wire.Agencies, ", "))
	fs.StringVar(&c.team, "team", "", "user add: team")
	fs.StringVar(&c.roles, "roles", "", "user add: roles, comma-separated: officer, partner, interpreter, supervisor, admin")
}

// parse parses args with every flag allowed anywhere, and returns the
// words that are not flags.
func (c *config) parse(args []string) ([]string, error) {
	fs := flag.NewFlagSet("waymark-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs)
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(os.Stderr)
				fs.PrintDefaults()
				return nil, usagef("usage: see above")
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

// run runs the command line args, printing to out.
func run(args []string, out io.Writer) error {
	c := &config{out: out, in: os.Stdin}
	words, err := c.parse(args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if len(words) == 0 {
		return c.serve(ctx)
	}
	cmd, rest := words[0], words[1:]
	switch cmd {
	case "serve":
		return c.serve(ctx)
	case "init":
		return c.init(ctx)
	case "user", "enrol", "device", "log", "verify", "head", "aside", "operation":
		return c.admin(ctx, cmd, rest)
	case "backup":
		return c.backup(ctx, rest)
	case "migrate", "export", "import":
		if len(rest) != 0 {
			return usagef("%s takes no arguments", cmd)
		}
		return c.move(ctx, cmd)
	case "code":
		// The current code of a TOTP secret, for a demo or a test without
		// an authenticator app: it is the secret's holder's to run.
		if len(rest) != 1 {
			return usagef("code takes a TOTP secret (base32)")
		}
		secret, err := server.ParseTOTPSecret(rest[0])
		if err != nil {
			return usagef("the TOTP secret is not base32")
		}
		fmt.Fprintln(c.out, server.TOTPCode(secret, time.Now()))
		return nil
	}
	return usagef("unknown command %q: want serve, init, migrate, export, import, backup, user, enrol, device, log, verify, head, aside, operation or code", cmd)
}

// storeConfig is where the flags say the store is.
func (c *config) storeConfig() server.StoreConfig {
	return server.StoreConfig{DB: c.db, KeyFile: c.keyFile, NoMigrate: c.noMigrate}
}

// actor is who runs this command, as the admin log records it when the
// store is opened directly (the socket finds out for itself).
func actor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return fmt.Sprintf("cli:uid%d", os.Getuid())
}

func (c *config) init(ctx context.Context) error {
	d := server.DataDir(c.data)
	in, err := server.Init(ctx, d, server.InitOptions{Addr: c.addr, Hosts: c.hosts, URL: c.url, TLSCert: c.tlsCert, TLSKey: c.tlsKey, Actor: actor(), Store: c.storeConfig()})
	if err != nil {
		return fmt.Errorf("init %s: %w", c.data, err)
	}
	fmt.Fprintf(c.out, "Initialised %s\nserver address: %s\nserver key pin: %s\n", c.data, in.Config.URL, in.Pin)
	return c.printCode(in.Code, in.Link, "first administrator ("+in.Admin.ID+")")
}

// printCode prints an enrolment code and its link, and writes the QR
// image if asked.
func (c *config) printCode(code server.Code, l auth.Link, who string) error {
	fmt.Fprintf(c.out, "Enrolment code for %s: %s\n", who, code.Code)
	fmt.Fprintf(c.out, "Single use; expires %s (in %v).\n", code.Expires.Local().Format("15:04:05"), time.Until(code.Expires).Round(time.Minute))
	fmt.Fprintf(c.out, "Enrolment link: %s\n", l)
	if c.qr == "" {
		return nil
	}
	png, err := enrolqr.Encode(l.String())
	if err != nil {
		return err
	}
	// The image is the credential until used: only its owner reads it.
	if err := os.WriteFile(c.qr, png, 0o600); err != nil {
		return fmt.Errorf("write QR code: %w", err)
	}
	fmt.Fprintf(c.out, "QR code written to %s\n", c.qr)
	return nil
}

// administration returns the running server's socket client, or the
// store opened here if no server runs.
func (c *config) administration() (server.Administration, func(), error) {
	d := server.DataDir(c.data)
	if !d.Initialised() {
		return nil, nil, fmt.Errorf("%s is not initialised: run waymark-server init --data %s", c.data, c.data)
	}
	if conn, err := dialSocket(d.Socket()); err == nil {
		conn.Close() // a server answers there: ask it
		return &server.AdminClient{Socket: d.Socket()}, func() {}, nil
	}
	st, err := d.OpenStore(context.Background(), c.storeConfig(), false)
	if err != nil {
		return nil, nil, fmt.Errorf("open the store (is a server running on %s without its socket?): %w", c.data, err)
	}
	srv, err := d.Open(server.Options{Store: st})
	if err != nil {
		return nil, nil, err
	}
	return srv.Admin(actor()), func() { srv.Close() }, nil
}

func parseRoles(s string) []wire.Role {
	var rs []wire.Role
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rs = append(rs, wire.Role(r))
		}
	}
	return rs
}

func (c *config) admin(ctx context.Context, cmd string, args []string) error {
	sub := ""
	if cmd == "user" || cmd == "device" || cmd == "aside" || cmd == "operation" {
		if len(args) == 0 {
			return usagef("%s needs a subcommand", cmd)
		}
		sub, args = args[0], args[1:]
	}
	need := func(n int, what string) error {
		if len(args) != n {
			return usagef("%s %s takes %s", cmd, sub, what)
		}
		return nil
	}
	// Check the command line whole before anything is opened or written.
	switch cmd + " " + sub {
	case "user add":
		if err := need(1, "an account id"); err != nil {
			return err
		}
	case "user list", "device list", "log ", "head ":
		if err := need(0, "no arguments"); err != nil {
			return err
		}
	case "verify ":
		if err := need(0, "no arguments (anchors with --anchor)"); err != nil {
			return err
		}
		for _, a := range c.anchors {
			if _, err := server.ParseHead(a); err != nil {
				return usagef("%v", err)
			}
		}
	case "user disable", "user enable", "user passwd", "user totp":
		if err := need(1, "an account id"); err != nil {
			return err
		}
	case "aside list":
		if err := need(0, "no arguments"); err != nil {
			return err
		}
	case "aside resolve":
		if err := need(2, "an entry (device/seq/hash, as aside list shows it) and a decision: "+strings.Join(server.Decisions, ", ")); err != nil {
			return err
		}
	case "operation save":
		if err := need(1, "a file holding the operation's JSON document"); err != nil {
			return err
		}
	case "user role":
		if len(args) == 2 && c.roles == "" {
			c.roles, args = args[1], args[:1]
		}
		if err := need(1, "an account id and roles"); err != nil {
			return err
		}
	case "enrol ":
		if err := need(1, "an account id"); err != nil {
			return err
		}
	case "device revoke":
		if err := need(1, "a device id"); err != nil {
			return err
		}
		if _, err := uuid.Parse(args[0]); err != nil {
			return usagef("device id %q is not a uuid", args[0])
		}
	default:
		return usagef("unknown command %s %s", cmd, sub)
	}
	ad, done, err := c.administration()
	if err != nil {
		return err
	}
	defer done()
	w := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	defer w.Flush()
	switch cmd + " " + sub {
	case "user add":
		a, err := ad.AddUser(ctx, server.Account{ID: args[0], Name: c.name, Number: c.number, Agency: c.agency, Team: c.team, Roles: parseRoles(c.roles)})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Added %s (%s, %s, %s) with roles %s\n", a.ID, a.Name, a.Number, a.Agency, strings.Join(roleNames(a.Roles), ","))
	case "user list":
		as, err := ad.Users(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "id\tname\tnumber\tagency\tteam\troles\tstatus")
		for _, a := range as {
			status := "active"
			if a.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Number, a.Agency, a.Team, strings.Join(roleNames(a.Roles), ","), status)
		}
	case "user disable", "user enable":
		a, err := ad.SetDisabled(ctx, args[0], sub == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s is %s\n", a.ID, map[bool]string{true: "disabled: its devices are refused from their next request", false: "enabled"}[a.Disabled])
	case "user role":
		a, err := ad.SetRoles(ctx, args[0], parseRoles(c.roles))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s now has roles %s\n", a.ID, strings.Join(roleNames(a.Roles), ","))
	case "enrol ":
		code, err := ad.Enrol(ctx, args[0])
		if err != nil {
			return err
		}
		l, err := c.link(code)
		if err != nil {
			return err
		}
		return c.printCode(code, l, args[0])
	case "device list":
		ds, err := ad.Devices(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "device\taccount\tenrolled\tstatus")
		for _, d := range ds {
			status := "active"
			if d.IsRevoked() {
				status = "revoked " + d.Revoked.Local().Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d.ID, d.Account, d.Enrolled.Local().Format(time.DateTime), status)
		}
	case "device revoke":
		d, err := ad.Revoke(ctx, uuid.MustParse(args[0]))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Device %s of %s revoked: it is refused from its next request\n", d.ID, d.Account)
	case "user passwd":
		pw, err := c.password()
		if err != nil {
			return err
		}
		if err := ad.SetPassword(ctx, args[0], pw); err != nil {
			return err
		}
		if c.generate {
			fmt.Fprintf(w, "Console password for %s: %s\n", args[0], pw)
		}
		fmt.Fprintf(w, "The console password of %s is set.\n", args[0])
	case "user totp":
		t, err := ad.SetupTOTP(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "TOTP secret for %s: %s\nAuthenticator link: %s\n", t.Account, t.Secret, t.URL)
		if c.qr != "" {
			png, err := enrolqr.Encode(t.URL)
			if err != nil {
				return err
			}
			if err := os.WriteFile(c.qr, png, 0o600); err != nil {
				return fmt.Errorf("write QR code: %w", err)
			}
			fmt.Fprintf(w, "QR code written to %s: scan it with an authenticator app, then delete it\n", c.qr)
		}
	case "aside list":
		es, err := ad.AsideEntries(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "entry\taccount\trecord\tkind\tcode\treceived\tdecision")
		for _, e := range es {
			d := "to resolve"
			if e.Resolved != nil {
				d = e.Resolved.Decision + " by " + e.Resolved.By
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Ref, e.Account, e.ID, e.Kind, e.Code, e.Received.Local().Format(time.DateTime), d)
		}
	case "aside resolve":
		e, err := ad.ResolveAside(ctx, args[0], args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Entry %s resolved: %s (logged)\n", e.Ref, e.Resolved.Decision)
	case "operation save":
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		o, err := operation.Parse(b)
		if err != nil {
			return err
		}
		o, err = ad.SaveOperation(ctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Operation %s (%s) saved at revision %d\n", o.Name, o.ID, o.Revision)
	case "head ":
		h, err := ad.Head(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\n", h, h.At.UTC().Format(time.RFC3339))
	case "verify ":
		var anchors []server.Head
		for _, a := range c.anchors {
			h, _ := server.ParseHead(a)
			anchors = append(anchors, h)
		}
		rep, err := ad.Verify(ctx, anchors)
		if err != nil {
			return err
		}
		return printReport(w, rep)
	case "log ":
		es, err := ad.Log(ctx)
		if err != nil {
			return err
		}
		for _, e := range es {
			dev := ""
			if e.Device != uuid.Nil {
				dev = e.Device.String()
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format(time.DateTime), e.Actor, e.Action, e.Account, dev, e.Detail)
		}
	}
	return nil
}

// password is the console password to set: a random one with
// --generate, else one line of standard input.
func (c *config) password() (string, error) {
	if c.generate {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
	line, err := bufio.NewReader(c.in).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// errVerify is verify's failure: the report says what is wrong.
var errVerify = errors.New("verify found problems")

// printReport prints what verify found, a line per problem, then a
// summary, and returns errVerify if anything is wrong.
func printReport(w io.Writer, rep server.Report) error {
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "PROBLEM\t%s\t%s\n", p.Where, p.What)
	}
	fmt.Fprintf(w, "log: %d events, head %s\n", rep.Events, rep.Head)
	fmt.Fprintf(w, "records: %d, signatures verified %d, before the log %d; kept aside %d\n", rep.Records, rep.Signed, rep.Legacy, rep.Aside)
	fmt.Fprintf(w, "digest: %s\n", rep.Digest)
	if !rep.OK() {
		fmt.Fprintf(w, "%d problems\n", len(rep.Problems))
		return errVerify
	}
	fmt.Fprintln(w, "OK")
	return nil
}

// link is the enrolment link for code: the server's address and pin from
// the data folder.
func (c *config) link(code server.Code) (auth.Link, error) {
	d := server.DataDir(c.data)
	cfg, err := d.Config()
	if err != nil {
		return auth.Link{}, err
	}
	pc, err := auth.ParseCode(code.Code)
	if err != nil {
		return auth.Link{}, err
	}
	l := auth.Link{Server: cfg.URL, Code: pc}
	if c.url != "" {
		l.Server = c.url
	}
	if _, _, pin, err := d.TLS(cfg); err == nil {
		l.Pin = pin
	}
	return l, nil
}

func roleNames(rs []wire.Role) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return s
}
