package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// Two processes (two pools on one database) compete for the WhatsApp session: only one
// holds it; the other takes it once it is released or its holder's connection dies.
func TestSessionLockTwoHolders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	open := func() *postgres.Store {
		pool, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return postgres.New(pool, nil)
	}
	a, b := open(), open()

	la, err := a.TryLockSession(ctx, "whatsapp:session", 20*time.Millisecond)
	if err != nil {
		t.Fatalf("first holder: %v", err)
	}
	if _, err := b.TryLockSession(ctx, "whatsapp:session", 20*time.Millisecond); !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("second holder while first holds: %v, want ErrConflict", err)
	}
	// Another name is another lock.
	lo, err := b.TryLockSession(ctx, "whatsapp:other", 0)
	if err != nil {
		t.Fatalf("other name: %v", err)
	}
	lo.Release(ctx)

	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(ctx); err != nil {
		t.Fatalf("second release: %v", err)
	}
	lb, err := b.TryLockSession(ctx, "whatsapp:session", 20*time.Millisecond)
	if err != nil {
		t.Fatalf("second holder after release: %v", err)
	}

	// The holder's connection is killed (a crashed process): the server frees the lock,
	// and the holder learns that it lost it.
	if _, err := a.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lb.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("holder was not told that its lock connection died")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		la, err = a.TryLockSession(ctx, "whatsapp:session", 20*time.Millisecond)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock not freed after its holder died: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer la.Release(ctx)
	lb.Release(ctx) // its connection is gone; release must not hang or panic
}

func TestWhatsAppDigestGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	s := postgres.New(pool, nil)
	for _, code := range []string{"A", "B", "C"} {
		if err := s.UpsertRegion(ctx, conversations.Region{Code: code, Name: "Kota " + code, Kind: "kota", TimeZone: "Asia/Jakarta", DigestHour: 7}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE regions SET digest_channel = CASE code WHEN 'C' THEN 'telegram' ELSE 'whatsapp' END,
		digest_chat_id = CASE code WHEN 'C' THEN '-100' ELSE '120363000000000001@g.us' END`); err != nil {
		t.Fatal(err)
	}
	got, err := s.WhatsAppDigestGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "120363000000000001@g.us" {
		t.Errorf("groups %v", got)
	}
}
