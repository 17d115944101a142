package schedule_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// chat is the real engine with the scheduler behind the coordinator commands.
type chat struct {
	e   *env
	eng *conversations.Engine
	n   int
}

func newChat(t *testing.T, e *env) *chat {
	rdb, prefix := redistest.New(t)
	states := kredis.New(rdb, kredis.Config{Prefix: prefix, LockWait: 10 * time.Second})
	s := e.store
	dialogue := answering.New(answering.Deps{Answers: s, Instruments: s})
	eng := conversations.NewEngine(conversations.Config{}, conversations.Deps{
		People: s, Regions: s, Checkpoints: s, States: states, Locker: states, Now: e.clock.Now,
	}, dialogue.Capability(), onboarding.New(onboarding.Deps{Invites: s, Questions: dialogue}), review.New(review.Deps{}), headline.New(conversations.NewScorer(s, e.clock.Now)), digest.New(e.scheduler()))
	return &chat{e: e, eng: eng}
}

// send delivers a message (or a button press) from the person with chat key who and
// returns the replies to that chat as one string, attachments as "[gambar NAME]".
func (c *chat) send(who, text, button string) string {
	c.e.t.Helper()
	c.n++
	in := conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: who},
		SenderID: who, MessageID: fmt.Sprint(c.n), Text: text, Button: button, At: c.e.clock.Now()}
	outs, err := c.eng.Handle(context.Background(), in)
	if err != nil {
		c.e.t.Fatalf("%s: %q: %v", who, text+button, err)
	}
	var b []string
	for _, o := range outs {
		if o.To.ChatID != who {
			c.e.out.Enqueue(context.Background(), o) // what the dispatcher does with the other replies
			continue
		}
		s := o.Text
		if o.Attachment != nil {
			s += fmt.Sprintf(" [gambar %s, %s]", o.Attachment.Name, o.Attachment.MIME)
		}
		b = append(b, s)
	}
	return strings.Join(b, "\n")
}

func TestCoordinatorCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChat(t, e)
	e.clock.Set(utc("2026-11-23 03:00")) // Monday 10.00 WIB

	for _, step := range []struct{ who, say, want string }{
		{"JKT-Citra", "ringkasan", "📊 Ringkasan KLA Kota JKT\nSenin, 23 November 2026, 10.00 WIB"},
		{"JKT-Citra", "/ringkasan", "[gambar ringkasan-JKT.png, image/png]"},
		{"JKT-Citra", "opd", "Kemajuan per OPD — Kota JKT, 23 November 2026\n• Dinas DINKES (DINKES) 0/2 (0%) · belum pernah menjawab"},
		{"JKT-Citra", "ingatkan", "Ketik ingatkan KODE_OPD, misalnya ingatkan DINKES.\nKode OPD: DINKES, DISDIK."},
		{"JKT-Citra", "ingatkan dinsos", "OPD \"dinsos\" tidak ada di Kota JKT.\nKode OPD: DINKES, DISDIK."},
		{"JKT-Citra", "opd dinas dinkes", "Kemajuan per OPD — Kota JKT, 23 November 2026\n• Dinas DINKES (DINKES) 0/2 (0%)"}, // by name (issue 14, item 13)
		{"JKT-Citra", "opd dinsos", "OPD \"dinsos\" tidak ada di Kota JKT."},
		{"JKT-Citra", "ingatkan Dinas Dinkes", "Pengingat terkirim ke 1 orang di Dinas DINKES."}, // by name (issue 14, item 13)
		{"JKT-Citra", "ingatkan DINKES", "Pengingat terkirim ke 0 orang di Dinas DINKES.\n1 orang dilewati: sudah selesai atau sudah diingatkan hari ini."},
		{"JKT-Citra", "tenggat", "Tenggat Kota JKT: 31 Desember 2026 (38 hari lagi)."},
		{"JKT-Citra", "tenggat 31/02/2026", "Tanggal 31/02/2026 tidak ada di kalender (bulan itu tidak sampai tanggal tersebut). Ketik tenggat DD/MM/YYYY, misalnya tenggat 28/02/2027."}, // issue 14, item 19
		{"JKT-Citra", "tenggat besok", "Ketik tenggat DD/MM/YYYY, misalnya tenggat 31/12/2026."},
		{"JKT-Citra", "tenggat 01/11/2026", "Tanggal 1 November 2026 sudah lewat."},
		{"JKT-Citra", "tenggat 15/12/2026", "Tenggat Kota JKT sekarang 15 Desember 2026 (22 hari lagi)."},
		{"JKT-Citra", "tenggat", "Tenggat Kota JKT: 15 Desember 2026 (22 hari lagi)."},
		{"JKT-Budi", "ringkasan", ""}, // a focal point: not for their role (checked below)
	} {
		got := c.send(step.who, step.say, "")
		if step.want == "" {
			if strings.Contains(got, "Ringkasan KLA") {
				t.Fatalf("%s got the digest:\n%s", step.who, got)
			}
			continue
		}
		if !strings.Contains(got, step.want) {
			t.Fatalf("> %s: %s\n< %s\nwant it to contain:\n%s", step.who, step.say, got, step.want)
		}
	}
	nudges := sent(e.out.take(), digest.KindNudge, "JKT")
	if nudges != "JKT-Budi" {
		t.Fatalf("ingatkan queued nudges to %q, want JKT-Budi", nudges)
	}
	r, err := e.store.Region(context.Background(), "JKT")
	if err != nil || r.Deadline == nil || r.Deadline.Format(time.DateOnly) != "2026-12-15" {
		t.Fatalf("deadline = %v, %v", r.Deadline, err)
	}
	// The nudge's button resumes the focal point's questions.
	if got := c.send("JKT-Budi", "", digest.NudgeButtonData); !strings.Contains(got, "Pertanyaan 1.1?") {
		t.Fatalf("pressing the nudge button:\n%s", got)
	}
}
