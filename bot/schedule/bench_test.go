package schedule_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// nationalScale builds a national deployment: 514 regions over the three zones, a
// 696-question instrument (24 indicators), 30 OPDs, a coordinator and 60 focal points per
// region, and about 60% of the questions answered (214,000 answers).
func nationalScale(b *testing.B) (*postgres.Store, *clock) {
	b.Helper()
	ctx := context.Background()
	pool := pgtest.New(b)
	c := &clock{t: utc("2026-11-23 02:00")}
	store := postgres.New(pool, c.Now)
	inst := &scoring.Instrument{Year: 2026, Name: "Nasional"}
	n := 0
	for ci, code := range scoring.ClusterCodes {
		cl := scoring.Cluster{Code: code, Name: scoring.ClusterNames[code]}
		for k := 0; k < 4; k++ {
			ind := scoring.Indicator{Code: fmt.Sprintf("%d", ci*4+k+1), Name: "Indikator", MaxPoints: 1000.0 / 24}
			for q := 0; q < 29; q++ {
				n++
				ind.Questions = append(ind.Questions, scoring.Question{Code: fmt.Sprintf("Q%03d", n), Text: "Pertanyaan?",
					Type: scoring.YesPartialNo, Weight: 1, EvidenceRequired: n%3 == 0, OPDCodes: []string{fmt.Sprintf("OPD%02d", n%30)}})
			}
			cl.Indicators = append(cl.Indicators, ind)
		}
		inst.Clusters = append(inst.Clusters, cl)
	}
	if _, err := store.SaveInstrument(ctx, inst); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO regions (code, name, time_zone, year, deadline)
		 SELECT 'R' || lpad(i::text, 3, '0'), 'Kabupaten ' || i, (ARRAY['Asia/Jakarta','Asia/Makassar','Asia/Jayapura'])[1 + i % 3], 2026, '2026-12-31'
		 FROM generate_series(1, 514) i`,
		`INSERT INTO opds (region_code, code, name) SELECT r.code, 'OPD' || lpad(o::text, 2, '0'), 'Dinas ' || o
		 FROM regions r, generate_series(0, 29) o`,
		`INSERT INTO people (region_code, name, role) SELECT code, 'Koordinator', 'coordinator' FROM regions`,
		`INSERT INTO people (region_code, opd_id, name, role) SELECT o.region_code, o.id, 'Fokal ' || o.code || '-' || k, 'focal_point'
		 FROM opds o, generate_series(1, 2) k`,
		`INSERT INTO identities (channel, external_id, chat_id, person_id) SELECT 'telegram', id::text, id::text, id FROM people WHERE id % 17 <> 0`,
		`UPDATE people SET unreachable_at = now() WHERE id % 101 = 0`,
		`INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, created_at)
		 SELECT r.code, 2026, q.code, 1, (ARRAY['ya','sebagian','tidak'])[1 + abs(hashtext(r.code || q.code)) % 3],
		        p.id, 'telegram', '2026-11-20 03:00+00'::timestamptz - (abs(hashtext(q.code || r.code)) % 240) * interval '1 hour'
		 FROM regions r JOIN opds o ON o.region_code = r.code
		 JOIN people p ON p.opd_id = o.id AND p.name LIKE '%-1'
		 JOIN questions q ON q.opd_codes[1] = o.code
		 WHERE abs(hashtext(r.code || ':' || q.code)) % 10 < 6`,
		`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		 SELECT id, 'k', 'image/jpeg', 100, 'foto.jpg', person_id, channel, created_at FROM answers WHERE id % 2 = 0`,
		`INSERT INTO reviews (answer_id, state, reviewer_id, created_at)
		 SELECT a.id, 'approved', p.id, now() FROM answers a JOIN people p ON p.region_code = a.region_code AND p.role = 'coordinator' WHERE a.id % 10 = 0`,
		`ANALYZE`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	return store, c
}

type discard struct{}

func (discard) Enqueue(context.Context, conversations.Outbound) error { return nil }

// BenchmarkDigests514 measures one national digest round: every region's digest
// computed (render), and the full scheduled tick that also claims, saves snapshots and
// queues (tick: the clock moves a day per iteration so every region is due again).
func BenchmarkDigests514(b *testing.B) {
	store, c := nationalScale(b)
	ctx := context.Background()
	s := schedule.New(store, discard{},
		schedule.Config{Now: c.Now, Log: slog.New(slog.NewTextHandler(benchLog(), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			rs, err := s.RenderAll(ctx, nil)
			if err != nil || len(rs) != 514 {
				b.Fatalf("%d digests, %v", len(rs), err)
			}
		}
	})
	b.Run("tick", func(b *testing.B) {
		day := 0
		for b.Loop() {
			day++
			c.Set(utc("2026-11-23 02:00").AddDate(0, 0, day)) // 09:00 WIB: every region is due
			if err := s.Tick(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchLog shows the scheduler's timings with BENCH_LOG=1.
func benchLog() io.Writer {
	if os.Getenv("BENCH_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
