package loadtest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Baseline is the raw-write reference: plain pgx transactions that each insert one
// answer row, what the database allows on this machine without the engine around it.
type Baseline struct {
	Writes  int
	Workers int
	Elapsed time.Duration
	Lat     Latency
	Errors  int
}

// PerSec is the baseline's writes per second.
func (b Baseline) PerSec() float64 { return float64(b.Writes) / b.Elapsed.Seconds() }

// RawBaseline runs n transactions (BEGIN; INSERT one answer; COMMIT) from workers
// concurrent goroutines on pool, into the dataset's baseline region (so the simulated
// regions' scores never see them).
func RawBaseline(ctx context.Context, pool *pgxpool.Pool, ds *Dataset, n, workers int) (Baseline, error) {
	b := Baseline{Writes: n, Workers: workers}
	if n <= 0 || workers <= 0 {
		return b, nil
	}
	if len(ds.People) == 0 {
		return b, fmt.Errorf("baseline: the dataset has no people")
	}
	codes := make([]string, 0, ds.Spec.Questions)
	for _, q := range ds.Instrument.Questions() {
		codes = append(codes, q.Code)
	}
	var version int
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM answers WHERE region_code = $1`,
		ds.Spec.rawRegion()).Scan(&version); err != nil {
		return b, fmt.Errorf("baseline: %w", err)
	}
	person := ds.People[0].PersonID
	var next atomic.Int64
	var errs atomic.Int64
	lats := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				// Versions are unique over the region, so no two writes meet on a key.
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO answers (region_code, year, question_code, version,
						value_text, value_number, person_id, channel, message_id, created_at)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
						ds.Spec.rawRegion(), ds.Spec.Year, codes[int(i)%len(codes)], version+int(i),
						"ya", nil, person, "load", "raw"+strconv.FormatInt(i, 10), time.Now())
					return err
				})
				lats[w] = append(lats[w], time.Since(t0))
				if err != nil {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.Elapsed = time.Since(start)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	b.Lat = summarise(all)
	b.Errors = int(errs.Load())
	if ctx.Err() != nil {
		return b, ctx.Err()
	}
	return b, nil
}
