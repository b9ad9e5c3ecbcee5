package faults

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// uniform returns a duration in [lo, hi).
func uniform(rng *mrand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// startDevice starts a device child on dev and waits for it to be ready.
func (h *harness) startDevice(dev *device, c childConfig) (*child, error) {
	base := dev.config()
	c.Dir, c.Key = base.Dir, base.Key
	ch, err := startChild("", "device", c, nil, h.log)
	if err != nil {
		return nil, err
	}
	if _, err := h.follow(ch, dev, 30*time.Second, func(l string) bool { return strings.HasPrefix(l, "ready") }); err != nil {
		ch.kill()
		return nil, err
	}
	return ch, nil
}

// follow applies the child's lines to dev's model until until returns
// true (it returns that line), the timeout passes (it returns ""), or the
// child ends (an error).
func (h *harness) follow(ch *child, dev *device, timeout time.Duration, until func(string) bool) (string, error) {
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-ch.lines:
			if !ok {
				<-ch.done
				return "", fmt.Errorf("device process ended by itself (%v):\n%s", ch.err, tail(ch.errText(), 3000))
			}
			if err := dev.model.apply(l); err != nil {
				return "", err
			}
			if until != nil && until(l) {
				return l, nil
			}
		case <-deadline:
			return "", nil
		}
	}
}

// kill kills the child and applies the lines it wrote before it died.
func (h *harness) kill(ch *child, dev *device) []string {
	ch.kill()
	var problems []string
	for l := range ch.lines {
		if err := dev.model.apply(l); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if sig, ok := ch.signalled(); !ok || sig != syscall.SIGKILL {
		problems = append(problems, fmt.Sprintf("device process ended with %v before it was killed:\n%s", ch.err, tail(ch.errText(), 3000)))
	}
	h.rep.DeviceKills++
	return problems
}

// killDrafts kills a device process at a random moment while it saves
// drafts field by field (and finalises some).
func (h *harness) killDrafts(ctx context.Context, rng *mrand.Rand) (string, []string) {
	dev := h.devices[rng.IntN(len(h.devices))]
	ch, err := h.startDevice(dev, childConfig{Mode: "drafts", Seed: rng.Uint64(), Size: 20 + rng.IntN(3000)})
	if err != nil {
		return "", []string{err.Error()}
	}
	wait := uniform(rng, 5*time.Millisecond, time.Duration(h.scaled(400))*time.Millisecond)
	if _, err := h.follow(ch, dev, wait, nil); err != nil {
		return "", append([]string{err.Error()}, h.kill(ch, dev)...)
	}
	return fmt.Sprintf("%s killed after %v", dev.name, wait), h.kill(ch, dev)
}

// killPush kills a device process that records encounters and pushes them
// over a slowed link, mostly while a push is in flight.
func (h *harness) killPush(ctx context.Context, rng *mrand.Rand) (string, []string) {
	dev := h.devices[rng.IntN(len(h.devices))]
	h.proxy.Set(faultproxy.Faults{
		Latency:        uniform(rng, 0, 5*time.Millisecond),
		BytesPerSecond: 20<<10 + rng.IntN(200<<10),
	})
	ch, err := h.startDevice(dev, childConfig{
		Mode: "push", Server: h.proxy.URL(), Seed: rng.Uint64(),
		Batch: 3 + rng.IntN(40), Count: h.scaled(10 + rng.IntN(80)), Size: 50 + rng.IntN(1500),
	})
	if err != nil {
		return "", []string{err.Error()}
	}
	var wait time.Duration
	where := "while recording"
	if rng.IntN(5) > 0 {
		where = "between syncs"
		if _, err := h.follow(ch, dev, time.Minute, func(l string) bool { return l == "syncing" }); err != nil {
			return "", append([]string{err.Error()}, h.kill(ch, dev)...)
		}
		wait = uniform(rng, 0, 800*time.Millisecond)
	} else {
		wait = uniform(rng, 0, 60*time.Millisecond)
	}
	if _, err := h.follow(ch, dev, wait, nil); err != nil {
		return "", append([]string{err.Error()}, h.kill(ch, dev)...)
	}
	problems := h.kill(ch, dev)
	if dev.model.syncing { // its last word was "syncing"
		h.rep.KillsInSync++
		where = "during a sync"
		// Still entries to acknowledge: the push itself was cut short.
		if st, err := store.Open(ctx, store.Options{Dir: dev.dir, Key: dev.key}); err == nil {
			if p, err := st.Progress(ctx); err == nil && p.Queued() > 0 {
				h.rep.KillsInPush++
				where = fmt.Sprintf("during a push, %d entries unacknowledged", p.Queued())
			}
			st.Close()
		}
	}
	dev.model.syncing = false
	return fmt.Sprintf("%s killed %s, %v after it began", dev.name, where, wait), problems
}

// openDevices opens n of the devices in this process, syncing through
// the proxy in batches of batch; closeAll closes them.
func (h *harness) openDevices(ctx context.Context, rng *mrand.Rand, n, batch int) (ds []*sim.Device, closeAll func(), problems []string) {
	closeAll = func() {
		for _, d := range ds {
			d.Close()
		}
	}
	for _, i := range rng.Perm(len(h.devices))[:n] {
		dev := h.devices[i]
		d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dev.dir, Key: dev.key, Server: h.proxy.URL(), Batch: batch, Seed: rng.Uint64()})
		if err != nil {
			closeAll()
			return nil, nil, []string{fmt.Sprintf("open %s: %v", dev.name, err)}
		}
		ds = append(ds, d)
	}
	return ds, closeAll, nil
}

// pushing is devices syncing in the background while a cycle harms the
// server under them.
type pushing struct {
	ds       []*sim.Device
	closeAll func()
	syncing  atomic.Int32 // devices still syncing
	wg       sync.WaitGroup
	mu       sync.Mutex // guards problems
	problems []string   // what the devices' syncs said
}

// startPushing opens some devices, records on each, slows the link enough
// that the pushes are still going when the server is harmed, and starts
// every device syncing.
func (h *harness) startPushing(ctx context.Context, rng *mrand.Rand, batch int) (*pushing, []string) {
	ds, closeAll, problems := h.openDevices(ctx, rng, 1+rng.IntN(len(h.devices)), batch)
	if problems != nil {
		return nil, problems
	}
	for _, d := range ds {
		if _, err := d.Record(ctx, h.scaled(20+rng.IntN(150)), 1+rng.IntN(3)); err != nil {
			closeAll()
			return nil, []string{fmt.Sprintf("record: %v", err)}
		}
	}
	// Slow enough that the pushes are still going when the server is harmed.
	h.proxy.Set(faultproxy.Faults{Latency: uniform(rng, 0, 3*time.Millisecond), BytesPerSecond: 30<<10 + rng.IntN(120<<10)})
	p := &pushing{ds: ds, closeAll: closeAll}
	for _, d := range ds {
		p.wg.Add(1)
		p.syncing.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.syncing.Add(-1)
			sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			if _, err := d.Sync(sctx); err != nil {
				p.mu.Lock()
				p.problems = append(p.problems, fmt.Sprintf("device did not finish syncing: %v", err))
				p.mu.Unlock()
			}
		}()
	}
	return p, nil
}

// wait waits for every device to finish syncing, closes them and returns
// what their syncs said.
func (p *pushing) wait() []string {
	p.wg.Wait()
	p.closeAll()
	return p.problems
}

// killServer has devices push while the server is killed (or, one time
// in four, stopped gracefully) and restarted, once or twice.
func (h *harness) killServer(ctx context.Context, rng *mrand.Rand) (string, []string) {
	p, problems := h.startPushing(ctx, rng, 5+rng.IntN(60))
	if problems != nil {
		return "", problems
	}
	var how []string
	for range 1 + rng.IntN(2) {
		time.Sleep(uniform(rng, 0, 300*time.Millisecond))
		if p.syncing.Load() > 0 {
			h.rep.ServerKillsInSync++
		}
		// Every replica at once: the whole service goes down.
		if rng.IntN(4) == 0 {
			for _, s := range h.servers {
				if err := s.stop(); err != nil {
					problems = append(problems, err.Error())
				}
			}
			h.rep.ServerTerms++
			how = append(how, "SIGTERM")
		} else {
			for _, s := range h.servers {
				s.kill()
			}
			h.rep.ServerKills++
			how = append(how, "SIGKILL")
		}
		time.Sleep(uniform(rng, 0, 300*time.Millisecond))
		for _, s := range h.servers {
			if err := s.start(); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	problems = append(problems, p.wait()...)
	return fmt.Sprintf("%d devices pushing; server %s and restarted", len(p.ds), strings.Join(how, ", then ")), problems
}

// killReplica has devices push through the load balancer while one
// replica is killed with SIGKILL, once or twice, and restarted a little
// later: the pushes in flight on it fail, the devices' retries reach the
// other replicas (mid-sync), and nothing is lost or stored twice.
func (h *harness) killReplica(ctx context.Context, rng *mrand.Rand) (string, []string) {
	if len(h.servers) < 2 {
		return "", []string{"kill-replica-push needs replicas (Options.Postgres)"}
	}
	p, problems := h.startPushing(ctx, rng, 5+rng.IntN(40))
	if problems != nil {
		return "", problems
	}
	var killed []string
	for range 1 + rng.IntN(2) {
		time.Sleep(uniform(rng, 0, 300*time.Millisecond))
		i := rng.IntN(len(h.servers))
		if p.syncing.Load() > 0 {
			h.rep.ServerKillsInSync++
		}
		h.servers[i].kill()
		h.rep.ReplicaKills++
		killed = append(killed, fmt.Sprint(i))
		time.Sleep(uniform(rng, 100*time.Millisecond, 600*time.Millisecond))
		if err := h.servers[i].start(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	problems = append(problems, p.wait()...)
	return fmt.Sprintf("%d devices pushing through %d replicas; replica %s killed with SIGKILL and restarted", len(p.ds), len(h.servers), strings.Join(killed, ", then ")), problems
}

// cuts has devices record and sync in rounds while the proxy cuts
// connections at random byte offsets, in either direction.
func (h *harness) cuts(ctx context.Context, rng *mrand.Rand) (string, []string) {
	ds, closeAll, problems := h.openDevices(ctx, rng, 1+rng.IntN(len(h.devices)), 3+rng.IntN(40))
	if problems != nil {
		return "", problems
	}
	defer closeAll()
	p := 0.2 + 0.7*rng.Float64()
	within := int64(64 + rng.IntN(4<<10))
	before := h.proxy.Cuts()
	h.proxy.Set(faultproxy.Faults{Cut: sim.RandomCuts(p, within, rng.Uint64())})
	failed := 0
	for range 4 + rng.IntN(9) {
		for _, d := range ds {
			if _, err := d.Record(ctx, h.scaled(3+rng.IntN(25)), 1+rng.IntN(3)); err != nil {
				return "", []string{fmt.Sprintf("record: %v", err)}
			}
			if err := d.Engine.SyncOnce(ctx); err != nil {
				failed++
			}
		}
	}
	return fmt.Sprintf("%d devices, cut probability %.2f within %d bytes: %d cuts, %d syncs failed",
		len(ds), p, within, h.proxy.Cuts()-before, failed), nil
}

// slow has devices sync over a link with high latency and little
// bandwidth; they must still finish.
func (h *harness) slow(ctx context.Context, rng *mrand.Rand) (string, []string) {
	ds, closeAll, problems := h.openDevices(ctx, rng, 1+rng.IntN(2), 5+rng.IntN(30))
	if problems != nil {
		return "", problems
	}
	defer closeAll()
	f := faultproxy.Faults{Latency: uniform(rng, 10*time.Millisecond, 80*time.Millisecond), BytesPerSecond: 8<<10 + rng.IntN(56<<10)}
	h.proxy.Set(f)
	n := 0
	start := time.Now()
	for _, d := range ds {
		k := h.scaled(5 + rng.IntN(20))
		n += k
		if _, err := d.Record(ctx, k, 2); err != nil {
			return "", []string{fmt.Sprintf("record: %v", err)}
		}
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		_, err := d.Sync(sctx)
		cancel()
		if err != nil {
			problems = append(problems, fmt.Sprintf("sync over a slow link: %v", err))
		}
	}
	return fmt.Sprintf("%d encounters over %v latency and %d B/s in %v", n, f.Latency, f.BytesPerSecond, time.Since(start).Round(time.Millisecond)), problems
}

// mountDisk mounts the small file system the disk-full cycles fill.
func (h *harness) mountDisk() (func() error, error) {
	dir := filepath.Join(h.dir, "small-disk")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unmount, err := mountSmall(dir, 96<<20)
	if err != nil {
		return nil, err
	}
	h.disk = newDevice(dir, "device-on-small-disk")
	h.ballast = filepath.Join(dir, "ballast")
	return unmount, nil
}

// diskFull fills the small disk under a device process that keeps saving
// drafts: it must be told the disk is full (an error the app recognises),
// keep running, and save again once space is freed. One time in five the
// disk is filled to the last byte, past the store's reserve, and the
// device is then asked to close.
func (h *harness) diskFull(ctx context.Context, rng *mrand.Rand) (string, []string) {
	const reserve = 32 << 20 // store's diskReserve
	dev := h.disk
	// A fresh store each time: what it saved before the disk filled is
	// what must survive, and a store kept across cycles would only slow
	// the checks down.
	os.Remove(h.ballast)
	if err := os.RemoveAll(dev.dir); err != nil {
		return "", []string{err.Error()}
	}
	dev.model = newModel()
	if st, err := store.Open(ctx, store.Options{Dir: dev.dir, Key: dev.key}); err != nil {
		return "", []string{err.Error()}
	} else if err := st.Close(); err != nil {
		return "", []string{err.Error()}
	}
	// The device fills what room is left above the store's reserve, then
	// is refused. Sometimes another app then takes more, down to half
	// the reserve; one time in five down to the last byte.
	free := int64(reserve) + 1<<20 + rng.Int64N(16<<20)
	if err := fillTo(h.ballast, free); err != nil {
		return "", []string{err.Error()}
	}
	ch, err := h.startDevice(dev, childConfig{Mode: "fill", Seed: rng.Uint64(), Size: 1<<10 + rng.IntN(16<<10)})
	if err != nil {
		return "", []string{err.Error()}
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	before := dev.model.fulls
	full := func(l string) bool { return strings.HasPrefix(l, "full ") && dev.model.fulls >= before+3 }
	if l, err := h.follow(ch, dev, time.Minute, full); err != nil || l == "" {
		fail("no write was refused as the disk filled (free was %d MiB): %v", free>>20, err)
		return "", append(problems, h.kill(ch, dev)...)
	}
	note := fmt.Sprintf("%d MiB free; writes refused after %d drafts", free>>20, len(dev.model.drafts))
	switch r := rng.IntN(10); {
	case r < 2:
		// Nothing left at all. The store refuses writes, but Badger's
		// own writes (the memtable flushed on close) are beyond its
		// reach: on a sparse mmap they die of SIGBUS. Check that even
		// then nothing saved is lost.
		if err := fillTo(h.ballast, 0); err != nil {
			fail("fill to the brim: %v", err)
		}
		_, err := h.follow(ch, dev, 200*time.Millisecond, nil)
		closed := ""
		if err == nil {
			ch.stdin.Write([]byte("close\n"))
			closed, err = h.follow(ch, dev, 30*time.Second, func(l string) bool { return strings.HasPrefix(l, "closed") })
		}
		<-ch.done
		for l := range ch.lines {
			dev.model.apply(l)
		}
		switch sig, _ := ch.signalled(); {
		case err == nil && closed == "closed <nil>" && ch.err == nil:
			note += "; disk then filled to the brim, closed cleanly"
		case sig == syscall.SIGBUS || strings.Contains(ch.errText(), "SIGBUS"):
			note += "; disk then filled to the brim: the device died of SIGBUS in Badger (known limit)"
			h.rep.BrimCrashes++
		default:
			fail("closing on a full disk: %q, %v, %v\n%s", closed, err, ch.err, tail(ch.errText(), 2000))
		}
	default:
		if r < 5 {
			if err := fillTo(h.ballast, reserve/2); err != nil {
				fail("take more space: %v", err)
			}
			if _, err := h.follow(ch, dev, 200*time.Millisecond, nil); err != nil {
				fail("after more space was taken: %v", err)
			}
			note += "; then another app took more"
		}
		if err := os.Remove(h.ballast); err != nil {
			fail("free space: %v", err)
		}
		saved := func(l string) bool { return strings.HasPrefix(l, "saved ") }
		if l, err := h.follow(ch, dev, 30*time.Second, saved); err != nil || l == "" {
			fail("writes did not resume once space was freed: %v", err)
		} else {
			h.rep.DiskRecoveries++
			note += "; writes resumed once space was freed"
		}
		if rng.IntN(2) == 0 {
			problems = append(problems, h.kill(ch, dev)...)
			note += "; killed"
		} else {
			ch.stdin.Write([]byte("close\n"))
			closed, err := h.follow(ch, dev, 30*time.Second, func(l string) bool { return strings.HasPrefix(l, "closed") })
			if err != nil || closed != "closed <nil>" {
				fail("close after space was freed: %q, %v", closed, err)
			}
			<-ch.done
			note += "; closed"
		}
	}
	// With space back, everything it reported saved must be there, whole.
	if err := os.Remove(h.ballast); err != nil && !errors.Is(err, os.ErrNotExist) {
		fail("free space: %v", err)
	}
	st, err := store.Open(ctx, store.Options{Dir: dev.dir, Key: dev.key})
	if err != nil {
		return note, append(problems, fmt.Sprintf("reopen the store after the disk was full: %v", err))
	}
	ps, n, err := dev.model.check(ctx, st)
	h.rep.DraftsChecked += n
	if err != nil {
		fail("check drafts: %v", err)
	}
	problems = append(problems, ps...)
	if err := st.Close(); err != nil {
		fail("close: %v", err)
	}
	note += fmt.Sprintf("; %d saved drafts intact", n-len(ps))
	if dev.model.noENOSP > 0 {
		fail("%d disk-full errors did not match syscall.ENOSPC: the app would show a generic message", dev.model.noENOSP)
	}
	if diskFullMessage() == "" {
		fail("the message catalogue has no form.disk_full")
	}
	h.rep.DiskFulls += dev.model.fulls - before
	return note, problems
}
