package schedule_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// clock is a settable test clock shared by store and schedulers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func utc(s string) time.Time     { t, err := time.Parse("2006-01-02 15:04", s); must(err); return t }
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// outbox records what the schedulers queue (the outbound queue's entrance); fail makes
// Enqueue fail for chats whose id is listed.
type outbox struct {
	mu   sync.Mutex
	msgs []conversations.Outbound
	fail map[string]bool
}

func (o *outbox) Enqueue(_ context.Context, out conversations.Outbound) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail[out.To.ChatID] {
		return fmt.Errorf("queue full")
	}
	o.msgs = append(o.msgs, out)
	return nil
}

// take returns and forgets the messages queued so far.
func (o *outbox) take() []conversations.Outbound {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.msgs
	o.msgs = nil
	return m
}

// env is one database with three regions, one per Indonesian time zone. Each region has
// a coordinator and two focal points (of DINKES and DISDIK), all with Telegram chats
// whose chat id is "<region>-<name>".
type env struct {
	t     *testing.T
	pool  *pgxpool.Pool
	store *postgres.Store
	clock *clock
	out   *outbox
	ids   map[string]int64 // "<region>-<name>" -> person id
}

var zones = map[string]string{"JKT": "Asia/Jakarta", "MKS": "Asia/Makassar", "JYP": "Asia/Jayapura"}

func instrument() *scoring.Instrument {
	q := func(code, opd string, ev bool) scoring.Question {
		return scoring.Question{Code: code, Text: "Pertanyaan " + code + "?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: ev, OPDCodes: []string{opd}}
	}
	return &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{{Code: "1", Name: "Perda", MaxPoints: 300,
			Questions: []scoring.Question{q("1.1", "DINKES", true), q("1.2", "DINKES", false)}}}},
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{{Code: "4", Name: "Akta", MaxPoints: 700,
			Questions: []scoring.Question{q("4.1", "DISDIK", false), q("4.2", "DISDIK", false), q("4.3", "DISDIK", true)}}}},
	}}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, pool: pgtest.New(t), clock: &clock{t: utc("2026-11-22 12:00")}, out: &outbox{}, ids: map[string]int64{}}
	e.store = postgres.New(e.pool, e.clock.Now)
	if _, err := e.store.SaveInstrument(ctx, instrument()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for code, zone := range zones {
		must(e.store.UpsertRegion(ctx, conversations.Region{Code: code, Name: "Kota " + code, TimeZone: zone, DigestHour: 7, Year: 2026, Deadline: &deadline}))
		for _, o := range []string{"DINKES", "DISDIK"} {
			if _, err := e.store.UpsertOPD(ctx, code, o, "Dinas "+o, nil); err != nil {
				t.Fatal(err)
			}
		}
		e.person(code, "Citra", conversations.RoleCoordinator, "")
		e.person(code, "Budi", conversations.RoleFocalPoint, "DINKES")
		e.person(code, "Sari", conversations.RoleFocalPoint, "DISDIK")
	}
	return e
}

func (e *env) person(region, name string, role conversations.Role, opd string) int64 {
	ctx := context.Background()
	id, err := e.store.UpsertPerson(ctx, conversations.Person{Name: name, Role: role, RegionCode: region, OPDCode: opd}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	key := region + "-" + name
	if err := e.store.BindIdentity(ctx, id, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: key, ChatID: key}); err != nil {
		e.t.Fatal(err)
	}
	e.ids[key] = id
	return id
}

// answer records an answer by person key at the clock's now.
func (e *env) answer(region, who, question string) int64 {
	var id int64
	err := e.pool.QueryRow(context.Background(), `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, created_at)
		VALUES ($1, 2026, $2, coalesce((SELECT max(version) FROM answers WHERE region_code = $1 AND question_code = $2), 0) + 1,
		        'ya', $3, 'telegram', $4) RETURNING id`, region, question, e.ids[region+"-"+who], e.clock.Now()).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// scores is the scoring pipeline of `klabot score` (conversations.Scorer on the store).
func (e *env) scores(ctx context.Context, region string, year int) (scoring.Report, error) {
	rs, err := conversations.NewScorer(e.store, e.clock.Now).Score(ctx, region, year)
	return rs.Report, err
}

func (e *env) scheduler() *schedule.Scheduler {
	return schedule.New(e.store, e.out, schedule.Config{Now: e.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// tickAt sets the clock and ticks s.
func (e *env) tickAt(s *schedule.Scheduler, at string) {
	e.t.Helper()
	e.clock.Set(utc(at))
	if err := s.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick at %s: %v", at, err)
	}
}

// summary lists queued messages as "kind>chat" (charts as "chart>chat"), sorted by queue order.
func summary(msgs []conversations.Outbound) string {
	var s []string
	for _, m := range msgs {
		k := m.Kind
		if m.Attachment != nil {
			k = "chart"
		}
		s = append(s, k+">"+m.To.ChatID)
	}
	return strings.Join(s, " ")
}

// count returns how many rows of notifications match the where clause.
func (e *env) count(where string, args ...any) int {
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE `+where, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
