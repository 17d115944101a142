package console_test

import (
	"testing"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
)

// world is a real engine on real Postgres and Redis in the transcripts' region
// (consoletest.World: KOTA-UJI, Dinas Kesehatan with budi, sari and john, Dinas
// Pendidikan with ani, koor, wali, and dewi without a chat), spoken to through console
// sessions, one per person ("chat-NAME").
type world struct {
	*consoletest.World
	eng      *conversations.Engine
	sessions map[string]*console.Session
	hub      *console.Hub
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{World: consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key}
	}), sessions: map[string]*console.Session{}, hub: console.NewHub()}
	w.restart()
	return w
}

// restart builds a new engine on the same stores (a klabot restart: caches are gone).
func (w *world) restart() {
	w.eng = w.Engine(nil)
	for name, s := range w.sessions {
		w.sessions[name] = console.NewSession(w.eng, s.Address().ChatID, name)
		w.sessions[name].Now = w.Clock.Now
		w.sessions[name].Hub = w.hub
	}
}

// session returns the console chat of name (its identity "chat-NAME", bound or not).
func (w *world) session(name string) *console.Session {
	s, ok := w.sessions[name]
	if !ok {
		s = console.NewSession(w.eng, "chat-"+name, name)
		s.Now = w.Clock.Now
		s.Hub = w.hub
		w.sessions[name] = s
	}
	return s
}

func must(t testing.TB, err error) { t.Helper(); consoletest.Must(t, err) }
