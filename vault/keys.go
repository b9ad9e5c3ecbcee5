package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
)

// Names of the secrets a vault holds.
const (
	// SecretStore is the key of the encrypted store: 32 bytes, set when
	// the vault is made and never changed.
	SecretStore = "store"
	// SecretDevice is the device's enrolment key: an Ed25519 private key
	// of 64 bytes.
	SecretDevice = "device-ed25519"
)

// secretSizes are the sizes of the secrets whose size is known.
var secretSizes = map[string]int{SecretStore: keySize, SecretDevice: ed25519.PrivateKeySize}

// Keys are an unlocked vault's secrets, in memory until Close.
type Keys struct {
	v  *Vault
	id []byte // the vault they were opened from

	// The fields below are guarded by v.mu; nil once wiped.
	master  []byte
	secrets map[string][]byte
}

// DataKey returns a copy of the store's key, or nil once the keys are
// closed.
func (k *Keys) DataKey() []byte {
	b, _ := k.Secret(SecretStore)
	return b
}

// Secret returns a copy of the secret called name, if the vault has it.
func (k *Keys) Secret(name string) ([]byte, bool) {
	k.v.mu.Lock()
	defer k.v.mu.Unlock()
	b, ok := k.secrets[name]
	return bytes.Clone(b), ok
}

// DeviceKey returns the device's enrolment key, if one was set.
func (k *Keys) DeviceKey() (ed25519.PrivateKey, bool) {
	b, ok := k.Secret(SecretDevice)
	return ed25519.PrivateKey(b), ok
}

// SetDeviceKey seals the device's enrolment key into the vault.
func (k *Keys) SetDeviceKey(ctx context.Context, priv ed25519.PrivateKey) error {
	return k.SetSecret(ctx, SecretDevice, priv)
}

// SetSecret seals secret (up to 4096 bytes) into the vault under name
// (1 to 32 of a-z, 0-9 and '-'), replacing any secret of that name, and
// writes the vault file. The store's key cannot be replaced: the store's
// data is encrypted with it.
func (k *Keys) SetSecret(ctx context.Context, name string, secret []byte) error {
	switch {
	case !validName(name):
		return fmt.Errorf("set secret: not a secret name")
	case name == SecretStore:
		return fmt.Errorf("set secret %s: the store key is set only when the vault is made", name)
	case len(secret) < 1 || len(secret) > maxSecret:
		return fmt.Errorf("set secret %s: %d bytes, want 1 to %d", name, len(secret), maxSecret)
	case secretSizes[name] != 0 && len(secret) != secretSizes[name]:
		return fmt.Errorf("set secret %s: %d bytes, want %d", name, len(secret), secretSizes[name])
	}
	v := k.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if k.master == nil || v.file == nil || !bytes.Equal(v.file.ID, k.id) {
		return fmt.Errorf("set secret %s: %w", name, ErrClosed)
	}
	old := k.secrets[name]
	k.secrets[name] = bytes.Clone(secret)
	f := *v.file
	f.Secrets = slices.DeleteFunc(slices.Clone(f.Secrets), func(s secretBox) bool { return s.Name == name })
	f.Secrets = append(f.Secrets, k.sealSecret(name))
	slices.SortFunc(f.Secrets, func(a, b secretBox) int { return strings.Compare(a.Name, b.Name) })
	if len(f.Secrets) > maxSecrets {
		clear(k.secrets[name])
		k.restore(name, old)
		return fmt.Errorf("set secret %s: more than %d secrets", name, maxSecrets)
	}
	if err := v.writeVault(&f); err != nil {
		clear(k.secrets[name])
		k.restore(name, old)
		return fmt.Errorf("set secret %s: %w", name, err)
	}
	clear(old)
	return nil
}

// restore puts back the secret name had before a failed SetSecret.
func (k *Keys) restore(name string, old []byte) {
	if old == nil {
		delete(k.secrets, name)
	} else {
		k.secrets[name] = old
	}
}

// sealSecret seals the secret called name with the master key.
func (k *Keys) sealSecret(name string) secretBox {
	b := seal(k.master, k.secrets[name], secretAD(k.id, name))
	return secretBox{Name: name, Nonce: b.Nonce, Sealed: b.Sealed}
}

// Close clears the keys from memory. Copies handed out (DataKey, Secret)
// are the caller's to clear.
func (k *Keys) Close() {
	k.v.mu.Lock()
	defer k.v.mu.Unlock()
	k.wipe()
}

// wipe clears the keys; v.mu is held.
func (k *Keys) wipe() {
	clear(k.master)
	for _, b := range k.secrets {
		clear(b)
	}
	k.master, k.secrets = nil, nil
	delete(k.v.keys, k)
}
