// Package session runs the officer app on a device, from the PIN to the
// lock to the wipe: the vault that seals the device's keys under the
// officer's PIN, the encrypted store it opens, the device's credential and
// sync engine, the app lock (at start, when idle, in the background), the
// lock when the device has not reached its server for too long, the
// retention of records the server's policy sets, and the crypto-erase
// after too many wrong PINs, on a revoked device or disabled account, or
// on a forgotten PIN. It also holds the plain-Go models of the PIN
// screens: the lock screen (and the hand-over's exit), choosing a PIN,
// Change PIN and the forgotten-PIN path. It has no Fyne in it: the app's
// screens render its state and forward the officer's actions.
//
// The data folder (mode 0700) holds:
//
//	vault/        the sealed keys and the lockout (package vault)
//	store/        the encrypted Badger store; readable only with the key
//	              the vault seals
//	unsent.json   how many records are not on the server yet: three
//	              numbers, for the lock screen's warning before the store
//	              is open; nothing about any record
//
// Every file the app writes is mode 0600 (PrivateFiles, Narrow).
package session
