package outbound_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

type countTransport struct{ n atomic.Int64 }

func (c *countTransport) Deliver(ctx context.Context, out conversations.Outbound) error {
	c.n.Add(1)
	return nil
}

// BenchmarkSenderFanOut measures the scheduler's own cost: a digest fan-out to 1,000 chats
// per iteration through a transport that returns at once, with limits far above it.
func BenchmarkSenderFanOut(b *testing.B) {
	tr := &countTransport{}
	done := make(chan struct{}, 1)
	var want atomic.Int64
	s := outbound.New(outbound.Config{OnOutcome: func(context.Context, conversations.Outbound, error) {
		if tr.n.Load() == want.Load() {
			select {
			case done <- struct{}{}:
			default:
			}
		}
	}})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{PerBot: 1e9, PerChat: 1, Parallel: 8})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want.Add(1000)
		for c := range 1000 {
			s.Enqueue(ctx, conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: strconv.Itoa(c)}, Text: "digest", Bulk: true})
		}
		for tr.n.Load() < want.Load() {
			<-done
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/msg")
}
