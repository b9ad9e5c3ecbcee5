//go:build unix

package vault

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// killPolicy has no delay worth waiting for, so that the tenth try can be
// reached by a real process with the real clock.
var killPolicy = Policy{FreeTries: 9, Delays: []time.Duration{time.Nanosecond}, MaxTries: 10, WarnLeft: 3}

// blockingKeystore stands where the platform keystore would: the child
// process stops inside it, in the middle of checking a PIN, and says so.
type blockingKeystore struct{ marker string }

func (blockingKeystore) Name() string                            { return newTestKeystore().Name() }
func (blockingKeystore) NewKey(context.Context) (string, error)  { return "", errors.New("not here") }
func (blockingKeystore) DeleteKey(context.Context, string) error { return nil }
func (b blockingKeystore) Bind(context.Context, string, []byte) ([]byte, error) {
	os.WriteFile(b.marker, nil, 0o600)
	time.Sleep(time.Hour) // until killed
	return nil, errors.New("not killed")
}

// TestKilledMidCheck kills a real app process with SIGKILL while it checks
// a PIN: the try still counts, so killing the app gains nothing, and a
// kill during the last try still erases the vault.
func TestKilledMidCheck(t *testing.T) {
	if dir := os.Getenv("WAYMARK_VAULT_CHILD"); dir != "" {
		v, err := Open(ctx, dir, Options{KDF: testKDF, Policy: killPolicy,
			Keystore: blockingKeystore{os.Getenv("WAYMARK_VAULT_MARKER")}})
		if err != nil {
			os.Exit(3)
		}
		v.Unlock(ctx, pinRight)
		os.Exit(4) // not reached: Bind blocks
	}

	for _, tc := range []struct {
		name        string
		wrongBefore int
		want        State
	}{
		{"first try", 0, StateLocked},
		{"tenth try", 9, StateErased},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := newTestKeystore()
			opts := Options{KDF: testKDF, Policy: killPolicy, Keystore: ks}
			dir := filepath.Join(t.TempDir(), "vault")
			v, err := Open(ctx, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			k, err := v.Create(ctx, pinRight, nil)
			if err != nil {
				t.Fatal(err)
			}
			k.Close()
			for range tc.wrongBefore {
				if _, err := v.Unlock(ctx, pinWrong); !errors.Is(err, ErrWrongPIN) {
					t.Fatal(err)
				}
			}
			v.Close()

			marker := filepath.Join(t.TempDir(), "checking")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidCheck$")
			cmd.Env = append(os.Environ(), "WAYMARK_VAULT_CHILD="+dir, "WAYMARK_VAULT_MARKER="+marker)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.After(2 * time.Minute) // a hang guard, not a measurement
		wait:
			for {
				select {
				case err := <-exited:
					t.Fatalf("child ended before checking the PIN: %v", err)
				case <-deadline:
					cmd.Process.Kill()
					t.Fatal("child never reached the PIN check")
				case <-time.After(10 * time.Millisecond):
					if _, err := os.Stat(marker); err == nil {
						break wait
					}
				}
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited

			v, err = Open(ctx, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			st := status(t, v)
			if st.State != tc.want || st.Failures != tc.wrongBefore+1 {
				t.Fatalf("after the kill: %+v, want %v with %d failures", st, tc.want, tc.wrongBefore+1)
			}
			k, err = v.Unlock(ctx, pinRight)
			switch tc.want {
			case StateLocked:
				if err != nil {
					t.Fatalf("right PIN after the kill: %v", err)
				}
				k.Close()
			case StateErased:
				if !errors.Is(err, ErrErased) {
					t.Errorf("right PIN after a kill during the last try: %v, want ErrErased", err)
				}
				if _, err := os.Stat(filepath.Join(dir, vaultName)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("vault file after the erase: %v", err)
				}
			}
		})
	}
}
