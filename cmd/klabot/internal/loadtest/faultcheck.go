package loadtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Tally is the fate of a fault's answer-carrying messages (typed answers, pressed
// answers, documents), read back from PostgreSQL, Redis and what each chat received.
type Tally struct {
	Sent    int // answers and documents the people sent
	Stored  int // stored, on the question the person had been asked
	Told    int // not stored, and the person was told (a "not used" note, a correction, "send again")
	WrongQ  int // stored on another question (any message, answer or not)
	Lost    int // acknowledged by the webhook, then neither stored nor answered
	Twice   int // one message stored more than once
	Unacked int // never acknowledged by the webhook (Telegram would still hold it)
	// WrongRetyped is how many of WrongQ were typed again after a silence (the first
	// copy had been applied, the bot had moved on, its next prompt not delivered yet).
	WrongRetyped int
	// Examples name a few lost or misfiled messages (bot:update kind question).
	Examples []string
	// ExampleChats are the chats of the examples (bot id, chat id), for transcripts.
	ExampleChats [][2]int64
}

// OK reports whether nothing was lost, doubled or misfiled.
func (t Tally) OK() bool { return t.Lost == 0 && t.Twice == 0 && t.WrongQ == 0 && t.Unacked == 0 }

// dispatcherNotices mark the dispatcher's own "send it again" replies (bot/dispatch
// DefaultTexts ChatFull and GaveUp): a message refused with one is accounted for.
var dispatcherNotices = []string{"Terlalu banyak pesan sekaligus", "belum bisa diproses karena gangguan"}

// tallyMessages classifies every message: rows in answers and evidence by message id
// ("<bot id>:<update id>"), the engine's dedupe mark in Redis for messages it answered
// without storing, and the dispatcher's notices in the chat's messages.
func tallyMessages(ctx context.Context, pool *pgxpool.Pool, rdb *redis.Client, prefix string, sent []*SentMsg,
	received func(bot, chat int64) []Delivered) (Tally, error) {
	var t Tally
	// Answers are found by their message id; documents by their file name (unique per
	// message in the run), because a file can be stored under another message's id: one
	// that arrived while a question was open is held and attached to the answer that
	// follows, under that answer's message id.
	answers := map[string][]string{}  // message id -> questions of its answer rows
	evidence := map[string][]string{} // file name -> questions of its evidence rows
	twice := map[string]bool{}        // message ids or file names stored twice
	r, err := pool.Query(ctx, `SELECT message_id, question_code FROM answers WHERE channel = 'telegram' AND message_id <> ''`)
	if err != nil {
		return t, fmt.Errorf("read stored answers: %w", err)
	}
	for r.Next() {
		var id, code string
		if err := r.Scan(&id, &code); err != nil {
			r.Close()
			return t, err
		}
		answers[id] = append(answers[id], code)
		if len(answers[id]) == 2 {
			twice[id] = true
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return t, err
	}
	// A new answer version carries the evidence of the one it replaces (a colleague
	// answering a shared question, an edit): copies on another answer. Twice means one
	// file twice on one answer.
	r, err = pool.Query(ctx, `SELECT e.original_name, a.question_code, e.answer_id FROM evidence e JOIN answers a ON a.id = e.answer_id WHERE e.channel = 'telegram'`)
	if err != nil {
		return t, fmt.Errorf("read stored evidence: %w", err)
	}
	per := map[string]int{}
	for r.Next() {
		var name, code string
		var answer int64
		if err := r.Scan(&name, &code, &answer); err != nil {
			r.Close()
			return t, err
		}
		evidence[name] = append(evidence[name], code)
		k := name + "\x00" + strconv.FormatInt(answer, 10)
		if per[k]++; per[k] == 2 {
			twice["file:"+name] = true
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return t, err
	}
	rows := map[string][]string{} // message key -> questions of its rows
	key := func(m *SentMsg) string { return strconv.FormatInt(m.Bot, 10) + ":" + strconv.FormatInt(m.UpdateID, 10) }
	for _, m := range sent {
		k := key(m)
		rows[k] = append([]string(nil), answers[k]...)
		if m.File != "" {
			rows[k] = append(rows[k], evidence[m.File]...)
			if twice["file:"+m.File] {
				twice[k] = true
			}
		}
	}
	// The engine marks every message it handled as seen (kept 7 days), stored or not, and
	// records it durably (inbound_messages) in the step's transaction.
	seen := map[string]bool{}
	pipe := rdb.Pipeline()
	cmds := map[string]*redis.IntCmd{}
	for _, m := range sent {
		if m.Answers() && len(rows[key(m)]) == 0 {
			cmds[key(m)] = pipe.Exists(ctx, prefix+"seen:telegram:"+key(m))
		}
	}
	if len(cmds) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return t, fmt.Errorf("read dedupe marks: %w", err)
		}
	}
	for k, c := range cmds {
		seen[k] = c.Val() > 0
	}
	// A step that committed records its message in inbound_messages, in the transaction
	// that queued its replies: handled and answered, even when Redis was cut between the
	// commit and the save of the mark (redis-down: a "not saved, a colleague answered
	// first" reply would otherwise count as lost).
	var unmarked []string
	for k := range cmds {
		if !seen[k] {
			unmarked = append(unmarked, k)
		}
	}
	if len(unmarked) > 0 {
		r, err := pool.Query(ctx, `SELECT message_id FROM inbound_messages WHERE channel = 'telegram' AND message_id = ANY($1)`, unmarked)
		if err != nil {
			return t, fmt.Errorf("read handled messages: %w", err)
		}
		for r.Next() {
			var id string
			if err := r.Scan(&id); err != nil {
				r.Close()
				return t, err
			}
			seen[id] = true
		}
		r.Close()
		if err := r.Err(); err != nil {
			return t, err
		}
	}
	// "Too many messages at once" is sent once per burst, at its first refused message,
	// and covers the ones refused after it ("from now on ... send again what got no
	// reply"), so it may arrive a little before a message it covers, or well after it
	// (behind the chat's other replies, one per second); "could not be handled" follows
	// its message.
	noticed := func(m *SentMsg) bool {
		for _, d := range received(m.Bot, m.Chat) {
			if strings.Contains(d.Text, dispatcherNotices[0]) && d.At.After(m.SentAt.Add(-10*time.Second)) && d.At.Before(m.SentAt.Add(2*time.Minute)) ||
				strings.Contains(d.Text, dispatcherNotices[1]) && d.At.After(m.SentAt) {
				return true
			}
		}
		return false
	}
	example := func(m *SentMsg, what string) {
		if len(t.Examples) < 6 {
			t.Examples = append(t.Examples, fmt.Sprintf("%s %s %s→%v", what, key(m), m.Kind, rows[key(m)]))
			c := [2]int64{m.Bot, m.Chat}
			if !slices.Contains(t.ExampleChats, c) {
				t.ExampleChats = append(t.ExampleChats, c)
			}
		}
	}
	for _, m := range sent {
		k := key(m)
		wrong := false
		for _, q := range rows[k] {
			wrong = wrong || q != m.Question
		}
		if twice[k] {
			t.Twice++
			example(m, "twice")
		}
		if wrong {
			t.WrongQ++
			if m.Retype {
				t.WrongRetyped++
			}
			example(m, "wrong question "+m.Question)
		}
		if !m.Answers() {
			continue
		}
		t.Sent++
		switch {
		case len(rows[k]) > 0:
			if !wrong {
				t.Stored++
			}
		case m.AckedAt.IsZero():
			t.Unacked++
		case seen[k] || noticed(m):
			t.Told++
		default:
			t.Lost++
			example(m, "lost")
		}
	}
	return t, nil
}

// outOfOrder counts the chats whose replies to a burst (a document, then "selesai" at
// once) show "selesai" handled first: before the document's receipt (which names its
// file) came the reply to "selesai" — the narrative prompt, or the refusal for want of a
// document. Replies to earlier messages may still be arriving when the burst is sent
// (a lagging sender), so the receipt is found by the file's name, not by position.
func outOfOrder(sent []*SentMsg, received func(bot, chat int64) []Delivered) (bursts, withBursts, chats int) {
	byChat := map[int64][]*SentMsg{}
	for _, m := range sent {
		byChat[m.Chat] = append(byChat[m.Chat], m)
	}
	for _, msgs := range byChat {
		bad, any := false, false
		for _, m := range msgs {
			if !m.Burst || m.Retype || m.File == "" {
				continue
			}
			bursts++
			any = true
			var before []Delivered
			found := false
			for _, d := range received(m.Bot, m.Chat) {
				if !d.At.After(m.SentAt) {
					continue
				}
				if strings.Contains(d.Text, m.File) {
					found = true
					break
				}
				before = append(before, d)
			}
			if !found {
				continue // not received as a document (refused as late, say): no order to check
			}
			for _, d := range before {
				if strings.Contains(d.Text, refusedMark) || strings.Contains(d.Text, narrativeMark) {
					bad = true
				}
			}
		}
		if any {
			withBursts++
		}
		if bad {
			chats++
		}
	}
	return bursts, withBursts, chats
}

// narrativeMark starts the engine's prompt for a short narrative after "selesai".
const narrativeMark = "Tambahkan keterangan singkat"

// transcript writes a chat's messages both ways, in time order, for a look at an example.
func transcript(w io.Writer, sent []*SentMsg, bot, chat int64, received []Delivered) {
	type line struct {
		at   time.Time
		text string
	}
	var lines []line
	for _, m := range sent {
		if m.Bot != bot || m.Chat != chat {
			continue
		}
		what := m.Text
		if m.File != "" {
			what = "[" + m.File + "]"
		}
		ack := "never acknowledged"
		if !m.AckedAt.IsZero() {
			ack = "200 after " + m.AckedAt.Sub(m.SentAt).Round(time.Millisecond).String()
		}
		flags := ""
		if m.Retype {
			flags += " (typed again)"
		}
		lines = append(lines, line{m.SentAt, fmt.Sprintf("> #%d %s %q for %q%s, %s", m.UpdateID, m.Kind, what, m.Question, flags, ack)})
	}
	for _, d := range received {
		t := strings.ReplaceAll(d.Text, "\n", " ⏎ ")
		if len(t) > 160 {
			t = t[:160] + "…"
		}
		lines = append(lines, line{d.At, fmt.Sprintf("<   %q %v", t, d.Buttons)})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	fmt.Fprintf(w, "--- transcript of chat %d (bot %d)\n", chat, bot)
	for _, l := range lines {
		fmt.Fprintf(w, "%s %s\n", l.at.Format("15:04:05.000"), l.text)
	}
}
