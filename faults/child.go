package faults

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
)

// Environment variables that make a process a child of the harness.
const (
	envRole   = "WAYMARK_FAULTS_ROLE"   // "server" or "device"
	envConfig = "WAYMARK_FAULTS_CONFIG" // JSON childConfig
)

// IsChild reports whether this process was started by the harness as a
// device or a server. A program that runs the harness (a test binary's
// TestMain, cmd/waymark-faults) calls it first, and RunChild if so.
func IsChild() bool { return os.Getenv(envRole) != "" }

// RunChild plays the role the harness gave this process, until killed or
// told to stop, and returns the exit code.
func RunChild() int {
	var c childConfig
	if err := json.Unmarshal([]byte(os.Getenv(envConfig)), &c); err != nil {
		fmt.Println("fatal bad config:", err)
		return 3
	}
	var err error
	switch os.Getenv(envRole) {
	case "server":
		err = runServer(c)
	case "device":
		err = runDevice(c)
	default:
		err = fmt.Errorf("unknown role %q", os.Getenv(envRole))
	}
	if err != nil {
		fmt.Println("fatal", strings.ReplaceAll(err.Error(), "\n", " "))
		return 3
	}
	return 0
}

// childConfig tells a child what to do.
type childConfig struct {
	Dir    string // device store, or server data folder
	Key    string // device store key, hex
	Addr   string // server: address to listen on
	DB     string // server: PostgreSQL address, shared with other replicas; empty: embedded
	Server string // device: sync server URL
	Mode   string // device: "drafts", "push" or "fill"
	Seed   uint64
	Batch  int // device: entries per push
	Count  int // device, push mode: encounters to record before the first push
	Size   int // device: bytes of notes per draft edit
}

// runServer serves the sync protocol as cmd/waymark-server does, on the
// same data folder (initialised on first start), until SIGTERM.
func runServer(c childConfig) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	fmt.Println("starting")
	return server.Run(ctx, server.RunOptions{Data: server.DataDir(c.Dir), Addr: c.Addr, Store: server.StoreConfig{DB: c.DB}})
}

// A device child reports what it has done, one line per fact, written
// only after the fact is durable:
//
//	ready <device>             the store is open
//	saved <record> <n>         edit n of a draft is saved
//	full <record> <n> <enospc> edit n was refused as the disk is full;
//	                           enospc says errors.Is(err, syscall.ENOSPC),
//	                           which the app turns into its message
//	finalising <record>        about to finalise
//	final <record>             finalised and queued
//	syncing                    a sync starts
//	synced <acked> <queued>    a sync succeeded
//	syncfail                   a sync failed
//	closed <error>             the store closed, on "close" from stdin
//	fatal <error>              an unexpected failure; exits 3
func runDevice(c childConfig) error {
	key, err := hex.DecodeString(c.Key)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Dir: c.Dir, Key: key})
	if err != nil {
		return err
	}
	d := &childDevice{st: st, rng: rand.New(rand.NewPCG(c.Seed, 0xc41d)), size: max(c.Size, 16)}
	// Enrolled before the cycles (the disk-full device never is: it never
	// pushes); records name the credential's account.
	cred, err := client.LoadCredential(ctx, st)
	if err != nil && !errors.Is(err, store.ErrNotEnrolled) {
		return err
	}
	if cred != nil {
		d.officer = cred.Officer()
		st.SetSigner(cred)
	}
	fmt.Println("ready", st.DeviceID())
	closing := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if sc.Text() == "close" {
				close(closing)
				return
			}
		}
	}()
	stop := func() bool {
		select {
		case <-closing:
			fmt.Println("closed", st.Close())
			return true
		default:
			return false
		}
	}
	switch c.Mode {
	case "drafts":
		for !stop() {
			if err := d.edit(ctx, 4, 25); err != nil {
				return err
			}
		}
	case "fill":
		for !stop() {
			// A new draft every time, so the store grows: edits of a few
			// drafts would be compacted away and never fill the disk.
			err := d.edit(ctx, math.MaxInt, 0)
			if errors.Is(err, store.ErrDiskFull) {
				time.Sleep(time.Millisecond)
				continue
			}
			if err != nil {
				return err
			}
		}
	case "push":
		if cred == nil {
			return errors.New("push mode on a device that is not enrolled")
		}
		eng := client.New(st, client.Options{Server: c.Server, Signer: cred, Pin: cred.Pin, BatchEntries: c.Batch})
		n := c.Count
		for !stop() {
			for range n {
				if err := d.encounter(ctx); err != nil {
					return err
				}
			}
			fmt.Println("syncing")
			if err := eng.SyncOnce(ctx); err != nil {
				fmt.Println("syncfail")
				time.Sleep(20 * time.Millisecond)
				n = 0
				continue
			}
			p, err := st.Progress(ctx)
			if err != nil {
				return err
			}
			fmt.Println("synced", p.Acked, p.Queued())
			n = 1 + d.rng.IntN(20)
		}
	default:
		return fmt.Errorf("unknown mode %q", c.Mode)
	}
	return nil
}

// childDevice writes drafts whose content the harness can predict.
type childDevice struct {
	st      *store.Store
	officer encounter.Officer // who the device's records name
	rng     *rand.Rand
	size    int
	drafts  []encounter.Record
	edits   map[uuid.UUID]int
}

// edit saves the next edit of one of up to keep open drafts; every
// finaliseEvery edits on average (0: never) it finalises one instead.
func (d *childDevice) edit(ctx context.Context, keep, finaliseEvery int) error {
	if d.edits == nil {
		d.edits = map[uuid.UUID]int{}
	}
	if len(d.drafts) < keep {
		r, err := encounter.New(d.st.DeviceID(), time.Now().Add(-time.Minute))
		if err != nil {
			return err
		}
		r.Officer = d.officer
		r.Premises = encounter.Premises{Name: "Harness premises " + r.ID.String()[:8], Business: encounter.Takeaway}
		d.drafts = append(d.drafts, r)
	}
	i := d.rng.IntN(len(d.drafts))
	r := &d.drafts[i]
	if finaliseEvery > 0 && d.edits[r.ID] > 0 && d.rng.IntN(finaliseEvery) == 0 {
		fmt.Println("finalising", r.ID)
		if _, err := d.st.Finalise(ctx, r.ID); err != nil {
			return err
		}
		fmt.Println("final", r.ID)
		d.drafts = append(d.drafts[:i], d.drafts[i+1:]...)
		return nil
	}
	n := d.edits[r.ID] + 1
	r.Notes = draftNotes(n, d.size)
	err := d.st.SaveDraft(ctx, *r)
	if errors.Is(err, store.ErrDiskFull) {
		fmt.Println("full", r.ID, n, errors.Is(err, syscall.ENOSPC))
		return err
	}
	if err != nil {
		return err
	}
	d.edits[r.ID] = n
	fmt.Println("saved", r.ID, n)
	return nil
}

// encounter records one complete encounter in two saves and finalises it.
func (d *childDevice) encounter(ctx context.Context) error {
	if err := d.edit(ctx, 1, 0); err != nil {
		return err
	}
	r := d.drafts[0]
	if err := d.edit(ctx, 1, 0); err != nil {
		return err
	}
	fmt.Println("finalising", r.ID)
	if _, err := d.st.Finalise(ctx, r.ID); err != nil {
		return err
	}
	fmt.Println("final", r.ID)
	d.drafts = d.drafts[:0]
	return nil
}

// draftNotes is the notes field of edit n of a harness draft, size bytes long
// (at least its header): the harness knows from the header alone what the
// whole field must be.
func draftNotes(n, size int) string {
	head := fmt.Sprintf("edit %d of %d bytes:", n, size)
	var b strings.Builder
	b.WriteString(head)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, " %s", noteWords[(n+i)%len(noteWords)])
	}
	return b.String()[:max(size, len(head))]
}

// parseNotes reads the edit number and size from a harness draft's notes.
func parseNotes(s string) (n, size int, ok bool) {
	_, err := fmt.Sscanf(s, "edit %d of %d bytes:", &n, &size)
	return n, size, err == nil && draftNotes(n, size) == s
}

var noteWords = []string{"workers", "sleeping", "in", "the", "back", "room", "cash", "only", "no", "equipment", "van", "at", "six"}

// diskFullMessage is the sentence the officer sees for a full disk.
func diskFullMessage() string {
	b, err := i18n.Load()
	if err != nil {
		return ""
	}
	return b.Printer(i18n.Source).T("form.disk_full")
}
