package telegram_test

import (
	"context"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
)

// TestReadyAsksTheBotAPIAtMostEvery30s: /readyz is probed every few seconds on every
// replica; a recent successful getMe answers for it.
func TestReadyAsksTheBotAPIAtMostEvery30s(t *testing.T) {
	t.Parallel()
	api := fakebotapi.New(t, token)
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	a, err := telegram.New(context.Background(), telegram.Config{Token: token, APIURL: api.URL},
		telegram.Deps{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, step := range []struct {
		after time.Duration
		calls int // getMe calls so far, the one at start included
	}{{0, 1}, {29 * time.Second, 1}, {2 * time.Second, 2}, {10 * time.Second, 2}} {
		now = now.Add(step.after)
		if err := a.Ready(ctx); err != nil {
			t.Fatalf("Ready after %v: %v", step.after, err)
		}
		if n := len(api.Calls("getMe")); n != step.calls {
			t.Fatalf("after another %v: %d getMe calls, want %d", step.after, n, step.calls)
		}
	}
}
