package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/storage/postgres"
)

// heldMarks is the real store as update log, with its first handled mark held until
// released and every mark's ids kept.
type heldMarks struct {
	*postgres.Store
	release chan struct{}
	once    sync.Once

	mu    sync.Mutex
	calls [][]int64
}

func (h *heldMarks) MarkTelegramUpdatesHandled(ctx context.Context, botID int64, ids []int64) error {
	h.mu.Lock()
	h.calls = append(h.calls, slices.Clone(ids))
	first := len(h.calls) == 1
	h.mu.Unlock()
	if first {
		<-h.release
	}
	return h.Store.MarkTelegramUpdatesHandled(ctx, botID, ids)
}

func (h *heldMarks) marks() [][]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

// A handled update's mark is written in the background, together with the marks that
// came meanwhile: the chat's next message is handled while the mark is still being
// written (its order check does not wait for the previous update, which this process
// still holds), other chats go on too, and every update ends up marked exactly once.
func TestHandledMarksAreNotWaitedForAndShareAStatement(t *testing.T) {
	t.Parallel()
	held := &heldMarks{release: make(chan struct{})}
	b := setup(t, options{webhook: true, awaitTurn: true,
		// An order check that waited for the held update would wait a minute.
		adapter: func(c *telegram.Config) { c.OrderWait = time.Minute },
		updates: func(s *postgres.Store) telegram.UpdateLog { held.Store = s; return held }})
	defer held.once.Do(func() { close(held.release) })
	h := b.adapter.WebhookHandler()
	post := func(p fakebotapi.Person, msg int, text string) int64 {
		t.Helper()
		u := p.Text(msg, text)
		u.ID = b.api.NextUpdateID()
		if code := postUpdate(t, h, "s3cret-Token_1", u); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		return u.ID
	}
	first := post(ani, 1, "satu")
	b.api.WaitMessages(t, ani.ChatID(), 1)
	b.api.WaitFor(t, time.Minute, "the first mark to be under way", func() bool { return len(held.marks()) == 1 })

	// The first mark is held. Ani's next message and five other people's go through.
	second := post(ani, 2, "dua")
	var others []int64
	for i := range 5 {
		p := fakebotapi.Person{ID: int64(6001 + i), FirstName: fmt.Sprintf("P%d", i)}
		others = append(others, post(p, 1, "halo"))
		b.api.WaitMessages(t, p.ChatID(), 1)
	}
	msgs := b.api.WaitMessages(t, ani.ChatID(), 2)
	if msgs[1].Text != "echo: dua" {
		t.Errorf("ani's second reply %q, want the echo of her second message", msgs[1].Text)
	}
	if all, handled := b.countUpdates(t); all != 7 || handled != 0 {
		t.Fatalf("%d updates recorded, %d marked handled while the first mark is held; want 7 and 0", all, handled)
	}

	held.once.Do(func() { close(held.release) })
	b.api.WaitFor(t, time.Minute, "every update marked handled", func() bool {
		_, handled := b.countUpdates(t)
		return handled == 7
	})
	calls := held.marks()
	var marked []int64
	for _, c := range calls {
		marked = append(marked, c...)
	}
	slices.Sort(marked)
	want := append([]int64{first, second}, others...)
	slices.Sort(want)
	if !slices.Equal(marked, want) {
		t.Errorf("marked %v, want each of %v once", marked, want)
	}
	// The six that came while the first was written went in fewer statements than six.
	if len(calls) >= 7 {
		t.Errorf("%d mark statements for 7 updates, want the ones settled meanwhile to share one: %v", len(calls), calls)
	}
	// Once marked, a replay takes none of them again.
	if n, err := b.adapter.Replay(b.ctx); err != nil || n != 0 {
		t.Errorf("replay after the marks: %d updates, %v; want none", n, err)
	}
}
