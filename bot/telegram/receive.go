package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
)

// ErrStopped means the adapter stopped taking updates (shutdown).
var ErrStopped = errors.New("telegram adapter stopped")

// accept records a raw update durably and routes it. It fails only when the update could
// not be recorded or the adapter stopped; the webhook then answers an error so Telegram
// delivers it again later (or to another replica).
func (a *Adapter) accept(ctx context.Context, u *models.Update, raw []byte) error {
	received := a.deps.Now()
	a.deps.Metrics.UpdateReceived(conversations.ChannelTelegram)
	a.mu.Lock()
	stopped := a.stopped
	a.mu.Unlock()
	if stopped {
		return ErrStopped
	}
	if a.deps.Updates != nil {
		fresh, err := a.deps.Updates.RecordTelegramUpdate(ctx, a.botID, u.ID, chatOf(u), a.sealer.Seal(raw), received.Add(a.cfg.Lease))
		if err != nil {
			return err
		}
		if !fresh {
			a.deps.Metrics.DuplicateDropped(conversations.ChannelTelegram)
			a.log.Debug("duplicate update dropped", "update", u.ID)
			return nil
		}
	}
	a.route(u, received, 0)
	return nil
}

// onPolled is the library's handler in polling mode. It runs synchronously in update_id
// order (one worker, unbuffered queue), so each update is recorded before the next
// getUpdates call confirms it to Telegram.
func (a *Adapter) onPolled(ctx context.Context, _ *bot.Bot, u *models.Update) {
	raw, err := json.Marshal(u)
	if err != nil {
		a.log.Error("encode polled update", "update", u.ID, "err", err)
		return
	}
	// Recording outlives a shutdown signal: this update is already in our hands.
	rctx := context.WithoutCancel(ctx)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := a.accept(rctx, u, raw)
		if err == nil || errors.Is(err, ErrStopped) {
			return
		}
		// Holding the update here holds back the confirmation of later ones.
		a.log.Error("record polled update; retrying", "update", u.ID, "err", err)
		select {
		case <-ctx.Done():
			a.log.Error("update lost at shutdown: not recorded", "update", u.ID)
			return
		case <-time.After(wait):
		}
	}
}

// album collects the parts of one media group of one chat.
type album struct {
	groupID  string
	ids      []int64
	parts    []conversations.Inbound
	received time.Time
	timer    *time.Timer
}

// route turns an update into an Inbound and submits it, collecting album parts first.
// Submissions happen under a.mu, so one chat's messages reach the dispatcher in order;
// nothing under a.mu waits for the network or the database (Submit never blocks).
// attempts is how often a replayed update was given back before.
//
// in.At is the latest moment the person can have sent the message: Telegram's date
// (whole seconds) plus up to a second, or the first receipt when earlier. The engine
// compares it with when the dialogue moved on, so that a late replay is not applied to a
// question the person had not seen.
func (a *Adapter) route(u *models.Update, received time.Time, attempts int) {
	in, ok := a.toInbound(u)
	if ok {
		switch latest := in.At.Add(time.Second - time.Millisecond); {
		case u.CallbackQuery != nil || in.At.IsZero():
			in.At = received
		case received.Before(latest):
			in.At = received
		default:
			in.At = latest
		}
	}
	if !ok {
		switch {
		case u.CallbackQuery != nil:
			a.answerCallback(u.CallbackQuery) // even a press klabot ignores stops its spinner
		case u.EditedMessage != nil && u.EditedMessage.From != nil && !u.EditedMessage.From.IsBot:
			a.deps.Submitter.Notify(context.Background(), conversations.Address{Channel: conversations.ChannelTelegram, ChatID: chatOf(u)}, dispatch.NoticeEdited)
		}
		a.settle([]int64{u.ID}, false)
		return
	}
	if attempts >= a.cfg.MaxAttempts {
		// Given back too often (a long outage): tell the person rather than keep it.
		a.log.Error("update given up after repeated outages; the person is told", "update", u.ID, "chat", in.ChatID, "attempts", attempts)
		a.deps.Submitter.Notify(context.Background(), in.Address, dispatch.NoticeGaveUp)
		a.settle([]int64{u.ID}, false)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inflight[u.ID] {
		return // a replay of an update this process already holds
	}
	a.inflight[u.ID] = true
	if u.CallbackQuery != nil {
		a.answerCallback(u.CallbackQuery)
	}
	if m := u.Message; m != nil && m.MediaGroupID != "" {
		al := a.albums[in.ChatID]
		if al != nil && al.groupID != m.MediaGroupID {
			a.flushLocked(in.ChatID)
			al = nil
		}
		if al == nil {
			al = &album{groupID: m.MediaGroupID, received: received}
			a.albums[in.ChatID] = al
		}
		al.ids = append(al.ids, u.ID)
		al.parts = append(al.parts, in)
		if al.timer != nil {
			al.timer.Stop()
		}
		chat := in.ChatID
		al.timer = time.AfterFunc(a.cfg.AlbumWait, func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.albums[chat] == al {
				a.flushLocked(chat)
			}
		})
		return
	}
	// A message after an album goes after it.
	a.flushLocked(in.ChatID)
	a.submitLocked(in, []int64{u.ID}, received, u.CallbackQuery)
}

// flushLocked submits the chat's pending album as one message with all its files, the
// first caption as text, and the first part's update id as message id.
func (a *Adapter) flushLocked(chat string) {
	al := a.albums[chat]
	if al == nil {
		return
	}
	delete(a.albums, chat)
	al.timer.Stop()
	order := make([]int, len(al.parts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return int(al.ids[i] - al.ids[j]) })
	in := al.parts[order[0]]
	in.Files, in.Text = nil, ""
	ids := make([]int64, 0, len(order))
	for _, i := range order {
		in.Files = append(in.Files, al.parts[i].Files...)
		if in.Text == "" {
			in.Text = al.parts[i].Text
		}
		ids = append(ids, al.ids[i])
	}
	a.submitLocked(in, ids, al.received, nil)
}

func (a *Adapter) submitLocked(in conversations.Inbound, ids []int64, received time.Time, cq *models.CallbackQuery) {
	a.wg.Add(1)
	err := a.deps.Submitter.Submit(context.Background(), in, func(herr error) {
		defer a.wg.Done()
		a.handled(in, ids, received, cq, herr)
	})
	if err == nil {
		return
	}
	// Not queued: the chat has too many messages waiting (the person was told to wait
	// and send again) or the dispatcher stopped. Settle it off the lock.
	go func() {
		defer a.wg.Done()
		if errors.Is(err, dispatch.ErrChatFull) {
			a.settle(ids, true)
			return
		}
		a.log.Error("submit update", "update", in.MessageID, "err", err)
		a.release(ids)
	}()
}

// handled runs when the engine handled a message and its replies were queued, or when
// the dispatcher gave it back (dispatch.ErrDeferred: a dependency stayed down).
func (a *Adapter) handled(in conversations.Inbound, ids []int64, received time.Time, cq *models.CallbackQuery, err error) {
	if errors.Is(err, dispatch.ErrDeferred) {
		// Not applied: keep it recorded and unhandled, for a replay once it recovered.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if derr := a.deps.Updates.DeferTelegramUpdates(ctx, a.botID, ids, a.deps.Now().Add(a.cfg.RetryAfter)); derr != nil {
			// Its lease runs out instead, and the sweep replays it then.
			a.log.Error("give back deferred updates", "updates", ids, "err", derr)
		}
		a.log.Warn("update deferred for a replay", "update", in.MessageID, "chat", in.ChatID, "err", err)
		a.release(ids)
		return
	}
	a.deps.Metrics.Handled(conversations.ChannelTelegram, a.deps.Now().Sub(received))
	if err != nil {
		a.log.Error("handle update", "update", in.MessageID, "chat", in.ChatID, "err", err)
	}
	// Marked handled even after an error that is not an outage: the engine has answered
	// what it could, and a replay would only repeat the same failure to the person.
	a.settle(ids, true)
	if cq != nil && err == nil {
		a.showChoice(cq)
	}
}

// release forgets that this process holds ids.
func (a *Adapter) release(ids []int64) {
	a.mu.Lock()
	for _, id := range ids {
		delete(a.inflight, id)
	}
	a.mu.Unlock()
}

// pendingMark is a settled update whose handled mark is not written yet.
type pendingMark struct {
	ids     []int64
	release bool // forget afterwards that this process holds them
}

// settle marks ids handled and then, when release, forgets that this process holds them.
// Nobody waits for the mark (the dispatcher's worker goes on to the chat's next message
// at once), and the marks settled meanwhile go out together, in one statement and one
// commit, once the one being written is done. Until its mark is written an update stays
// held here, so AwaitTurn of the chat's next update does not wait for it and a replay
// does not take it again. A mark lost in a crash costs a replay that the engine drops as
// a duplicate (it records every message id).
func (a *Adapter) settle(ids []int64, release bool) {
	if a.deps.Updates == nil {
		if release {
			a.release(ids)
		}
		return
	}
	a.markMu.Lock()
	a.marks = append(a.marks, pendingMark{ids: ids, release: release})
	start := !a.marking
	a.marking = true
	a.markMu.Unlock()
	if start {
		a.wg.Add(1)
		go a.flushMarks()
	}
}

// flushMarks writes the pending marks, batch after batch, until none is left.
func (a *Adapter) flushMarks() {
	defer a.wg.Done()
	for {
		a.markMu.Lock()
		batch := a.marks
		a.marks = nil
		if len(batch) == 0 {
			a.marking = false
			a.markMu.Unlock()
			return
		}
		a.markMu.Unlock()
		var ids, held []int64
		for _, m := range batch {
			ids = append(ids, m.ids...)
			if m.release {
				held = append(held, m.ids...)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.deps.Updates.MarkTelegramUpdatesHandled(ctx, a.botID, ids); err != nil {
			// They stay unhandled: once their lease runs out the sweep replays them, and
			// the engine drops each as a duplicate.
			a.log.Error("mark updates handled", "updates", len(ids), "err", err)
		}
		cancel()
		a.release(held)
	}
}

// answerCallback answers a button press at once, so the person's app stops its spinner.
func (a *Adapter) answerCallback(q *models.CallbackQuery) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := a.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID}); err != nil {
			a.log.Warn("answer callback query", "err", a.scrub(err))
		}
	}()
}

// showChoice edits the message whose button was pressed: it shows the chosen label and
// loses its buttons, so the question cannot be answered twice from the same message.
func (a *Adapter) showChoice(q *models.CallbackQuery) {
	m := q.Message.Message
	if m == nil || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) == 0 {
		return
	}
	label := ""
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == q.Data {
				label = b.Text
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	none := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	if m.Text != "" && label != "" {
		_, err := a.bot.EditMessageText(ctx, &bot.EditMessageTextParams{
			ChatID: m.Chat.ID, MessageID: m.ID, Text: m.Text + "\n\n➡️ " + label, ReplyMarkup: none,
		})
		if err == nil {
			return
		}
		a.log.Debug("edit pressed message text", "err", a.scrub(err))
	}
	if _, err := a.bot.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: m.Chat.ID, MessageID: m.ID, ReplyMarkup: none}); err != nil {
		a.log.Warn("drop buttons of pressed message", "err", a.scrub(err))
	}
}

// Replay claims recorded updates that no live process holds (their process died, or
// they wait for a retry after an outage and their time has come) and routes them. Updates
// this process holds are skipped; the engine drops any it already handled (it records
// every message id).
func (a *Adapter) Replay(ctx context.Context) (int, error) {
	if a.deps.Updates == nil {
		return 0, nil
	}
	type claimed struct {
		id       int64
		body     []byte
		attempts int
		received time.Time
	}
	var got []claimed
	err := a.deps.Updates.ClaimTelegramUpdates(ctx, a.botID, a.deps.Now().Add(a.cfg.Lease), 1000, func(id int64, body []byte, attempts int, received time.Time) {
		got = append(got, claimed{id, body, attempts, received})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range got {
		raw, err := a.sealer.Open(c.body)
		if err != nil {
			a.log.Error("recorded update unreadable (was the bot token changed?)", "update", c.id, "err", err)
			continue
		}
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			a.log.Error("recorded update undecodable", "update", c.id, "err", err)
			continue
		}
		a.route(&u, c.received, c.attempts)
		n++
	}
	if n > 0 {
		a.log.Info("replayed unhandled updates", "count", n)
	}
	return n, nil
}

// RunMaintenance keeps this process's leases on the updates it holds fresh (every
// Lease/3), replays updates nobody holds every sweep interval, and prunes old dedupe
// records hourly, until ctx ends.
func (a *Adapter) RunMaintenance(ctx context.Context, sweep time.Duration) {
	renew := time.NewTicker(a.cfg.Lease / 3)
	defer renew.Stop()
	replay := time.NewTicker(sweep)
	defer replay.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
			a.renewLeases(ctx)
		case <-replay.C:
			if _, err := a.Replay(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("replay unhandled updates", "err", err)
			}
			if a.deps.Updates != nil && a.deps.Now().Sub(pruned) > time.Hour {
				pruned = a.deps.Now()
				// Telegram never redelivers after 24 hours; keep two days of dedupe records.
				if _, err := a.deps.Updates.PruneTelegramUpdates(ctx, a.deps.Now().Add(-48*time.Hour)); err != nil && ctx.Err() == nil {
					a.log.Error("prune telegram updates", "err", err)
				}
			}
		}
	}
}

// renewLeases extends the leases of every update this process holds.
func (a *Adapter) renewLeases(ctx context.Context) {
	if a.deps.Updates == nil {
		return
	}
	a.mu.Lock()
	ids := make([]int64, 0, len(a.inflight))
	for id := range a.inflight {
		ids = append(ids, id)
	}
	a.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := a.deps.Updates.RenewTelegramLeases(ctx, a.botID, ids, a.deps.Now().Add(a.cfg.Lease)); err != nil && ctx.Err() == nil {
		a.log.Warn("renew update leases", "updates", len(ids), "err", err)
	}
}

// Stop stops taking updates (the webhook answers 503, so Telegram retries later), submits
// pending albums at once, and waits until everything submitted was handled or ctx ends.
// Stop the dispatcher only after Stop returned.
func (a *Adapter) Stop(ctx context.Context) {
	a.mu.Lock()
	a.stopped = true
	for chat := range a.albums {
		a.flushLocked(chat)
	}
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
