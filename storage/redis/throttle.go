package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/conversations"
)

// Failures counts failed attempts (wrong invite codes) under key in fixed windows: the
// first failure opens a window of the given length, later ones count in it, and the count
// is gone when it ends. They throttle guessing without any state in PostgreSQL.

func (s *Store) failKey(key string) string { return s.cfg.Prefix + "fail:" + key }

// Failures returns how many failures key counted in its current window and how long the
// window still runs (0, 0 when none).
func (s *Store) Failures(ctx context.Context, key string) (int, time.Duration, error) {
	k := s.failKey(key)
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, k)
		ttl = p.PTTL(ctx, k)
		return nil
	})
	if err != nil && err != redis.Nil {
		return 0, 0, fmt.Errorf("read failures %s: %w: %v", key, conversations.ErrUnavailable, err)
	}
	n, err := get.Int()
	if err != nil {
		return 0, 0, nil
	}
	return n, max(ttl.Val(), 0), nil
}

// failScript counts one failure and opens the window with the first one.
var failScript = redis.NewScript(`local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return {n, redis.call("PTTL", KEYS[1])}`)

// AddFailure counts one failure under key and returns the window's count and how long it
// still runs; the first failure opens a window of length window.
func (s *Store) AddFailure(ctx context.Context, key string, window time.Duration) (int, time.Duration, error) {
	res, err := failScript.Run(ctx, s.c, []string{s.failKey(key)}, window.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return 0, 0, fmt.Errorf("count failure %s: %w: %v", key, conversations.ErrUnavailable, err)
	}
	return int(res[0]), time.Duration(max(res[1], 0)) * time.Millisecond, nil
}
