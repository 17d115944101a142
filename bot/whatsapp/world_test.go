package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
)

// waitSubmitter queues into the real dispatcher and counts what is in flight, so a test
// step can wait until its messages were handled and the replies delivered.
type waitSubmitter struct {
	d  *dispatch.Dispatcher
	wg sync.WaitGroup
}

func (s *waitSubmitter) Submit(ctx context.Context, in conversations.Inbound, done func(error)) error {
	s.wg.Add(1)
	return s.d.Submit(ctx, in, func(err error) {
		if done != nil {
			done(err)
		}
		s.wg.Done()
	})
}

// waWorld is the real engine on real Postgres and Redis behind the WhatsApp adapter,
// with the whatsmeow client faked at the network edge. The region is the console
// transcripts' KOTA-UJI (consoletest.World: same instrument, OPDs, people and phones).
type waWorld struct {
	*consoletest.World
	fc      *fakeClient
	adapter *Adapter
	sub     *waitSubmitter
	handle  func(any)
	stop    func()
	seq     int
}

func newWAWorld(t testing.TB) *waWorld {
	t.Helper()
	w := &waWorld{World: consoletest.NewWorld(t, func(_, phone string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelWhatsApp, ExternalID: phone,
			ChatID: phone + "@" + types.DefaultUserServer}
	}), fc: newFakeClient()}
	w.start()
	t.Cleanup(func() { w.stop() })
	return w
}

// start builds the engine, the adapter and a dispatcher (a klabot start).
func (w *waWorld) start() {
	eng := w.Engine(slog.New(slog.DiscardHandler))
	w.adapter = New(w.fc, &RedisMenus{RDB: w.RDB, Prefix: w.Prefix}, nil, Config{
		DigestGroups: []string{digestGrp.String()}, MaxFileBytes: consoletest.MaxFileBytes, MediaRetryWait: 10 * time.Millisecond,
	})
	w.adapter.SetPhonebook(w.Store, false) // languages; binding only with @phonebook
	d := dispatch.New(w.adapter.Wrap(eng), directSender{w.adapter}, slog.New(slog.DiscardHandler), dispatch.Config{Workers: 8})
	w.sub = &waitSubmitter{d: d}
	w.adapter.SetSubmitter(w.sub)
	ctx, cancel := context.WithCancel(w.Ctx)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	w.handle = w.adapter.EventHandler(ctx)
	w.stop = func() { cancel(); <-done }
}

// restart stops klabot and starts it again on the same stores.
func (w *waWorld) restart() {
	w.stop()
	w.start()
}

// phone returns name's phone digits; strangers get one of their own.
func (w *waWorld) phone(name string) string {
	if p, ok := w.Phones[name]; ok {
		return p
	}
	p := fmt.Sprintf("628129999%04d", len(w.Phones)+1)
	w.Phones[name] = p
	return p
}

// deliver hands events to the adapter as whatsmeow would, waits until they were handled,
// and returns the texts sent to chat meanwhile.
func (w *waWorld) deliver(chat types.JID, evts ...any) string {
	w.fc.mu.Lock()
	before := len(w.fc.sent)
	w.fc.mu.Unlock()
	for _, e := range evts {
		w.handle(e)
	}
	w.sub.wg.Wait()
	return w.sentSince(chat, before)
}

// deliverInbound queues an already converted message, behind the same wrapper.
func (w *waWorld) deliverInbound(chat types.JID, in conversations.Inbound) string {
	w.fc.mu.Lock()
	before := len(w.fc.sent)
	w.fc.mu.Unlock()
	consoletest.Must(w.T, w.sub.Submit(w.Ctx, in, nil))
	w.sub.wg.Wait()
	return w.sentSince(chat, before)
}

func (w *waWorld) sentSince(chat types.JID, before int) string {
	w.fc.mu.Lock()
	defer w.fc.mu.Unlock()
	var b strings.Builder
	for _, m := range w.fc.sent[before:] {
		if m.To != chat {
			continue
		}
		switch {
		case m.Msg.GetConversation() != "":
			b.WriteString(m.Msg.GetConversation())
		case m.Msg.GetImageMessage() != nil:
			b.WriteString(m.Msg.GetImageMessage().GetCaption() + "\n[foto]")
		case m.Msg.GetDocumentMessage() != nil:
			b.WriteString(m.Msg.GetDocumentMessage().GetCaption() + "\n[lampiran: " + m.Msg.GetDocumentMessage().GetFileName() + "]")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

func (w *waWorld) nextID() string {
	w.seq++
	return fmt.Sprintf("3EB0%012X", w.seq)
}
