// Package vault keeps the device's keys sealed under the officer's PIN: a
// random data key for the encrypted store and other secrets (the device's
// enrolment key), wrapped by a key derived from the PIN with argon2id, an
// escalating lockout kept on disk, and a crypto-erase after too many wrong
// PINs. The design and its threat model are in docs/security.md.
//
// A vault is a folder (mode 0700) of two files, each mode 0600 and each
// replaced atomically:
//
//	vault.json    the sealed keys: argon2id parameters and salt, the master
//	              key sealed by the PIN key, each secret sealed by the
//	              master key (XChaCha20-Poly1305)
//	lockout.json  the count of wrong tries and the delay being served;
//	              no key material
//
// The lockout is kept apart from the keys so that the file rewritten on
// every try holds nothing secret, and the sealed keys are written only when
// they change.
package vault
