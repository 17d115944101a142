package console_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"

	"github.com/redis/go-redis/v9"
)

// clock is a settable clock shared by the engine and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is a real engine on real Postgres and Redis with a small region: KOTA-UJI,
// Dinas Kesehatan (focal points budi and sari), Dinas Pendidikan (ani), a coordinator
// (koor) and a head (wali); dewi is a Dinkes focal point without a chat yet.
type world struct {
	t        testing.TB
	ctx      context.Context
	store    *postgres.Store
	rdb      *redis.Client
	prefix   string
	states   *kredis.Store
	blobs    *blob.Local
	blobDir  string
	fileDir  string
	clock    *clock
	eng      *conversations.Engine
	people   map[string]int64
	sessions map[string]*console.Session
	vars     map[string]string
}

const testMaxFile = 2 << 20

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // Monday 09.00 WIB
	rdb, prefix := redistest.New(t)
	w := &world{t: t, ctx: ctx, store: postgres.New(pgtest.New(t), c.Now), rdb: rdb, prefix: prefix,
		clock: c, blobDir: t.TempDir(), fileDir: t.TempDir(),
		people: map[string]int64{}, sessions: map[string]*console.Session{}, vars: map[string]string{}}
	w.states = kredis.New(rdb, kredis.Config{Prefix: prefix, LockWait: 10 * time.Second})
	var err error
	if w.blobs, err = blob.NewLocal(w.blobDir); err != nil {
		t.Fatal(err)
	}
	w.seed()
	w.restart()
	return w
}

// restart builds a new engine on the same stores (a klabot restart: caches are gone).
func (w *world) restart() {
	w.eng = conversations.NewEngine(conversations.Config{MaxFileBytes: testMaxFile}, conversations.Deps{
		People: w.store, Invites: w.store, Regions: w.store, Instruments: w.store,
		Answers: w.store, Checkpoints: w.store, States: w.states, Locker: w.states, Blobs: w.blobs,
		Scorer: conversations.NewScorer(w.store, w.clock.Now),
		Now:    w.clock.Now,
		// Review (tinjau, riwayat): see testdata/review.txt.
		Reviews: w.store, EvidenceFiles: w.blobs,
	})
	for name, s := range w.sessions {
		w.sessions[name] = console.NewSession(w.eng, s.Address().ChatID, name)
		w.sessions[name].Now = w.clock.Now
	}
}

func testInstrument() *scoring.Instrument {
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

func (w *world) seed() {
	t, ctx, s := w.t, w.ctx, w.store
	deadline := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	must(t, s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji", Kind: "kota",
		TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026, Deadline: &deadline}))
	if _, err := s.SaveInstrument(ctx, testInstrument()); err != nil {
		t.Fatal(err)
	}
	dinkes, err := s.UpsertOPD(ctx, "KOTA-UJI", "DINKES", "Dinas Kesehatan", []string{"DINKES"})
	must(t, err)
	disdik, err := s.UpsertOPD(ctx, "KOTA-UJI", "DISDIK", "Dinas Pendidikan", []string{"DISDIK"})
	must(t, err)
	for _, p := range []struct {
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
		id, err := s.UpsertPerson(ctx, conversations.Person{Name: p.full, Role: p.role, RegionCode: "KOTA-UJI", OPDID: p.opd, Language: p.lang}, "")
		must(t, err)
		w.people[p.name] = id
		if p.bind {
			must(t, s.BindIdentity(ctx, id, conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + p.name}))
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// session returns the console chat of name (its identity "chat-NAME", bound or not).
func (w *world) session(name string) *console.Session {
	s, ok := w.sessions[name]
	if !ok {
		s = console.NewSession(w.eng, "chat-"+name, name)
		s.Now = w.clock.Now
		w.sessions[name] = s
	}
	return s
}

// flush deletes this test's Redis keys (Redis lost its data).
func (w *world) flush() {
	iter := w.rdb.Scan(w.ctx, 0, w.prefix+"*", 1000).Iterator()
	for iter.Next(w.ctx) {
		w.rdb.Del(w.ctx, iter.Val())
	}
	must(w.t, iter.Err())
}

// makeFile writes a test file of a kind (pdf, jpg, png, webp, gif, docx, xlsx, zip, doc,
// xls, txt) padded to about size bytes.
func (w *world) makeFile(name, kind string, size int) {
	var data []byte
	switch kind {
	case "pdf":
		data = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n")
		if size == 0 {
			data = nil
		}
	case "jpg":
		data = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, []byte("JFIF\x00")...)
	case "png":
		data = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	case "webp":
		data = []byte("RIFF\x24\x00\x00\x00WEBPVP8 ")
	case "gif":
		data = []byte("GIF89a\x01\x00\x01\x00")
	case "docx", "xlsx", "zip":
		part := map[string]string{"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "zip": "catatan.txt"}[kind]
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		f, _ := zw.Create("[Content_Types].xml")
		f.Write([]byte("<Types/>"))
		f, _ = zw.Create(part)
		f.Write([]byte(strings.Repeat("<x/>", size/4+1)))
		must(w.t, zw.Close())
		data = b.Bytes()
	case "doc", "xls":
		data = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
		data = append(data, make([]byte, 512)...)
		stream := "WordDocument"
		if kind == "xls" {
			stream = "Workbook"
		}
		for _, r := range stream {
			data = append(data, byte(r), 0)
		}
	case "txt":
		data = []byte("ini hanya catatan teks biasa\n")
		if size == 0 {
			data = nil
		}
	default:
		w.t.Fatalf("unknown file kind %q", kind)
	}
	if kind == "txt" {
		for len(data) < size {
			data = append(data, "teks "...)
		}
	}
	if kind != "docx" && kind != "xlsx" && kind != "zip" && kind != "txt" {
		for len(data) < size {
			data = append(data, byte(len(data)%251))
		}
	}
	must(w.t, os.WriteFile(filepath.Join(w.fileDir, name), data, 0o600))
}

// blobCount is the number of stored evidence files.
func (w *world) blobCount() int {
	n := 0
	filepath.WalkDir(w.blobDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

func (w *world) queryInt(sql string, args ...any) int {
	var n int
	must(w.t, w.store.Pool().QueryRow(w.ctx, sql, args...).Scan(&n))
	return n
}
