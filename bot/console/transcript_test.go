package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
)

// TestTranscripts replays every testdata/*.txt dialogue against the real engine, Postgres
// and Redis, in the format of consoletest.Run. On the console
//
//	@as NAME        speaks as NAME's console chat ("chat-NAME")
//	> 2             presses the second button of the latest message
//	> /kirim A B    sends the @file files A and B
func TestTranscripts(t *testing.T) {
	t.Parallel()
	files := consoletest.Transcripts(t)
	if dir := os.Getenv("KLABOT_TRANSCRIPTS"); dir != "" { // a folder of transcripts being written
		files, _ = filepath.Glob(filepath.Join(dir, "*.txt"))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			consoletest.Run(t, f, w.World, &consoleChannel{w: w, cur: w.session("budi")})
		})
	}
}

// consoleChannel speaks through the world's console sessions.
type consoleChannel struct {
	w   *world
	cur *console.Session
}

func (c *consoleChannel) Say(text string) (string, error) {
	if rest, ok := strings.CutPrefix(text, "/kirim "); ok {
		var paths []string
		for _, p := range strings.Fields(rest) {
			paths = append(paths, filepath.Join(c.w.FileDir, p))
		}
		text = "/kirim " + strings.Join(paths, " ")
	}
	outs, err := c.cur.Send(context.Background(), text)
	return console.Render(outs), err
}

func (c *consoleChannel) Directive(d *consoletest.Directive) bool {
	ctx := context.Background()
	switch d.Name() {
	case "as":
		c.cur = c.w.session(d.Arg(1))
	case "press":
		outs, err := c.cur.Press(ctx, d.Arg(1))
		d.Replied(console.Render(outs), err)
	case "inbox":
		d.Replied(console.Render(c.w.session(d.Arg(1)).Inbox()), nil)
	case "dup":
		outs, err := c.cur.Redeliver(ctx)
		d.Replied(console.Render(outs), err)
	case "nostate":
		if k := c.w.StateKey(c.cur.Address().ChatID); k != "" {
			d.Fatalf("state stored for %s: %s", c.cur.Address().ChatID, k)
		}
	case "restart":
		name := c.sessionName()
		c.w.restart()
		c.cur = c.w.sessions[name]
	default:
		return false
	}
	return true
}

// sessionName is the name of the current session.
func (c *consoleChannel) sessionName() string {
	for name, x := range c.w.sessions {
		if x.Address() == c.cur.Address() {
			return name
		}
	}
	return ""
}
