package redis_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	kredis "github.com/klabot/klabot/storage/redis"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestGoRedisLogLinesGoThroughSlog(t *testing.T) {
	// Not parallel: go-redis's logger is process-wide.
	out := &lockedBuffer{}
	kredis.LogThrough(slog.New(slog.NewJSONHandler(out, nil)))
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	c.Ping(context.Background()) // refused: go-redis logs the failed dial
	if got := out.String(); !strings.Contains(got, `"component":"go-redis"`) || !strings.Contains(got, `"level":"WARN"`) {
		t.Errorf("go-redis log lines did not reach slog: %q", got)
	}
}
