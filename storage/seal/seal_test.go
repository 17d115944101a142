package seal_test

import (
	"bytes"
	"testing"

	"github.com/klabot/klabot/storage/seal"
)

func TestSealOpensOnlyUnderItsOwnKey(t *testing.T) {
	b := seal.New("klabot test v1", "secret")
	plain := []byte("/start KODE-RAHASIA")
	sealed := b.Seal(plain)
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed data holds the plain text")
	}
	got, err := b.Open(sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	for name, other := range map[string]seal.Box{
		"other secret":  seal.New("klabot test v1", "another"),
		"other purpose": seal.New("klabot other v1", "secret"),
	} {
		if _, err := other.Open(sealed); err == nil {
			t.Errorf("%s opened it", name)
		}
		if other.ID() == b.ID() {
			t.Errorf("%s has the same key id", name)
		}
	}
	if _, err := b.Open(sealed[:5]); err == nil {
		t.Error("a truncated box opened")
	}
	if bytes.Equal(b.Seal(plain), sealed) {
		t.Error("two seals of the same text are equal (nonce reused)")
	}
}
