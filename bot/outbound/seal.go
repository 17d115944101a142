package outbound

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// sealer encrypts what a queued message says (texts can hold invite codes, files are
// people's evidence) with AES-GCM, so that the job table and the attachments table hold
// nothing readable without the key. The key's id (a hash) goes with each job, so a replica
// with another key says so instead of failing obscurely.
type sealer struct {
	aead cipher.AEAD
	id   string
}

func newSealer(secret string) sealer {
	key := sha256.Sum256([]byte("klabot outbound v1\x00" + secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key always works
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	id := sha256.Sum256(key[:])
	return sealer{aead: aead, id: hex.EncodeToString(id[:4])}
}

func (s sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil)
}

func (s sealer) open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed message too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
