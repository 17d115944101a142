package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klabot/klabot/scoring"
)

// SentMsg is one update "Telegram" delivered to klabot for a simulated person, with
// what it was meant for, for the fault run's accounting.
type SentMsg struct {
	Bot      int64 // the bot id (numeric part of the token)
	UpdateID int64
	Chat     int64
	Person   int64 // 0 for chats that are no focal point (a group, a guesser)
	Kind     string
	Text     string
	File     string // the document's file name, unique per message
	// Question is the question the message answers or brings evidence for, by the
	// latest prompt the person had received when sending it ("" for messages that answer
	// nothing: mulai, lanjut, selesai, lewati, a narrative).
	Question string
	Retype   bool // typed again after a silence
	Burst    bool // a document sent together with "selesai" (ordering check)
	SentAt   time.Time
	AckedAt  time.Time // the webhook's first 200 (zero: never acknowledged)
	body     []byte
}

// Answers reports whether the message carries an answer or a document (counted as
// "sent" by the fault report).
func (m *SentMsg) Answers() bool { return m.Question != "" }

// telegramSide is Telegram for one bot: it numbers the updates (from 1, like a new bot),
// and delivers each chat's updates to the webhook in order, each until it is answered 200,
// retrying failures with growing pauses, as Telegram does.
type telegramSide struct {
	token      string
	botID      int64
	secret     string
	route      func(*SentMsg) string // the webhook URL for the next POST of an update (one replica, or alternating)
	client     *http.Client
	nextID     atomic.Int64
	backoffMax time.Duration
	// number gives a message written in chat the chat's next message_id (the fake Bot
	// API's sequence, shared with the bot's messages); nil: the update id.
	number func(chat int64) int64

	mu      sync.Mutex
	sent    []*SentMsg
	queues  map[int64]*deliveryQueue
	pending sync.WaitGroup
	postLat []time.Duration // per update: send to 200
	stop    chan struct{}
}

type deliveryQueue struct {
	mu      sync.Mutex
	msgs    []*SentMsg
	running bool
}

func newTelegramSide(token, secret string, route func(*SentMsg) string, backoffMax time.Duration) *telegramSide {
	id, _, _ := strings.Cut(token, ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	return &telegramSide{token: token, botID: n, secret: secret, route: route, backoffMax: backoffMax,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
		queues: map[int64]*deliveryQueue{}, stop: make(chan struct{})}
}

// close stops retrying deliveries (the end of the run).
func (tg *telegramSide) close() { close(tg.stop) }

// Sent returns every update delivered or being delivered.
func (tg *telegramSide) Sent() []*SentMsg {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]*SentMsg(nil), tg.sent...)
}

// Unacked is the number of updates not answered 200 yet.
func (tg *telegramSide) Unacked() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	n := 0
	for _, m := range tg.sent {
		if m.AckedAt.IsZero() {
			n++
		}
	}
	return n
}

// chatRef is the chat an update comes from.
type chatRef struct {
	ID    int64
	Type  string // private, group, supergroup
	From  int64
	Title string
}

// send queues one update and returns its record at once (Telegram takes the message
// from the person's phone whatever the bot does).
func (tg *telegramSide) send(chat chatRef, m Msg, question string) *SentMsg {
	rec := &SentMsg{Bot: tg.botID, UpdateID: tg.nextID.Add(1), Chat: chat.ID, Kind: m.Kind, Text: m.Text, Question: question, SentAt: time.Now()}
	if m.File != nil {
		rec.File = m.File.Name
	}
	msgID := rec.UpdateID
	if tg.number != nil {
		msgID = tg.number(chat.ID)
	}
	rec.body, _ = json.Marshal(faultUpdate(rec.UpdateID, msgID, chat, m))
	tg.mu.Lock()
	tg.sent = append(tg.sent, rec)
	q := tg.queues[chat.ID]
	if q == nil {
		q = &deliveryQueue{}
		tg.queues[chat.ID] = q
	}
	tg.mu.Unlock()
	q.mu.Lock()
	q.msgs = append(q.msgs, rec)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		tg.pending.Add(1)
		go tg.deliver(q)
	}
	return rec
}

// deliver posts a chat's updates in order, each until it is answered 200.
func (tg *telegramSide) deliver(q *deliveryQueue) {
	defer tg.pending.Done()
	for {
		q.mu.Lock()
		if len(q.msgs) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		m := q.msgs[0]
		q.mu.Unlock()
		for wait := 250 * time.Millisecond; ; wait = min(2*wait, tg.backoffMax) {
			if tg.post(m) {
				break
			}
			select {
			case <-tg.stop:
				return
			case <-time.After(wait):
			}
		}
		q.mu.Lock()
		q.msgs = q.msgs[1:]
		q.mu.Unlock()
	}
}

func (tg *telegramSide) post(m *SentMsg) bool {
	req, err := http.NewRequest(http.MethodPost, tg.route(m), bytes.NewReader(m.body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tg.secret)
	resp, err := tg.client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	now := time.Now()
	tg.mu.Lock()
	m.AckedAt = now
	tg.postLat = append(tg.postLat, now.Sub(m.SentAt))
	tg.mu.Unlock()
	return true
}

// ackLatency summarises the time from sending to the webhook's 200, for the updates of
// the chats keep accepts.
func (tg *telegramSide) ackLatency(keep func(*SentMsg) bool) Latency {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	var all []time.Duration
	for _, m := range tg.sent {
		if !m.AckedAt.IsZero() && keep(m) {
			all = append(all, m.AckedAt.Sub(m.SentAt))
		}
	}
	return summarise(all)
}

// faultUpdate is the Telegram update a message arrives as; msgID is its message_id.
func faultUpdate(id, msgID int64, chat chatRef, m Msg) map[string]any {
	from := map[string]any{"id": chat.From, "is_bot": false, "first_name": "Fokal"}
	ch := map[string]any{"id": chat.ID, "type": chat.Type}
	if chat.Type == "private" {
		ch["first_name"] = "Fokal"
	} else {
		ch["title"] = chat.Title
	}
	now := time.Now().Unix()
	if m.Button != "" {
		return map[string]any{"update_id": id, "callback_query": map[string]any{
			"id": "cq" + strconv.FormatInt(id, 36), "from": from, "chat_instance": "ci", "data": m.Button,
			"message": map[string]any{"message_id": m.Prompt, "date": now, "chat": ch, "text": "…",
				"from": map[string]any{"id": 1, "is_bot": true, "first_name": "KLA"}},
		}}
	}
	msg := map[string]any{"message_id": msgID, "date": now, "chat": ch, "from": from}
	if f := m.File; f != nil {
		msg["document"] = map[string]any{"file_id": f.ID, "file_unique_id": "u" + f.ID, "file_name": f.Name,
			"mime_type": "application/pdf", "file_size": len(f.Data)}
	} else {
		msg["text"] = m.Text
	}
	return map[string]any{"update_id": id, "message": msg}
}

// Pace is how the simulated people behave in time.
type Pace struct {
	// Think is the time a person takes to read a prompt and answer it, uniformly
	// between Think[0] and Think[1].
	Think [2]time.Duration
	// Silence is how long a person waits for an answer before typing the message again
	// (once per message; after a second silence they type "lanjut").
	Silence time.Duration
}

// crowd is the simulated focal points of one fault: each reads the latest prompt it
// received, answers it after a moment, and types again after a silence.
type crowd struct {
	api    *FaultAPI
	opts   *Options
	qs     map[string]scoring.Question
	pace   Pace
	people []*simPerson
	docs   []*SimFile // the documents people upload (content by file id)
	names  atomic.Int64
}

type simPerson struct {
	person
	seen int // messages of the current bot read
	rng  *rand.Rand
	// firstReply collects the time from each answer-carrying message to the first reply.
	firstReply []time.Duration
}

// run lets every person talk through tg until stop is closed; it returns when all have
// stopped typing (their messages may still be on their way).
func (c *crowd) run(tg *telegramSide, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for _, p := range c.people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.live(tg, p, stop)
		}()
	}
	wg.Wait()
}

// file is a document with a name of its own (the receipt and the "not stored" notice
// name it), and content from the run's set.
func (c *crowd) file(rng *rand.Rand) *SimFile {
	f := *c.docs[rng.Intn(len(c.docs))]
	f.Name = fmt.Sprintf("bukti-%d.pdf", c.names.Add(1))
	return &f
}

func (c *crowd) live(tg *telegramSide, p *simPerson, stop <-chan struct{}) {
	log := c.api.bot(tg.token).chat(strconv.FormatInt(p.fp.UserID, 10))
	chat := chatRef{ID: p.fp.UserID, Type: "private", From: p.fp.UserID}
	sleep := func(d time.Duration) bool {
		select {
		case <-stop:
			return false
		case <-time.After(d):
			return true
		}
	}
	// People do not all start in the same second.
	if !sleep(time.Duration(p.rng.Int63n(int64(c.pace.Think[1]) + 1))) {
		return
	}
	for {
		m, ok := p.next(p.rng, c.opts, c.qs)
		if !ok {
			return
		}
		if m.File != nil {
			m.File = c.file(p.rng)
		}
		if m.Then != nil {
			// The person types "selesai" right behind the document.
			m.Then.Kind, m.Then.Text = "done", "selesai"
		}
		p.asked = m.Kind
		q := intended(m, p.last)
		rec := tg.send(chat, m, q)
		if m.Then != nil {
			rec.Burst = true
			tg.send(chat, *m.Then, "")
		}
		var got []Reply
		silences := 0
		timer := time.NewTimer(c.pace.Silence)
		// A burst waits for both answers: the document's receipt and the reply to "selesai".
		prompts := 1
		if m.Then != nil {
			prompts = 2
		}
		for prompts > 0 {
			msgs := log.wait(p.seen, timer.C, stop)
			select {
			case <-stop:
				timer.Stop()
				return
			default:
			}
			if msgs == nil { // silence
				silences++
				switch {
				case len(got) == 0 && silences == 1:
					again := m
					again.Then = nil
					if again.File != nil {
						again.File = c.file(p.rng)
					}
					r := tg.send(chat, again, intended(again, p.last))
					r.Retype = true
				case silences >= 2:
					tg.send(chat, Msg{Kind: "start", Text: "lanjut"}, "")
					silences = 0
				}
				timer.Reset(c.pace.Silence)
				continue
			}
			if len(got) == 0 && q != "" {
				p.firstReply = append(p.firstReply, msgs[0].At.Sub(rec.SentAt))
			}
			p.seen += len(msgs)
			for _, d := range msgs {
				got = append(got, d.Reply)
				if prompt(d.Reply) {
					prompts--
				}
			}
		}
		timer.Stop()
		think := c.pace.Think[0] + time.Duration(p.rng.Int63n(int64(c.pace.Think[1]-c.pace.Think[0])+1))
		if !sleep(think) {
			return
		}
		// What arrived while the person was reading counts too: they answer the latest
		// prompt.
		for _, d := range log.wait(p.seen, closedTimer, nil) {
			got = append(got, d.Reply)
			p.seen++
		}
		p.last = []Reply{latestPrompt(got)}
	}
}

var closedTimer = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// latestPrompt is the last prompt among replies (the last reply when none is one).
func latestPrompt(replies []Reply) Reply {
	for i := len(replies) - 1; i >= 0; i-- {
		if prompt(replies[i]) {
			return replies[i]
		}
	}
	if len(replies) == 0 {
		return Reply{}
	}
	return replies[len(replies)-1]
}

// intended is the question m answers or brings evidence for, read from the prompt the
// person is looking at ("" when it answers none).
func intended(m Msg, last []Reply) string {
	if m.Answer != "" {
		return m.Answer
	}
	if m.Kind != "evidence" || len(last) == 0 {
		return ""
	}
	for _, b := range last[len(last)-1].Buttons {
		if code, ok := strings.CutPrefix(b, "n:done:"); ok {
			return code
		}
		if code, ok := strings.CutPrefix(b, "n:skip:"); ok {
			return code
		}
	}
	return ""
}

// settle waits until every update was answered 200, PostgreSQL holds none unhandled and
// the bot has been quiet for quiet, or until max passes; it reports whether it settled.
func settle(ctx context.Context, sides []*telegramSide, api *FaultAPI, chats map[string]bool, unhandled func(context.Context) (int, error), quiet, max time.Duration) bool {
	deadline := time.Now().Add(max)
	// Only the watched chats' messages count: a chat that asked for a thousand replies
	// (the wrong-code guesser) gets them at one per second for minutes.
	sends := func() int64 {
		var n int64
		for _, tg := range sides {
			for c := range chats {
				n += int64(len(api.Messages(tg.token, c)))
			}
		}
		return n
	}
	last, lastChange := sends(), time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
		if n := sends(); n != last {
			last, lastChange = n, time.Now()
		}
		if time.Since(lastChange) < quiet {
			continue
		}
		open := 0
		for _, tg := range sides {
			open += tg.Unacked()
		}
		if open > 0 {
			continue
		}
		if n, err := unhandled(ctx); err != nil || n > 0 {
			continue
		}
		return true
	}
	return false
}
