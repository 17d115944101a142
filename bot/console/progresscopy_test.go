package console_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// The focal point's progress is kept in the Redis state between steps and checked
// against the OPD's progress stamp (issue 18, item 1). These tests change someone's
// progress from elsewhere — a colleague's answer, a review send-back, a re-import — and
// expect the person's next step to show it: each fails when the change does not bump
// the stamp in its transaction.

// say sends line as name and returns the rendered replies.
func (w *world) say(t *testing.T, name, line string) string {
	t.Helper()
	outs, err := w.session(name).Send(w.Ctx, line)
	if err != nil {
		t.Fatalf("%s %q: %v", name, line, err)
	}
	var b strings.Builder
	for _, o := range outs {
		b.WriteString(o.Text + "\n")
	}
	return b.String()
}

func wantIn(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(got, s) {
			t.Fatalf("%s: no %q in\n%s", what, s, got)
		}
	}
}

// TestProgressCopyIsUsedUntilTheStampMoves: the copy is what a step shows — a row
// written behind the stamp's back is not seen — until the stamp moves.
func TestProgressCopyIsUsedUntilTheStampMoves(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.say(t, "budi", "mulai")
	wantIn(t, "status", w.say(t, "budi", "status"), "Dijawab: 0 dari 8")
	// Sari's answer without a bump (not how klabot writes): Budi's copy does not know it.
	if _, err := w.Store.Pool().Exec(w.Ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text,
		person_id, channel, created_at) VALUES ($1, 2026, '1.2', 1, 'ya', $2, 'console', now())`, consoletest.Region, w.People["sari"]); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "status after an unstamped write", w.say(t, "budi", "status"), "Dijawab: 0 dari 8")
	if _, err := w.Store.Pool().Exec(w.Ctx, `UPDATE progress_stamps SET stamp = stamp + 1 WHERE opd_id = (SELECT opd_id FROM people WHERE id = $1)`, w.People["budi"]); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "status after the bump", w.say(t, "budi", "status"), "Dijawab: 1 dari 8")
	// Redis lost the state: rebuilt from the checkpoint, the progress read again.
	w.Flush()
	wantIn(t, "status after Redis lost the state", w.say(t, "budi", "status"), "Dijawab: 1 dari 8")
}

// TestColleagueAnswerInvalidatesProgressCopy: Sari answers a question Budi's OPD
// shares; Budi's next step counts it and shows her answer.
func TestColleagueAnswerInvalidatesProgressCopy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.say(t, "budi", "mulai")
	wantIn(t, "status", w.say(t, "budi", "status"), "Dijawab: 0 dari 8")
	w.say(t, "sari", "mulai")
	w.say(t, "sari", "ubah 2")
	wantIn(t, "sari answers 1.2", w.say(t, "sari", "ya"), "Tersimpan")
	wantIn(t, "budi's status after Sari's answer", w.say(t, "budi", "status"), "Dijawab: 1 dari 8")
	wantIn(t, "budi's ubah 2", w.say(t, "budi", "ubah 2"), "Sari")
	// Sari's evidence on Budi's answer's question moves the count too.
	w.say(t, "budi", "ubah 1")
	w.say(t, "budi", "ya")
	w.say(t, "budi", "lewati") // no evidence: 1.1 needs some
	wantIn(t, "budi's daftar", w.say(t, "budi", "daftar"), "1. Apakah ada SK")
	w.MakeFile("sk.pdf", "pdf", 2000)
	w.say(t, "sari", "bukti 1")
	wantIn(t, "sari's file", w.say(t, "sari", "/kirim "+filepath.Join(w.FileDir, "sk.pdf")), "sk.pdf")
	if got := w.say(t, "budi", "daftar"); strings.Contains(got, "1. Apakah ada SK") {
		t.Fatalf("budi's daftar after Sari's evidence still lists 1.1 without evidence:\n%s", got)
	}
}

// TestReviewSendBackInvalidatesProgressCopy: a coordinator sends Budi's answer back;
// Budi's next step lists it with the note.
func TestReviewSendBackInvalidatesProgressCopy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.say(t, "budi", "mulai")
	w.say(t, "budi", "ubah 2")
	wantIn(t, "budi answers 1.2", w.say(t, "budi", "ya"), "Tersimpan")
	if got := w.say(t, "budi", "daftar"); strings.Contains(got, "Perlu perbaikan") {
		t.Fatalf("daftar before the review: %s", got)
	}
	var id int64
	must(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT id FROM answers WHERE question_code = '1.2'`).Scan(&id))
	if _, err := w.Store.RecordReview(w.Ctx, id, conversations.ReviewNeedsRevision, "Lampirkan SK", w.People["koor"]); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "daftar after the send-back", w.say(t, "budi", "daftar"), "Lampirkan SK")
}

// TestReimportInvalidatesProgressCopy: a re-import renames the option Budi chose; his
// next step shows the answer under its new label.
func TestReimportInvalidatesProgressCopy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.say(t, "budi", "mulai")
	w.say(t, "budi", "ubah 3")
	wantIn(t, "budi answers 1.3", w.say(t, "budi", "2"), "Tersimpan")
	w.say(t, "budi", "lewati")
	wantIn(t, "ubah 3 before", w.say(t, "budi", "ubah 3"), "Perbup, SK atau SE")
	inst := consoletest.Instrument()
	inst.Clusters[0].Indicators[0].Questions[2].Options[1].Label = "Perbup atau SK"
	if _, err := w.Store.ImportInstrument(w.Ctx, inst, postgres.ImportOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers WHERE value_text = 'Perbup atau SK'`); n != 1 {
		t.Fatalf("re-import relabelled %d answers, want 1", n)
	}
	wantIn(t, "ubah 3 after the re-import", w.say(t, "budi", "ubah 3"), "Jawaban saat ini: Perbup atau SK")
}
