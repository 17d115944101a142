package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// GroupWriter shares commits between concurrent write batches (group commit): when many
// chats answer at once, the batches queued while a writer connection is busy go out
// together as one implicit transaction — one round trip, one commit, one WAL flush —
// and each caller returns only after that commit. Nothing waits on purpose: a lone
// batch goes out at once, alone, so a quiet system sees no added latency; batching
// grows with the load.
//
// A batch keeps its meaning: its statements run one after another on one session (so
// currval and advisory locks work as alone), and it is all or nothing. When any
// statement of a group fails on the server (a duplicate message record, a deadlock
// between two groups), the whole group rolls back and every batch of it is sent again
// alone, so each caller gets exactly the result it would have had without grouping.
// A callback's own error (a failed Scan: a programming error) leaves the group's outcome
// unknown, as a broken connection does: every batch of the group gets that error.
type GroupWriter struct {
	pool  *pgxpool.Pool
	queue chan *groupItem
	max   int
	ctx   context.Context // done once Close is called
	stop  context.CancelFunc
	wg    sync.WaitGroup
	gone  chan struct{} // closed once the writer loops have ended

	mu    sync.Mutex
	stats GroupStats
}

// GroupStats counts what the writer did.
type GroupStats struct {
	Batches int64 // batches written (committed or failed)
	Groups  int64 // transactions sent (a lone batch counts as one)
	Retried int64 // batches sent again alone after their group failed
}

// GroupConfig tunes a GroupWriter.
type GroupConfig struct {
	// Conns is the number of writer connections (groups in flight at once). Defaults to 4.
	Conns int
	// MaxBatches is the most batches one group carries. Defaults to 64.
	MaxBatches int
}

type groupItem struct {
	ctx  context.Context
	b    *pgx.Batch
	done chan error
}

// NewGroupWriter starts the writer on pool; Close stops it.
func NewGroupWriter(pool *pgxpool.Pool, cfg GroupConfig) *GroupWriter {
	if cfg.Conns <= 0 {
		cfg.Conns = 4
	}
	if cfg.MaxBatches <= 0 {
		cfg.MaxBatches = 64
	}
	ctx, stop := context.WithCancel(context.Background())
	g := &GroupWriter{pool: pool, queue: make(chan *groupItem, cfg.Conns*cfg.MaxBatches), max: cfg.MaxBatches,
		ctx: ctx, stop: stop, gone: make(chan struct{})}
	for range cfg.Conns {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.loop(ctx)
		}()
	}
	return g
}

// Close stops the writer once the batches in flight are written; later Writes fail.
func (g *GroupWriter) Close() {
	g.stop()
	g.wg.Wait()
	select {
	case <-g.gone:
	default:
		close(g.gone)
	}
	g.drain(errWriterClosed)
}

// Stats returns the counts so far.
func (g *GroupWriter) Stats() GroupStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// errWriterClosed is returned by Write after Close.
var errWriterClosed = errors.New("group writer closed")

// Write sends b as one all-or-nothing unit, possibly in one transaction with other
// callers' batches, and returns once it is committed (or failed). The error is the one
// b alone would have given.
func (g *GroupWriter) Write(ctx context.Context, b *pgx.Batch) error {
	if g.ctx.Err() != nil {
		return errWriterClosed
	}
	it := &groupItem{ctx: ctx, b: b, done: make(chan error, 1)}
	select {
	case g.queue <- it:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.ctx.Done():
		return errWriterClosed
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		// Like a cancelled lone batch: it may still commit.
		return ctx.Err()
	case <-g.gone:
		// Queued as the writer closed: written by a loop before it ended, or failed by
		// Close's drain.
		return <-it.done
	}
}

func (g *GroupWriter) loop(ctx context.Context) {
	for {
		var first *groupItem
		select {
		case first = <-g.queue:
		case <-ctx.Done():
			g.drain(errWriterClosed)
			return
		}
		group := []*groupItem{first}
	more:
		for len(group) < g.max {
			select {
			case it := <-g.queue:
				group = append(group, it)
			default:
				break more
			}
		}
		g.write(group)
	}
}

// drain fails every queued item (after Close).
func (g *GroupWriter) drain(err error) {
	for {
		select {
		case it := <-g.queue:
			it.done <- err
		default:
			return
		}
	}
}

func (g *GroupWriter) count(batches, groups, retried int) {
	g.mu.Lock()
	g.stats.Batches += int64(batches)
	g.stats.Groups += int64(groups)
	g.stats.Retried += int64(retried)
	g.mu.Unlock()
}

// write sends a group: items whose caller gave up are dropped first, a lone item goes
// as it is, several as one batch whose failure on the server sends each again alone.
func (g *GroupWriter) write(group []*groupItem) {
	live := group[:0]
	for _, it := range group {
		if err := it.ctx.Err(); err != nil {
			it.done <- err
			continue
		}
		live = append(live, it)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		g.count(1, 1, 0)
		live[0].done <- g.pool.SendBatch(context.WithoutCancel(live[0].ctx), live[0].b).Close()
		return
	}
	combined := &pgx.Batch{}
	for _, it := range live {
		for _, qq := range it.b.QueuedQueries {
			// A copy: pgx keeps per-connection details in a queued query, and the
			// batch may be sent again alone on another connection.
			combined.QueuedQueries = append(combined.QueuedQueries, &pgx.QueuedQuery{SQL: qq.SQL, Arguments: qq.Arguments, Fn: qq.Fn})
		}
	}
	err := g.pool.SendBatch(context.Background(), combined).Close()
	var pe *pgconn.PgError
	switch {
	case err == nil:
		g.count(len(live), 1, 0)
		for _, it := range live {
			it.done <- nil
		}
	case errors.As(err, &pe):
		// The server refused a statement: the implicit transaction rolled back whole.
		// Each batch again alone gets its own result (and the others commit).
		g.count(len(live), 1+len(live), len(live))
		for _, it := range live {
			it.done <- g.pool.SendBatch(context.WithoutCancel(it.ctx), it.b).Close()
		}
	default:
		// The connection failed (or a callback did): as for a lone batch, the outcome
		// is unknown.
		g.count(len(live), 1, 0)
		for _, it := range live {
			it.done <- fmt.Errorf("group commit of %d batches: %w", len(live), err)
		}
	}
}
