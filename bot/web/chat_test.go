package web_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/dashboard"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/evidencepack"
)

var linkRe = regexp.MustCompile(`https?://\S+`)

// TestChatDasborAndEkspor: `dasbor` in the chat gives a one-time link that opens the
// region; `ekspor` gives expiring links that download the pack and the workbook; focal
// points get neither.
func TestChatDasborAndEkspor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	links := w.srv.Links()
	dialogue := answering.New(answering.Deps{Answers: w.Store, Instruments: w.Store, Blobs: w.Blobs,
		Reviews: w.Store, MaxFileBytes: consoletest.MaxFileBytes})
	eng := conversations.NewEngine(conversations.Config{}, conversations.Deps{
		People: w.Store, Regions: w.Store, Checkpoints: w.Store, States: w.States, Locker: w.States,
		Now: w.Clock.Now,
	},
		dialogue.Capability(), onboarding.New(onboarding.Deps{Invites: w.Store, Questions: dialogue}),
		review.New(review.Deps{Reviews: w.Store, EvidenceFiles: w.Blobs, Downloads: links,
			Exporter: &evidencepack.Exporter{Source: w.Store, Blobs: w.Blobs, Now: w.Clock.Now, Dir: t.TempDir()}}),
		dashboard.New(links))
	say := func(who, text string) string {
		t.Helper()
		s := console.NewSession(eng, "chat-"+who, who)
		s.Now = w.Clock.Now
		outs, err := s.Send(w.Ctx, text)
		consoletest.Must(t, err)
		var b strings.Builder
		for _, o := range outs {
			b.WriteString(o.Text + "\n")
		}
		return b.String()
	}

	reply := say("koor", "dasbor")
	link := linkRe.FindString(reply)
	if !strings.HasPrefix(link, w.http.URL+"/masuk/") || !strings.Contains(reply, "sekali") || !strings.Contains(reply, "09.19 WIB") {
		t.Fatalf("dasbor reply:\n%s", reply)
	}
	b := w.browser()
	res := b.post(link, nil)
	if page := body(t, res); res.StatusCode != 200 || !strings.Contains(page, "Kota Uji · 2026") {
		t.Fatalf("the chat's link: %d %s", res.StatusCode, res.Request.URL)
	}
	for _, alias := range []string{"web", "/dashboard"} {
		if r := say("wali", alias); !strings.Contains(r, "/masuk/") {
			t.Errorf("%s for a head:\n%s", alias, r)
		}
	}
	if r := say("budi", "dasbor"); strings.Contains(r, "/masuk/") {
		t.Errorf("a focal point got a link:\n%s", r)
	}

	reply = say("koor", "ekspor")
	found := linkRe.FindAllString(reply, -1)
	if len(found) != 2 || !strings.Contains(reply, "4 dijawab, 2 berkas bukti") || !strings.Contains(reply, "berlaku sampai 3 Maret 2026") {
		t.Fatalf("ekspor reply:\n%s", reply)
	}
	anon := w.browser()
	res, got := anon.get(found[0])
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("pack link: %d", res.StatusCode)
	}
	if _, err := zip.NewReader(bytes.NewReader([]byte(got)), int64(len(got))); err != nil {
		t.Fatalf("pack: %v", err)
	}
	res, got = anon.get(found[1])
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(got, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("workbook link: %d %v", res.StatusCode, res.Header)
	}
	if r := say("koor", "ekspor 2030"); !strings.Contains(r, "Belum ada instrumen tahun 2030") {
		t.Errorf("ekspor 2030:\n%s", r)
	}
}
