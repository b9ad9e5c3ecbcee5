package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
)

// KeySealer keeps the device's private key sealed apart from the rest of
// the credential, under the officer's PIN. *vault.Keys implements it.
type KeySealer interface {
	// DeviceKey returns the sealed key, if one was set.
	DeviceKey() (ed25519.PrivateKey, bool)
	// SetDeviceKey seals priv, replacing any earlier key.
	SetDeviceKey(ctx context.Context, priv ed25519.PrivateKey) error
}

// ErrNoSealedKey is returned when a credential is kept but its private key
// is not sealed in the KeySealer given: the device must enrol again.
var ErrNoSealedKey = errors.New("the device's key is not sealed with its credential")

// SaveSealedCredential keeps c in st without its private key, which it
// seals in ks first: a crash between the two leaves a sealed key and no
// credential (the device enrols again), never a credential whose key was
// not sealed.
func SaveSealedCredential(ctx context.Context, st CredentialStore, ks KeySealer, c *Credential) error {
	if len(c.PrivateKey) != ed25519.PrivateKeySize {
		return errors.New("save credential: no device key")
	}
	if err := ks.SetDeviceKey(ctx, c.PrivateKey); err != nil {
		return fmt.Errorf("seal device key: %w", err)
	}
	public := *c
	public.PrivateKey = nil
	return SaveCredential(ctx, st, &public)
}

// LoadSealedCredential reads the credential kept in st, with its private
// key from ks; the store's ErrNotEnrolled if there is none. A credential
// kept whole, as devices did before the key was sealed, has its key moved
// into ks and is kept again without it.
func LoadSealedCredential(ctx context.Context, st CredentialStore, ks KeySealer) (*Credential, error) {
	c, err := readCredential(ctx, st)
	if err != nil {
		return nil, err
	}
	if len(c.PrivateKey) != 0 {
		if err := SaveSealedCredential(ctx, st, ks, c); err != nil {
			return nil, fmt.Errorf("move the device key into the vault: %w", err)
		}
		return c, nil
	}
	priv, ok := ks.DeviceKey()
	if !ok || len(priv) != ed25519.PrivateKeySize {
		return nil, ErrNoSealedKey
	}
	c.PrivateKey = priv
	return c, nil
}
