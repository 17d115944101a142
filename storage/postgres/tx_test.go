package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

func countRows(t *testing.T, s *postgres.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInTxWritesRollBackTogether: the engine's write batches, an explicit store
// transaction (SetNarrative) and a plain statement, all called with InTx's ctx, are
// rolled back together when fn fails and committed together when it succeeds — also
// with group commit on (a batch inside a caller's transaction never goes to the group).
func TestInTxWritesRollBackTogether(t *testing.T) {
	t.Parallel()
	for _, group := range []bool{false, true} {
		ctx := context.Background()
		s, who := answerFixture(t)
		if group {
			g := postgres.NewGroupWriter(s.Pool(), postgres.GroupConfig{Conns: 1})
			t.Cleanup(g.Close)
			s.WithGroupCommit(g)
		}
		cp := &conversations.State{PersonID: who[0], Mode: conversations.ModeQuestion, Question: "Q1"}
		steps := func(ctx context.Context) error {
			a, err := s.SaveAnswer(ctx, answering.AnswerWrite{Msg: msg("t1"), RegionCode: "KOTA-A", Year: 2026,
				QuestionCode: "Q1", Value: scoring.Value{Text: "ya"}, PersonID: who[0], Checkpoint: cp})
			if err != nil {
				return err
			}
			if err := s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("t2"), AnswerID: a.ID, Text: "SK", Checkpoint: cp}); err != nil {
				return err
			}
			if err := s.SaveSkip(ctx, answering.SkipWrite{Msg: msg("t3"), RegionCode: "KOTA-A", Year: 2026,
				QuestionCode: "Q1", PersonID: who[1]}); err != nil {
				return err
			}
			// The transaction sees its own writes.
			p, err := s.Progress(ctx, "KOTA-A", 2026, who[1], []string{"Q1"})
			if err != nil || p.Answers["Q1"].Narrative != "SK" || !p.Skipped["Q1"] {
				t.Errorf("group=%v: progress inside the transaction = %+v, %v", group, p, err)
			}
			return nil
		}
		boom := errors.New("boom")
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := steps(ctx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("group=%v: InTx = %v, want boom", group, err)
		}
		if n := countRows(t, s, `SELECT count(*) FROM answers`) + countRows(t, s, `SELECT count(*) FROM skips`) +
			countRows(t, s, `SELECT count(*) FROM inbound_messages`) + countRows(t, s, `SELECT count(*) FROM dialogue_checkpoints`); n != 0 {
			t.Fatalf("group=%v: %d rows kept after the transaction failed", group, n)
		}
		if err := s.InTx(ctx, steps); err != nil {
			t.Fatalf("group=%v: %v", group, err)
		}
		if a, k, m := countRows(t, s, `SELECT count(*) FROM answers`), countRows(t, s, `SELECT count(*) FROM skips`),
			countRows(t, s, `SELECT count(*) FROM inbound_messages`); a != 1 || k != 1 || m != 3 {
			t.Fatalf("group=%v: after commit answers=%d skips=%d records=%d, want 1 1 3", group, a, k, m)
		}
	}
}

// TestDuplicateInsideInTxLeavesTheTransactionUsable: a message recorded before fails its
// write with ErrDuplicate inside the caller's transaction, which only rolls that write
// back (savepoint): later statements of the transaction run and commit. A missing answer
// under SetNarrative does the same with ErrNotFound.
func TestDuplicateInsideInTxLeavesTheTransactionUsable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, who := answerFixture(t)
	w := answering.AnswerWrite{Msg: msg("d1"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1",
		Value: scoring.Value{Text: "ya"}, PersonID: who[0]}
	if _, err := s.SaveAnswer(ctx, w); err != nil {
		t.Fatal(err)
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		w.Value.Text = "tidak"
		if _, err := s.SaveAnswer(ctx, w); !errors.Is(err, conversations.ErrDuplicate) {
			t.Errorf("same message again inside InTx: %v, want ErrDuplicate", err)
		}
		err := s.SetNarrative(ctx, answering.NarrativeWrite{Msg: msg("d2"), AnswerID: 999999, Text: "x"})
		if !errors.Is(err, conversations.ErrNotFound) {
			t.Errorf("narrative on a missing answer inside InTx: %v, want ErrNotFound", err)
		}
		// Nested InTx is a savepoint: its failure keeps the outer transaction.
		_ = s.InTx(ctx, func(ctx context.Context) error {
			_ = s.SaveSkip(ctx, answering.SkipWrite{Msg: msg("d3"), RegionCode: "KOTA-A", Year: 2026, QuestionCode: "Q1", PersonID: who[0]})
			return errors.New("inner fails")
		})
		return s.SaveSkip(ctx, answering.SkipWrite{Msg: msg("d4"), RegionCode: "KOTA-A", Year: 2026,
			QuestionCode: "Q1", PersonID: who[1]})
	})
	if err != nil {
		t.Fatalf("transaction after a duplicate: %v", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM answers`); n != 1 {
		t.Errorf("%d answer versions, want 1 (the duplicate changed nothing)", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM skips WHERE person_id = $1`, who[1]); n != 1 {
		t.Errorf("the write after the duplicate was not committed")
	}
	if n := countRows(t, s, `SELECT count(*) FROM skips WHERE person_id = $1`, who[0]); n != 0 {
		t.Errorf("the failed inner savepoint's skip was committed")
	}
	if n := countRows(t, s, `SELECT count(*) FROM inbound_messages WHERE message_id IN ('d2', 'd3')`); n != 0 {
		t.Errorf("%d message records of failed writes kept", n)
	}
}

// TestAfterCommitRunsOnlyForWhatCommitted: a hook queued in a transaction runs after its
// commit (when what it wrote can be read) and never after a rollback; one queued in a
// savepoint runs only when the savepoint was released and the transaction committed.
func TestAfterCommitRunsOnlyForWhatCommitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.New(pgtest.New(t), nil)
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE ac_rows (v text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var ran []string
	hook := func(ctx context.Context, name string) {
		if !postgres.AfterCommit(ctx, func() {
			var n int
			if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM ac_rows WHERE v = $1`, name).Scan(&n); err != nil || n != 1 {
				t.Errorf("hook %s ran before its row was visible (%d, %v)", name, n, err)
			}
			ran = append(ran, name)
		}) {
			t.Fatalf("AfterCommit refused in a transaction (%s)", name)
		}
	}
	write := func(ctx context.Context, name string) error {
		tx, _ := postgres.TxFrom(ctx)
		_, err := tx.Exec(ctx, `INSERT INTO ac_rows VALUES ($1)`, name)
		return err
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := write(ctx, "kept"); err != nil {
			return err
		}
		hook(ctx, "kept")
		_ = s.InTx(ctx, func(ctx context.Context) error { // a savepoint rolled back
			if err := write(ctx, "dropped"); err != nil {
				return err
			}
			hook(ctx, "dropped")
			return errors.New("roll the savepoint back")
		})
		return s.InTx(ctx, func(ctx context.Context) error { // a savepoint released
			if err := write(ctx, "released"); err != nil {
				return err
			}
			hook(ctx, "released")
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		hook(ctx, "rolled back")
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("want the rollback's error")
	}
	if len(ran) != 2 || ran[0] != "kept" || ran[1] != "released" {
		t.Errorf("hooks ran: %q, want kept and released, in order", ran)
	}
	if postgres.AfterCommit(ctx, func() {}) {
		t.Error("AfterCommit without a transaction: want false")
	}
}
