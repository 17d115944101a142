package loadtest

import (
	"context"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// TestSenderBench sends a short burst of nudges through the durable queue and Telegram
// adapter to the limit-enforcing fake Bot API: every nudge arrives exactly once, each in
// its own chat, and no retry comes before retry_after. (Whether any 429 happens depends
// on the machine's timing, so it is measured, not asserted.)
func TestSenderBench(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rdb, prefix := redistest.New(t)
	res, err := SenderBench(ctx, pgtest.New(t), rdb, prefix, 40, 100, 100, 2*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 40 || res.Failed != 0 || res.Accepted != 40 || res.Chats != 40 || res.Early != 0 {
		t.Errorf("delivered %d, lost %d, accepted %d in %d chats, early retries %d; want 40, 0, 40, 40, 0",
			res.Delivered, res.Failed, res.Accepted, res.Chats, res.Early)
	}
	if res.MaxInSecond > 40 || res.Achieved() <= 0 {
		t.Errorf("achieved %.1f/s, most in a second %d", res.Achieved(), res.MaxInSecond)
	}
}
