package blob_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/blob"
)

func TestLocalIsContentAddressed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.4 laporan kegiatan Forum Anak")
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	// The same file sent by several people at once is stored once.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key, err := s.Put(ctx, data)
			if err != nil || key != want {
				t.Errorf("Put = %q, %v; want %q", key, err, want)
			}
		}()
	}
	wg.Wait()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 || filepath.Base(files[0]) != want {
		t.Fatalf("stored files %v, want exactly one named %s (no temp files left)", files, want)
	}
	rc, err := s.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != string(data) {
		t.Errorf("read back %q", got)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, conversations.ErrInvalid) {
		t.Errorf("Open of a path: %v, want ErrInvalid", err)
	}
	missing := hex.EncodeToString(make([]byte, 32))
	if _, err := s.Open(ctx, missing); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("Open of a missing blob: %v, want ErrNotFound", err)
	}
}
