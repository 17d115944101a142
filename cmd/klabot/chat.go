package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// runChat is `klabot chat --invite CODE | --person ID`: a console chat against the real
// engine and stores. Buttons show as numbered options; /kirim PATH uploads a file;
// /keluar (or end of input) quits. Piped standard input works too.
func runChat(ctx context.Context, app *App, args []string) error {
	const usage = "usage: klabot chat --invite CODE | --person ID"
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	invite := fs.String("invite", "", "redeem this invite code with a new console identity")
	personID := fs.Int64("person", 0, "chat as this person (binds a console identity when needed)")
	if err := fs.Parse(args); err != nil {
		return usageError{usage}
	}
	if (*invite == "") == (*personID == 0) {
		return usageError{usage}
	}
	out := &consoleOutbox{}
	parts, err := buildEngine(ctx, app, out)
	if err != nil {
		return err
	}
	var sess *console.Session
	if *invite != "" {
		b := make([]byte, 6)
		rand.Read(b)
		sess = console.NewSession(parts.Engine, "console-"+hex.EncodeToString(b), "console")
		sess.Now = app.Now
		stop, err := openConsole(ctx, app, parts, sess, out)
		if err != nil {
			return err
		}
		defer stop()
		// The invite goes through the engine like a Telegram /start CODE would.
		outs, err := sess.Send(ctx, "/start "+*invite)
		fmt.Fprint(app.Stdout, console.Render(outs))
		if err != nil {
			return err
		}
	} else {
		id, err := consoleIdentity(ctx, parts, *personID)
		if err != nil {
			return err
		}
		sess = console.NewSession(parts.Engine, id, "console")
		sess.Now = app.Now
		stop, err := openConsole(ctx, app, parts, sess, out)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintln(app.Stdout, "(bantuan: daftar perintah · /kirim PATH: kirim file · /keluar: keluar)")
		fmt.Fprintln(app.Stdout)
		// Where the person stands, right away: their question, or their menu.
		outs, err := sess.Send(ctx, "mulai")
		fmt.Fprint(app.Stdout, console.Render(outs))
		if err != nil {
			return err
		}
	}
	return console.Run(ctx, sess, app.Stdin, app.Stdout, promptFor(app.Stdin))
}

// consoleIdentity returns the console identity of the person, binding one when needed.
func consoleIdentity(ctx context.Context, parts *engineParts, personID int64) (string, error) {
	p, err := parts.Store.Person(ctx, personID)
	if err != nil {
		return "", fmt.Errorf("person %d: %w", personID, err)
	}
	ids, err := parts.Store.Identities(ctx, p.ID)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id.Channel == conversations.ChannelConsole {
			return id.ExternalID, nil
		}
	}
	ext := "console-person-" + strconv.FormatInt(p.ID, 10)
	if err := parts.Store.BindIdentity(ctx, p.ID, conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: ext}); err != nil {
		return "", err
	}
	return ext, nil
}

// promptFor shows a prompt only when a person types (standard input is a terminal).
func promptFor(r io.Reader) string {
	f, ok := r.(*os.File)
	if !ok {
		return ""
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return ""
	}
	return "> "
}

// openConsole makes the session's chat a chat of the durable queue: messages its steps
// send to other chats are queued (a coordinator's note reaches the focal point's
// Telegram, or their console when it is open: `klabot serve` delivers the first, that
// console the second), and messages queued to this chat — a note from a coordinator in
// another console, a reminder of `klabot serve`'s scheduler — are shown as they arrive
// ("🔔"), those that waited first. The returned func stops the queue.
func openConsole(ctx context.Context, app *App, parts *engineParts, sess *console.Session, out *consoleOutbox) (func(), error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return nil, err
	}
	q, err := outbound.New(outbound.Config{
		Pool: parts.Store.Pool(), Redis: rdb, RedisPrefix: cfg.RedisPrefix,
		Secret:      outboundSecret(app, cfg), // serve's: it delivers what this console queues
		RescueAfter: cfg.OutboundRescueAfter,
		Now:         app.Now,
		// A terminal session: the queue's start and stop are not news, its trouble is.
		Log: slog.New(warnOnly{app.Log.Handler()}),
	})
	if err != nil {
		return nil, err
	}
	out.q, out.self = q, sess.Address()
	if err := q.RegisterChat(sess.Address(), sess.Notices()); err != nil {
		return nil, err
	}
	if err := q.Start(ctx); err != nil {
		return nil, err
	}
	// What was queued while the chat was closed comes first (at most a few seconds).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(50 * time.Millisecond) {
		if n, err := q.PendingChat(ctx, sess.Address()); err != nil || n == 0 {
			break
		}
	}
	return func() { q.Stop(context.WithoutCancel(ctx), 5*time.Second) }, nil //nolint:errcheck // logged inside
}

// consoleOutbox is the engine's Outbox for a console: messages to other chats (a
// coordinator's note to a focal point) are queued in the step's transaction, so they
// commit with the decision; the console's own replies are returned by Handle and printed.
type consoleOutbox struct {
	q    *outbound.Queue // set by openConsole, before the first step
	self conversations.Address
}

func (o *consoleOutbox) Local(to conversations.Address) bool { return to == o.self }

func (o *consoleOutbox) Enqueue(ctx context.Context, out conversations.Outbound) error {
	return o.EnqueueMany(ctx, out)
}

func (o *consoleOutbox) EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error {
	if o.q == nil {
		return fmt.Errorf("console: no queue open yet: %w", conversations.ErrUnavailable)
	}
	return o.q.EnqueueMany(ctx, outs...)
}

// warnOnly passes warnings and errors only.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
func (h warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(as)} }
func (h warnOnly) WithGroup(n string) slog.Handler       { return warnOnly{h.Handler.WithGroup(n)} }
