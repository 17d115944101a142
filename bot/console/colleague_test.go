package console_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
)

// racingAnswers is the real store with a colleague who saves her answer in the instant
// between the engine's read of the question and its write (issue 14, item 6): the
// engine's own check cannot see it, the store's version check under the per-question
// lock must.
type racingAnswers struct {
	answering.Answers
	once  sync.Once
	rival func()
}

func (a *racingAnswers) SaveAnswer(ctx context.Context, w answering.AnswerWrite) (answering.AnswerInfo, error) {
	a.once.Do(a.rival)
	return a.Answers.SaveAnswer(ctx, w)
}

func TestColleagueAnswerBetweenReadAndWrite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	race := &racingAnswers{Answers: w.Store, rival: func() {
		// Sari's answer, committed on its own connection (not in Budi's step).
		_, err := w.Store.SaveAnswer(w.Ctx, answering.AnswerWrite{Msg: conversations.Delivery{Channel: conversations.ChannelConsole,
			ChatID: "chat-sari", MessageID: "sari-1", At: w.Clock.Now()}, RegionCode: consoletest.Region, Year: 2026,
			QuestionCode: "1.1", Value: scoring.Value{Text: "tidak"}, PersonID: w.People["sari"], CheckVersion: true})
		must(t, err)
	}}
	eng := w.EngineTuned(nil, nil, func(d *answering.Deps) { d.Answers = race })
	budi := console.NewSession(eng, "chat-budi", "budi")
	budi.Now = w.Clock.Now
	say := func(line string) string {
		t.Helper()
		outs, err := budi.Send(w.Ctx, line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return console.Render(outs)
	}
	if got := say("mulai"); !strings.Contains(got, "Pertanyaan 1/8 · 1.1") {
		t.Fatalf("mulai: %s", got)
	}
	got := say("ya")
	for _, want := range []string{"Sari Dewi baru saja menjawab pertanyaan ini", "Tidak", "Jawaban Anda (Ya) belum disimpan", "1. Simpan jawaban saya: Ya"} {
		if !strings.Contains(got, want) {
			t.Fatalf("ya after Sari's answer in between: no %q in\n%s", want, got)
		}
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers WHERE question_code = '1.1'`); n != 1 {
		t.Fatalf("%d versions of 1.1, want Sari's only", n)
	}
	if got := say("1"); !strings.Contains(got, "Tersimpan: Ya.") {
		t.Fatalf("1 (save mine): %s", got)
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers WHERE question_code = '1.1'`); n != 2 {
		t.Fatalf("%d versions of 1.1, want 2", n)
	}
}
