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
	_ conversations.States     = (*Store)(nil)
	_ conversations.Locker     = (*Store)(nil)
	_ conversations.StepLocker = (*Store)(nil)
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
	token := newToken()
	k := s.lockKey(key)
	err := s.waitLock(ctx, key, func() (bool, error) {
		err := s.c.SetArgs(ctx, k, token, redis.SetArgs{Mode: "NX", TTL: s.cfg.LockTTL}).Err()
		if errors.Is(err, redis.Nil) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.hold(context.WithoutCancel(ctx), k, token, "").Unlock, nil
}

func (s *Store) lockKey(key string) string { return s.cfg.Prefix + "lock:" + key }

func newToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// waitLock calls try (one attempt to take the lock of key) with growing pauses until it
// takes the lock, fails, or LockWait has passed.
func (s *Store) waitLock(ctx context.Context, key string, try func() (bool, error)) error {
	deadline := time.Now().Add(s.cfg.LockWait)
	pause := 2 * time.Millisecond
	for {
		ok, err := try()
		if err != nil {
			return fmt.Errorf("lock %s: %w: %v", key, conversations.ErrUnavailable, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock %s: held too long: %w", key, conversations.ErrUnavailable)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if pause < 50*time.Millisecond {
			pause *= 2
		}
	}
}

// lockLoadScript takes the lock (KEYS[1], token ARGV[1], TTL ARGV[2] ms) when it is free
// and then reads the state (KEYS[2]) and whether the dedupe mark (KEYS[3], if given)
// exists: {1, state or nil, 0|1}; {0} when the lock is held.
var lockLoadScript = redis.NewScript(`
if not redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return {0} end
local seen = 0
if #KEYS > 2 then seen = redis.call("EXISTS", KEYS[3]) end
return {1, redis.call("GET", KEYS[2]), seen}`)

// saveUnlockScript writes the state (KEYS[2] := ARGV[2] for ARGV[3] ms, when ARGV[2] is
// not empty) and the dedupe mark (KEYS[3] for ARGV[4] ms, if given), then deletes the
// lock KEYS[1] only when it still holds our token ARGV[1].
var saveUnlockScript = redis.NewScript(`
if ARGV[2] ~= "" then redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3]) end
if #KEYS > 2 then redis.call("SET", KEYS[3], 1, "PX", ARGV[4]) end
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// LockLoad is Lock and Load in one round trip per attempt: it waits for the chat's lock
// like Lock (renewed while held, lost within LockTTL by a dead process) and reads the
// state and the dedupe mark atomically with taking it.
func (s *Store) LockLoad(ctx context.Context, lockKey, key string, ch conversations.Channel, messageID string) (conversations.Held, *conversations.State, bool, error) {
	token := newToken()
	k := s.lockKey(lockKey)
	keys := []string{k, s.stateKey(key)}
	if messageID != "" {
		keys = append(keys, s.seenKey(ch, messageID))
	}
	var vals []any
	err := s.waitLock(ctx, lockKey, func() (bool, error) {
		v, err := lockLoadScript.Run(ctx, s.c, keys, token, s.cfg.LockTTL.Milliseconds()).Slice()
		if err != nil {
			return false, err
		}
		vals = v
		return len(v) == 3 && v[0] == int64(1), nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	h := s.hold(context.WithoutCancel(ctx), k, token, keys[1])
	seen := vals[2] == int64(1)
	raw, ok := vals[1].(string)
	if !ok {
		return h, nil, seen, nil
	}
	var st conversations.State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		// A state we cannot read is rebuilt from the checkpoint rather than failing.
		return h, nil, seen, nil
	}
	return h, &st, seen, nil
}

// held is a lock taken by Lock or LockLoad.
type held struct {
	s        *Store
	ctx      context.Context // without cancel: the release runs after the step's ctx ended
	k, token string
	stateKey string // full key; empty for a lock taken by Lock
	stop     chan struct{}
	done     chan struct{}

	mu       sync.Mutex
	stopped  bool
	released bool
}

// stopRenewal ends the renewal (once) and waits for it, so that no renewal runs after
// the release. Called with h.mu held.
func (h *held) stopRenewal() {
	if !h.stopped {
		h.stopped = true
		close(h.stop)
		<-h.done
	}
}

// Unlock stops the renewal and releases the lock while it is still ours.
func (h *held) Unlock() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return
	}
	h.stopRenewal()
	h.released = true
	// Release even when the step's context ended.
	unlockScript.Run(h.ctx, h.s.c, []string{h.k}, h.token) //nolint:errcheck
}

// SaveUnlock is Save and Unlock in one round trip. When it fails the lock is not known
// to be released: Unlock tries again (and the TTL ends it in any case).
func (h *held) SaveUnlock(ctx context.Context, st *conversations.State, ch conversations.Channel, messageID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return errors.New("redis save: lock already released")
	}
	var b []byte
	if st != nil {
		var err error
		if b, err = json.Marshal(st); err != nil {
			return err
		}
	}
	h.stopRenewal()
	keys := []string{h.k, h.stateKey}
	if messageID != "" {
		keys = append(keys, h.s.seenKey(ch, messageID))
	}
	err := saveUnlockScript.Run(ctx, h.s.c, keys, h.token, b,
		h.s.cfg.StateTTL.Milliseconds(), h.s.cfg.SeenTTL.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("redis save %s: %w: %v", h.stateKey, conversations.ErrUnavailable, err)
	}
	h.released = true
	return nil
}

// hold renews the lock k until it is released (held.Unlock or held.SaveUnlock).
// stateKey is the full key of the state SaveUnlock writes.
func (s *Store) hold(ctx context.Context, k, token string, stateKey string) *held {
	h := &held{s: s, ctx: ctx, k: k, token: token, stateKey: stateKey,
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(s.cfg.LockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				// A failed renewal is retried on the next tick; if the lock is lost the
				// engine's durable message record still keeps a step from applying twice.
				renewScript.Run(ctx, s.c, []string{k}, token, s.cfg.LockTTL.Milliseconds()) //nolint:errcheck
			}
		}
	}()
	return h
}

// Prefix returns the key prefix, for tools that inspect or clear this deployment's keys.
func (s *Store) Prefix() string { return s.cfg.Prefix }

// Config returns the Store's configuration with its defaults filled in.
func (s *Store) Config() Config { return s.cfg }
