package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
)

func TestLoginLinkRedeemsOnceEvenConcurrently(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t)
	ctx := context.Background()
	if err := w.store.CreateWebLink(ctx, "link-hash", w.coord, "login", "", w.clock.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.store.RedeemLoginLink(ctx, "link-hash", "session-"+string(rune('a'+i)))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, conversations.ErrConflict):
			t.Errorf("redeem: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions succeeded, want 1", ok)
	}
	var sessions int
	w.pool.QueryRow(ctx, `SELECT count(*) FROM web_sessions`).Scan(&sessions)
	if sessions != 1 {
		t.Fatalf("%d sessions", sessions)
	}
}

func TestWebSessionIdleAndEnd(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t)
	ctx := context.Background()
	if err := w.store.CreateWebLink(ctx, "l", w.head, "login", "", w.clock.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	p, err := w.store.RedeemLoginLink(ctx, "l", "s")
	if err != nil || p.ID != w.head || p.Role != conversations.RoleHead {
		t.Fatalf("redeem: %+v %v", p, err)
	}
	// Used within the idle time, the session stays alive past 8 hours from its start.
	for range 3 {
		w.clock = w.clock.Add(7 * time.Hour)
		if _, err := w.store.WebSession(ctx, "s", 8*time.Hour); err != nil {
			t.Fatalf("active session: %v", err)
		}
	}
	w.clock = w.clock.Add(8 * time.Hour)
	if _, err := w.store.WebSession(ctx, "s", 8*time.Hour); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("idle session: %v", err)
	}
	// An ended session is gone at once.
	w.store.CreateWebLink(ctx, "l2", w.head, "login", "", w.clock.Add(time.Minute))
	w.store.RedeemLoginLink(ctx, "l2", "s2")
	if err := w.store.EndWebSession(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.WebSession(ctx, "s2", 8*time.Hour); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("ended session: %v", err)
	}
	// Download links are no login links, and login links no download links.
	w.store.CreateWebLink(ctx, "d", w.coord, "download", "pack:2026", w.clock.Add(time.Hour))
	if _, err := w.store.RedeemLoginLink(ctx, "d", "s3"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("download link as login: %v", err)
	}
	if _, _, err := w.store.DownloadLink(ctx, "l2"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("login link as download: %v", err)
	}
	if p, target, err := w.store.DownloadLink(ctx, "d"); err != nil || p.ID != w.coord || target != "pack:2026" {
		t.Fatalf("download link: %+v %q %v", p, target, err)
	}
}
