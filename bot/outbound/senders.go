package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// Accounter is a Transport that sends as one account of its channel (Telegram: the bot,
// by its id). A queued job does not name the account that is to send it — a replica
// without the channel queues for it too — so every process working a channel's queue
// must send as the same account: Work refuses a second one while the first is alive
// (ErrOtherAccount). One Telegram bot per database.
type Accounter interface {
	Account() string
}

// ErrOtherAccount means another account works the channel's queue on this database.
var ErrOtherAccount = errors.New("another account works this channel's queue")

// OtherAccountError says which account works the channel's queue, where, and when it was
// last seen alive.
type OtherAccountError struct {
	Channel conversations.Channel
	Mine    string
	Theirs  string
	Client  string
	Seen    time.Duration
}

func (e *OtherAccountError) Error() string {
	return fmt.Sprintf("this process sends as %s account %s, but account %s works this database's %s queue "+
		"(process %s, alive %s ago): queued messages do not say which account sends them, so one account per channel "+
		"and database — stop the other account's processes (a dead one counts until %s after its last sign of life) "+
		"or give this one its own database", e.Channel, e.Mine, e.Theirs, e.Channel, e.Client, e.Seen.Round(time.Second), senderStale)
}

func (e *OtherAccountError) Unwrap() error { return ErrOtherAccount }

// A working process renews its outbound_senders row every senderBeat; a row older than
// senderStale is a dead process's.
const (
	senderBeat  = 15 * time.Second
	senderStale = 60 * time.Second
)

// claim records that this process works ch's queue as account, unless another account
// works it (a live row of another account): then *OtherAccountError. The check and the
// record are one transaction under a table lock, so two processes starting at once with
// different accounts cannot both pass.
func (q *Queue) claim(ctx context.Context, ch conversations.Channel, account string) error {
	return pgx.BeginFunc(ctx, q.cfg.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE outbound_senders IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var theirs, client string
		var seen float64
		err := tx.QueryRow(ctx, `
			SELECT account, client_id, extract(epoch FROM now() - seen_at)::float8 FROM outbound_senders
			WHERE channel = $1 AND account <> $2 AND seen_at > now() - make_interval(secs => $3)
			ORDER BY seen_at DESC LIMIT 1`, string(ch), account, senderStale.Seconds()).Scan(&theirs, &client, &seen)
		if err == nil {
			return &OtherAccountError{Channel: ch, Mine: account, Theirs: theirs, Client: client, Seen: time.Duration(seen * float64(time.Second))}
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO outbound_senders (client_id, channel, account, seen_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (client_id, channel) DO UPDATE SET account = EXCLUDED.account, seen_at = EXCLUDED.seen_at`,
			q.id, string(ch), account)
		return err
	})
}

// beat renews this process's claims every senderBeat until ctx ends. A claim another
// account took meanwhile (this process was cut off from the database for longer than
// senderStale) stops the channel's work here; it resumes once the other is gone.
func (q *Queue) beat(ctx context.Context) {
	t := time.NewTicker(senderBeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		q.mu.Lock()
		type claimed struct {
			ch      conversations.Channel
			account string
			worked  bool
		}
		var cs []claimed
		for ch, c := range q.channels {
			if c.account != "" && (c.worked || c.lost) {
				cs = append(cs, claimed{ch, c.account, c.worked})
			}
		}
		q.mu.Unlock()
		for _, c := range cs {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := q.claim(cctx, c.ch, c.account)
			cancel()
			switch {
			case errors.Is(err, ErrOtherAccount) && c.worked:
				q.cfg.Log.Error("outbound: another account took this channel's queue; not delivering here any more", "channel", c.ch, "err", err)
				if uerr := q.Unwork(ctx, c.ch); uerr != nil {
					q.cfg.Log.Error("outbound: stop working", "channel", c.ch, "err", uerr)
				}
				q.mu.Lock()
				q.channels[c.ch].lost = true
				q.mu.Unlock()
			case err == nil && !c.worked:
				q.mu.Lock()
				q.channels[c.ch].lost = false
				q.mu.Unlock()
				if werr := q.Work(c.ch); werr != nil {
					q.cfg.Log.Error("outbound: work again", "channel", c.ch, "err", werr)
				} else {
					q.cfg.Log.Info("outbound: working the channel's queue again", "channel", c.ch)
				}
			case err != nil && !errors.Is(err, ErrOtherAccount):
				q.cfg.Log.Debug("outbound: renew sender record", "channel", c.ch, "err", err)
			}
		}
	}
}

// release deletes this process's claims (a clean stop: another account may start at once).
func (q *Queue) release(ctx context.Context) {
	if _, err := q.cfg.Pool.Exec(ctx, `DELETE FROM outbound_senders WHERE client_id = $1`, q.id); err != nil {
		q.cfg.Log.Warn("outbound: delete sender record", "err", err)
	}
}
