// Package redis keeps klabot's live dialogue state, the fast dedupe marks of inbound
// messages and the per-chat locks in Redis (go-redis v9, Redis 7). Every key starts with
// a configurable prefix, so several deployments (and parallel tests) share one server.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/conversations"
)

// Config tunes the Store.
type Config struct {
	// Prefix starts every key. Defaults to "klabot:".
	Prefix string
	// StateTTL is how long an untouched dialogue state lives (refreshed on every write;
	// the Postgres checkpoint rebuilds it after). Defaults to 30 days.
	StateTTL time.Duration
	// SeenTTL is how long a handled message id is remembered (the Postgres
	// inbound_messages row remembers answers for ever). Defaults to 7 days.
	SeenTTL time.Duration
	// LockTTL bounds how long a crashed process can hold a chat. A live holder renews
	// its lock every LockTTL/3 while its step runs (a step may download a 20 MB file), so
	// the TTL only has to outlast a renewal; it is kept below LockWait so that a replay
	// of a dead process's update gets the chat instead of timing out. Defaults to 15
	// seconds.
	LockTTL time.Duration
	// LockWait is how long a step waits for its chat's lock. Defaults to 20 seconds.
	LockWait time.Duration
}

// Store implements conversations.States and conversations.Locker.
type Store struct {
	c   *redis.Client
	cfg Config
}

var (
	_ conversations.States = (*Store)(nil)
	_ conversations.Locker = (*Store)(nil)
)

// New returns a Store on c.
func New(c *redis.Client, cfg Config) *Store {
	if cfg.Prefix == "" {
		cfg.Prefix = "klabot:"
	}
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = 30 * 24 * time.Hour
	}
	if cfg.SeenTTL <= 0 {
		cfg.SeenTTL = 7 * 24 * time.Hour
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = 15 * time.Second
	}
	if cfg.LockWait <= 0 {
		cfg.LockWait = 20 * time.Second
	}
	return &Store{c: c, cfg: cfg}
}

func (s *Store) stateKey(key string) string { return s.cfg.Prefix + "state:" + key }

func (s *Store) seenKey(ch conversations.Channel, id string) string {
	return s.cfg.Prefix + "seen:" + string(ch) + ":" + id
}

// Load reads the state and the dedupe mark in one round trip.
func (s *Store) Load(ctx context.Context, key string, ch conversations.Channel, messageID string) (*conversations.State, bool, error) {
	keys := []string{s.stateKey(key)}
	if messageID != "" {
		keys = append(keys, s.seenKey(ch, messageID))
	}
	vals, err := s.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redis load %s: %w: %v", key, conversations.ErrUnavailable, err)
	}
	seen := len(vals) > 1 && vals[1] != nil
	raw, ok := vals[0].(string)
	if !ok {
		return nil, seen, nil
	}
	var st conversations.State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		// A state we cannot read is rebuilt from the checkpoint rather than failing.
		return nil, seen, nil
	}
	return &st, seen, nil
}

// Save writes the state (refreshing its TTL) and the dedupe mark in one round trip.
func (s *Store) Save(ctx context.Context, key string, st *conversations.State, ch conversations.Channel, messageID string) error {
	if st == nil && messageID == "" {
		return nil
	}
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		if st != nil {
			b, err := json.Marshal(st)
			if err != nil {
				return err
			}
			p.Set(ctx, s.stateKey(key), b, s.cfg.StateTTL)
		}
		if messageID != "" {
			p.Set(ctx, s.seenKey(ch, messageID), 1, s.cfg.SeenTTL)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis save %s: %w: %v", key, conversations.ErrUnavailable, err)
	}
	return nil
}

// Forget deletes a state, so the next step rebuilds it from the Postgres checkpoint.
func (s *Store) Forget(ctx context.Context, key string) error {
	if err := s.c.Del(ctx, s.stateKey(key)).Err(); err != nil {
		return fmt.Errorf("redis forget %s: %w: %v", key, conversations.ErrUnavailable, err)
	}
	return nil
}

// unlockScript deletes the lock only when it still holds our token (Redis 7 has no DELEX).
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// renewScript extends the lock's TTL only while it still holds our token.
var renewScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)

// Lock takes the chat's lock, waiting with growing pauses up to LockWait. While it is
// held it is renewed every LockTTL/3, so a long step keeps it and a dead process loses it
// within LockTTL. The returned unlock stops the renewal and releases the lock only while
// it is still ours (it may have expired and been taken).
func (s *Store) Lock(ctx context.Context, key string) (func(), error) {
	b := make([]byte, 12)
	rand.Read(b)
	token := hex.EncodeToString(b)
	k := s.cfg.Prefix + "lock:" + key
	deadline := time.Now().Add(s.cfg.LockWait)
	pause := 2 * time.Millisecond
	for {
		err := s.c.SetArgs(ctx, k, token, redis.SetArgs{Mode: "NX", TTL: s.cfg.LockTTL}).Err()
		if err == nil {
			return s.hold(context.WithoutCancel(ctx), k, token), nil
		}
		if !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("lock %s: %w: %v", key, conversations.ErrUnavailable, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock %s: held too long: %w", key, conversations.ErrUnavailable)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		if pause < 50*time.Millisecond {
			pause *= 2
		}
	}
}

// hold renews the lock k until the returned unlock is called, which then releases it.
func (s *Store) hold(ctx context.Context, k, token string) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.cfg.LockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// A failed renewal is retried on the next tick; if the lock is lost the
				// engine's durable message record still keeps a step from applying twice.
				renewScript.Run(ctx, s.c, []string{k}, token, s.cfg.LockTTL.Milliseconds()) //nolint:errcheck
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			// Release even when the step's context ended.
			unlockScript.Run(ctx, s.c, []string{k}, token) //nolint:errcheck
		})
	}
}

// Prefix returns the key prefix, for tools that inspect or clear this deployment's keys.
func (s *Store) Prefix() string { return s.cfg.Prefix }

// Config returns the Store's configuration with its defaults filled in.
func (s *Store) Config() Config { return s.cfg }
