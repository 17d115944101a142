package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// answerFixture is a store with region KOTA-A, a one-question instrument (Q1, DINKES)
// and two focal points of Dinas Kesehatan.
func answerFixture(t *testing.T) (*postgres.Store, [2]int64) {
	t.Helper()
	ctx := context.Background()
	s := postgres.New(pgtest.New(t), func() time.Time { return time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) })
	inst := &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{{Code: "I", Name: "Klaster I",
		Indicators: []scoring.Indicator{{Code: "4", Name: "Akta", MaxPoints: 1000, Questions: []scoring.Question{
			{Code: "Q1", Text: "Ada?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DINKES"}}}}}}}}
	if _, err := s.SaveInstrument(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-A", Name: "Kota A", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	opd, err := s.UpsertOPD(ctx, "KOTA-A", "DINKES", "Dinas Kesehatan", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	for i, name := range []string{"Budi", "Sari"} {
		if ids[i], err = s.UpsertPerson(ctx, conversations.Person{Name: name, Role: conversations.RoleFocalPoint, RegionCode: "KOTA-A", OPDID: opd}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return s, ids
}

func msg(id string) conversations.Delivery {
	return conversations.Delivery{Channel: conversations.ChannelTelegram, ChatID: "42", MessageID: id, At: time.Now()}
}

func TestAnswersAreVersionedAndIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, who := answerFixture(t)
	w := answering.AnswerWrite{Msg: msg("m1"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1",
		Value: scoring.Value{Text: "ya"}, PersonID: who[0], CarryEvidence: true,
		Evidence:   []conversations.EvidenceFile{{BlobKey: "ab12", MIME: "application/pdf", Size: 10, Name: "sk.pdf"}},
		Checkpoint: &conversations.State{PersonID: who[0], Mode: conversations.ModeEvidence, Question: "Q1"}}
	first, err := s.SaveAnswer(ctx, w)
	if err != nil || first.Version != 1 || first.Evidence != 1 {
		t.Fatalf("first answer = %+v, %v", first, err)
	}
	// The same platform message again changes nothing.
	if _, err := s.SaveAnswer(ctx, w); !errors.Is(err, conversations.ErrDuplicate) {
		t.Fatalf("duplicate: %v, want ErrDuplicate", err)
	}
	if err := s.SaveSkip(ctx, answering.SkipWrite{Msg: msg("m1"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1", PersonID: who[0]}); !errors.Is(err, conversations.ErrDuplicate) {
		t.Fatalf("duplicate skip: %v, want ErrDuplicate", err)
	}
	// Two focal points answering at once get versions 2 and 3, both carrying the file.
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := w
			w.Msg = msg(fmt.Sprint("m", i+2))
			w.PersonID = who[i]
			w.Value = scoring.Value{Text: "tidak"}
			w.Evidence = nil
			w.Checkpoint = nil
			if _, err := s.SaveAnswer(ctx, w); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	p, err := s.Progress(ctx, "KOTA-A", 2026, who[1], []string{"Q1", "Q2"})
	if err != nil {
		t.Fatal(err)
	}
	cur := p.Answers["Q1"]
	if cur.Version != 3 || cur.Value.Text != "tidak" || cur.Evidence != 1 || len(p.Answers) != 1 {
		t.Fatalf("current = %+v (answers %d)", cur, len(p.Answers))
	}
	if err := s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("m9"), AnswerID: cur.ID, Text: "SK 2026"}); err != nil {
		t.Fatal(err)
	}
	if added, err := s.AddEvidence(ctx, answering.EvidenceWrite{Msg: msg("m10"), AnswerID: cur.ID, PersonID: who[1],
		Files: []conversations.EvidenceFile{{BlobKey: "cd34", MIME: "image/png", Size: 5, Name: "foto.png"}}}); err != nil || len(added) != 1 {
		t.Fatal(added, err)
	}
	// The same content again (another name, twice in one album) is attached once
	// (issue 14, item 10).
	added, err := s.AddEvidence(ctx, answering.EvidenceWrite{Msg: msg("m10b"), AnswerID: cur.ID, PersonID: who[1],
		Files: []conversations.EvidenceFile{{BlobKey: "cd34", MIME: "image/png", Size: 5, Name: "foto lagi.png"},
			{BlobKey: "ef56", MIME: "image/png", Size: 6, Name: "baru.png"}, {BlobKey: "ef56", MIME: "image/png", Size: 6, Name: "baru (2).png"}}})
	if err != nil || len(added) != 1 || added[0] != "ef56" {
		t.Fatalf("added %v, %v; want only ef56", added, err)
	}
	p, _ = s.Progress(ctx, "KOTA-A", 2026, who[1], []string{"Q1"})
	if a := p.Answers["Q1"]; a.Narrative != "SK 2026" || a.Evidence != 3 || a.PersonName == "" {
		t.Fatalf("after narrative and file: %+v", a)
	}
	cp, err := s.Checkpoint(ctx, who[0])
	if err != nil || cp.Question != "Q1" || cp.Mode != conversations.ModeEvidence {
		t.Fatalf("checkpoint = %+v, %v", cp, err)
	}
	if _, err := s.Checkpoint(ctx, who[1]); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("no checkpoint: %v, want ErrNotFound", err)
	}
	// An unanswered question skipped by Sari shows as skipped for her only.
	if err := s.SaveSkip(ctx, answering.SkipWrite{Msg: msg("m11"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1", PersonID: who[1]}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Progress(ctx, "KOTA-A", 2026, who[0], []string{"Q1"}); p.Skipped["Q1"] {
		t.Error("Budi sees Sari's skip as his")
	}
}

// TestNarrativeOnAMissingAnswerKeepsNothing: a narrative for an answer that does not exist
// fails with ErrNotFound and keeps nothing of the step — no message record (so the same
// message can be handled again) and no checkpoint; a duplicate of a handled narrative is
// reported as ErrDuplicate and changes nothing.
func TestNarrativeOnAMissingAnswerKeepsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, who := answerFixture(t)
	cp := &conversations.State{PersonID: who[0], Mode: conversations.ModeQuestion, Question: "Q1"}
	err := s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("n1"), AnswerID: 999999, Text: "SK 2026", Checkpoint: cp})
	if !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("narrative on a missing answer: %v, want ErrNotFound", err)
	}
	var records int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM inbound_messages WHERE message_id = 'n1'`).Scan(&records); err != nil || records != 0 {
		t.Fatalf("message record kept after a failed narrative: %d, %v", records, err)
	}
	if _, err := s.Checkpoint(ctx, who[0]); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("checkpoint kept after a failed narrative: %v", err)
	}

	a, err := s.SaveAnswer(ctx, answering.AnswerWrite{Msg: msg("n2"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1",
		Value: scoring.Value{Text: "ya"}, PersonID: who[0], Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("n1"), AnswerID: a.ID, Text: "SK 2026", Checkpoint: cp}); err != nil {
		t.Fatalf("the same message after the answer exists: %v", err)
	}
	err = s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("n1"), AnswerID: a.ID, Text: "diubah", Checkpoint: cp})
	if !errors.Is(err, conversations.ErrDuplicate) {
		t.Fatalf("duplicate narrative: %v, want ErrDuplicate", err)
	}
	p, _ := s.Progress(ctx, "KOTA-A", 2026, who[0], []string{"Q1"})
	if got := p.Answers["Q1"].Narrative; got != "SK 2026" {
		t.Fatalf("narrative %q after a duplicate, want the first", got)
	}
}

// TestAnswerWriteExpectsTheVersionItsWriterSaw (issue 14, item 6): two focal points who
// both saw "no answer yet" and answer at once: one write wins, the other fails with
// ErrConflict and keeps nothing (no version, no message record, no checkpoint), so its
// person can be told; written again expecting the winner's version, it goes through, and
// CarryFrom copies the evidence of the version it names.
func TestAnswerWriteExpectsTheVersionItsWriterSaw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, who := answerFixture(t)
	w := func(id string, person int64, value string, expect int) answering.AnswerWrite {
		return answering.AnswerWrite{Msg: msg(id), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1",
			Value: scoring.Value{Text: value}, PersonID: person, CarryEvidence: true, CheckVersion: true, ExpectVersion: expect,
			Checkpoint: &conversations.State{PersonID: person, Mode: conversations.ModeEvidence, Question: "Q1"}}
	}
	first := w("c1", who[0], "ya", 0)
	first.Evidence = []conversations.EvidenceFile{{BlobKey: "ab12", MIME: "application/pdf", Size: 10, Name: "sk.pdf"}}
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for _, aw := range []answering.AnswerWrite{first, w("c2", who[1], "tidak", 0)} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SaveAnswer(ctx, aw)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	var ok, conflicts int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, conversations.ErrConflict):
			conflicts++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("%d writes passed and %d conflicted; want 1 and 1", ok, conflicts)
	}
	var versions, records, checkpoints int
	if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM inbound_messages),
		(SELECT count(*) FROM dialogue_checkpoints)`).Scan(&versions, &records, &checkpoints); err != nil {
		t.Fatal(err)
	}
	if versions != 1 || records != 1 || checkpoints != 1 {
		t.Fatalf("versions %d, message records %d, checkpoints %d; want 1 each (the losing write keeps nothing)", versions, records, checkpoints)
	}
	// Budi's "ya" with its file must be current for the rest: make sure it is.
	p, _ := s.Progress(ctx, "KOTA-A", 2026, who[0], []string{"Q1"})
	cur := p.Answers["Q1"]
	if cur.Value.Text != "ya" {
		again := w("c3", who[0], "ya", cur.Version)
		again.Evidence = first.Evidence
		if cur, _ = s.SaveAnswer(ctx, again); cur.Version != 2 {
			t.Fatalf("Budi's answer again = %+v", cur)
		}
	}
	budi := cur
	sari, err := s.SaveAnswer(ctx, w("c4", who[1], "sebagian", budi.Version))
	if err != nil || sari.Evidence != 1 {
		t.Fatalf("Sari after seeing Budi's = %+v, %v", sari, err)
	}
	if _, err := s.SaveAnswer(ctx, w("c5", who[0], "tidak", budi.Version)); !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("Budi over Sari's unseen answer: %v, want ErrConflict", err)
	}
	// Sari replaces the evidence; Budi makes his own answer current again, with his file.
	bare := w("c6", who[1], "sebagian", sari.Version)
	bare.CarryEvidence = false
	if sari, err = s.SaveAnswer(ctx, bare); err != nil || sari.Evidence != 0 {
		t.Fatalf("Sari without files = %+v, %v", sari, err)
	}
	mine := w("c5", who[0], "ya", sari.Version)
	mine.CarryFrom = budi.ID
	got, err := s.SaveAnswer(ctx, mine)
	if err != nil || got.Evidence != 1 || got.Version != sari.Version+1 {
		t.Fatalf("Budi's answer current again = %+v, %v; want his 1 file", got, err)
	}
	// Files that expect their version to be current: refused on Sari's older one (nothing
	// kept, so the same message can attach them elsewhere), taken on the current one.
	file := []conversations.EvidenceFile{{BlobKey: "cd34", MIME: "image/png", Size: 5, Name: "foto.png"}}
	if _, err := s.AddEvidence(ctx, answering.EvidenceWrite{Msg: msg("c7"), AnswerID: sari.ID, PersonID: who[1],
		Files: file, ExpectCurrent: true}); !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("files for a replaced version: %v, want ErrConflict", err)
	}
	if added, err := s.AddEvidence(ctx, answering.EvidenceWrite{Msg: msg("c7"), AnswerID: got.ID, PersonID: who[1],
		Files: file, ExpectCurrent: true}); err != nil || len(added) != 1 {
		t.Fatalf("files for the current version: %v, %v", added, err)
	}
}
