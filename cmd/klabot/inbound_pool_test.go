package main

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
)

// No chat blocks the bot (issue 19, item 2): a file download (getFile and the download,
// seconds on a slow link) and the lookup of the prompt a message was sent for (which can
// wait for a prompt's delivery record) run before the step's transaction, so that they
// hold no connection of the small Postgres pool while every other chat's step waits.

func TestInboundSlowDownloadsDoNotHoldTheConnectionsOfOtherChats(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	ctx := context.Background()
	u, err := url.Parse(w.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "2")
	u.RawQuery = q.Encode()
	w.env["DATABASE_URL"] = u.String()
	// Three focal points of Dinas Kesehatan in other regions, each at the evidence prompt
	// of question 1.1.
	var senders []*tgChat
	for k, name := range []string{"Ani Lestari", "Citra Dewi", "Dodi Pratama"} {
		region := fmt.Sprintf("KOTA-UJI-%d", k)
		if err := w.store.UpsertRegion(ctx, conversations.Region{Code: region, Name: fmt.Sprintf("Kota Uji %d", k), Kind: "kota", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}); err != nil {
			t.Fatal(err)
		}
		opd, err := w.store.UpsertOPD(ctx, region, "DINKES", "Dinas Kesehatan", []string{"DINKES"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := w.store.UpsertPerson(ctx, conversations.Person{Name: name, Role: conversations.RoleFocalPoint, RegionCode: region, OPDID: opd, Language: "id"}, "")
		if err != nil {
			t.Fatal(err)
		}
		code, err := w.store.CreateInvite(ctx, id, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		senders = append(senders, &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: int64(8101 + k), FirstName: name}})
		senders[k].say("/start " + code)
	}
	startServe(t, w.env)
	for _, c := range senders {
		c.expect("Selamat datang")
		c.say("mulai")
		c.expect("Pertanyaan 1/4", "1.1")
		c.say("1")
		c.expect("Tersimpan: Ya", "Kirim bukti dukung")
	}
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 8201, FirstName: "Budi"}}
	budi.say("/start " + w.code)
	budi.expect("Budi Santoso")
	budi.say("mulai")
	budi.expect("Pertanyaan 1/4", "1.1")

	// Their documents' downloads hang; Budi answers meanwhile.
	w.api.HoldFiles()
	t.Cleanup(w.api.ReleaseFiles)
	for k, c := range senders {
		c.document(fmt.Sprintf("sk-%d.pdf", k), "application/pdf", pdfBytes, int64(len(pdfBytes)))
	}
	w.api.WaitFor(t, time.Minute, "two downloads hanging", func() bool { return w.api.Downloads() >= 2 })
	budi.say("1")
	budi.expect("Tersimpan: Ya")
	if n := countRows(t, w, `SELECT count(*) FROM answers WHERE person_id = $1 AND question_code = '1.1' AND value_text = 'ya'`, w.budiID); n != 1 {
		t.Errorf("%d answers of Budi's stored, want 1", n)
	}

	// Released, the documents are stored on the question they were sent for.
	w.api.ReleaseFiles()
	for k, c := range senders {
		c.expect(fmt.Sprintf("Diterima: sk-%d.pdf", k))
	}
	if n := countRows(t, w, `SELECT count(*) FROM evidence e JOIN answers a ON a.id = e.answer_id WHERE a.question_code = '1.1'`); n != 3 {
		t.Errorf("%d documents stored on 1.1, want 3", n)
	}
}
