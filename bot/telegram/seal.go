package telegram

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// sealer encrypts recorded updates (they can hold invite codes and personal messages) with
// AES-GCM under a key derived from the bot token: whoever reads the database without the
// token reads nothing.
type sealer struct{ aead cipher.AEAD }

func newSealer(token string) sealer {
	key := sha256.Sum256([]byte("klabot telegram_updates v1\x00" + token))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key always works
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return sealer{aead: aead}
}

func (s sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil)
}

func (s sealer) open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed update too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
