// Package blob stores evidence files content-addressed by SHA-256: the key of a file is
// the hex digest of its bytes, so the same file sent twice is stored once, and a key
// proves the content. Local is a directory on disk (the default); the layout shards by
// the first two hex digits (ab/abcdef...) to keep directories small.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
)

// Local is a content-addressed blob store in a local directory.
type Local struct {
	dir string
}

var _ answering.Blobs = (*Local)(nil)

// NewLocal returns a store in dir, creating it when needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence directory %s: %w", dir, err)
	}
	return &Local{dir: dir}, nil
}

// Path is where the blob with key lives (whether or not it exists).
func (l *Local) Path(key string) string {
	if len(key) < 2 {
		return filepath.Join(l.dir, key)
	}
	return filepath.Join(l.dir, key[:2], key)
}

// Put stores data under its SHA-256. The file appears atomically (temp file, fsync,
// rename), so a reader never sees half a file; a blob already present is left alone.
func (l *Local) Put(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	path := l.Path(key)
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data)) {
		return key, nil
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("blob dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("blob temp: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("blob write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("blob sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("blob close: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return "", fmt.Errorf("blob chmod: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("blob rename: %w", err)
	}
	return key, nil
}

// Open returns the content of the blob with key, or conversations.ErrNotFound.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !validKey(key) {
		return nil, fmt.Errorf("blob key %q: %w", key, conversations.ErrInvalid)
	}
	f, err := os.Open(l.Path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", key, conversations.ErrNotFound)
	}
	return f, err
}

// validKey accepts only hex SHA-256 keys, so a key can never name a path outside dir.
func validKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil
}
