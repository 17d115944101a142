// Package redistest gives each test a client on the real local Redis and a key prefix of
// its own, deleted when the test ends, so tests run in parallel without seeing each other.
// TEST_REDIS_URL (default redis://127.0.0.1:6379/0) names the server.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// New returns a client and a unique key prefix (ending in ':') for t.
func New(t testing.TB) (*redis.Client, string) {
	t.Helper()
	raw := os.Getenv("TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redistest: Redis is not answering at %s (start it; see .ci/run): %v", raw, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "klabottest:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return c, prefix
}
