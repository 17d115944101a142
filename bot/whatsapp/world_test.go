package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mau.fi/whatsmeow/types"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// testClock is a settable clock shared by the engine and the store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// waitSubmitter queues into the real dispatcher and counts what is in flight, so a test
// step can wait until its messages were handled and the replies delivered.
type waitSubmitter struct {
	d  *dispatch.Dispatcher
	wg sync.WaitGroup
}

func (s *waitSubmitter) Submit(ctx context.Context, in conversations.Inbound, _ func(error)) error {
	s.wg.Add(1)
	return s.d.Submit(ctx, in, func(error) { s.wg.Done() })
}

// waWorld is the real engine on real Postgres and Redis behind the WhatsApp adapter,
// with the whatsmeow client faked at the network edge. The region is the console
// transcripts' KOTA-UJI (same instrument, OPDs and people), each person with a phone.
type waWorld struct {
	t       testing.TB
	ctx     context.Context
	store   *postgres.Store
	rdb     *redis.Client
	prefix  string
	states  *kredis.Store
	blobs   *blob.Local
	blobDir string
	clock   *testClock
	fc      *fakeClient
	adapter *Adapter
	sub     *waitSubmitter
	handle  func(any)
	stop    func()
	people  map[string]int64
	phones  map[string]string
	seq     int
}

const waTestMaxFile = 2 << 20

func newWAWorld(t testing.TB) *waWorld {
	t.Helper()
	ctx := context.Background()
	c := &testClock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // Monday 09.00 WIB
	rdb, prefix := redistest.New(t)
	w := &waWorld{t: t, ctx: ctx, store: postgres.New(pgtest.New(t), c.Now), rdb: rdb, prefix: prefix,
		clock: c, blobDir: t.TempDir(), fc: newFakeClient(), people: map[string]int64{}, phones: map[string]string{}}
	w.states = kredis.New(rdb, kredis.Config{Prefix: prefix, LockWait: 10 * time.Second})
	var err error
	if w.blobs, err = blob.NewLocal(w.blobDir); err != nil {
		t.Fatal(err)
	}
	w.seed()
	w.start()
	t.Cleanup(func() { w.stop() })
	return w
}

// start builds the engine, the adapter and a dispatcher (a klabot start).
func (w *waWorld) start() {
	eng := conversations.NewEngine(conversations.Config{MaxFileBytes: waTestMaxFile}, conversations.Deps{
		People: w.store, Invites: w.store, Regions: w.store, Instruments: w.store,
		Answers: w.store, Checkpoints: w.store, States: w.states, Locker: w.states, Blobs: w.blobs,
		Scorer: conversations.NewScorer(w.store, w.clock.Now),
		Now:    w.clock.Now, Log: slog.New(slog.DiscardHandler),
		Reviews: w.store, EvidenceFiles: w.blobs,
	})
	w.adapter = New(w.fc, &RedisMenus{RDB: w.rdb, Prefix: w.prefix}, nil, Config{
		DigestGroups: []string{digestGrp.String()}, MaxFileBytes: waTestMaxFile,
	})
	w.adapter.SetPhonebook(w.store, false) // languages; binding only with @phonebook
	d := dispatch.New(w.adapter.Wrap(eng), directSender{w.adapter}, slog.New(slog.DiscardHandler), dispatch.Config{Workers: 8})
	w.sub = &waitSubmitter{d: d}
	w.adapter.SetSubmitter(w.sub)
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	w.handle = w.adapter.EventHandler(ctx)
	w.stop = func() { cancel(); <-done }
}

// restart stops klabot and starts it again on the same stores.
func (w *waWorld) restart() {
	w.stop()
	w.start()
}

func (w *waWorld) seed() {
	t, ctx, s := w.t, w.ctx, w.store
	deadline := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	must(t, s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji", Kind: "kota",
		TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026, Deadline: &deadline}))
	if _, err := s.SaveInstrument(ctx, waTestInstrument()); err != nil {
		t.Fatal(err)
	}
	dinkes, err := s.UpsertOPD(ctx, "KOTA-UJI", "DINKES", "Dinas Kesehatan", []string{"DINKES"})
	must(t, err)
	disdik, err := s.UpsertOPD(ctx, "KOTA-UJI", "DISDIK", "Dinas Pendidikan", []string{"DISDIK"})
	must(t, err)
	for i, p := range []struct {
		name, full string
		role       conversations.Role
		opd        int64
		bind       bool
		lang       string
	}{
		{"budi", "Budi Santoso", conversations.RoleFocalPoint, dinkes, true, "id"},
		{"sari", "Sari Dewi", conversations.RoleFocalPoint, dinkes, true, "id"},
		{"ani", "Ani Lestari", conversations.RoleFocalPoint, disdik, true, "id"},
		{"koor", "Rina Koordinator", conversations.RoleCoordinator, 0, true, "id"},
		{"wali", "Pak Wali", conversations.RoleHead, 0, true, "id"},
		{"dewi", "Dewi Anggraini", conversations.RoleFocalPoint, dinkes, false, "id"},
		{"john", "John Smith", conversations.RoleFocalPoint, dinkes, true, "en"},
	} {
		phone := fmt.Sprintf("628110000%04d", i+1)
		id, err := s.UpsertPerson(ctx, conversations.Person{Name: p.full, Role: p.role, RegionCode: "KOTA-UJI", OPDID: p.opd, Language: p.lang}, phone)
		must(t, err)
		w.people[p.name] = id
		w.phones[p.name] = phone
		if p.bind {
			must(t, s.BindIdentity(ctx, id, conversations.Identity{Channel: conversations.ChannelWhatsApp, ExternalID: phone,
				ChatID: phone + "@" + types.DefaultUserServer}))
		}
	}
}

// phone returns name's phone digits; strangers get one of their own.
func (w *waWorld) phone(name string) string {
	if p, ok := w.phones[name]; ok {
		return p
	}
	p := fmt.Sprintf("628129999%04d", len(w.phones)+1)
	w.phones[name] = p
	return p
}

// deliver hands events to the adapter as whatsmeow would, waits until they were handled,
// and returns the texts sent to chat meanwhile.
func (w *waWorld) deliver(chat types.JID, evts ...any) string {
	w.fc.mu.Lock()
	before := len(w.fc.sent)
	w.fc.mu.Unlock()
	for _, e := range evts {
		w.handle(e)
	}
	w.sub.wg.Wait()
	return w.sentSince(chat, before)
}

// deliverInbound queues an already converted message, behind the same wrapper.
func (w *waWorld) deliverInbound(chat types.JID, in conversations.Inbound) string {
	w.fc.mu.Lock()
	before := len(w.fc.sent)
	w.fc.mu.Unlock()
	must(w.t, w.sub.Submit(w.ctx, in, nil))
	w.sub.wg.Wait()
	return w.sentSince(chat, before)
}

func (w *waWorld) sentSince(chat types.JID, before int) string {
	w.fc.mu.Lock()
	defer w.fc.mu.Unlock()
	var b strings.Builder
	for _, m := range w.fc.sent[before:] {
		if m.To != chat {
			continue
		}
		switch {
		case m.Msg.GetConversation() != "":
			b.WriteString(m.Msg.GetConversation())
		case m.Msg.GetImageMessage() != nil:
			b.WriteString(m.Msg.GetImageMessage().GetCaption() + "\n[foto]")
		case m.Msg.GetDocumentMessage() != nil:
			b.WriteString(m.Msg.GetDocumentMessage().GetCaption() + "\n[lampiran: " + m.Msg.GetDocumentMessage().GetFileName() + "]")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

func (w *waWorld) nextID() string {
	w.seq++
	return fmt.Sprintf("3EB0%012X", w.seq)
}

func (w *waWorld) queryInt(sql string, args ...any) int {
	var n int
	must(w.t, w.store.Pool().QueryRow(w.ctx, sql, args...).Scan(&n))
	return n
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waTestInstrument is the console transcripts' instrument.
func waTestInstrument() *scoring.Instrument {
	dinkes := []string{"DINKES"}
	return &scoring.Instrument{Year: 2026, Name: "Instrumen Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Kebijakan KLA", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "1.1", Text: "Apakah ada SK Gugus Tugas KLA?", Help: "SK Bupati/Wali Kota yang berlaku tahun ini.",
					Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes},
				{Code: "1.2", Text: "Apakah Puskesmas sudah ramah anak?", Type: scoring.YesPartialNo, Weight: 1, OPDCodes: dinkes},
				{Code: "1.3", Text: "Bentuk regulasi KLA?", Type: scoring.Choice, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes,
					Options: []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.5}, {Label: "Dalam proses", Fraction: 0.25}}},
			}},
		}},
		{Code: "III", Name: "Klaster III — Kesehatan Dasar dan Kesejahteraan", Indicators: []scoring.Indicator{
			{Code: "12", Name: "Status gizi balita", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "12.1", Text: "Berapa kali rapat koordinasi tahun ini?", Type: scoring.Number, Weight: 1, OPDCodes: dinkes,
					Bands: []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "12.2", Text: "Persentase balita ditimbang?", Type: scoring.Percent, Target: 90, Weight: 1, OPDCodes: dinkes},
				{Code: "12.3", Text: "Tanggal SK tim percepatan stunting?", Type: scoring.Date, Weight: 1, OPDCodes: dinkes},
				{Code: "12.4", Text: "Sebutkan program gizi unggulan.", Type: scoring.Text, Weight: 1, OPDCodes: dinkes},
				{Code: "12.5", Text: "Unggah foto pojok ASI.", Type: scoring.File, Weight: 1, OPDCodes: dinkes},
				{Code: "12.6", Text: "Apakah ada PAUD-HI?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DISDIK"}},
			}},
		}},
	}}
}
