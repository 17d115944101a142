// Package seal encrypts what klabot keeps in the database but must not keep readable
// (recorded Telegram updates, queued outbound messages: they can hold invite codes and
// people's evidence) with AES-GCM under a key derived from a secret.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Box seals and opens with one key. The zero value is not usable; use New.
type Box struct {
	aead cipher.AEAD
	id   string
}

// New derives a key from purpose (a fixed label, so that one secret gives different keys
// for different tables) and secret.
func New(purpose, secret string) Box {
	key := sha256.Sum256([]byte(purpose + "\x00" + secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key always works
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	id := sha256.Sum256(key[:])
	return Box{aead: aead, id: hex.EncodeToString(id[:4])}
}

// ID names the key (a short hash of it, never the key), so that data sealed under
// another key can be told apart and reported.
func (b Box) ID() string { return b.id }

// Seal returns nonce || ciphertext of plain.
func (b Box) Seal(plain []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plain, nil)
}

// Open reverses Seal; it fails for data sealed under another key or changed.
func (b Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed data too short")
	}
	return b.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
