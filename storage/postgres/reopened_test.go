package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
)

// TestReopenedQuestionsWhoAndWhich: an OPD's reopened questions are the current answers
// sent back whose question is assigned to the OPD or whose current version one of its
// people gave; the latest decision counts, retired questions drop out, the most recent
// decision comes first.
func TestReopenedQuestionsWhoAndWhich(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newReviewWorld(t)
	review := func(answer int64, state conversations.ReviewState, note string) {
		t.Helper()
		w.clock = w.clock.Add(time.Minute)
		if _, err := w.store.RecordReview(ctx, answer, state, note, w.coord); err != nil {
			t.Fatalf("review %d: %v", answer, err)
		}
	}
	codes := func(opd int64) []string {
		t.Helper()
		list, err := w.store.ReopenedQuestions(ctx, "KTC", 2026, opd)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ro := range list {
			out = append(out, ro.Code+":"+string(ro.State)+":"+ro.Note+":"+ro.Reviewer)
		}
		return out
	}
	a141 := w.answer(t, "14.1", "", w.fpKes, "foto.jpg")
	a142 := w.answer(t, "14.2", "ya", w.fpKes2)
	a11 := w.answer(t, "1.1", "ya", w.fpKes) // a DINKES person answers Bagian Hukum's question
	review(a141, conversations.ReviewNeedsRevision, "Foto buram")
	review(a142, conversations.ReviewNeedsRevision, "Lengkapi")
	review(a11, conversations.ReviewRejected, "Bukan Perda")
	review(a141, conversations.ReviewApproved, "") // the latest decision counts

	if got := codes(w.opdKes); !slices.Equal(got, []string{"1.1:rejected:Bukan Perda:Bu Koor", "14.2:needs_revision:Lengkapi:Bu Koor"}) {
		t.Fatalf("DINKES = %v", got)
	}
	if got := codes(w.opdDik); !slices.Equal(got, []string{"1.1:rejected:Bukan Perda:Bu Koor"}) {
		t.Fatalf("HUKUM = %v", got)
	}
	// StampedProgress gives the same in one round trip, with the progress and the stamp
	// beside it.
	all := []string{"1.1", "14.1", "14.2"}
	want, _ := w.store.Progress(ctx, "KTC", 2026, w.fpKes, all)
	stamp, _ := w.store.ProgressStamp(ctx, w.opdKes, 2026)
	p, list, got, err := w.store.StampedProgress(ctx, "KTC", 2026, w.fpKes, w.opdKes, all)
	if err != nil || len(p.Answers) != 3 || p.Answers["14.2"] != want.Answers["14.2"] || p.Answers["1.1"].PersonName != "Sari" ||
		len(list) != 2 || list[0].Code != "1.1" || list[1] != (conversations.Reopened{Code: "14.2",
		State: conversations.ReviewNeedsRevision, Note: "Lengkapi", Reviewer: "Bu Koor"}) || got != stamp || stamp == 0 {
		t.Fatalf("StampedProgress = %+v, %+v, %d, %v (Progress alone: %+v, stamp %d)", p, list, got, err, want, stamp)
	}
	// Bagian Hukum answers 1.1 again: the new version is not sent back, and its author
	// is no longer DINKES's.
	w.answer(t, "1.1", "tidak", w.fpDik)
	if got := codes(w.opdKes); !slices.Equal(got, []string{"14.2:needs_revision:Lengkapi:Bu Koor"}) {
		t.Fatalf("DINKES after HUKUM's new version = %v", got)
	}
	if got := codes(w.opdDik); len(got) != 0 {
		t.Fatalf("HUKUM after its new version = %v", got)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE questions SET retired = true WHERE year = 2026 AND code = '14.2'`); err != nil {
		t.Fatal(err)
	}
	if got := codes(w.opdKes); len(got) != 0 {
		t.Fatalf("DINKES after 14.2 retired = %v", got)
	}
}
