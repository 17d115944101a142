package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// TestGroupWriterKeepsEachBatchItsOwn: batches queued while the writer is busy share one
// transaction; a batch refused by the server (a duplicate key) fails alone and keeps
// nothing, the others commit whole, each caller getting its own result after its commit.
func TestGroupWriterKeepsEachBatchItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	if _, err := pool.Exec(ctx, `CREATE TABLE gc_items (id int PRIMARY KEY, v text NOT NULL);
		CREATE TABLE gc_log (item int NOT NULL, at timestamptz NOT NULL DEFAULT now());
		INSERT INTO gc_items SELECT i, 'there before' FROM generate_series(0, 60, 10) i`); err != nil {
		t.Fatal(err)
	}
	g := postgres.NewGroupWriter(pool, postgres.GroupConfig{Conns: 1, MaxBatches: 16})
	defer g.Close()

	// Hold the only writer connection so the next batches queue up behind it.
	hold := &pgx.Batch{}
	hold.Queue(`SELECT pg_sleep(0.3)`)
	held := make(chan error, 1)
	go func() { held <- g.Write(ctx, hold) }()
	time.Sleep(50 * time.Millisecond)

	const n = 48
	errs := make([]error, n)
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := 1; i <= n-1; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &pgx.Batch{}
			b.Queue(`INSERT INTO gc_log (item) VALUES ($1)`, i)
			b.Queue(`INSERT INTO gc_items (id, v) VALUES ($1, 'new') RETURNING id`, i).QueryRow(func(row pgx.Row) error {
				return row.Scan(&got[i])
			})
			errs[i] = g.Write(ctx, b)
		}()
	}
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		var pe *pgconn.PgError
		switch {
		case i%10 == 0:
			if !errors.As(errs[i], &pe) || pe.Code != "23505" {
				t.Errorf("batch %d (duplicate key): %v, want a unique violation", i, errs[i])
			}
		default:
			if errs[i] != nil || got[i] != i {
				t.Errorf("batch %d: %v (returned id %d)", i, errs[i], got[i])
			}
		}
	}
	var items, logs, dupLogs int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM gc_items WHERE v = 'new'), (SELECT count(*) FROM gc_log),
		(SELECT count(*) FROM gc_log WHERE item % 10 = 0)`).Scan(&items, &logs, &dupLogs); err != nil {
		t.Fatal(err)
	}
	if want := n - 1 - 4; items != want || logs != want || dupLogs != 0 {
		t.Errorf("committed %d items and %d log rows (%d of failed batches), want %d, %d, 0", items, logs, dupLogs, want, want)
	}
	st := g.Stats()
	if st.Batches != n || st.Groups-st.Retried >= st.Batches {
		t.Errorf("stats %+v: want %d batches sharing transactions", st, n)
	}
	if st.Retried == 0 {
		t.Errorf("stats %+v: the groups with a duplicate were not sent again batch by batch", st)
	}
	g.Close()
	if err := g.Write(ctx, &pgx.Batch{}); err == nil {
		t.Error("a write after Close succeeded")
	}
}

// TestStoreWithGroupCommit: the engine's writes through a group writer keep their
// meaning — versions n, n+1 for focal points answering at once, carried evidence, and a
// resent message reported as a duplicate that changes nothing.
func TestStoreWithGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plain, who := answerFixture(t)
	g := postgres.NewGroupWriter(plain.Pool(), postgres.GroupConfig{Conns: 2, MaxBatches: 8})
	defer g.Close()
	s := postgres.New(plain.Pool(), nil).WithGroupCommit(g)
	w := answering.AnswerWrite{Msg: msg("g0"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1",
		Value: scoring.Value{Text: "ya"}, PersonID: who[0], CarryEvidence: true,
		Evidence: []conversations.EvidenceFile{{BlobKey: "ab12", MIME: "application/pdf", Size: 10, Name: "sk.pdf"}}}
	if _, err := s.SaveAnswer(ctx, w); err != nil {
		t.Fatal(err)
	}
	const n = 24
	versions := make(chan int, n)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := w
			w.Msg = msg("g" + strconv.Itoa(i))
			w.PersonID = who[i%2]
			w.Evidence = nil
			w.Checkpoint = &conversations.State{PersonID: who[i%2], Mode: conversations.ModeQuestion, Question: "Q1"}
			info, err := s.SaveAnswer(ctx, w)
			if err != nil || info.Evidence != 1 {
				t.Errorf("answer %d: %+v %v", i, info, err)
			}
			versions <- info.Version
		}()
	}
	wg.Add(1)
	go func() { // a resent message among them
		defer wg.Done()
		if _, err := s.SaveAnswer(ctx, w); !errors.Is(err, conversations.ErrDuplicate) {
			t.Errorf("resent message: %v, want ErrDuplicate", err)
		}
	}()
	wg.Wait()
	close(versions)
	seen := map[int]bool{}
	for v := range versions {
		seen[v] = true
	}
	for v := 2; v <= n+1; v++ {
		if !seen[v] {
			t.Errorf("version %d missing (got %v)", v, seen)
		}
	}
	var rows int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM answers WHERE question_code = 'Q1'`).Scan(&rows); err != nil || rows != n+1 {
		t.Errorf("%d answer rows, want %d (%v)", rows, n+1, err)
	}
}

// BenchmarkGroupCommit writes the engine's answer batch (message record, advisory lock,
// version, evidence carry and count, checkpoint) from 32 goroutines, each batch alone
// or through a group writer: answers committed per second.
//
//	go test -run '^$' -bench GroupCommit -benchtime 3000x ./storage/postgres/
func BenchmarkGroupCommit(b *testing.B) {
	for _, mode := range []string{"alone", "grouped"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			plain, who := answerFixtureQuestions(b, 200)
			s := plain
			if mode == "grouped" {
				g := postgres.NewGroupWriter(plain.Pool(), postgres.GroupConfig{Conns: 4, MaxBatches: 64})
				defer func() { b.ReportMetric(float64(g.Stats().Batches)/float64(max(g.Stats().Groups, 1)), "batches/commit") }()
				defer g.Close()
				s = postgres.New(plain.Pool(), nil).WithGroupCommit(g)
			}
			var next int64
			var mu sync.Mutex
			b.SetParallelism(16) // 32 goroutines on 2 cores, like the load tool's workers
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					next++
					i := next
					mu.Unlock()
					p := who[i%int64(len(who))]
					_, err := s.SaveAnswer(ctx, answering.AnswerWrite{Msg: msg(fmt.Sprintf("b%s%d", mode, i)), RegionCode: "KOTA-A", Year: 2026,
						QuestionCode: fmt.Sprintf("Q%d", 1+i%200), Value: scoring.Value{Text: "ya"}, PersonID: p, CarryEvidence: true,
						Checkpoint: &conversations.State{PersonID: p, Mode: conversations.ModeQuestion, Question: "Q1"}})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "answers/s")
		})
	}
}

// answerFixtureQuestions is region KOTA-A with n questions of Dinas Kesehatan and 64 of
// its focal points.
func answerFixtureQuestions(tb testing.TB, n int) (*postgres.Store, []int64) {
	tb.Helper()
	ctx := context.Background()
	s := postgres.New(pgtest.New(tb), nil)
	ind := scoring.Indicator{Code: "4", Name: "Akta", MaxPoints: 1000}
	for i := 1; i <= n; i++ {
		ind.Questions = append(ind.Questions, scoring.Question{Code: fmt.Sprintf("Q%d", i), Text: "Ada?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DINKES"}})
	}
	inst := &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{ind}}}}
	if _, err := s.SaveInstrument(ctx, inst); err != nil {
		tb.Fatal(err)
	}
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-A", Name: "Kota A", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}); err != nil {
		tb.Fatal(err)
	}
	opd, err := s.UpsertOPD(ctx, "KOTA-A", "DINKES", "Dinas Kesehatan", nil)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for i := range 64 {
		id, err := s.UpsertPerson(ctx, conversations.Person{Name: fmt.Sprintf("Fokal %d", i), Role: conversations.RoleFocalPoint, RegionCode: "KOTA-A", OPDID: opd}, "")
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return s, ids
}
