package consoletest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/invite"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// Region is the test region's code.
const Region = "KOTA-UJI"

// MaxFileBytes is the engine's (and a channel's) file size limit in the tests.
const MaxFileBytes = 2 << 20

// Person is one seeded person: Key is the short name transcripts use (@as budi).
type Person struct {
	Key, Name string
	Role      conversations.Role
	OPD       string // OPD code, "" for region-wide roles
	Bound     bool   // has a chat identity on the channel under test
	Language  string
}

// People are KOTA-UJI's people: Dinas Kesehatan focal points budi, sari and john
// (English), Dinas Pendidikan's ani, a coordinator (koor) and a head (wali); dewi is a
// Dinkes focal point without a chat yet.
func People() []Person {
	return []Person{
		{"budi", "Budi Santoso", conversations.RoleFocalPoint, "DINKES", true, "id"},
		{"sari", "Sari Dewi", conversations.RoleFocalPoint, "DINKES", true, "id"},
		{"ani", "Ani Lestari", conversations.RoleFocalPoint, "DISDIK", true, "id"},
		{"koor", "Rina Koordinator", conversations.RoleCoordinator, "", true, "id"},
		{"wali", "Pak Wali", conversations.RoleHead, "", true, "id"},
		{"dewi", "Dewi Anggraini", conversations.RoleFocalPoint, "DINKES", false, "id"},
		{"john", "John Smith", conversations.RoleFocalPoint, "DINKES", true, "en"},
	}
}

// World is the KOTA-UJI region on real Postgres and Redis (a fresh database and key
// prefix per test), with local blob storage and a settable clock.
type World struct {
	T       testing.TB
	Ctx     context.Context
	Store   *postgres.Store
	RDB     *redis.Client
	Prefix  string // this test's Redis key prefix
	States  *kredis.Store
	Blobs   *blob.Local
	BlobDir string
	FileDir string // where @file puts the files people send
	Clock   *Clock
	People  map[string]int64  // person id by key
	Phones  map[string]string // phone digits by key (628110000000N)
}

// NewWorld seeds the region, its instrument, OPDs and People, each with a phone; the
// bound ones get the chat identity identity(key, phone).
func NewWorld(t testing.TB, identity func(key, phone string) conversations.Identity) *World {
	t.Helper()
	c := NewClock()
	rdb, prefix := redistest.New(t)
	w := &World{T: t, Ctx: context.Background(), Store: postgres.New(pgtest.New(t), c.Now), RDB: rdb, Prefix: prefix,
		Clock: c, BlobDir: t.TempDir(), FileDir: t.TempDir(), People: map[string]int64{}, Phones: map[string]string{}}
	w.States = kredis.New(rdb, kredis.Config{Prefix: prefix, LockWait: 10 * time.Second})
	var err error
	if w.Blobs, err = blob.NewLocal(w.BlobDir); err != nil {
		t.Fatal(err)
	}
	w.seed(identity)
	return w
}

func (w *World) seed(identity func(key, phone string) conversations.Identity) {
	t, ctx, s := w.T, w.Ctx, w.Store
	deadline := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	Must(t, s.UpsertRegion(ctx, conversations.Region{Code: Region, Name: "Kota Uji", Kind: "kota",
		TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026, Deadline: &deadline}))
	if _, err := s.SaveInstrument(ctx, Instrument()); err != nil {
		t.Fatal(err)
	}
	opds := map[string]int64{}
	for _, o := range []struct{ code, name string }{{"DINKES", "Dinas Kesehatan"}, {"DISDIK", "Dinas Pendidikan"}} {
		id, err := s.UpsertOPD(ctx, Region, o.code, o.name, []string{o.code})
		Must(t, err)
		opds[o.code] = id
	}
	for i, p := range People() {
		phone := fmt.Sprintf("628110000%04d", i+1)
		id, err := s.UpsertPerson(ctx, conversations.Person{Name: p.Name, Role: p.Role, RegionCode: Region,
			OPDID: opds[p.OPD], Language: p.Language}, phone)
		Must(t, err)
		w.People[p.Key], w.Phones[p.Key] = id, phone
		if p.Bound {
			Must(t, s.BindIdentity(ctx, id, identity(p.Key, phone)))
		}
	}
}

// Engine builds a new engine on the world's stores (a klabot start: empty caches).
func (w *World) Engine(log *slog.Logger) *conversations.Engine { return w.EngineWith(log, nil) }

// EngineWith is Engine with its Deps changed by tune (an Outbox, a failing store).
func (w *World) EngineWith(log *slog.Logger, tune func(*conversations.Deps)) *conversations.Engine {
	return w.EngineTuned(log, tune, nil)
}

// EngineTuned is Engine with the core's Deps changed by tune and the dialogue's by
// tuneDialogue (a store that races a colleague's write); either may be nil.
func (w *World) EngineTuned(log *slog.Logger, tune func(*conversations.Deps), tuneDialogue func(*answering.Deps)) *conversations.Engine {
	deps := conversations.Deps{
		People: w.Store, Regions: w.Store, Checkpoints: w.Store, States: w.States, Locker: w.States,
		Now: w.Clock.Now, Log: log,
		Tx: w.Store, Deliveries: w.Store, // each step in one transaction, as in klabot serve
	}
	if tune != nil {
		tune(&deps)
	}
	dd := answering.Deps{Answers: w.Store, Instruments: w.Store, Blobs: w.Blobs,
		Reviews: w.Store, Coordinators: w.Store, Carried: w.Store, MaxFileBytes: MaxFileBytes, Log: log}
	if tuneDialogue != nil {
		tuneDialogue(&dd)
	}
	dialogue := answering.New(dd)
	return conversations.NewEngine(conversations.Config{}, deps,
		dialogue.Capability(),
		onboarding.New(onboarding.Deps{Invites: w.Store, Questions: dialogue, Log: log}),
		// Review (tinjau, riwayat): see bot/console/testdata/review.txt.
		review.New(review.Deps{Reviews: w.Store, EvidenceFiles: w.Blobs, MaxFileBytes: MaxFileBytes, Log: log}),
		headline.New(conversations.NewScorer(w.Store, w.Clock.Now)), digest.New(nil),
		invite.New(invite.Deps{Store: w.Store, BotUsername: "klabot_uji_bot"}))
}

// Flush deletes this test's Redis keys (Redis lost its data).
func (w *World) Flush() {
	iter := w.RDB.Scan(w.Ctx, 0, w.Prefix+"*", 1000).Iterator()
	for iter.Next(w.Ctx) {
		w.RDB.Del(w.Ctx, iter.Val())
	}
	Must(w.T, iter.Err())
}

// StateKey is a stored dialogue state key mentioning chat, or "" when there is none.
func (w *World) StateKey(chat string) string {
	keys, err := w.RDB.Keys(w.Ctx, w.Prefix+"state:*").Result()
	Must(w.T, err)
	for _, k := range keys {
		if strings.Contains(k, chat) {
			return k
		}
	}
	return ""
}

// BlobCount is the number of stored evidence files.
func (w *World) BlobCount() int {
	n := 0
	filepath.WalkDir(w.BlobDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

// QueryInt runs a query returning one integer.
func (w *World) QueryInt(sql string, args ...any) int {
	var n int
	Must(w.T, w.Store.Pool().QueryRow(w.Ctx, sql, args...).Scan(&n))
	return n
}

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
