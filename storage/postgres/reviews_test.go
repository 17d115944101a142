package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// reviewWorld is a small region with two OPDs, a coordinator, focal points, a head, and a
// coordinator of another region, written with plain SQL so the test needs no other store.
type reviewWorld struct {
	pool                        *pgxpool.Pool
	store                       *postgres.Store
	clock                       time.Time
	coord, fpKes, fpKes2, fpDik int64
	head, otherCoord, admin     int64
	opdKes, opdDik              int64
}

func newReviewWorld(t *testing.T) *reviewWorld {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	w := &reviewWorld{pool: pool, clock: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	w.store = postgres.New(pool, func() time.Time { return w.clock })
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	id := func(sql string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	exec(`INSERT INTO regions (code, name, time_zone, year) VALUES ('KTC', 'Kota Contoh', 'Asia/Jakarta', 2026), ('KTL', 'Kota Lain', 'Asia/Makassar', 2026)`)
	exec(`INSERT INTO instruments (year, name) VALUES (2026, 'KLA 2026')`)
	exec(`INSERT INTO clusters (year, code, name, position) VALUES (2026, 'KELEMBAGAAN', 'Kelembagaan', 0), (2026, 'III', 'Klaster III', 3)`)
	exec(`INSERT INTO indicators (year, code, cluster_code, name, max_points, position) VALUES
		(2026, '1', 'KELEMBAGAAN', 'Peraturan KLA', 500, 1), (2026, '14', 'III', 'Puskesmas Ramah Anak', 500, 14)`)
	exec(`INSERT INTO questions (year, code, indicator_code, position, text, answer_type, evidence_required, opd_codes) VALUES
		(2026, '1.1', '1', 1, 'Apakah ada Perda KLA?', 'yes_no', true, '{BAGHUKUM}'),
		(2026, '14.1', '14', 2, 'Jumlah Puskesmas Ramah Anak', 'number', true, '{DINKES}'),
		(2026, '14.2', '14', 3, 'Ada pojok ASI di Puskesmas?', 'yes_partial_no', false, '{DINKES}')`)
	w.opdKes = id(`INSERT INTO opds (region_code, code, name, answers_for) VALUES ('KTC', 'DINKES', 'Dinas Kesehatan', '{DINKES}') RETURNING id`)
	w.opdDik = id(`INSERT INTO opds (region_code, code, name, answers_for) VALUES ('KTC', 'HUKUM', 'Bagian Hukum', '{BAGHUKUM}') RETURNING id`)
	w.coord = id(`INSERT INTO people (region_code, name, role) VALUES ('KTC', 'Bu Koor', 'coordinator') RETURNING id`)
	w.admin = id(`INSERT INTO people (region_code, name, role) VALUES ('KTC', 'Admin', 'admin') RETURNING id`)
	w.head = id(`INSERT INTO people (region_code, name, role) VALUES ('KTC', 'Pak Wali', 'head') RETURNING id`)
	w.otherCoord = id(`INSERT INTO people (region_code, name, role) VALUES ('KTL', 'Koor Lain', 'coordinator') RETURNING id`)
	w.fpKes = id(`INSERT INTO people (region_code, name, role, opd_id) VALUES ('KTC', 'Sari', 'focal_point', $1) RETURNING id`, w.opdKes)
	w.fpKes2 = id(`INSERT INTO people (region_code, name, role, opd_id) VALUES ('KTC', 'Budi', 'focal_point', $1) RETURNING id`, w.opdKes)
	w.fpDik = id(`INSERT INTO people (region_code, name, role, opd_id) VALUES ('KTC', 'Tono', 'focal_point', $1) RETURNING id`, w.opdDik)
	return w
}

// answer writes the next version of a question's answer, as the engine would.
func (w *reviewWorld) answer(t *testing.T, question, value string, person int64, files ...string) int64 {
	t.Helper()
	ctx := context.Background()
	w.clock = w.clock.Add(time.Minute)
	var id int64
	err := w.pool.QueryRow(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, narrative, person_id, channel, created_at)
		SELECT 'KTC', 2026, $1, coalesce(max(version), 0) + 1, $2, 'narasi ' || $2, $3, 'console', $4
		FROM answers WHERE region_code = 'KTC' AND year = 2026 AND question_code = $1 RETURNING id`,
		question, value, person, w.clock).Scan(&id)
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	for _, f := range files {
		if _, err := w.pool.Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
			VALUES ($1, 'abc', 'application/pdf', 10, $2, $3, 'console', $4)`, id, f, person, w.clock); err != nil {
			t.Fatalf("evidence: %v", err)
		}
	}
	return id
}

func queueCodes(t *testing.T, w *reviewWorld, f review.Filter) []string {
	t.Helper()
	items, err := w.store.ReviewQueue(context.Background(), "KTC", 2026, f, 100)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, it := range items {
		codes = append(codes, it.QuestionCode+":"+string(it.State))
	}
	return codes
}

func TestReviewQueueFiltersAndOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newReviewWorld(t)
	w.answer(t, "14.1", "", w.fpKes, "foto puskesmas.jpg", "sk.pdf")
	w.answer(t, "1.1", "ya", w.fpDik)
	w.answer(t, "14.2", "sebagian", w.fpKes2)

	if got := queueCodes(t, w, review.Filter{}); !slices.Equal(got, []string{"14.1:waiting", "1.1:waiting", "14.2:waiting"}) {
		t.Fatalf("queue = %v", got)
	}
	if got := queueCodes(t, w, review.Filter{OPDCode: "dinkes"}); !slices.Equal(got, []string{"14.1:waiting", "14.2:waiting"}) {
		t.Fatalf("queue DINKES = %v", got)
	}
	if got := queueCodes(t, w, review.Filter{OPDCode: "BAGHUKUM"}); !slices.Equal(got, []string{"1.1:waiting"}) {
		t.Fatalf("queue BAGHUKUM (national code) = %v", got)
	}
	if got := queueCodes(t, w, review.Filter{ClusterCode: "3"}); !slices.Equal(got, []string{"14.1:waiting", "14.2:waiting"}) {
		t.Fatalf("queue klaster 3 = %v", got)
	}
	if got := queueCodes(t, w, review.Filter{ClusterCode: "kelembagaan"}); !slices.Equal(got, []string{"1.1:waiting"}) {
		t.Fatalf("queue kelembagaan = %v", got)
	}
	if got := queueCodes(t, w, review.Filter{WithEvidence: true}); !slices.Equal(got, []string{"14.1:waiting"}) {
		t.Fatalf("queue bukti = %v", got)
	}
	items, err := w.store.ReviewQueue(ctx, "KTC", 2026, review.Filter{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.PersonName != "Sari" || it.OPDCode != "DINKES" || it.IndicatorName != "Puskesmas Ramah Anak" ||
		it.ClusterCode != "III" || len(it.Evidence) != 2 || it.Evidence[0].Name != "foto puskesmas.jpg" || it.Version != 1 {
		t.Fatalf("item = %+v", it)
	}
	if other, _ := w.store.ReviewQueue(ctx, "KTL", 2026, review.Filter{}, 10); len(other) != 0 {
		t.Fatalf("another region sees %d answers", len(other))
	}
	if n, err := w.store.CountReviewQueue(ctx, "KTC", 2026, review.Filter{OPDCode: "DINKES"}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
	// tinjau 14.2: one question (issue 14, item 13).
	if got := queueCodes(t, w, review.Filter{QuestionCode: "14.2"}); !slices.Equal(got, []string{"14.2:waiting"}) {
		t.Fatalf("queue 14.2 = %v", got)
	}
	if n, err := w.store.CountReviewQueue(ctx, "KTC", 2026, review.Filter{QuestionCode: "14.2"}); err != nil || n != 1 {
		t.Fatalf("count 14.2 = %d, %v", n, err)
	}
}

// TestReviewQueueEditedFirst: an answer the OPD changed after a coordinator sent it
// back (diubah) comes before the ones waiting longer (issue 14, item 13).
func TestReviewQueueEditedFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newReviewWorld(t)
	first := w.answer(t, "14.1", "", w.fpKes, "sk.pdf")
	w.answer(t, "1.1", "ya", w.fpDik)
	w.answer(t, "14.2", "sebagian", w.fpKes2)
	if _, err := w.store.RecordReview(ctx, first, conversations.ReviewNeedsRevision, "buram", w.coord); err != nil {
		t.Fatal(err)
	}
	w.answer(t, "14.1", "", w.fpKes, "sk-jelas.pdf")
	if got := queueCodes(t, w, review.Filter{}); !slices.Equal(got, []string{"14.1:edited", "1.1:waiting", "14.2:waiting"}) {
		t.Fatalf("queue = %v", got)
	}
}

func TestRecordReviewRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newReviewWorld(t)
	v1 := w.answer(t, "14.1", "", w.fpKes, "foto.jpg")
	w.answer(t, "1.1", "ya", w.fpDik)

	// Needs revision without a note is refused; with a note it is recorded.
	if _, err := w.store.RecordReview(ctx, v1, conversations.ReviewNeedsRevision, "  ", w.coord); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("needs_revision without note: %v", err)
	}
	if _, err := w.store.RecordReview(ctx, v1, conversations.ReviewRejected, "", w.coord); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("rejected without note: %v", err)
	}
	rec, err := w.store.RecordReview(ctx, v1, conversations.ReviewNeedsRevision, "Foto buram, kirim ulang", w.coord)
	if err != nil || rec.ID == 0 || rec.ReviewerName != "Bu Koor" {
		t.Fatalf("record: %+v %v", rec, err)
	}
	if got := queueCodes(t, w, review.Filter{}); !slices.Equal(got, []string{"1.1:waiting"}) {
		t.Fatalf("queue after revision request = %v", got)
	}
	reopened, err := w.store.ReopenedQuestions(ctx, "KTC", 2026, w.opdKes)
	if err != nil || len(reopened) != 1 || reopened[0] != (conversations.Reopened{Code: "14.1",
		State: conversations.ReviewNeedsRevision, Note: "Foto buram, kirim ulang", Reviewer: "Bu Koor"}) {
		t.Fatalf("reopened for DINKES = %+v %v", reopened, err)
	}
	if other, _ := w.store.ReopenedQuestions(ctx, "KTC", 2026, w.opdDik); len(other) != 0 {
		t.Fatalf("reopened for HUKUM = %v", other)
	}
	recipients, err := w.store.ReviewRecipients(ctx, v1)
	if err != nil || len(recipients) != 2 || recipients[0].Name != "Sari" || recipients[1].Name != "Budi" {
		t.Fatalf("recipients = %+v %v", recipients, err)
	}

	// The OPD answers again: a new version, back in the queue as "edited".
	v2 := w.answer(t, "14.1", "", w.fpKes2, "foto-jelas.jpg")
	if got := queueCodes(t, w, review.Filter{}); !slices.Equal(got, []string{"14.1:edited", "1.1:waiting"}) { // diubah first
		t.Fatalf("queue after new version = %v", got)
	}
	edited, err := w.store.ReviewItem(ctx, "KTC", v2)
	if err != nil || edited.PriorState != conversations.ReviewNeedsRevision || edited.LastNote != "Foto buram, kirim ulang" ||
		len(edited.Reviews) != 0 || edited.Version != 2 || len(edited.Evidence) != 1 {
		t.Fatalf("edited item = %+v %v", edited, err)
	}
	old, err := w.store.ReviewItem(ctx, "KTC", v1)
	if err != nil || old.State != conversations.ReviewNeedsRevision || len(old.Reviews) != 1 || old.Reviews[0].ReviewerName != "Bu Koor" {
		t.Fatalf("reviewed item = %+v %v", old, err)
	}
	if reopened, _ := w.store.ReopenedQuestions(ctx, "KTC", 2026, w.opdKes); len(reopened) != 0 {
		t.Fatalf("still reopened after new version: %v", reopened)
	}
	// The old version can no longer be reviewed.
	if _, err := w.store.RecordReview(ctx, v1, conversations.ReviewApproved, "", w.coord); !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("review of stale version: %v", err)
	}
	if _, err := w.store.RecordReview(ctx, v2, conversations.ReviewApproved, "", w.admin); err != nil {
		t.Fatalf("approve v2 by admin: %v", err)
	}
	states, err := w.store.ReviewStates(ctx, "KTC", 2026)
	if err != nil || states["14.1"] != conversations.ReviewApproved || states["1.1"] != conversations.ReviewWaiting {
		t.Fatalf("states = %v %v", states, err)
	}
	counts, err := w.store.ReviewCounts(ctx, "KTC", 2026)
	if err != nil || counts != (review.Counts{Waiting: 1, Approved: 1}) {
		t.Fatalf("counts = %+v %v", counts, err)
	}

	hist, err := w.store.ReviewHistory(ctx, "KTC", 2026, "14.1")
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %+v %v", hist, err)
	}
	if hist[0].State != conversations.ReviewNeedsRevision || hist[0].Reviews[0].Note != "Foto buram, kirim ulang" ||
		hist[0].Evidence[0].Name != "foto.jpg" || hist[1].State != conversations.ReviewApproved ||
		hist[1].PersonName != "Budi" || hist[1].Reviews[0].ReviewerName != "Admin" {
		t.Fatalf("history = %+v", hist)
	}
	byNumber, err := w.store.ReviewHistory(ctx, "KTC", 2026, "2")
	if err != nil || len(byNumber) != 2 || byNumber[0].QuestionCode != "14.1" {
		t.Fatalf("history by number = %+v %v", byNumber, err)
	}
	if _, err := w.store.ReviewHistory(ctx, "KTC", 2026, "99.9"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("history of unknown question: %v", err)
	}
	if other, err := w.store.ReviewHistory(ctx, "KTL", 2026, "14.1"); err != nil || len(other) != 0 {
		t.Fatalf("another region's history = %v %v", other, err)
	}
}

func TestRecordReviewPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newReviewWorld(t)
	a := w.answer(t, "1.1", "ya", w.fpDik)
	for _, tc := range []struct {
		name     string
		reviewer int64
		want     error
	}{
		{"focal point", w.fpDik, conversations.ErrForbidden},
		{"head", w.head, conversations.ErrForbidden},
		{"other region's coordinator", w.otherCoord, conversations.ErrNotFound},
		{"unknown person", 99999, conversations.ErrNotFound},
	} {
		if _, err := w.store.RecordReview(ctx, a, conversations.ReviewApproved, "", tc.reviewer); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := w.store.RecordReview(ctx, 424242, conversations.ReviewApproved, "", w.coord); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("unknown answer: %v", err)
	}
	if _, err := w.store.RecordReview(ctx, a, conversations.ReviewWaiting, "", w.coord); !errors.Is(err, conversations.ErrInvalid) {
		t.Errorf("state waiting: %v", err)
	}
	if _, err := w.store.ReviewItem(ctx, "KTL", a); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("item from another region: %v", err)
	}
	if n, _ := w.store.CountReviewQueue(ctx, "KTC", 2026, review.Filter{}); n != 1 {
		t.Errorf("refused reviews changed the queue: %d waiting", n)
	}
}
