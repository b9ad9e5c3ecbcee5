package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Errors callers test for with errors.Is.
var (
	// ErrWrongPIN: the PIN does not open the vault (or the file was
	// changed in a way that cannot be told from a wrong PIN).
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrDelayed: too many wrong PINs; the next try must wait.
	ErrDelayed = errors.New("too many wrong PINs: wait before the next try")
	// ErrErased: the vault's keys were destroyed.
	ErrErased = errors.New("vault erased")
	// ErrNoVault: there is no vault to unlock.
	ErrNoVault = errors.New("no vault")
	// ErrExists: Create found a vault (or a damaged vault file) already.
	ErrExists = errors.New("a vault already exists")
	// ErrCorrupt: a vault file breaks its format.
	ErrCorrupt = errors.New("vault file damaged")
	// ErrTampered: the PIN is right but a sealed secret does not open.
	ErrTampered = errors.New("vault file tampered with")
	// ErrKeystore: the vault is bound to a keystore this app was not
	// given.
	ErrKeystore = errors.New("the vault needs a keystore this app does not have")
	// ErrClosed: the keys or the vault were closed, or the vault erased
	// or replaced.
	ErrClosed = errors.New("vault closed")
	// ErrBusy: another Vault (most likely another instance of the app)
	// has the folder open.
	ErrBusy = errors.New("the vault is in use by another instance of the app")
)

// TryError is a refused try at the PIN: why (ErrWrongPIN, ErrDelayed or
// ErrErased, which errors.Is matches) and the lock state after it.
type TryError struct {
	Err    error
	Status Status
}

// Error says why the try was refused, never with the PIN.
func (e *TryError) Error() string {
	if errors.Is(e.Err, ErrWrongPIN) {
		return fmt.Sprintf("%v (%d tries left)", e.Err, e.Status.TriesLeft)
	}
	return e.Err.Error()
}

// Unwrap returns the reason.
func (e *TryError) Unwrap() error { return e.Err }

// checkpointEvery is how often, while a delay is served, the time served
// is written to disk, so that a restart loses at most this much of it
// where there is no boot clock.
const checkpointEvery = 30 * time.Second

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// KDF is the argon2id cost new vaults are made with. A vault made
	// with weaker parameters is re-wrapped with these when next
	// unlocked. Zero means DefaultKDF.
	KDF KDF
	// Policy is the lockout. Zero means DefaultPolicy.
	Policy Policy
	// Rules are what a new PIN must be. Zero means DefaultPINRules.
	Rules PINRules
	// Clock is where time is read. Nil means SystemClock.
	Clock Clock
	// Keystore, if set, is a platform keystore new vaults are bound to.
	Keystore Keystore
}

// Vault is the device's sealed keys and lockout, in one folder. It is
// safe for concurrent use. Only one Vault may have a folder open at a time
// (Open takes a lock on it where the platform allows; Close releases it).
type Vault struct {
	dir     string
	release func() error // the folder's lock
	kdf     KDF
	policy  Policy
	rules   PINRules
	clock   Clock
	ks      Keystore

	// busy is set while a PIN is checked; Status reads it without mu.
	busy atomic.Bool

	mu      sync.Mutex         // guards the fields below
	file    *vaultFile         // nil: no vault, or a damaged one
	damaged bool               // vault.json is there but unreadable
	lock    lockoutFile        // the lockout, ahead of disk while dirty
	dirty   bool               // lock differs from lockout.json
	saved   delayRecord        // the delay as last written
	keys    map[*Keys]struct{} // unlocked keys, wiped by an erase
}

// Open opens the vault in dir, making the folder (mode 0700) if needed.
// It reads no PIN: the vault starts locked, or in StateNew if there is no
// vault yet. It shreds temporary files a crash left, and finishes an
// erase a crash interrupted.
//
// A lockout file that is missing or damaged while the vault file is there
// is rebuilt as if FreeTries wrong PINs had just been made: deleting it
// never gives a thief more than a fresh start at the delays (and one who
// can delete it can copy the vault file anyway; see
// docs/security.md).
func Open(ctx context.Context, dir string, opts Options) (*Vault, error) {
	v := &Vault{
		dir:    dir,
		kdf:    opts.KDF.orDefault(),
		policy: opts.Policy.orDefault(),
		rules:  opts.Rules.orDefault(),
		clock:  opts.Clock,
		ks:     opts.Keystore,
		keys:   map[*Keys]struct{}{},
	}
	if v.clock == nil {
		v.clock = SystemClock()
	}
	if err := v.policy.validate(); err != nil {
		return nil, err
	}
	if err := v.kdf.record().validate(); err != nil {
		return nil, fmt.Errorf("vault KDF parameters: %w", err)
	}
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	release, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	v.release = release
	if err := v.load(ctx); err != nil {
		release()
		return nil, fmt.Errorf("open vault: %w", err)
	}
	return v, nil
}

// load reads the folder, for Open.
func (v *Vault) load(ctx context.Context) error {
	dir := v.dir
	if err := shredTemps(dir); err != nil {
		return err
	}

	b, err := readFile(dir, vaultName)
	switch {
	case err == nil:
		v.file, err = decodeVault(b)
		v.damaged = err != nil
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	present := v.file != nil || v.damaged

	v.lock = freshLockout()
	b, err = readFile(dir, lockoutName)
	switch {
	case err == nil:
		lf, derr := decodeLockout(b)
		if derr == nil {
			v.lock = *lf
			if d := lf.Delay; d != nil {
				v.saved = *d
			}
		} else if present {
			v.restoreLockout()
		}
	case errors.Is(err, os.ErrNotExist):
		if present {
			v.restoreLockout()
		}
	default:
		return err
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	if present && (v.lock.Erased || v.lock.Failures >= v.policy.MaxTries) {
		// An erase was decided, or the last try was counted and never
		// found right: a crash must not save the vault.
		if err := v.eraseLocked(ctx); err != nil {
			return err
		}
	}
	if v.dirty {
		if err := v.saveLockout(); err != nil {
			return err
		}
	}
	return nil
}

func freshLockout() lockoutFile {
	return lockoutFile{Format: lockoutFormat, Version: fileVersion}
}

// restoreLockout rebuilds a lost lockout file (see Open).
func (v *Vault) restoreLockout() {
	v.lock = freshLockout()
	v.lock.Failures = v.policy.FreeTries
	if d := v.policy.Delay(v.lock.Failures); d > 0 {
		v.lock.Delay = newDelay(d, v.clock)
	}
	v.dirty = true
}

// saveLockout writes the lockout to disk.
func (v *Vault) saveLockout() error {
	if err := writeAtomic(v.dir, lockoutName, encode(&v.lock)); err != nil {
		return fmt.Errorf("save lockout: %w", err)
	}
	v.dirty = false
	v.saved = delayRecord{}
	if d := v.lock.Delay; d != nil {
		v.saved = *d
	}
	return nil
}

// writeVault replaces the vault file with f.
func (v *Vault) writeVault(f *vaultFile) error {
	if err := writeAtomic(v.dir, vaultName, encode(f)); err != nil {
		return fmt.Errorf("save vault: %w", err)
	}
	v.file = f
	return nil
}

// Close wipes any keys still unlocked and releases the folder. Nothing
// may be called after it.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for k := range v.keys {
		k.wipe()
	}
	if v.release == nil {
		return ErrClosed
	}
	err := v.release()
	v.release = nil
	if err != nil {
		return fmt.Errorf("close vault: %w", err)
	}
	return nil
}

// Status returns the lock state, for the lock screen. While a delay is
// served it also writes the time served to disk now and then; an error
// doing so comes with the status, which is still right.
func (v *Vault) Status() (Status, error) {
	if v.busy.Load() {
		return Status{State: StateUnlocking}, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.statusLocked()
	d := v.lock.Delay
	if v.release != nil && (v.dirty || d != nil && (d.Epoch != v.saved.Epoch || d.Served-v.saved.Served >= checkpointEvery)) {
		return st, v.saveLockout()
	}
	return st, nil
}

func (v *Vault) statusLocked() Status {
	switch {
	case v.lock.Erased:
		return Status{State: StateErased, Failures: v.lock.Failures}
	case v.damaged:
		return Status{State: StateDamaged}
	case v.file == nil:
		return Status{State: StateNew}
	}
	now := v.clock.Now()
	var wait time.Duration
	if d := v.lock.Delay; d != nil {
		d.advance(v.clock)
		wait = d.left(now)
	}
	return v.policy.status(v.lock.Failures, wait, now)
}

// Create makes a new vault sealed by pin, which must pass the PIN rules
// (else a *PINError). dataKey is the store's key: nil makes a new random
// one; an existing 32-byte key moves a store made before the vault into
// it (the caller then shreds the old key file with Shred). It fails with
// ErrExists if there is a vault, even a damaged one: Erase it first.
// The caller clears pin after the call.
func (v *Vault) Create(ctx context.Context, pin, dataKey []byte) (*Keys, error) {
	if err := v.rules.Check(pin); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	if dataKey != nil && len(dataKey) != keySize {
		return nil, fmt.Errorf("create vault: a store key of %d bytes, want %d", len(dataKey), keySize)
	}
	p, err := normalise(pin)
	if err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	defer clear(p)

	v.mu.Lock()
	defer v.mu.Unlock()
	if v.release == nil {
		return nil, fmt.Errorf("create vault: %w", ErrClosed)
	}
	if v.file != nil || v.damaged {
		return nil, fmt.Errorf("create vault: %w", ErrExists)
	}
	f := &vaultFile{Format: vaultFormat, Version: fileVersion, ID: random(idSize), KDF: v.kdf.record()}
	if v.ks != nil {
		ref, err := v.ks.NewKey(ctx)
		if err != nil {
			return nil, fmt.Errorf("create vault: keystore %s: %w", v.ks.Name(), err)
		}
		f.Keystore = &keystoreRecord{Name: v.ks.Name(), Ref: ref}
	}
	k := &Keys{v: v, id: f.ID, master: random(keySize), secrets: map[string][]byte{}}
	if dataKey == nil {
		k.secrets[SecretStore] = random(keySize)
	} else {
		k.secrets[SecretStore] = append([]byte(nil), dataKey...)
	}
	f.Secrets = []secretBox{k.sealSecret(SecretStore)}
	if err := v.sealMaster(ctx, f, p, k.master); err != nil {
		k.wipe()
		return nil, fmt.Errorf("create vault: %w", err)
	}
	// A new vault starts a new count. The lockout is written first: a
	// crash between the two leaves no vault, never one with an old count.
	v.lock = freshLockout()
	if err := v.saveLockout(); err != nil {
		k.wipe()
		return nil, fmt.Errorf("create vault: %w", err)
	}
	if err := v.writeVault(f); err != nil {
		k.wipe()
		return nil, fmt.Errorf("create vault: %w", err)
	}
	v.keys[k] = struct{}{}
	return k, nil
}

// sealMaster seals master into f with the key derived from p under f's
// (already set) parameters.
func (v *Vault) sealMaster(ctx context.Context, f *vaultFile, p, master []byte) error {
	kek, err := v.wrapKey(ctx, p, f)
	if err != nil {
		return err
	}
	defer clear(kek)
	f.Master = seal(kek, master, f.header())
	return nil
}

// Unlock checks pin and returns the vault's keys. The try is counted on
// disk before it is checked. A refused try is a *TryError (ErrWrongPIN,
// ErrDelayed, or ErrErased when this try was the last); a try that cannot
// be a PIN at all (empty, badly encoded) is refused with a *PINError and
// not counted. A vault made with weaker argon2id parameters than
// Options.KDF is re-wrapped with them. The caller clears pin after the
// call, and closes the keys when the app locks.
func (v *Vault) Unlock(ctx context.Context, pin []byte) (*Keys, error) {
	return v.try(ctx, pin, func(k *Keys, p []byte) error {
		if v.kdf.stronger(v.file.KDF) {
			// A failure leaves the old parameters, which still work;
			// the next unlock tries again.
			_ = v.rewrap(ctx, k, p)
		}
		return nil
	})
}

// ChangePIN seals the vault under newPIN, which must pass the PIN rules,
// after checking oldPIN like Unlock does (counted, delayed, erased). Only
// the master key is sealed again: the store key and the other secrets,
// and so the store's data, are unchanged.
func (v *Vault) ChangePIN(ctx context.Context, oldPIN, newPIN []byte) error {
	if err := v.rules.Check(newPIN); err != nil {
		return fmt.Errorf("change PIN: %w", err)
	}
	np, err := normalise(newPIN)
	if err != nil {
		return fmt.Errorf("change PIN: %w", err)
	}
	defer clear(np)
	k, err := v.try(ctx, oldPIN, func(k *Keys, p []byte) error {
		if string(p) == string(np) {
			return &PINError{RuleSame}
		}
		return v.rewrap(ctx, k, np)
	})
	if err != nil {
		return fmt.Errorf("change PIN: %w", err)
	}
	k.Close()
	return nil
}

// rewrap seals the master key of k under the normalised PIN p with a new
// salt and Options.KDF, and writes the vault file. v.mu is held.
func (v *Vault) rewrap(ctx context.Context, k *Keys, p []byte) error {
	f := *v.file
	f.KDF = v.kdf.record()
	if err := v.sealMaster(ctx, &f, p, k.master); err != nil {
		return err
	}
	return v.writeVault(&f)
}

// try runs one counted try at pin, and then, with v.mu held and the PIN
// found right, calls then with the keys and the normalised PIN.
func (v *Vault) try(ctx context.Context, pin []byte, then func(k *Keys, p []byte) error) (*Keys, error) {
	p, err := checkTry(pin)
	if err != nil {
		return nil, err
	}
	defer clear(p)

	v.mu.Lock()
	defer v.mu.Unlock()
	if v.release == nil {
		return nil, ErrClosed
	}
	switch st := v.statusLocked(); st.State {
	case StateErased:
		return nil, &TryError{ErrErased, st}
	case StateDelayed:
		return nil, &TryError{ErrDelayed, st}
	case StateNew:
		return nil, ErrNoVault
	case StateDamaged:
		return nil, ErrCorrupt
	}
	if ks := v.file.Keystore; ks != nil && (v.ks == nil || v.ks.Name() != ks.Name) {
		return nil, ErrKeystore // not the officer's doing: not counted
	}

	// Count the try, and start the delay it would bring if wrong, before
	// checking it: stopping the app mid-check gains nothing.
	before := v.lock
	v.lock.Failures++
	v.lock.Delay = nil
	if d := v.policy.Delay(v.lock.Failures); d > 0 {
		v.lock.Delay = newDelay(d, v.clock)
	}
	if err := v.saveLockout(); err != nil {
		v.lock = before
		return nil, fmt.Errorf("count the try: %w", err)
	}

	v.busy.Store(true)
	master, err := v.openMaster(ctx, p)
	v.busy.Store(false)
	switch {
	case errors.Is(err, errWrongKey) && v.lock.Failures >= v.policy.MaxTries:
		err := v.eraseLocked(ctx)
		return nil, errors.Join(&TryError{ErrErased, v.statusLocked()}, err)
	case errors.Is(err, errWrongKey):
		return nil, &TryError{ErrWrongPIN, v.statusLocked()}
	case err != nil:
		return nil, err // the try stays counted
	}

	v.lock.Failures, v.lock.Delay = 0, nil
	// If the reset cannot be written, the officer is still let in: it
	// stays dirty and is written at the next Status. Refusing would turn
	// a right PIN into a counted wrong one.
	_ = v.saveLockout()

	k, err := v.openSecrets(master)
	if err != nil {
		return nil, err
	}
	if err := then(k, p); err != nil {
		k.wipe()
		return nil, err
	}
	v.keys[k] = struct{}{}
	return k, nil
}

// openMaster derives the wrapping key from p and opens the master key.
func (v *Vault) openMaster(ctx context.Context, p []byte) ([]byte, error) {
	kek, err := v.wrapKey(ctx, p, v.file)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	master, err := open(kek, v.file.Master, v.file.header())
	if err != nil {
		return nil, errWrongKey
	}
	return master, nil
}

// openSecrets opens every secret with master. The PIN was right, so a
// secret that does not open was tampered with.
func (v *Vault) openSecrets(master []byte) (*Keys, error) {
	k := &Keys{v: v, id: v.file.ID, master: master, secrets: map[string][]byte{}}
	for _, s := range v.file.Secrets {
		b, err := open(master, box{s.Nonce, s.Sealed}, secretAD(v.file.ID, s.Name))
		if err != nil {
			k.wipe()
			return nil, fmt.Errorf("open secret %s: %w", s.Name, ErrTampered)
		}
		k.secrets[s.Name] = b
	}
	return k, nil
}

// Erase destroys the vault's keys at once (a remote wipe, or a revoked
// device): the store can never be opened again, even with the right PIN.
// Keys already unlocked are wiped too; the caller closes the store.
// The vault is then in StateErased until Create makes a new one.
func (v *Vault) Erase(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.release == nil {
		return fmt.Errorf("erase vault: %w", ErrClosed)
	}
	return v.eraseLocked(ctx)
}

// eraseLocked is the crypto-erase. It marks the vault erased first, so
// that a crash part-way is finished by the next Open; then deletes the
// keystore key, if any, and shreds the vault file and any temporary
// copy. It carries on past errors, doing all it can.
func (v *Vault) eraseLocked(ctx context.Context) error {
	failures := v.lock.Failures
	v.lock = freshLockout()
	v.lock.Failures, v.lock.Erased = failures, true
	errs := []error{v.saveLockout()}
	if f := v.file; f != nil && f.Keystore != nil {
		if v.ks == nil || v.ks.Name() != f.Keystore.Name {
			errs = append(errs, fmt.Errorf("delete keystore key: %w", ErrKeystore))
		} else if err := v.ks.DeleteKey(ctx, f.Keystore.Ref); err != nil {
			errs = append(errs, fmt.Errorf("delete keystore key: %w", err))
		}
	}
	errs = append(errs, Shred(filepath.Join(v.dir, vaultName)), shredTemps(v.dir))
	v.file, v.damaged = nil, false
	for k := range v.keys {
		k.wipe()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("erase vault: %w", err)
	}
	return nil
}
