package loadtest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/redis/redistest"
)

// TestTallyClassifiesEveryMessage: the fault report's columns come from the rows in
// PostgreSQL, the engine's dedupe marks in Redis and the chat's messages; each kind of
// fate lands in its own column, so a lost or misfiled message cannot pass unseen.
func TestTallyClassifiesEveryMessage(t *testing.T) {
	b := setup(t, Spec{Tag: "TY", Regions: 1, OPDs: 2, Questions: 24, FocalPoints: 1})
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	qs := b.ds.Instrument.Questions()
	fp := b.ds.People[0]
	version := 0
	row := func(msgID, question string) {
		version++
		if _, err := b.pool.Exec(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, message_id, created_at)
			VALUES ($1, $2, $3, $4, 'ya', $5, 'telegram', $6, now())`, fp.Region, b.ds.Spec.Year, question, version, fp.PersonID, msgID); err != nil {
			t.Fatal(err)
		}
	}
	acked := time.Now()
	msg := func(update int64, question string) *SentMsg {
		return &SentMsg{Bot: 9, UpdateID: update, Chat: fp.UserID, Kind: "answer", Question: question, SentAt: acked.Add(-time.Second), AckedAt: acked}
	}
	stored, wrong, twice, told, lost, unacked, full, selesai :=
		msg(1, qs[0].Code), msg(2, qs[1].Code), msg(3, qs[2].Code), msg(4, qs[3].Code), msg(5, qs[4].Code), msg(6, qs[5].Code), msg(7, qs[6].Code), msg(8, "")
	unacked.AckedAt = time.Time{}
	lost.SentAt = acked.Add(-3 * time.Minute) // long before the "too many messages" notice
	selesai.Kind = "done"
	row("9:1", qs[0].Code)
	row("9:2", qs[9].Code) // filed under another question
	row("9:3", qs[2].Code)
	version += 10 // another version of the same question, from the same message
	row("9:3", qs[2].Code)
	row("9:8", qs[10].Code) // "selesai" stored as an answer
	// A document stored once, its copy carried to the next answer version of the question
	// (a colleague's answer): stored once, not twice.
	carried := msg(9, qs[11].Code)
	carried.Kind, carried.File = "evidence", "a.pdf"
	var first, next int64
	for _, id := range []*int64{&first, &next} {
		version++
		if err := b.pool.QueryRow(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, message_id, created_at)
			VALUES ($1, $2, $3, $4, 'ya', $5, 'telegram', '', now()) RETURNING id`, fp.Region, b.ds.Spec.Year, qs[11].Code, version, fp.PersonID).Scan(id); err != nil {
			t.Fatal(err)
		}
		if _, err := b.pool.Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, message_id, created_at)
			VALUES ($1, 'k', 'application/pdf', 1, 'a.pdf', $2, 'telegram', '9:9', now())`, *id, fp.PersonID); err != nil {
			t.Fatal(err)
		}
	}
	// A document sent for one question, held and attached to the next one's answer under
	// that answer's message id: misfiled.
	held := msg(10, qs[12].Code)
	held.Kind, held.File = "evidence", "held.pdf"
	if _, err := b.pool.Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, message_id, created_at)
		VALUES ($1, 'k2', 'application/pdf', 1, 'held.pdf', $2, 'telegram', '9:99', now())`, first, fp.PersonID); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, prefix+"seen:telegram:9:4", 1, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	// Handled and answered (its step committed, inbound_messages) while Redis was cut
	// before the mark was saved: told, not lost.
	unmarked := msg(11, qs[13].Code)
	if _, err := b.pool.Exec(ctx, `INSERT INTO inbound_messages (channel, message_id, chat_id, received_at) VALUES ('telegram', '9:11', $1, now())`,
		fmt.Sprint(fp.UserID)); err != nil {
		t.Fatal(err)
	}
	received := func(bot, chat int64) []Delivered {
		return []Delivered{{Reply: Reply{Text: "⏳ Terlalu banyak pesan sekaligus. Pesan yang masuk mulai sekarang tidak diproses"}, At: acked.Add(-500 * time.Millisecond)}}
	}
	// Without the notice, message 7 is lost too.
	none := func(bot, chat int64) []Delivered { return nil }
	sent := []*SentMsg{stored, wrong, twice, told, lost, unacked, full, selesai, carried, held, unmarked}
	got, err := tallyMessages(ctx, b.pool, rdb, prefix, sent, received)
	if err != nil {
		t.Fatal(err)
	}
	want := Tally{Sent: 10, Stored: 3, Told: 3, WrongQ: 3, Lost: 1, Twice: 1, Unacked: 1}
	got.Examples, got.ExampleChats = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tally %+v, want %+v", got, want)
	}
	if got.OK() {
		t.Error("a tally with lost, doubled and misfiled messages is OK")
	}
	got, err = tallyMessages(ctx, b.pool, rdb, prefix, sent, none)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lost != 2 || got.Told != 2 {
		t.Errorf("without the dispatcher's notice: lost %d told %d, want 2 and 2", got.Lost, got.Told)
	}
}
