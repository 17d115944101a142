package loadtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
)

// Each fault: start serve, let the crowd talk, break something at the right moment,
// let everything settle, and add the fault's own figures and criteria. Durations are
// the (5 s, 20 s ...) times FaultOptions.Scale, with floors where a shorter
// fault would test nothing.

// cutAll cuts (or restores) one dependency of every replica: the server is down.
func (w *world) cutAll(dep string, down bool) {
	w.mu.Lock()
	reps := append([]*replica(nil), w.reps...)
	w.mu.Unlock()
	for _, r := range reps {
		p := map[string]*CutProxy{"postgres": r.pg, "redis": r.redis}[dep]
		if down {
			p.Cut()
		} else if err := p.Restore(); err != nil {
			w.problem("restore %s: %v", dep, err)
		}
	}
}

func faultNone(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	w.phase(tg, w.activeFor(), nil)
	w.settle(ctx)
	ack, reply := w.crowdLatency(tg, 0)
	w.detail("webhook POSTs: %s", ack)
	w.detail("first reply: %s", reply)
	w.retypes(tg)
	return nil
}

func faultPostgres(ctx context.Context, w *world) error {
	w.api.SlowAll(max(w.scaled(1500*time.Millisecond), 700*time.Millisecond))
	w.crowd.opts.FileShare = 0.7
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	active := w.activeFor()
	outage := 5 * time.Second
	w.phase(tg, max(active, outage+10*time.Second), func(stop <-chan struct{}) {
		pause(stop, active/4)
		want := int64(max(1, min(5, len(w.crowd.people)/3)))
		waitFor(stop, active/2, func() bool { return w.api.InFlight() >= want })
		n := w.api.InFlight()
		w.cutAll("postgres", true)
		time.Sleep(outage)
		w.cutAll("postgres", false)
		w.detail("PostgreSQL cut for %s with %d file downloads in flight", outage, n)
	})
	w.settle(ctx)
	w.detail("downloads %d", w.api.Downloads())
	return nil
}

func faultKill(ctx context.Context, w *world) error {
	// Downloads of 10 s (a slow upload link) so that 15 are in flight at once among 100
	// people in production pacing.
	w.api.SlowAll(max(w.scaled(10*time.Second), 1500*time.Millisecond))
	w.crowd.opts.FileShare = 0.9
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	var cur atomic.Pointer[replica]
	cur.Store(a)
	tg := w.side(tokenA, func(*SentMsg) string { return cur.Load().url })
	active := w.activeFor()
	var startErr error
	w.phase(tg, max(active, 20*time.Second), func(stop <-chan struct{}) {
		pause(stop, active/4)
		want := int64(max(1, min(15, len(w.crowd.people)/3)))
		waitFor(stop, active*3/4, func() bool { return w.api.InFlight() >= want })
		n := w.api.InFlight()
		t0 := time.Now()
		w.kill(a)
		b, err := w.start(ctx, tokenA)
		if err != nil {
			startErr = err
			return
		}
		cur.Store(b)
		w.detail("killed serve with %d file downloads in flight (all its connections cut at once, its queued replies dropped); a fresh serve on the same database and Redis took the webhook %s later",
			n, time.Since(t0).Round(10*time.Millisecond))
	})
	if startErr != nil {
		return startErr
	}
	w.settle(ctx)
	return nil
}

func faultBacklog(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	active := w.activeFor()
	ban := max(w.scaled(20*time.Second), 6*time.Second)
	w.phase(tg, max(active, ban+10*time.Second), func(stop <-chan struct{}) {
		pause(stop, active/4)
		w.api.Ban(ban)
		w.detail("the Bot API answered 429 (retry_after counting down, at most 5 s) to every send for %s", ban)
	})
	w.settle(ctx)
	w.detail("429 answers: %d", w.api.Throttled())
	w.retypes(tg)
	return nil
}

// retypes reports how often people typed a message again after a silence.
func (w *world) retypes(tg *telegramSide) {
	n := 0
	for _, m := range tg.Sent() {
		if m.Retype {
			n++
		}
	}
	w.detail("messages typed again after %s of silence: %d", w.crowd.pace.Silence, n)
}

func faultRedis(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	active := w.activeFor()
	outage := max(w.scaled(20*time.Second), 5*time.Second)
	w.phase(tg, max(active, outage+10*time.Second), func(stop <-chan struct{}) {
		pause(stop, active/4)
		w.cutAll("redis", true)
		time.Sleep(outage)
		w.cutAll("redis", false)
		w.detail("Redis cut for %s (its data kept, as a restart with persistence; an emptied Redis is TestInboundRedisOutageIsWaitedOutAndReplayed)", outage)
	})
	w.settle(ctx)
	w.outageNotices(tg)
	w.retypes(tg)
	return nil
}

// outageNotices counts the chats told of an outage, and how often.
func (w *world) outageNotices(tg *telegramSide) {
	chats, most := 0, 0
	for _, p := range w.crowd.people {
		n := 0
		for _, d := range w.api.Messages(tg.token, strconv.FormatInt(p.fp.UserID, 10)) {
			if strings.Contains(d.Text, "sedang ada gangguan") {
				n++
			}
		}
		if n > 0 {
			chats++
		}
		most = max(most, n)
	}
	w.detail("chats told of the outage: %d (at most %d notices in one chat)", chats, most)
}

func faultNewToken(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tgA := w.side(tokenA, to(a))
	active := w.activeFor()
	w.phase(tgA, active/2, nil)
	w.settle(ctx)
	if !w.settled {
		w.problem("bot A's phase did not settle")
	}
	if err := w.stopGracefully(a); err != nil {
		w.problem("serve with the old token: %v", err)
	}
	b, err := w.start(ctx, tokenB)
	if err != nil {
		return err
	}
	// The new bot's update ids start at 1 again, colliding with the old bot's.
	tgB := w.side(tokenB, to(b))
	for _, p := range w.crowd.people {
		p.seen, p.last = 0, nil // they open the new bot's chat
	}
	welcomed := atomic.Int64{}
	w.phase(tgB, max(active/2, 10*time.Second), func(stop <-chan struct{}) {
		for _, fp := range w.extra {
			chat := chatRef{ID: fp.UserID, Type: "private", From: fp.UserID}
			tgB.send(chat, Msg{Kind: "start", Text: "/start " + w.codes[fp.PersonID]}, "")
			log := w.api.bot(tokenB).chat(strconv.FormatInt(fp.UserID, 10))
			if got := log.wait(0, time.After(20*time.Second), stop); len(got) > 0 && strings.Contains(got[0].Text, "Fokal") {
				welcomed.Add(1)
			}
		}
	})
	w.settle(ctx)
	bound := 0
	for _, fp := range w.extra {
		var n int
		if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM identities WHERE person_id = $1 AND channel = 'telegram'`, fp.PersonID).Scan(&n); err != nil {
			return err
		}
		bound += n
	}
	w.detail("old bot: update ids 1-%d; new bot: 1-%d on the same database", tgA.nextID.Load(), tgB.nextID.Load())
	w.detail("/start CODE to the new bot: %d sent, %d welcomed by name, %d bound", len(w.extra), welcomed.Load(), bound)
	if bound != len(w.extra) || int(welcomed.Load()) != len(w.extra) {
		w.problem("%d of %d newcomers bound, %d welcomed", bound, len(w.extra), welcomed.Load())
	}
	return nil
}

// drive takes p through its dialogue, one message at a time, until the latest prompt
// satisfies until (or 40 steps pass); it returns that prompt.
func (w *world) drive(tg *telegramSide, p *simPerson, until func(Reply) bool, stop <-chan struct{}) (Reply, bool) {
	chat := chatRef{ID: p.fp.UserID, Type: "private", From: p.fp.UserID}
	log := w.api.bot(tg.token).chat(chat.keyString())
	opts := *w.crowd.opts
	opts.FileShare = -1
	for range 40 {
		if len(p.last) > 0 && until(p.last[len(p.last)-1]) {
			return p.last[len(p.last)-1], true
		}
		m, ok := p.next(p.rng, &opts, w.qs)
		if !ok {
			return Reply{}, false
		}
		if m.File != nil {
			m.File = w.crowd.file(p.rng)
		}
		p.asked = m.Kind
		tg.send(chat, m, intended(m, p.last))
		var got []Reply
		deadline := time.After(30 * time.Second)
		for prompted := false; !prompted; {
			msgs := log.wait(p.seen, deadline, stop)
			if msgs == nil {
				return Reply{}, false
			}
			p.seen += len(msgs)
			for _, d := range msgs {
				got = append(got, d.Reply)
				prompted = prompted || prompt(d.Reply)
			}
		}
		p.last = []Reply{latestPrompt(got)}
	}
	return Reply{}, false
}

func (c chatRef) keyString() string { return strconv.FormatInt(c.ID, 10) }

func evidencePrompt(r Reply) bool {
	for _, b := range r.Buttons {
		if strings.HasPrefix(b, "n:done:") {
			return true
		}
	}
	return false
}

func faultBusyChat(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	busy := w.crowd.people[0]
	w.crowd.people = w.crowd.people[1:]
	n := max(30, int(300*w.o.Scale))
	if w.o.Scale >= 1 {
		n = 300
	}
	delay := max(w.scaled(time.Second), 300*time.Millisecond)
	var docs []*SimFile
	for i := range n {
		f := pdf(1000+i, 2<<10)
		f.ID, f.Name = "busy"+strconv.Itoa(i), fmt.Sprintf("lampiran-%d.pdf", i)
		w.api.AddFile(f.ID, f.Data, delay)
		docs = append(docs, f)
	}
	active := w.activeFor()
	var dumped time.Time
	w.phase(tg, active, func(stop <-chan struct{}) {
		r, ok := w.drive(tg, busy, evidencePrompt, stop)
		if !ok {
			w.problem("the busy chat never reached an evidence prompt")
			return
		}
		q := intended(Msg{Kind: "evidence"}, []Reply{r})
		dumped = time.Now()
		chat := chatRef{ID: busy.fp.UserID, Type: "private", From: busy.fp.UserID}
		for _, f := range docs {
			tg.send(chat, Msg{Kind: "evidence", File: f}, q)
		}
		w.detail("one chat sent %d documents at once for question %s, each download taking %s", n, q, delay)
	})
	w.settle(ctx)
	busyAck := tg.ackLatency(func(m *SentMsg) bool { return m.Chat == busy.fp.UserID && m.SentAt.After(dumped) && !dumped.IsZero() })
	ack, reply := w.crowdLatency(tg, busy.fp.UserID)
	w.detail("the busy chat's webhook POSTs: %s", busyAck)
	w.detail("other chats' webhook POSTs: %s", ack)
	w.detail("other chats' first reply: %s", reply)
	full := 0
	for _, d := range w.api.Messages(tokenA, strconv.FormatInt(busy.fp.UserID, 10)) {
		if strings.Contains(d.Text, dispatcherNotices[0]) {
			full++
		}
	}
	w.detail("\"too many messages\" notices to the busy chat: %d", full)
	if ack.Max > 5*time.Second {
		w.problem("another chat's webhook POST took %s (the busy chat held it up)", ack.Max.Round(time.Millisecond))
	}
	return nil
}

// stuckReplica records the updates posted to it and never handles them, renewing their
// leases while it lives: a live replica stuck on one update.
type stuckReplica struct{}

func (stuckReplica) Submit(context.Context, conversations.Inbound, func(error)) error { return nil }
func (stuckReplica) Notify(context.Context, conversations.Address, dispatch.Notice)   {}

func faultStuck(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	adapter, err := telegram.New(ctx, telegram.Config{Token: tokenA, APIURL: w.api.URL, Username: "klabot_faults_bot", SkipGetMe: true,
		WebhookURL: "https://faults.invalid/telegram/webhook", WebhookSecret: w.secret},
		telegram.Deps{Submitter: stuckReplica{}, Updates: w.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: adapter.WebhookHandler()}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	defer srv.Close()
	stuckURL := "http://" + ln.Addr().String()
	victim := w.crowd.people[0]
	var armed atomic.Bool
	var stuck atomic.Pointer[SentMsg]
	tg := w.side(tokenA, func(m *SentMsg) string {
		if m.Chat == victim.fp.UserID && m.Answers() && armed.CompareAndSwap(true, false) {
			stuck.Store(m)
			return stuckURL
		}
		return a.url
	})
	active := w.activeFor()
	hold := max(w.scaled(45*time.Second), 15*time.Second)
	w.phase(tg, max(active, hold), func(stop <-chan struct{}) {
		pause(stop, active/4)
		armed.Store(true)
		if !waitFor(stop, active/2, func() bool { return stuck.Load() != nil && !stuck.Load().AckedAt.IsZero() }) {
			w.problem("the victim sent no answer to get stuck")
			return
		}
		m := stuck.Load()
		// The stuck replica lives on for hold, renewing its lease, then dies.
		for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(5 * time.Second) {
			w.store.RenewTelegramLeases(context.WithoutCancel(ctx), tg.botID, []int64{m.UpdateID}, time.Now().Add(30*time.Second)) //nolint:errcheck // a missed renewal only shortens the hold
		}
		w.detail("update %d (%s for %s) held by a live replica that never handled it for %s, then that replica died", m.UpdateID, m.Kind, m.Question, hold)
	})
	w.settle(ctx)
	if m := stuck.Load(); m != nil {
		var later []time.Duration
		log := w.api.Messages(tokenA, strconv.FormatInt(victim.fp.UserID, 10))
		for _, s := range tg.Sent() {
			if s.Chat != victim.fp.UserID || !s.SentAt.After(m.SentAt) {
				continue
			}
			for _, d := range log {
				if d.At.After(s.SentAt) {
					later = append(later, d.At.Sub(s.SentAt))
					break
				}
			}
		}
		l := summarise(later)
		w.detail("the stuck chat's later messages, first reply: %s", l)
		if l.N == 0 || l.Max >= hold {
			w.problem("the stuck chat's later messages waited for the stuck update (%s)", l)
		}
	}
	ack, reply := w.crowdLatency(tg, victim.fp.UserID)
	w.detail("other chats' webhook POSTs: %s", ack)
	w.detail("other chats' first reply: %s", reply)
	if ack.Max > 5*time.Second {
		w.problem("another chat's webhook POST took %s", ack.Max.Round(time.Millisecond))
	}
	return nil
}

func faultReplicas(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	b, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	w.crowd.opts.FileShare = 0.7
	w.crowd.opts.BurstShare = 1
	var n atomic.Int64
	tg := w.side(tokenA, func(*SentMsg) string {
		if n.Add(1)%2 == 0 {
			return b.url
		}
		return a.url
	})
	w.phase(tg, w.activeFor(), nil)
	w.settle(ctx)
	bursts, withBursts, bad := outOfOrder(tg.Sent(), w.received)
	w.detail("two replicas behind one webhook, POSTs alternating; bursts (a document, then \"selesai\" at once): %d in %d chats", bursts, withBursts)
	w.detail("chats whose replies came out of order: %d of %d", bad, withBursts)
	if bad > 0 {
		w.problem("reply order broken in %d of %d chats", bad, withBursts)
	}
	return nil
}

func faultGroup(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	var refused, welcomed atomic.Int64
	group := func(i int) chatRef {
		return chatRef{ID: -1001000000000 - int64(i), Type: "supergroup", From: w.extra[i].UserID, Title: "Gugus Tugas KLA"}
	}
	w.phase(tg, max(w.activeFor(), 10*time.Second), func(stop <-chan struct{}) {
		for i, fp := range w.extra {
			code := w.codes[fp.PersonID]
			g := group(i)
			tg.send(g, Msg{Kind: "start", Text: "/start " + code}, "")
			// The same code in private once the group was answered (or after a while).
			w.api.bot(tokenA).chat(g.keyString()).wait(0, time.After(20*time.Second), stop)
			private := chatRef{ID: fp.UserID, Type: "private", From: fp.UserID}
			tg.send(private, Msg{Kind: "start", Text: "/start " + code}, "")
			w.api.bot(tokenA).chat(private.keyString()).wait(0, time.After(20*time.Second), stop)
		}
	})
	w.settle(ctx)
	// Counted once everything settled: under the crowd's load a reply can come after the
	// talking phase ended (counting only replies inside it undercounted the refusals).
	for i, fp := range w.extra {
		if got := w.api.Messages(tokenA, group(i).keyString()); len(got) > 0 && strings.Contains(got[0].Text, "chat pribadi") {
			refused.Add(1)
		}
		for _, d := range w.api.Messages(tokenA, strconv.FormatInt(fp.UserID, 10)) {
			if strings.Contains(d.Text, "Fokal") {
				welcomed.Add(1)
				break
			}
		}
	}
	var groups, bound int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE chat_id LIKE '-%'), count(*) FILTER (WHERE chat_id NOT LIKE '-%')
		FROM identities WHERE person_id = ANY($1)`, personIDs(w.extra)).Scan(&groups, &bound); err != nil {
		return err
	}
	w.detail("/start CODE in a group: %d sent, %d told to use a private chat, %d groups bound; the same codes in private: %d welcomed, %d bound",
		len(w.extra), refused.Load(), groups, welcomed.Load(), bound)
	if groups > 0 || int(refused.Load()) != len(w.extra) || bound != len(w.extra) {
		w.problem("groups bound %d, refused %d, bound in private %d of %d", groups, refused.Load(), bound, len(w.extra))
	}
	return nil
}

func personIDs(fps []FocalPoint) []int64 {
	var out []int64
	for _, fp := range fps {
		out = append(out, fp.PersonID)
	}
	return out
}

var inviteMetric = regexp.MustCompile(`klabot_invite_attempts_total\{result="(\w+)"\} (\d+)`)

func faultWrongCodes(ctx context.Context, w *world) error {
	a, err := w.start(ctx, tokenA)
	if err != nil {
		return err
	}
	tg := w.side(tokenA, to(a))
	n := max(100, int(1065*w.o.Scale))
	if w.o.Scale >= 1 {
		n = 1065
	}
	guesser := chatRef{ID: 7_900_000_001, Type: "private", From: 7_900_000_001}
	active := w.activeFor()
	var start, end time.Time
	w.phase(tg, active, func(stop <-chan struct{}) {
		pause(stop, active/4)
		start = time.Now()
		var last *SentMsg
		for i := range n {
			last = tg.send(guesser, Msg{Kind: "start", Text: fmt.Sprintf("/start SALAH%05d", i)}, "")
		}
		waitFor(stop, active, func() bool { tg.mu.Lock(); defer tg.mu.Unlock(); return !last.AckedAt.IsZero() })
		end = time.Now()
	})
	w.settle(ctx)
	got := map[string]int{}
	if resp, err := http.Get("http://" + a.inst.Addr + "/metrics"); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, m := range inviteMetric.FindAllStringSubmatch(string(body), -1) {
			got[m[1]], _ = strconv.Atoi(m[2])
		}
	} else {
		w.problem("read /metrics: %v", err)
	}
	var bound int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM identities WHERE external_id = $1`, strconv.FormatInt(guesser.From, 10)).Scan(&bound); err != nil {
		return err
	}
	rate := 0.0
	if !end.IsZero() && end.After(start) {
		rate = float64(n) / end.Sub(start).Seconds()
	}
	w.detail("one chat sent %d wrong codes (%.0f per second acknowledged); invite attempts: wrong %d, throttled %d, ok %d; the chat bound: %d",
		n, rate, got["wrong"], got["throttled"], got["ok"], bound)
	ack, reply := w.crowdLatency(tg, guesser.ID)
	w.detail("other chats' webhook POSTs: %s", ack)
	w.detail("other chats' first reply: %s", reply)
	if got["wrong"] > 5 || bound > 0 {
		w.problem("%d wrong codes processed (want at most 5 before the wait), chat bound %d", got["wrong"], bound)
	}
	if ack.Max > 5*time.Second {
		w.problem("another chat's webhook POST took %s", ack.Max.Round(time.Millisecond))
	}
	return nil
}
