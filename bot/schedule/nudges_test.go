package schedule_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

// sent lists the chats of queued messages of kind in region, sorted.
func sent(msgs []conversations.Outbound, kind, region string) string {
	var s []string
	for _, m := range msgs {
		if m.Kind == kind && strings.HasPrefix(m.To.ChatID, region+"-") {
			s = append(s, m.To.ChatID)
		}
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

func TestNudgesFollowTheSchedule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	// Jakarta (WIB = UTC+7). 23 November 2026 is a Monday.
	for _, step := range []struct{ at, want string }{
		{"2026-11-23 00:59", ""},                  // Mon 07:59: before working hours
		{"2026-11-23 01:00", "JKT-Budi JKT-Sari"}, // Mon 08:00: first nudge
		{"2026-11-23 03:00", ""},                  // Mon 10:00: never twice a day
		{"2026-11-24 01:00", ""},                  // Tue: one working day later
		{"2026-11-25 08:59", "JKT-Budi JKT-Sari"}, // Wed 15:59: second working day
		{"2026-11-27 09:00", ""},                  // Fri 16:00: after working hours
		{"2026-11-28 03:00", ""},                  // Sat
		{"2026-11-29 03:00", ""},                  // Sun
		{"2026-11-30 01:00", "JKT-Budi JKT-Sari"}, // Mon: Wed → Mon is two working days
	} {
		e.tickAt(s, step.at)
		if got := sent(e.out.take(), digest.KindNudge, "JKT"); got != step.want {
			t.Fatalf("at %s UTC: nudged %q, want %q", step.at, got, step.want)
		}
	}
}

func TestNudgeMessageAndDonePeople(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	e.clock.Set(utc("2026-11-22 12:00"))
	e.answer("JKT", "Sari", "4.1")
	e.answer("JKT", "Sari", "4.2")
	e.answer("JKT", "Sari", "4.3") // Sari's OPD is done
	e.answer("JKT", "Budi", "1.1")
	e.tickAt(s, "2026-11-24 01:00") // Tue: Budi last answered on Sunday; Mon and Tue make two working days
	msgs := e.out.take()
	if got := sent(msgs, digest.KindNudge, "JKT"); got != "JKT-Budi" {
		t.Fatalf("nudged %q, want only Budi (Sari is done)", got)
	}
	var m conversations.Outbound
	for _, x := range msgs {
		if x.To.ChatID == "JKT-Budi" {
			m = x
		}
	}
	want := "Halo Budi 👋\nPengingat KLA Kota JKT: masih ada 1 pertanyaan untuk Dinas DINKES.\nBerikutnya: 1.2 Pertanyaan 1.2?\nTenggat: 31 Desember 2026 (37 hari lagi)\nKetik lanjut atau tekan tombol di bawah untuk melanjutkan."
	if m.Text != want || len(m.Buttons) != 1 || m.Buttons[0][0].Data != digest.NudgeButtonData || !m.Bulk || m.NotificationID == 0 || m.PersonID != e.ids["JKT-Budi"] {
		t.Fatalf("nudge = %+v\n%s", m, m.Text)
	}
	// A coordinator sends 1.1 back: it is open again, and first.
	var a11 int64
	e.pool.QueryRow(context.Background(), `SELECT id FROM answers WHERE region_code = 'JKT' AND question_code = '1.1'`).Scan(&a11)
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO reviews (answer_id, state, note, reviewer_id, created_at) VALUES ($1, 'needs_revision', 'foto kabur', $2, now())`,
		a11, e.ids["JKT-Citra"]); err != nil {
		t.Fatal(err)
	}
	outs, _, err := s.NudgeOPD(context.Background(), "JKT", "DINKES")
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "masih ada 2 pertanyaan") || !strings.Contains(outs[0].Text, "Berikutnya: 1.1 ") {
		t.Fatalf("after a sent-back answer: %+v, %v", outs, err)
	}
	// An answer today resets the count: no nudge the next working day.
	e.clock.Set(utc("2026-11-25 02:00"))
	e.answer("JKT", "Budi", "1.2")
	e.tickAt(s, "2026-11-26 01:00")
	if got := sent(e.out.take(), digest.KindNudge, "JKT"); got != "" {
		t.Fatalf("nudged %q after everyone was done", got)
	}
}

func TestNudgesDailyInTheLastWeekAndRegionHours(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `UPDATE regions SET deadline = '2026-11-30' WHERE code = 'JKT'`); err != nil {
		t.Fatal(err)
	}
	// Makassar works Saturday mornings only; Jayapura has reminders off.
	if _, err := e.pool.Exec(ctx, `UPDATE regions SET work_days = '{6}', work_start_hour = 7, work_end_hour = 12 WHERE code = 'MKS';
		UPDATE regions SET nudges_enabled = false WHERE code = 'JYP'`); err != nil {
		t.Fatal(err)
	}
	s := e.scheduler()
	for _, step := range []struct{ at, jkt, mks string }{
		{"2026-11-23 01:00", "JKT-Budi JKT-Sari", ""},
		{"2026-11-24 01:00", "JKT-Budi JKT-Sari", ""}, // 6 days before the deadline: daily
		{"2026-11-27 22:59", "", ""},                  // Sat 06:59 WITA
		{"2026-11-27 23:00", "", "MKS-Budi MKS-Sari"}, // Sat 07:00 WITA
		{"2026-11-28 04:00", "", ""},                  // Sat 12:00 WITA: after Makassar's hours
	} {
		e.tickAt(s, step.at)
		msgs := e.out.take()
		if got := sent(msgs, digest.KindNudge, "JKT"); got != step.jkt {
			t.Fatalf("at %s UTC: Jakarta nudged %q, want %q", step.at, got, step.jkt)
		}
		if got := sent(msgs, digest.KindNudge, "MKS"); got != step.mks {
			t.Fatalf("at %s UTC: Makassar nudged %q, want %q", step.at, got, step.mks)
		}
		if got := sent(msgs, digest.KindNudge, "JYP"); got != "" {
			t.Fatalf("at %s UTC: Jayapura nudged %q with reminders off", step.at, got)
		}
	}
}

func TestEscalationAfterIgnoredNudges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	e.clock.Set(utc("2026-11-22 12:00"))
	for _, q := range []string{"4.1", "4.2", "4.3"} {
		e.answer("JKT", "Sari", q) // Sari is done; Budi never answers
	}
	escalations := func(at string) []conversations.Outbound {
		e.tickAt(s, at)
		var out []conversations.Outbound
		for _, m := range e.out.take() {
			if m.Kind == digest.KindEscalation && strings.HasPrefix(m.To.ChatID, "JKT-") {
				out = append(out, m)
			}
		}
		return out
	}
	for _, at := range []string{"2026-11-23 01:00", "2026-11-25 01:00", "2026-11-27 01:00"} { // Mon, Wed, Fri
		if got := escalations(at); len(got) != 0 {
			t.Fatalf("escalated at %s after fewer than 3 ignored nudges: %s", at, got[0].Text)
		}
	}
	got := escalations("2026-11-27 02:00") // Friday, after the third nudge
	if len(got) != 1 || got[0].To.ChatID != "JKT-Citra" || got[0].NotificationID == 0 {
		t.Fatalf("escalations = %+v, want one to the coordinator", got)
	}
	for _, want := range []string{"• Budi — Dinas DINKES: 2 pertanyaan terbuka, 3 pengingat tanpa jawaban (terakhir 27 November 2026)", "OPD yang diam: Dinas DINKES."} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("missing %q in:\n%s", want, got[0].Text)
		}
	}
	if strings.Contains(got[0].Text, "Sari") {
		t.Errorf("Sari is done, not silent:\n%s", got[0].Text)
	}
	if again := escalations("2026-11-30 01:00"); len(again) != 0 { // same streak: once
		t.Fatalf("escalated the same streak twice: %s", again[0].Text)
	}
	// Budi answers: a new streak needs three new ignored nudges.
	e.clock.Set(utc("2026-11-30 05:00"))
	e.answer("JKT", "Budi", "1.1")
	for _, at := range []string{"2026-12-02 01:00", "2026-12-04 01:00", "2026-12-08 01:00"} {
		if got := escalations(at); len(got) != 0 {
			t.Fatalf("escalated at %s in a new streak too early", at)
		}
	}
	if got := escalations("2026-12-08 02:00"); len(got) != 1 || !strings.Contains(got[0].Text, "1 pertanyaan terbuka, 3 pengingat") {
		t.Fatalf("second streak escalations = %+v", got)
	}
}

func TestNudgeOPDNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler()
	e.clock.Set(utc("2026-11-28 14:00")) // Saturday night: a coordinator's explicit request still goes
	outs, skipped, err := s.NudgeOPD(context.Background(), "JKT", "dinkes")
	if err != nil || len(outs) != 1 || skipped != 0 || outs[0].To.ChatID != "JKT-Budi" || outs[0].NotificationID == 0 {
		t.Fatalf("NudgeOPD = %+v, %d, %v", outs, skipped, err)
	}
	outs, skipped, err = s.NudgeOPD(context.Background(), "JKT", "DINKES")
	if err != nil || len(outs) != 0 || skipped != 1 {
		t.Fatalf("second NudgeOPD the same day = %d, %d, %v; want skipped", len(outs), skipped, err)
	}
	if _, _, err := s.NudgeOPD(context.Background(), "NOPE", "DINKES"); err == nil {
		t.Error("unknown region accepted")
	}
}
