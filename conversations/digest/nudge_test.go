package digest_test

import (
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

func TestNudgeMessage(t *testing.T) {
	t.Parallel()
	n := digest.Nudge{
		Region: conversations.Region{Name: "Kota Contoh", TimeZone: "Asia/Jakarta", Deadline: date(2026, 11, 30)},
		At:     time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC),
		Person: conversations.Person{Name: "Budi", OPDName: "Dinas Kesehatan"},
		Open:   12, FirstCode: "3.2", FirstText: "Apakah ada Puskesmas ramah anak?",
	}
	text, buttons := digest.NudgeMessage(n)
	want := `Halo Budi 👋
Pengingat KLA Kota Contoh: masih ada 12 pertanyaan untuk Dinas Kesehatan.
Berikutnya: 3.2 Apakah ada Puskesmas ramah anak?
Tenggat: 30 November 2026 (7 hari lagi)
Ketik lanjut atau tekan tombol di bawah untuk melanjutkan.`
	if text != want {
		t.Fatalf("got:\n%s\nwant:\n%s", text, want)
	}
	if len(buttons) != 1 || len(buttons[0]) != 1 || buttons[0][0].Data != digest.NudgeButtonData {
		t.Fatalf("buttons = %+v", buttons)
	}
}

func TestNudgeMessageInEnglish(t *testing.T) {
	t.Parallel()
	n := digest.Nudge{
		Region: conversations.Region{Name: "Kota Contoh", TimeZone: "Asia/Jayapura", Deadline: date(2026, 11, 30)},
		At:     time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC),
		Person: conversations.Person{Name: "Budi", OPDName: "Dinas Kesehatan", Language: "en"},
		Open:   1, FirstCode: "3.2", FirstText: "Apakah ada Puskesmas ramah anak?",
	}
	text, buttons := digest.NudgeMessage(n)
	want := `Hello Budi 👋
KLA reminder for Kota Contoh: 1 question still open for Dinas Kesehatan.
Next: 3.2 Apakah ada Puskesmas ramah anak?
Deadline: 30 November 2026 (7 days left)
Type continue or press the button below to carry on.`
	if text != want || buttons[0][0].Data != digest.NudgeButtonData {
		t.Fatalf("got:\n%s\nwant:\n%s", text, want)
	}
}

func TestEscalationText(t *testing.T) {
	t.Parallel()
	r := conversations.Region{Name: "Kab. Jayawijaya", TimeZone: "Asia/Jayapura"}
	at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	got := digest.EscalationText(r, at, []digest.SilentPerson{
		{Name: "Budi", OPDName: "Dinas Kesehatan", Open: 12, Ignored: 3, LastNudged: time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC)},
		{Name: "Sari", OPDName: "Dinas Kesehatan", Open: 12, Ignored: 4, LastNudged: at},
		{Name: "Joko", OPDName: "Bappeda", Open: 2, Ignored: 3, LastNudged: at},
	})
	want := `⚠️ Belum ada jawaban setelah beberapa pengingat — Kab. Jayawijaya, 23 November 2026:
• Budi — Dinas Kesehatan: 12 pertanyaan terbuka, 3 pengingat tanpa jawaban (terakhir 21 November 2026)
• Sari — Dinas Kesehatan: 12 pertanyaan terbuka, 4 pengingat tanpa jawaban (terakhir 23 November 2026)
• Joko — Bappeda: 2 pertanyaan terbuka, 3 pengingat tanpa jawaban (terakhir 23 November 2026)
OPD yang diam: Dinas Kesehatan, Bappeda.
Mohon dihubungi langsung, atau ketik ingatkan KODE_OPD untuk mengingatkan lagi.`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestNudgeDue(t *testing.T) {
	t.Parallel()
	wib := time.FixedZone("WIB", 7*3600)
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, wib) } // 23 Nov 2026 is a Monday
	ptr := func(t time.Time) *time.Time { return &t }
	def := digest.NudgePolicy{}
	for _, c := range []struct {
		name     string
		p        digest.NudgePolicy
		now      time.Time
		last     *time.Time
		deadline *time.Time
		want     bool
	}{
		{"never contacted, Monday 08:00", def, at(23, 8), nil, nil, true},
		{"before working hours", def, at(23, 7), nil, nil, false},
		{"16:00 is after hours", def, at(23, 16), nil, nil, false},
		{"15:59 is inside", def, time.Date(2026, 11, 23, 15, 59, 0, 0, wib), nil, nil, true},
		{"Saturday", def, at(28, 10), nil, nil, false},
		{"Sunday", def, at(29, 10), nil, nil, false},
		{"already today", def, at(23, 14), ptr(at(23, 9)), nil, false},
		{"one working day later", def, at(24, 9), ptr(at(23, 9)), nil, false},
		{"two working days later", def, at(25, 9), ptr(at(23, 9)), nil, true},
		{"Friday then Tuesday (weekend not counted)", def, at(24+7, 9), ptr(at(20, 9)), nil, true},
		{"Friday then Monday", def, at(23, 9), ptr(at(20, 9)), nil, false},
		{"last week before the deadline: daily", def, at(24, 9), ptr(at(23, 9)), date(2026, 11, 30), true},
		{"8 days before the deadline: every second day", def, at(24, 9), ptr(at(23, 9)), date(2026, 12, 2), false},
		{"custom hours and Saturday work", digest.NudgePolicy{WorkStart: 7, WorkEnd: 12,
			WorkDays: []time.Weekday{time.Saturday}}, at(28, 7), nil, nil, true},
		{"every working day", digest.NudgePolicy{EveryWorkingDays: 1}, at(24, 9), ptr(at(23, 9)), nil, true},
		{"last contact in UTC on the previous local day", def, at(25, 8), ptr(time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)), nil, false},
	} {
		if got := c.p.NudgeDue(c.now, c.last, c.deadline); got != c.want {
			t.Errorf("%s: NudgeDue = %v, want %v", c.name, got, c.want)
		}
	}
}
