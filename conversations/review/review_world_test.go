package review_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/evidencepack"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// reviewWorld is the real engine on real Postgres, Redis and a blob folder, with region
// KOTA-UJI (Dinas Kesehatan: budi, sari; Dinas Pendidikan: ani; coordinator koor; head
// wali) and region KOTA-LAIN with its own coordinator (lain).
type reviewWorld struct {
	t      *testing.T
	ctx    context.Context
	store  *postgres.Store
	blobs  *blob.Local
	eng    *conversations.Engine
	people map[string]int64
	export *evidencepack.Exporter

	mu    sync.Mutex
	now   time.Time
	msgID int
}

func (w *reviewWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func reviewInstrument() *scoring.Instrument {
	dinkes := []string{"DINKES"}
	return &scoring.Instrument{Year: 2026, Name: "Instrumen Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Kebijakan KLA", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "1.1", Text: "Apakah ada SK Gugus Tugas KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes},
				{Code: "1.2", Text: "Apakah Puskesmas sudah ramah anak?", Type: scoring.YesPartialNo, Weight: 1, OPDCodes: dinkes},
			}},
		}},
		{Code: "III", Name: "Klaster III — Kesehatan Dasar dan Kesejahteraan", Indicators: []scoring.Indicator{
			{Code: "12", Name: "Status gizi balita", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "12.1", Text: "Berapa kali rapat koordinasi tahun ini?", Type: scoring.Number, Weight: 1, OPDCodes: dinkes,
					Bands: []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "12.6", Text: "Apakah ada PAUD-HI?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DISDIK"}},
			}},
		}},
	}}
}

func newReviewWorld(t *testing.T, exportMaxBytes int64) *reviewWorld {
	t.Helper()
	ctx := context.Background()
	w := &reviewWorld{t: t, ctx: ctx, people: map[string]int64{},
		now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // Monday 09.00 WIB
	w.store = postgres.New(pgtest.New(t), w.clock)
	rdb, prefix := redistest.New(t)
	states := kredis.New(rdb, kredis.Config{Prefix: prefix, LockWait: 10 * time.Second})
	var err error
	if w.blobs, err = blob.NewLocal(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	s := w.store
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}))
	check(s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-LAIN", Name: "Kota Lain", TimeZone: "Asia/Makassar", DigestHour: 7, Year: 2026}))
	_, err = s.SaveInstrument(ctx, reviewInstrument())
	check(err)
	dinkes, err := s.UpsertOPD(ctx, "KOTA-UJI", "DINKES", "Dinas Kesehatan", []string{"DINKES"})
	check(err)
	disdik, err := s.UpsertOPD(ctx, "KOTA-UJI", "DISDIK", "Dinas Pendidikan", []string{"DISDIK"})
	check(err)
	for _, p := range []struct {
		name, full, region string
		role               conversations.Role
		opd                int64
	}{
		{"budi", "Budi Santoso", "KOTA-UJI", conversations.RoleFocalPoint, dinkes},
		{"sari", "Sari Dewi", "KOTA-UJI", conversations.RoleFocalPoint, dinkes},
		{"ani", "Ani Lestari", "KOTA-UJI", conversations.RoleFocalPoint, disdik},
		{"koor", "Rina Koordinator", "KOTA-UJI", conversations.RoleCoordinator, 0},
		{"wali", "Pak Wali", "KOTA-UJI", conversations.RoleHead, 0},
		{"lain", "Koordinator Lain", "KOTA-LAIN", conversations.RoleCoordinator, 0},
	} {
		id, err := s.UpsertPerson(ctx, conversations.Person{Name: p.full, Role: p.role, RegionCode: p.region, OPDID: p.opd, Language: "id"}, "")
		check(err)
		w.people[p.name] = id
		check(s.BindIdentity(ctx, id, conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + p.name}))
	}
	w.export = &evidencepack.Exporter{Source: s, Blobs: w.blobs, Now: w.clock, Dir: t.TempDir()}
	const maxFile = 2 << 20
	dialogue := answering.New(answering.Deps{Answers: s, Instruments: s, Blobs: w.blobs, Reviews: s, MaxFileBytes: maxFile})
	w.eng = conversations.NewEngine(conversations.Config{}, conversations.Deps{
		People: s, Regions: s, Checkpoints: s, States: states, Locker: states, Now: w.clock,
	}, dialogue.Capability(), onboarding.New(onboarding.Deps{Invites: s, Questions: dialogue}), review.New(review.Deps{Reviews: s, EvidenceFiles: w.blobs, Exporter: w.export,
		MaxFileBytes: maxFile, ExportMaxBytes: exportMaxBytes}), headline.New(nil), digest.New(nil))
	return w
}

// send delivers one message from who, a minute after the previous one.
func (w *reviewWorld) send(who string, in conversations.Inbound) []conversations.Outbound {
	w.t.Helper()
	w.mu.Lock()
	w.now = w.now.Add(time.Minute)
	w.msgID++
	in.MessageID = fmt.Sprint(w.msgID)
	in.At = w.now
	w.mu.Unlock()
	in.Address = conversations.Address{Channel: conversations.ChannelConsole, ChatID: "chat-" + who}
	in.SenderID = "chat-" + who
	outs, err := w.eng.Handle(w.ctx, in)
	if err != nil {
		w.t.Fatalf("%s: %q: %v", who, in.Text+in.Button, err)
	}
	return outs
}

func (w *reviewWorld) say(who, text string) []conversations.Outbound {
	w.t.Helper()
	return w.send(who, conversations.Inbound{Text: text})
}

func (w *reviewWorld) press(who, data string) []conversations.Outbound {
	w.t.Helper()
	return w.send(who, conversations.Inbound{Button: data})
}

// upload sends a PDF named name whose content ends with tag.
func (w *reviewWorld) upload(who, name, tag string) []conversations.Outbound {
	w.t.Helper()
	data := []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n" + tag)
	return w.send(who, conversations.Inbound{Files: []conversations.File{{Name: name, MIME: "application/pdf", Size: int64(len(data)),
		Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(string(data))), nil
		}}}})
}

// text is everything said to chat, one message per line block.
func text(outs []conversations.Outbound, chat string) string {
	var b strings.Builder
	for _, o := range outs {
		if o.To.ChatID == chat {
			b.WriteString(o.Text + "\n")
		}
	}
	return b.String()
}

// expect fails unless the messages to chat contain every part, in order.
func expect(t *testing.T, outs []conversations.Outbound, chat string, parts ...string) {
	t.Helper()
	all := text(outs, chat)
	rest := all
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Fatalf("to %s: missing %q (in order) in:\n%s", chat, p, all)
		}
		rest = rest[i+len(p):]
	}
}

// button returns the data of the button labelled with label in outs.
func button(t *testing.T, outs []conversations.Outbound, label string) string {
	t.Helper()
	for _, o := range outs {
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, label) {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in:\n%s", label, text(outs, "chat-koor"))
	return ""
}

// verified returns the region's claimed and verified scores.
func (w *reviewWorld) scores() (claimed, evidenced, verified float64) {
	w.t.Helper()
	rs, err := conversations.NewScorer(w.store, w.clock).Score(w.ctx, "KOTA-UJI", 2026)
	if err != nil {
		w.t.Fatal(err)
	}
	return rs.Report.Claimed.Points, rs.Report.Evidenced.Points, rs.Report.Verified.Points
}

// pointsWaiting is what approving every waiting answer would add to the verified score.
func (w *reviewWorld) pointsWaiting() float64 {
	w.t.Helper()
	rs, err := conversations.NewScorer(w.store, w.clock).Score(w.ctx, "KOTA-UJI", 2026)
	if err != nil {
		w.t.Fatal(err)
	}
	return conversations.PointsWaitingReview(rs.Report)
}

func (w *reviewWorld) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.store.Pool().QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}
