package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
)

// scoreWorld is region KOTA-UJI (WITA) on smallInstrument(2026) with OPDs for every
// national code, a focal point and a coordinator.
type scoreWorld struct {
	store        *postgres.Store
	clock        *fixedClock
	fp, coord    int64
	exec         func(sql string, args ...any)
	id           func(sql string, args ...any) int64
	lastAnswerAt time.Time
}

func newScoreWorld(t *testing.T) *scoreWorld {
	t.Helper()
	ctx := context.Background()
	s, clock := newStore(t)
	opd := sampleRegion(t, s) // DP3AP2KB answers for DP3A, DPPKB
	if _, err := s.SaveInstrument(ctx, smallInstrument(2026)); err != nil {
		t.Fatal(err)
	}
	for _, o := range [][2]string{{"BAGHUKUM", "Bagian Hukum"}, {"DISDUKCAPIL", "Disdukcapil"}} {
		if _, err := s.UpsertOPD(ctx, "KOTA-UJI", o[0], o[1], nil); err != nil {
			t.Fatal(err)
		}
	}
	w := &scoreWorld{store: s, clock: clock}
	pool := s.Pool()
	w.exec = func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	w.id = func(sql string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	w.fp = w.id(`INSERT INTO people (region_code, name, role, opd_id) VALUES ('KOTA-UJI', 'Sari', 'focal_point', $1) RETURNING id`, opd)
	w.coord = w.id(`INSERT INTO people (region_code, name, role) VALUES ('KOTA-UJI', 'Bu Koor', 'coordinator') RETURNING id`)
	return w
}

// answer writes the next version of a question's answer with n evidence files.
func (w *scoreWorld) answer(question, text string, number *float64, files int) int64 {
	w.lastAnswerAt = w.lastAnswerAt.Add(time.Minute)
	if w.lastAnswerAt.Year() < 2026 {
		w.lastAnswerAt = time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)
	}
	id := w.id(`INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at)
		SELECT 'KOTA-UJI', 2026, $1, coalesce(max(version), 0) + 1, $2, $3, $4, 'console', $5
		FROM answers WHERE region_code = 'KOTA-UJI' AND year = 2026 AND question_code = $1 RETURNING id`,
		question, text, number, w.fp, w.lastAnswerAt)
	for i := 0; i < files; i++ {
		w.exec(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
			VALUES ($1, 'sha', 'image/jpeg', 1000, 'foto.jpg', $2, 'console', $3)`, id, w.fp, w.lastAnswerAt)
	}
	return id
}

func (w *scoreWorld) review(answer int64, state string, at time.Time) {
	w.exec(`INSERT INTO reviews (answer_id, state, reviewer_id, created_at) VALUES ($1, $2, $3, $4)`, answer, state, w.coord, at)
}

func (w *scoreWorld) skip(question string) {
	w.exec(`INSERT INTO skips (region_code, year, question_code, person_id, created_at) VALUES ('KOTA-UJI', 2026, $1, $2, $3)`,
		question, w.fp, time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC))
}

func TestScoreInputAndReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newScoreWorld(t)
	t0 := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)

	// 1.1 (200 points, evidence required): v1 had a file and was approved, but v2 has none
	// and no review: claimed only.
	v1 := w.answer("1.1", "ya", nil, 1)
	w.review(v1, "approved", t0)
	w.answer("1.1", "ya", nil, 0)
	// 1.2 (400 points): "SK" is half; sent back first, approved last: verified.
	v := w.answer("1.2", "SK", nil, 0)
	w.review(v, "needs_revision", t0)
	w.review(v, "approved", t0.Add(time.Hour))
	// 4.1 (200 points): skipped twice, never answered.
	w.skip("4.1")
	w.exec(`INSERT INTO people (region_code, name, role, opd_id) SELECT 'KOTA-UJI', 'Budi', 'focal_point', opd_id FROM people WHERE id = $1`, w.fp)
	w.exec(`INSERT INTO skips (region_code, year, question_code, person_id, created_at)
		SELECT 'KOTA-UJI', 2026, '4.1', id, now() FROM people WHERE name = 'Budi'`)
	// 4.2 (200 points, percent of 100): skipped, then answered 50; approved, then rejected.
	w.skip("4.2")
	fifty := 50.0
	v = w.answer("4.2", "", &fifty, 2)
	w.review(v, "approved", t0)
	w.review(v, "rejected", t0.Add(time.Hour))

	in, err := w.store.ScoreInput(ctx, "kota-uji", 0)
	if err != nil {
		t.Fatal(err)
	}
	if in.Year != 2026 || in.Region.Code != "KOTA-UJI" || in.InstrumentVersion != 1 || len(in.Instrument.Questions()) != 4 {
		t.Fatalf("input: year %d, region %s, version %d, %d questions", in.Year, in.Region.Code, in.InstrumentVersion, len(in.Instrument.Questions()))
	}
	if len(in.OPDs) != 3 || in.OPDs[2].Code != "DP3AP2KB" || len(in.OPDs[2].AnswersFor) != 2 {
		t.Fatalf("OPDs = %+v", in.OPDs)
	}
	type row struct {
		Code     string
		Answered bool
		Skipped  bool
		Text     string
		Number   float64
		Files    int
		Review   scoring.ReviewState
		By       string
	}
	var got []row
	for _, a := range in.Answers {
		got = append(got, row{a.QuestionCode, a.Answered, a.Skipped, a.Value.Text, a.Value.Number, a.Files, a.Review, a.By})
	}
	want := []row{
		{"1.1", true, false, "ya", 0, 0, scoring.ReviewNone, "Sari"},
		{"1.2", true, false, "SK", 0, 0, scoring.ReviewApproved, "Sari"},
		{"4.1", false, true, "", 0, 0, scoring.ReviewNone, ""},
		{"4.2", true, false, "", 50, 2, scoring.ReviewRejected, "Sari"},
	}
	if len(got) != len(want) {
		t.Fatalf("answers\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answer %d\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	scorer := conversations.NewScorer(w.store, w.clock.Now)
	rs, err := scorer.Score(ctx, "KOTA-UJI", 0)
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Report
	if r.Claimed.Points != 500 || r.Evidenced.Points != 300 || r.Verified.Points != 200 {
		t.Errorf("scores = %v / %v / %v, want 500 / 300 / 200", r.Claimed.Points, r.Evidenced.Points, r.Verified.Points)
	}
	if r.Claimed.Tier.Name != "Pratama" || r.Tier.Name != scoring.NoTierName || r.PointsToNextTier != 200 {
		t.Errorf("tiers: claimed %s, headline %s, %v to next", r.Claimed.Tier.Name, r.Tier.Name, r.PointsToNextTier)
	}
	if len(r.Gaps) == 0 || r.Gaps[0].Kind != scoring.GapEvidence || r.Gaps[0].QuestionCode != "1.1" ||
		len(r.Gaps[0].OPDs) != 1 || r.Gaps[0].OPDs[0].Code != "BAGHUKUM" {
		t.Errorf("first gap = %+v", r.Gaps)
	}
	// The same model serves the next call.
	again, err := scorer.Score(ctx, "KOTA-UJI", 2026)
	if err != nil || again.Report.Claimed.Points != r.Claimed.Points {
		t.Errorf("second score: %v, %+v", err, again.Report.Claimed)
	}
}

func TestScoreInputErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newScoreWorld(t)
	if _, err := w.store.ScoreInput(ctx, "NOWHERE", 0); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("unknown region: err = %v, want ErrNotFound", err)
	}
	if _, err := w.store.ScoreInput(ctx, "KOTA-UJI", 2031); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("year without instrument: err = %v, want ErrNotFound", err)
	}
	in, err := w.store.ScoreInput(ctx, "KOTA-UJI", 2026)
	if err != nil || len(in.Answers) != 0 {
		t.Errorf("region without answers: %v, %d answers", err, len(in.Answers))
	}
}

func TestScoreSnapshotsOnePerLocalDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newScoreWorld(t)
	region, err := w.store.Region(ctx, "KOTA-UJI") // Asia/Makassar, UTC+8
	if err != nil {
		t.Fatal(err)
	}
	rs := func(c, e, v float64) conversations.RegionScore {
		var r scoring.Report
		r.Claimed.Points, r.Evidenced.Points, r.Verified.Points = c, e, v
		return conversations.RegionScore{Region: region, Year: 2026, Report: r}
	}
	// 1 March 15:30 UTC is 23:30 WITA on 1 March; 16:30 UTC is already 2 March there.
	w.clock.t = time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC)
	if _, err := w.store.SaveScoreSnapshot(ctx, rs(400, 300, 100)); err != nil {
		t.Fatal(err)
	}
	w.clock.t = time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC)
	snap, err := w.store.SaveScoreSnapshot(ctx, rs(410.5, 310.25, 100))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Day.Format(time.DateOnly) != "2026-03-02" {
		t.Errorf("day = %s, want 2026-03-02 (WITA)", snap.Day.Format(time.DateOnly))
	}
	// Saving again the same local day replaces the day's numbers.
	w.clock.t = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, err := w.store.SaveScoreSnapshot(ctx, rs(420.5, 320.25, 150)); err != nil {
		t.Fatal(err)
	}
	all, err := w.store.ScoreSnapshots(ctx, "KOTA-UJI", 2026, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Claimed != 400 || all[1].Claimed != 420.5 || all[1].Evidenced != 320.25 || all[1].Verified != 150 {
		t.Fatalf("snapshots = %+v", all)
	}
	prev, err := w.store.ScoreSnapshotBefore(ctx, "KOTA-UJI", 2026, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if err != nil || prev.Claimed != 400 || prev.Day.Format(time.DateOnly) != "2026-03-01" {
		t.Errorf("before 2 March: %+v, %v", prev, err)
	}
	if _, err := w.store.ScoreSnapshotBefore(ctx, "KOTA-UJI", 2026, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("before the first: err = %v, want ErrNotFound", err)
	}
	bad := rs(1, 1, 1)
	bad.Region.Code = "NOWHERE"
	if _, err := w.store.SaveScoreSnapshot(ctx, bad); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("unknown region: err = %v, want ErrNotFound", err)
	}
}

func TestScorerReply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newScoreWorld(t)
	w.clock.t = time.Date(2026, 11, 23, 6, 5, 0, 0, time.UTC) // 14.05 WITA
	v := w.answer("1.2", "Perda", nil, 0)                     // 400 points, no evidence needed
	w.review(v, "approved", w.clock.t)
	w.answer("1.1", "ya", nil, 0) // 200 claimed, evidence missing
	scorer := conversations.NewScorer(w.store, w.clock.Now)
	head := conversations.Person{Role: conversations.RoleHead, RegionCode: "KOTA-UJI"}

	got, err := headline.Reply(ctx, scorer, head, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"📈 Nilai KLA Kota Uji: 400,0 — Belum berpredikat\nKe Pratama (500,0) kurang 100,0 poin.\n",
		"Diklaim 600,0 · berbukti 400,0 · terverifikasi 400,0\n",
		"1. 1.1 Ada Perda KLA? (+200,0, bukti belum ada) · Bagian Hukum\n",
		"Data per 23 November 2026 14.05 WITA.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/nilai: missing %q in:\n%s", want, got)
		}
	}
	got, _ = headline.Reply(ctx, scorer, head, "apa yang kurang untuk madya?")
	if !strings.Contains(got, "Ke Madya (601,0) kurang 201,0 poin. Bisa dicapai dengan menutup 2 celah teratas.") {
		t.Errorf("to Madya:\n%s", got)
	}
	if got, _ = headline.Reply(ctx, scorer, head, "siapa juara liga?"); got != headline.ScoreHelpText() {
		t.Errorf("unclear question: %q", got)
	}
	fp := conversations.Person{Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDCode: "DISDUKCAPIL"}
	if got, _ = headline.Reply(ctx, scorer, fp, ""); !strings.HasPrefix(got, "📋 Progres Disdukcapil: 0 dari 2 pertanyaan terjawab (0%)") {
		t.Errorf("focal point:\n%s", got)
	}
	lost := conversations.Person{Role: conversations.RoleHead, RegionCode: "NOWHERE"}
	if got, err = headline.Reply(ctx, scorer, lost, "berapa nilai kita?"); err != nil || got != headline.ScoreUnavailableText {
		t.Errorf("unknown region: %q, %v", got, err)
	}
}
