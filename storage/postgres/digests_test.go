package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// digestFixture is a small region: one instrument year with 4 questions, two OPDs,
// a coordinator, focal points (one blocked, one never registered).
type digestFixture struct {
	pool                        *pgxpool.Pool
	store                       *postgres.Store
	dinkes, bappeda             int64 // OPD ids
	coord, budi, sari, ani, eko int64 // people: eko blocked the bot, ani never registered
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func id(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func newDigestFixture(t *testing.T) *digestFixture {
	t.Helper()
	pool := pgtest.New(t)
	f := &digestFixture{pool: pool, store: postgres.New(pool, nil)}
	exec(t, pool, `INSERT INTO regions (code, name, time_zone, year, deadline) VALUES ('7371', 'Kota Contoh', 'Asia/Makassar', 2026, '2026-12-31')`)
	exec(t, pool, `INSERT INTO instruments (year, name) VALUES (2026, 'KLA 2026')`)
	exec(t, pool, `INSERT INTO clusters (year, code, name, position) VALUES (2026, 'III', 'Klaster III', 1)`)
	exec(t, pool, `INSERT INTO indicators (year, code, cluster_code, name, max_points, position) VALUES (2026, '14', 'III', 'Puskesmas', 100, 1)`)
	for i, q := range []struct{ code, opd string }{{"Q1", "DINKES"}, {"Q2", "DINKES"}, {"Q3", "BAPPEDA"}, {"Q4", "DINKES"}} {
		exec(t, pool, `INSERT INTO questions (year, code, indicator_code, position, text, answer_type, opd_codes)
			VALUES (2026, $1, '14', $2, 'Pertanyaan ' || $1, 'yes_no', ARRAY[$3])`, q.code, i+1, q.opd)
	}
	f.dinkes = id(t, pool, `INSERT INTO opds (region_code, code, name, answers_for) VALUES ('7371', 'DINKES', 'Dinas Kesehatan', '{}') RETURNING id`)
	f.bappeda = id(t, pool, `INSERT INTO opds (region_code, code, name, answers_for) VALUES ('7371', 'BPD', 'Bappeda', '{BAPPEDA}') RETURNING id`)
	person := func(name, role string, opd *int64) int64 {
		return id(t, pool, `INSERT INTO people (region_code, opd_id, name, role) VALUES ('7371', $1, $2, $3) RETURNING id`, opd, name, role)
	}
	f.coord = person("Citra", "coordinator", nil)
	f.budi = person("Budi", "focal_point", &f.dinkes)
	f.sari = person("Sari", "focal_point", &f.bappeda)
	f.ani = person("Ani", "focal_point", &f.dinkes)
	f.eko = person("Eko", "focal_point", &f.dinkes)
	for _, p := range []struct {
		id      int64
		channel string
	}{{f.coord, "telegram"}, {f.coord, "console"}, {f.budi, "whatsapp"}, {f.sari, "telegram"}, {f.eko, "telegram"}} {
		exec(t, pool, `INSERT INTO identities (channel, external_id, chat_id, person_id) VALUES ($1, $2, $3, $4)`,
			p.channel, fmt.Sprint("x", p.id, p.channel), fmt.Sprint(1000+p.id), p.id)
	}
	exec(t, pool, `UPDATE people SET unreachable_at = now() WHERE id = $1`, f.eko)
	return f
}

func (f *digestFixture) answer(t *testing.T, q string, person int64, at time.Time) int64 {
	t.Helper()
	return id(t, f.pool, `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, created_at)
		VALUES ('7371', 2026, $1, coalesce((SELECT max(version) FROM answers WHERE region_code = '7371' AND question_code = $1), 0) + 1,
		        'ya', $2, 'telegram', $3) RETURNING id`, q, person, at)
}

func (f *digestFixture) region(t *testing.T) digest.DigestRegion {
	t.Helper()
	rs, err := f.store.DigestRegions(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("DigestRegions = %v, %v", rs, err)
	}
	return rs[0]
}

func TestClaimNotificationsOnceAcrossRacers(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	wins := make(chan []digest.Notification, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			claim := digest.Notification{RegionCode: "7371", Kind: digest.KindDigestRun,
				DedupeKey: "digest:7371:2026-11-23", Status: digest.NotificationSent, CreatedAt: now}
			items := []digest.Notification{{RegionCode: "7371", PersonID: f.coord, Kind: digest.KindDigest,
				DedupeKey: fmt.Sprintf("digest:7371:2026-11-23:p%d", f.coord), To: conversations.Address{Channel: "telegram", ChatID: "1"}, CreatedAt: now}}
			won, got, err := f.store.ClaimNotifications(ctx, claim, items)
			if err != nil {
				t.Error(err)
				return
			}
			if won != 0 {
				wins <- got
			} else if len(got) != 0 {
				t.Errorf("loser inserted %v", got)
			}
		}()
	}
	wg.Wait()
	close(wins)
	var all [][]digest.Notification
	for w := range wins {
		all = append(all, w)
	}
	if len(all) != 1 || len(all[0]) != 1 || all[0][0].ID == 0 {
		t.Fatalf("winners = %v, want exactly one with one item", all)
	}
	item := all[0][0].ID
	if err := f.store.RecordNotificationOutcome(ctx, item, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.store.RecordNotificationOutcome(ctx, item, "late failure"); err != nil {
		t.Fatal(err)
	}
	ns, err := f.store.Notifications(ctx, "7371", digest.KindDigest)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Status != "sent" || ns[0].SentAt == nil || ns[0].Error != "" {
		t.Fatalf("digest notifications = %+v, want one sent", ns)
	}
	days, err := f.store.DigestRunDays(ctx, []string{"7371", "0000"}, now.Add(-time.Hour))
	if err != nil || !days["7371"]["2026-11-23"] || len(days) != 1 {
		t.Fatalf("DigestRunDays = %v, %v", days, err)
	}
}

func TestDigestRegionsSettings(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	r := f.region(t)
	if r.Code != "7371" || r.TimeZone != "Asia/Makassar" || r.DigestHour != 7 || r.Year != 2026 ||
		r.Deadline == nil || r.Deadline.Format(time.DateOnly) != "2026-12-31" || r.DigestChat != nil || r.NudgesOff {
		t.Fatalf("region = %+v", r)
	}
	p := r.Nudges
	if p.EveryWorkingDays != 2 || p.DailyLastDays != 7 || p.WorkStart != 8 || p.WorkEnd != 16 || p.EscalateAfter != 3 ||
		fmt.Sprint(p.WorkDays) != fmt.Sprint([]time.Weekday{1, 2, 3, 4, 5}) {
		t.Fatalf("policy = %+v", p)
	}
	exec(t, f.pool, `UPDATE regions SET digest_channel = 'telegram', digest_chat_id = '-100', work_days = '{6,7}', nudges_enabled = false`)
	r = f.region(t)
	if r.DigestChat == nil || r.DigestChat.ChatID != "-100" || !r.NudgesOff ||
		fmt.Sprint(r.Nudges.WorkDays) != fmt.Sprint([]time.Weekday{time.Saturday, time.Sunday}) {
		t.Fatalf("region = %+v", r)
	}
}

func TestDigestFacts(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	facts, err := f.store.DigestFacts(context.Background(), []digest.DigestRegion{f.region(t)})
	if err != nil {
		t.Fatal(err)
	}
	got := facts["7371"]
	if fmt.Sprint(got.Unreachable) != "[Eko]" || fmt.Sprint(got.Unregistered) != "[Ani]" {
		t.Errorf("unreachable %v, unregistered %v", got.Unreachable, got.Unregistered)
	}
	if len(got.Coordinators) != 1 || got.Coordinators[0].Person.ID != f.coord || got.Coordinators[0].To.Channel != "telegram" {
		t.Errorf("coordinators = %+v, want Citra on telegram", got.Coordinators)
	}
}

// The batched score inputs give the very report ScoreInput gives (`klabot score`), and
// the facts derived from them.
func TestDigestScoreInputsEqualScoreInput(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	ctx := context.Background()
	exec(t, f.pool, `UPDATE indicators SET max_points = 1000`)
	t1 := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	f.answer(t, "Q1", f.budi, t1)
	f.answer(t, "Q1", f.budi, t1.Add(time.Minute)) // a second version: only the current counts
	a2 := f.answer(t, "Q2", f.budi, t1.Add(time.Hour))
	a3 := f.answer(t, "Q3", f.sari, t1.Add(2*time.Hour))
	exec(t, f.pool, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		VALUES ($1, 'k', 'image/jpeg', 1, 'a.jpg', $2, 'telegram', now()), ($1, 'k2', 'image/jpeg', 1, 'b.jpg', $2, 'telegram', now())`, a2, f.budi)
	exec(t, f.pool, `INSERT INTO reviews (answer_id, state, reviewer_id, created_at) VALUES ($1, 'needs_revision', $3, now() - interval '1 hour'),
		($1, 'approved', $3, now()), ($2, 'rejected', $3, now())`, a2, a3, f.coord)
	exec(t, f.pool, `INSERT INTO skips (region_code, year, question_code, person_id, created_at) VALUES ('7371', 2026, 'Q4', $1, now())`, f.budi)

	r := f.region(t)
	inputs, err := f.store.DigestScoreInputs(ctx, []digest.DigestRegion{r})
	if err != nil {
		t.Fatal(err)
	}
	batched := inputs["7371"]
	single, err := f.store.ScoreInput(ctx, "7371", 2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(batched.Answers) != 4 || len(batched.OPDs) != 2 {
		t.Fatalf("batched input: %d answers, %d OPDs", len(batched.Answers), len(batched.OPDs))
	}
	want := scoring.NewModel(*single.Instrument, nil).Score(single.OPDs, single.Answers)
	got := scoring.NewModel(*batched.Instrument, nil).Score(batched.OPDs, batched.Answers)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("batched report differs:\n%+v\nwant\n%+v", got, want)
	}
	var facts digest.DigestFacts
	digest.AddInputFacts(&facts, &batched, &got)
	if facts.PendingReviews != 1 { // Q1: answered, never reviewed
		t.Errorf("pending reviews = %d, want 1", facts.PendingReviews)
	}
	if at := facts.LastAnswerByOPD["DINKES"]; !at.Equal(t1.Add(time.Hour)) {
		t.Errorf("last answer of DINKES = %v", facts.LastAnswerByOPD)
	}
	if at := facts.LastAnswerByOPD["BPD"]; !at.Equal(t1.Add(2 * time.Hour)) {
		t.Errorf("last answer of BPD = %v", facts.LastAnswerByOPD)
	}
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	ctx := context.Background()
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	for _, s := range []struct {
		day int
		c   float64
	}{{20, 500}, {21, 510.5}, {21, 511.5}, {23, 600}} {
		if err := f.store.SaveDigestSnapshot(ctx, "7371", 2026, d(s.day), digest.DigestScores{Claimed: s.c, Evidenced: 400, Verified: 10}); err != nil {
			t.Fatal(err)
		}
	}
	prev, err := f.store.PreviousSnapshots(ctx, map[string]time.Time{"7371": d(23)}, map[string]int{"7371": 2026})
	if err != nil {
		t.Fatal(err)
	}
	got := prev["7371"]
	if !got.Day.Equal(d(21)) || got.Scores.Claimed != 511.5 || got.Scores.Evidenced != 400 || got.Scores.Verified != 10 {
		t.Fatalf("previous = %+v, want 21 Nov with 511.5", got)
	}
}

func TestNudgeCandidates(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	ctx := context.Background()
	r := f.region(t)
	t0 := time.Date(2026, 11, 16, 1, 0, 0, 0, time.UTC)
	f.answer(t, "Q1", f.budi, t0)
	nudge := func(person int64, day int, status string) int64 {
		won, items, err := f.store.ClaimNotifications(ctx, digest.Notification{RegionCode: "7371", PersonID: person,
			Kind: digest.KindNudge, DedupeKey: fmt.Sprintf("nudge:p%d:%d", person, day), Status: status,
			CreatedAt: time.Date(2026, 11, day, 2, 0, 0, 0, time.UTC)}, nil)
		if err != nil || won == 0 || items != nil {
			t.Fatalf("claim nudge: %v %v %v", won, items, err)
		}
		return won
	}
	nudge(f.budi, 15, "sent") // before the answer: not ignored
	first := nudge(f.budi, 17, "sent")
	nudge(f.budi, 18, "failed") // failures are not ignored nudges
	nudge(f.budi, 19, "pending")

	cands, err := f.store.NudgeCandidates(ctx, []digest.DigestRegion{r}, "")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]digest.NudgeCandidate{}
	for _, c := range cands["7371"] {
		byName[c.Person.Name] = c
	}
	if len(byName) != 2 {
		t.Fatalf("candidates = %+v, want Budi and Sari (Ani has no chat, Eko blocked the bot)", byName)
	}
	b := byName["Budi"]
	if b.To.Channel != "whatsapp" || b.Person.OPDName != "Dinas Kesehatan" || b.Person.OPDCode != "DINKES" {
		t.Errorf("Budi = %+v, want Dinas Kesehatan on whatsapp", b)
	}
	if b.LastAnswer == nil || !b.LastAnswer.Equal(t0) || b.Ignored != 2 || b.FirstIgnoredID != first ||
		!b.LastIgnoredAt.Equal(time.Date(2026, 11, 19, 2, 0, 0, 0, time.UTC)) || b.Escalated {
		t.Errorf("Budi history = last answer %v, ignored %d from %d (want %d), last %v, escalated %v",
			b.LastAnswer, b.Ignored, b.FirstIgnoredID, first, b.LastIgnoredAt, b.Escalated)
	}
	s := byName["Sari"]
	if s.LastAnswer != nil || s.LastNudge != nil || s.Ignored != 0 {
		t.Errorf("Sari = %+v, want never contacted", s)
	}

	// Escalated streak, OPD filter.
	exec(t, f.pool, `INSERT INTO notifications (region_code, person_id, kind, dedupe_key, status, created_at) VALUES ('7371', $1, 'escalation_mark', $2, 'sent', now())`,
		f.budi, postgres.EscalationMarkKey(f.budi, first))
	cands, err = f.store.NudgeCandidates(ctx, []digest.DigestRegion{r}, "DINKES")
	if err != nil {
		t.Fatal(err)
	}
	if len(cands["7371"]) != 1 {
		t.Fatalf("DINKES candidates = %+v", cands)
	}
	b = cands["7371"][0]
	if !b.Escalated || b.Ignored != 2 {
		t.Errorf("Budi = escalated %v, ignored %d; want escalated, 2", b.Escalated, b.Ignored)
	}
}

func TestClaimEachRace(t *testing.T) {
	t.Parallel()
	f := newDigestFixture(t)
	ctx := context.Background()
	batch := func(from, to int) []digest.Notification {
		var out []digest.Notification
		for i := from; i < to; i++ {
			out = append(out, digest.Notification{RegionCode: "7371", PersonID: f.budi, Kind: digest.KindNudge,
				DedupeKey: fmt.Sprintf("nudge:test:%d", i), To: conversations.Address{Channel: "telegram", ChatID: "9"}})
		}
		return out
	}
	var wg sync.WaitGroup
	won := make([]int, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := f.store.ClaimEach(ctx, batch(w*10, w*10+50)) // overlapping ranges
			if err != nil {
				t.Error(err)
			}
			for _, n := range got {
				if n.ID == 0 || n.PersonID != f.budi || n.Status != "pending" {
					t.Errorf("claimed %+v", n)
				}
			}
			won[w] = len(got)
		}()
	}
	wg.Wait()
	if total := won[0] + won[1] + won[2] + won[3]; total != 80 {
		t.Fatalf("claimed %v = %d in all, want each of the 80 keys once", won, total)
	}
	if again, err := f.store.ClaimEach(ctx, batch(0, 80)); err != nil || len(again) != 0 {
		t.Fatalf("second claim = %d, %v", len(again), err)
	}
}
