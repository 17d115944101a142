package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// lazyTx is the transaction of InTx, in fewer round trips than pgx's (issue 18, item 2):
// BEGIN travels with the transaction's first statement or batch instead of alone, and
// statements queued with Defer (a step's checkpoint) travel with COMMIT. Inside it is
// one connection of the pool in one transaction like any pgx.Tx; Begin opens savepoints.
type lazyTx struct {
	conn       *pgx.Conn
	begun      bool
	closed     bool
	deferred   []*pgx.QueuedQuery
	commitWork     // DeferMust, DeferWithCommit and AfterCommit
	sp         int // savepoints opened, for their names
}

var _ pgx.Tx = (*lazyTx)(nil)

// beginLazy starts a transaction on a connection of pool (nothing is sent yet).
func beginLazy(ctx context.Context, pool *pgxpool.Pool) (*lazyTx, *pgxpool.Conn, error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &lazyTx{conn: c.Conn()}, c, nil
}

// ensure sends BEGIN when nothing was sent yet (a statement that cannot carry it).
func (t *lazyTx) ensure(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	t.begun = true
	return nil
}

// Defer queues a statement to be sent with COMMIT, in a savepoint of its own: when it
// fails, it is rolled back alone (as a write batch in the transaction would be) and the
// transaction commits without it. Its failure is returned by onErr, never by Commit.
func (t *lazyTx) Defer(sql string, onErr func(error), args ...any) {
	t.deferred = append(t.deferred, &pgx.QueuedQuery{SQL: sql, Arguments: args, Fn: func(br pgx.BatchResults) error {
		_, err := br.Exec()
		if err != nil && onErr != nil {
			onErr(err)
		}
		return err
	}})
}

// DeferMust queues a statement to be sent with COMMIT that the commit needs: when it
// fails, nothing of the transaction is kept. A row lock it takes is held only for the
// commit's round trip (the progress bumps: a colleague's step does not wait for the rest
// of this one).
func (t *lazyTx) DeferMust(sql string, args ...any) {
	t.must = append(t.must, &pgx.QueuedQuery{SQL: sql, Arguments: args})
}

// DeferWithCommit queues sql to be sent in the batch of the COMMIT of the transaction ctx
// carries (InTx's own), as a statement the commit needs (DeferMust): when it fails,
// nothing of the transaction is kept. Inside a savepoint of it (a nested InTx), the
// statement is kept only when the savepoint is released, and in the order it was queued.
// It reports false, queuing nothing, when ctx carries no such transaction: the caller
// runs sql itself. The outbound queue inserts a step's jobs so (bot/outbound).
func DeferWithCommit(ctx context.Context, sql string, args ...any) bool {
	c := withCommit(ctx)
	if c == nil {
		return false
	}
	c.must = append(c.must, &pgx.QueuedQuery{SQL: sql, Arguments: args})
	return true
}

// AfterCommit runs fn once the transaction ctx carries (InTx's own) has committed, and
// never when it rolls back; inside a savepoint of it, only when the savepoint is released.
// It reports false, keeping nothing, when ctx carries no such transaction. The outbound
// queue sends an insert notification it held back so (bot/outbound).
func AfterCommit(ctx context.Context, fn func()) bool {
	c := withCommit(ctx)
	if c == nil {
		return false
	}
	c.after = append(c.after, fn)
	return true
}

// commitWork is what goes with a COMMIT: statements the commit needs (DeferMust,
// DeferWithCommit) and hooks that run once it succeeded (AfterCommit). A savepoint keeps
// its own and passes them up when it is released.
type commitWork struct {
	must  []*pgx.QueuedQuery
	after []func()
}

// passUp moves w's work to up (a savepoint released into its parent).
func (w *commitWork) passUp(up *commitWork) {
	up.must = append(up.must, w.must...)
	up.after = append(up.after, w.after...)
	w.must, w.after = nil, nil
}

// withCommit is the commit work of the open transaction or savepoint ctx carries (InTx's
// own), nil when there is none.
func withCommit(ctx context.Context) *commitWork {
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil
	}
	switch t := tx.(type) {
	case *lazyTx:
		if !t.closed {
			return &t.commitWork
		}
	case *savepointTx:
		if !t.closed {
			return &t.commitWork
		}
	}
	return nil
}

// lazyFrom returns ctx's transaction when it is a lazyTx (InTx's own).
func lazyFrom(ctx context.Context) (*lazyTx, bool) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, false
	}
	lt, ok := tx.(*lazyTx)
	return lt, ok
}

func (t *lazyTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := t.ensure(ctx); err != nil {
		return nil, err
	}
	t.sp++
	name := fmt.Sprintf("klabot_sp_%d", t.sp)
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, err
	}
	return &savepointTx{parent: t, name: name}, nil
}

// savepoint opens a savepoint in up (nil: the transaction itself).
func (t *lazyTx) savepoint(ctx context.Context, up *savepointTx) (pgx.Tx, error) {
	sp, err := t.Begin(ctx)
	if err != nil {
		return nil, err
	}
	sp.(*savepointTx).up = up
	return sp, nil
}

func (t *lazyTx) Commit(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed = true
	after := t.after
	t.after = nil
	if err := t.commit(ctx); err != nil {
		return err
	}
	for _, fn := range after {
		fn()
	}
	return nil
}

func (t *lazyTx) commit(ctx context.Context) error {
	if !t.begun && len(t.deferred) == 0 && len(t.must) == 0 {
		return nil // nothing was sent: nothing to commit
	}
	if len(t.deferred) > 0 || len(t.must) > 0 {
		b := &pgx.Batch{}
		if !t.begun {
			b.Queue("BEGIN")
			t.begun = true
		}
		b.QueuedQueries = append(b.QueuedQueries, t.must...)
		if len(t.deferred) == 0 {
			b.Queue("COMMIT")
			if err := t.conn.SendBatch(ctx, b).Close(); err != nil {
				_, _ = t.conn.Exec(ctx, "ROLLBACK")
				return err
			}
			return nil
		}
		b.Queue("SAVEPOINT klabot_deferred")
		b.QueuedQueries = append(b.QueuedQueries, t.deferred...)
		b.Queue("RELEASE SAVEPOINT klabot_deferred")
		b.Queue("COMMIT")
		err := t.conn.SendBatch(ctx, b).Close()
		if err == nil {
			return nil
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			return err // the connection: the pool drops it, the server rolls back
		}
		// A deferred statement failed: keep the transaction without it. (When a
		// DeferMust statement failed, the savepoint was never reached: roll back.)
		if _, rerr := t.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT klabot_deferred"); rerr != nil {
			_, _ = t.conn.Exec(ctx, "ROLLBACK")
			return errors.Join(err, rerr)
		}
	}
	tag, err := t.conn.Exec(ctx, "COMMIT")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *lazyTx) Rollback(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed, t.after = true, nil
	if !t.begun {
		return nil
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK")
	return err
}

func (t *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.closed {
		return pgconn.CommandTag{}, pgx.ErrTxClosed
	}
	if t.begun {
		return t.conn.Exec(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br := t.SendBatch(ctx, b)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (t *lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.ensure(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

func (t *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.ensure(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// SendBatch sends b, with BEGIN first when nothing was sent yet.
func (t *lazyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.closed {
		return errBatch{pgx.ErrTxClosed}
	}
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	t.begun = true
	lb := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+1)}
	lb.Queue("BEGIN")
	lb.QueuedQueries = append(lb.QueuedQueries, b.QueuedQueries...)
	return &afterBegin{BatchResults: t.conn.SendBatch(ctx, lb)}
}

func (t *lazyTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.ensure(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, cols, src)
}

// LargeObjects is not offered (klabot stores no large objects).
func (t *lazyTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *lazyTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.ensure(ctx); err != nil {
		return nil, err
	}
	return t.conn.Prepare(ctx, name, sql)
}

func (t *lazyTx) Conn() *pgx.Conn { return t.conn }

// afterBegin hides the BEGIN put in front of a batch: the caller reads its own results.
type afterBegin struct {
	pgx.BatchResults
	skipped bool
}

func (a *afterBegin) skip() error {
	if a.skipped {
		return nil
	}
	a.skipped = true
	_, err := a.BatchResults.Exec()
	return err
}

func (a *afterBegin) Exec() (pgconn.CommandTag, error) {
	if err := a.skip(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return a.BatchResults.Exec()
}

func (a *afterBegin) Query() (pgx.Rows, error) {
	if err := a.skip(); err != nil {
		return nil, err
	}
	return a.BatchResults.Query()
}

func (a *afterBegin) QueryRow() pgx.Row {
	if err := a.skip(); err != nil {
		return errRow{err}
	}
	return a.BatchResults.QueryRow()
}

func (a *afterBegin) Close() error {
	if err := a.skip(); err != nil {
		_ = a.BatchResults.Close()
		return err
	}
	return a.BatchResults.Close()
}

// savepointTx is a savepoint of a lazyTx.
type savepointTx struct {
	parent     *lazyTx
	up         *savepointTx // the savepoint this one is in, nil for the transaction
	name       string
	closed     bool
	commitWork // DeferWithCommit and AfterCommit in it: passed up when it is released
}

var _ pgx.Tx = (*savepointTx)(nil)

func (s *savepointTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if s.closed {
		return nil, pgx.ErrTxClosed
	}
	return s.parent.savepoint(ctx, s)
}

func (s *savepointTx) Commit(ctx context.Context) error {
	if s.closed {
		return pgx.ErrTxClosed
	}
	s.closed = true
	if _, err := s.parent.conn.Exec(ctx, "RELEASE SAVEPOINT "+s.name); err != nil {
		return err
	}
	if s.up != nil {
		s.passUp(&s.up.commitWork)
	} else {
		s.passUp(&s.parent.commitWork)
	}
	return nil
}

func (s *savepointTx) Rollback(ctx context.Context) error {
	if s.closed {
		return pgx.ErrTxClosed
	}
	s.closed = true
	s.must, s.after = nil, nil // rolled back with it
	_, err := s.parent.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+s.name)
	return err
}

func (s *savepointTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return s.parent.conn.Exec(ctx, sql, args...)
}
func (s *savepointTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.parent.conn.Query(ctx, sql, args...)
}
func (s *savepointTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.parent.conn.QueryRow(ctx, sql, args...)
}
func (s *savepointTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return s.parent.conn.SendBatch(ctx, b)
}
func (s *savepointTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return s.parent.conn.CopyFrom(ctx, table, cols, src)
}
func (s *savepointTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
func (s *savepointTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return s.parent.conn.Prepare(ctx, name, sql)
}
func (s *savepointTx) Conn() *pgx.Conn { return s.parent.conn }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow{b.err} }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
