package whatsapp

import (
	"context"
	"testing"

	"go.mau.fi/whatsmeow/types"
)

// BenchmarkInbound measures the work done inside whatsmeow's receive loop per message:
// converting the event (the queueing behind it is a channel send).
func BenchmarkInbound(b *testing.B) {
	a := New(newFakeClient(), nil, nil, Config{DigestGroups: []string{digestGrp.String()}})
	evt := textEvent("B1", "lanjut")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := a.Inbound(ctx, evt); !ok {
			b.Fatal("dropped")
		}
	}
}

// BenchmarkDialogueStep measures one message from a WhatsApp event to the reply handed to
// the client, through the dispatcher, the real engine, Postgres and Redis ("status").
func BenchmarkDialogueStep(b *testing.B) {
	w := newWAWorld(b)
	s := speaker{name: "budi"}
	chat := types.NewJID(w.phone("budi"), types.DefaultUserServer)
	b.ReportAllocs()
	for b.Loop() {
		w.fc.mu.Lock()
		w.fc.sent = w.fc.sent[:0]
		w.fc.mu.Unlock()
		if reply := w.deliver(chat, w.events(nil, s, "status")...); reply == "" {
			b.Fatal("no reply")
		}
	}
}
