package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// dbtx is what both *pgxpool.Pool and pgx.Tx offer, including Begin (a pool begins a
// transaction, a transaction a savepoint), so that every store method can run alone or
// inside a caller's transaction (InTx).
type dbtx interface {
	querier
	Begin(ctx context.Context) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

type txKey struct{}

// WithTx returns ctx carrying tx: store methods called with it run inside tx, and
// outbound.Outbox inserts its jobs into it, so that a change and the messages it causes
// commit together or not at all.
func WithTx(ctx context.Context, tx pgx.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFrom returns the transaction ctx carries (WithTx, InTx), if any.
func TxFrom(ctx context.Context) (pgx.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(pgx.Tx)
	return tx, ok && tx != nil
}

// db is the caller's transaction when ctx carries one, else the pool.
func (s *Store) db(ctx context.Context) dbtx {
	if tx, ok := TxFrom(ctx); ok {
		return tx
	}
	return s.pool
}

// InTx runs fn in one transaction: every store method fn calls with the ctx it is given,
// and every outbound message it queues, commits together when fn returns nil and is
// rolled back otherwise. Inside a transaction already (ctx from InTx), it runs fn in a
// savepoint of it.
//
// A transaction of its own sends BEGIN with its first statement and the statements
// deferred to the end (a step's checkpoint) with COMMIT (lazyTx): a step whose only
// statements are a batch, the queued replies and a checkpoint takes three round trips.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	if _, ok := TxFrom(ctx); ok {
		err = pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
			return fn(WithTx(ctx, tx))
		})
	} else {
		err = s.lazyTx(ctx, fn)
	}
	if err != nil {
		return fmt.Errorf("transaction: %w", err)
	}
	return nil
}

// lazyTx runs fn in a lazyTx of its own, committed when fn returns nil.
func (s *Store) lazyTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	tx, c, err := beginLazy(ctx, s.pool)
	if err != nil {
		return err
	}
	defer c.Release()
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(WithTx(ctx, tx)); err != nil {
		if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit(ctx)
}

// guarded runs fn on the pool, or inside a caller's transaction in a savepoint of it: a
// statement whose failure the caller may answer and go on from (a foreign key turned
// into ErrNotFound) must not leave the caller's transaction aborted.
func (s *Store) guarded(ctx context.Context, fn func(q querier) error) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return fn(s.pool)
	}
	return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { return fn(sp) })
}
