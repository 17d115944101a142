package schedule_test

import (
	"bytes"
	"context"
	"image/png"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
)

func digestsOnly(msgs []conversations.Outbound) []conversations.Outbound {
	var out []conversations.Outbound
	for _, m := range msgs {
		if m.Kind == digest.KindDigest {
			out = append(out, m)
		}
	}
	return out
}

func TestDigestsGoOutAtEachRegionsLocalHour(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	// 07:00 is 22:00 UTC in Jayapura (WIT), 23:00 UTC in Makassar (WITA), 00:00 UTC in Jakarta (WIB).
	for _, step := range []struct{ at, want, zone string }{
		{"2026-11-22 21:59", "", ""},
		{"2026-11-22 22:00", "digest>JYP-Citra chart>JYP-Citra", "07.00 WIT\n"},
		{"2026-11-22 22:30", "", ""},
		{"2026-11-22 23:00", "digest>MKS-Citra chart>MKS-Citra", "07.00 WITA\n"},
		{"2026-11-22 23:59", "", ""},
		{"2026-11-23 00:00", "digest>JKT-Citra chart>JKT-Citra", "07.00 WIB\n"},
		{"2026-11-23 05:00", "", ""},
	} {
		e.tickAt(s, step.at)
		got := digestsOnly(e.out.take())
		if summary(got) != step.want {
			t.Fatalf("at %s UTC: queued %q, want %q", step.at, summary(got), step.want)
		}
		if step.zone != "" {
			if !strings.Contains(got[0].Text, "Senin, 23 November 2026, "+step.zone) || got[0].NotificationID == 0 || !got[0].Bulk {
				t.Errorf("at %s: digest %+v\n%s", step.at, got[0], got[0].Text)
			}
			img, err := png.Decode(bytes.NewReader(got[1].Attachment.Data))
			if err != nil || img.Bounds().Dx() != 800 || img.Bounds().Dy() < 500 || !got[1].Attachment.Photo {
				t.Errorf("at %s: chart is not an 800 px wide PNG photo: %v", step.at, err)
			}
		}
	}
	if n := e.count(`kind = 'digest_run' AND status = 'sent'`); n != 3 {
		t.Errorf("%d digest runs recorded, want 3", n)
	}
	if n := e.count(`kind = 'digest' AND status = 'pending' AND person_id IS NOT NULL`); n != 3 {
		t.Errorf("%d digest notifications pending delivery, want 3", n)
	}
	var snaps int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM score_snapshots WHERE day = '2026-11-23'`).Scan(&snaps)
	if snaps != 3 {
		t.Errorf("%d score snapshots of the day, want 3", snaps)
	}
}

func TestTwoSchedulersSendOneDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.scheduler(), e.scheduler()
	e.clock.Set(utc("2026-11-23 00:30")) // every region is past 07:00 local
	for range 3 {
		var wg sync.WaitGroup
		for _, s := range []*schedule.Scheduler{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Tick(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	all := e.out.take()
	// 08.30 WITA and 09.30 WIT: the focal points of Makassar and Jayapura get one nudge each.
	if got := sent(all, digest.KindNudge, "MKS") + " " + sent(all, digest.KindNudge, "JYP"); got != "MKS-Budi MKS-Sari JYP-Budi JYP-Sari" {
		t.Fatalf("nudges = %q, want each focal point once", got)
	}
	got := strings.Fields(summary(digestsOnly(all)))
	sort.Strings(got)
	want := "chart>JKT-Citra chart>JYP-Citra chart>MKS-Citra digest>JKT-Citra digest>JYP-Citra digest>MKS-Citra"
	if strings.Join(got, " ") != want {
		t.Fatalf("queued %v, want each coordinator once: %s", got, want)
	}
}

func TestRestartAfterTheHourSendsTheMissedDigestOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// klabot was down at 07:00 WIB and comes back at 10:15 WIB.
	e.tickAt(e.scheduler(), "2026-11-23 03:15")
	if got := summary(digestsOnly(e.out.take())); !strings.Contains(got, "digest>JKT-Citra") {
		t.Fatalf("after the restart: %q, want Jakarta's digest", got)
	}
	// Restarted again the same day: nothing twice.
	e.tickAt(e.scheduler(), "2026-11-23 08:00")
	e.tickAt(e.scheduler(), "2026-11-23 16:59")
	if got := summary(digestsOnly(e.out.take())); got != "" {
		t.Fatalf("second restart sent %q", got)
	}
	if n := e.count(`kind = 'digest_run' AND region_code = 'JKT'`); n != 1 {
		t.Errorf("%d digest runs for JKT, want 1", n)
	}
}

func TestMissedEarlierDaysAreSkippedNotSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	e.tickAt(s, "2026-11-20 01:00") // Friday: all three sent
	if n := len(digestsOnly(e.out.take())); n != 6 {
		t.Fatalf("friday: %d digest messages, want 6", n)
	}
	// Down all weekend, back on Monday 08:00 WIB: only Monday's digests, no burst.
	e.tickAt(e.scheduler(), "2026-11-23 01:00")
	got := digestsOnly(e.out.take())
	if len(got) != 6 {
		t.Fatalf("monday: %s, want one digest and chart per region", summary(got))
	}
	for _, m := range got {
		if m.Attachment == nil && !strings.Contains(m.Text, "23 November 2026") {
			t.Errorf("stale digest sent:\n%s", m.Text)
		}
	}
	if n := e.count(`kind = 'digest_run' AND status = 'skipped' AND dedupe_key LIKE '%:2026-11-2_' AND dedupe_key IN
		('digest:JKT:2026-11-21', 'digest:JKT:2026-11-22')`); n != 2 {
		t.Errorf("%d skipped days recorded for Jakarta, want 21 and 22 November", n)
	}
	if !strings.Contains(got[0].Text, "Sejak 20 November 2026:") {
		t.Errorf("the change is measured from Friday's snapshot:\n%s", got[0].Text)
	}
}

func TestDigestNumbersAreTheScoreReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.clock.Set(utc("2026-11-21 01:00"))
	e.answer("MKS", "Budi", "1.1") // evidence missing: a quick win
	e.answer("MKS", "Sari", "4.1")
	e.answer("MKS", "Sari", "4.2")
	s := e.scheduler()
	e.tickAt(s, "2026-11-23 00:00") // 08:00 WITA
	var text string
	for _, m := range e.out.take() {
		if m.Kind == digest.KindDigest && m.To.ChatID == "MKS-Citra" && m.Attachment == nil {
			text = m.Text
		}
	}
	rep, err := e.scores(ctx, "MKS", 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Nilai diklaim " + scoring.FormatPoints(rep.Claimed.Points) + " · berbukti " + scoring.FormatPoints(rep.Evidenced.Points) +
			" · terverifikasi " + scoring.FormatPoints(rep.Verified.Points),
		"Nilai diklaim 616,7 · berbukti 466,7 · terverifikasi 0,0",
		"Predikat (berbukti): Belum berpredikat — kurang " + scoring.FormatPoints(rep.PointsToNextTier) + " poin ke Pratama",
		"• Kelembagaan 0,0/300 (150,0)",
		"• Klaster I 466,7/700 (466,7)",
		"• Dinas DINKES 1/2 (50%) · terakhir menjawab 2 hari lalu",
		"Cepat dapat poin:\n• 1.1 Pertanyaan 1.1? — 150,0 poin · DINKES (bukti belum ada)",
		"Menunggu tinjauan: 3 jawaban",
		"Tenggat: 31 Desember 2026 (38 hari lagi)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	// The dry run shows the same text and claims nothing.
	e.clock.Set(utc("2026-11-23 00:00"))
	dry, err := s.Digest(ctx, "MKS")
	if err != nil {
		t.Fatal(err)
	}
	if dry.Text != text {
		t.Errorf("dry run differs:\n%s\n---\n%s", dry.Text, text)
	}
	if _, err := s.Digest(ctx, "NOPE"); err == nil {
		t.Error("digest of an unknown region succeeded")
	}
}

func TestFailedSendsAreRecordedAndDoNotBlockOtherRegions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.out.fail = map[string]bool{"JYP-Citra": true}
	s := e.scheduler()
	e.clock.Set(utc("2026-11-23 00:00"))
	err := s.Tick(context.Background())
	if err == nil || !strings.Contains(err.Error(), "queue full") {
		t.Fatalf("tick error = %v, want the failed enqueue reported", err)
	}
	if got := summary(digestsOnly(e.out.take())); !strings.Contains(got, "digest>JKT-Citra") || !strings.Contains(got, "digest>MKS-Citra") {
		t.Fatalf("other regions blocked: %q", got)
	}
	if n := e.count(`kind = 'digest' AND status = 'failed' AND chat_id = 'JYP-Citra' AND error LIKE 'enqueue: queue full%'`); n != 1 {
		t.Errorf("failed digest not recorded (%d rows)", n)
	}
	// The sender's outcome callback records deliveries and failures.
	record := schedule.OnOutcome(e.store, nil)
	var jkt int64
	e.pool.QueryRow(context.Background(), `SELECT id FROM notifications WHERE kind = 'digest' AND chat_id = 'JKT-Citra'`).Scan(&jkt)
	record(context.Background(), conversations.Outbound{NotificationID: jkt}, nil)
	if n := e.count(`id = $1 AND status = 'sent' AND sent_at IS NOT NULL`, jkt); n != 1 {
		t.Error("delivery not recorded")
	}
	var mks int64
	e.pool.QueryRow(context.Background(), `SELECT id FROM notifications WHERE kind = 'digest' AND chat_id = 'MKS-Citra'`).Scan(&mks)
	record(context.Background(), conversations.Outbound{NotificationID: mks}, context.DeadlineExceeded)
	if n := e.count(`id = $1 AND status = 'failed' AND error = 'context deadline exceeded'`, mks); n != 1 {
		t.Error("failure not recorded")
	}
}

func TestGroupChatGetsTheDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.pool.Exec(context.Background(), `UPDATE regions SET digest_channel = 'telegram', digest_chat_id = '-1001' WHERE code = 'JKT'`); err != nil {
		t.Fatal(err)
	}
	e.tickAt(e.scheduler(), "2026-11-23 00:00")
	if got := summary(digestsOnly(e.out.take())); !strings.Contains(got, "digest>-1001 chart>-1001") {
		t.Fatalf("group chat not served: %q", got)
	}
}

func TestARegionWithoutInstrumentDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.pool.Exec(context.Background(), `UPDATE regions SET year = 2031 WHERE code = 'MKS'`); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(utc("2026-11-23 00:00"))
	err := e.scheduler().Tick(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no instrument for 2031") {
		t.Fatalf("tick error = %v, want Makassar's missing instrument reported", err)
	}
	got := summary(digestsOnly(e.out.take()))
	if !strings.Contains(got, "digest>JKT-Citra") || !strings.Contains(got, "digest>JYP-Citra") || strings.Contains(got, "MKS") {
		t.Fatalf("queued %q, want Jakarta and Jayapura only", got)
	}
	if n := e.count(`kind = 'digest_run' AND region_code = 'MKS'`); n != 0 {
		t.Errorf("Makassar's day was claimed without a digest (%d rows): it must be retried", n)
	}
}

func TestRunStopsWithItsContextAndExpiresLostMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Set(utc("2026-11-23 00:00"))
	if err := e.scheduler().Tick(context.Background()); err != nil { // queues, then "crashes"
		t.Fatal(err)
	}
	e.clock.Set(utc("2026-11-23 02:00"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.scheduler().Run(ctx); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for e.count(`kind = 'digest' AND status = 'pending'`) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := e.count(`kind = 'digest' AND status = 'failed' AND error LIKE 'lost:%'`); n != 3 {
		t.Errorf("%d lost digests marked failed, want 3", n)
	}
}
