package loadtest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Check is the correctness verdict of a run, read back from Postgres.
type Check struct {
	Confirmed  int // answers the bot confirmed
	Stored     int // answer rows written by the run's messages
	Missing    int // confirmed answers with no row
	Twice      int // messages with more than one row
	Unexpected int // rows of messages the bot did not confirm as answers
	WrongQ     int // rows whose question is not the one the person answered
	OutOfOrder int // people whose rows are not in the order they sent them
	Took       time.Duration
	Examples   []string // a few message ids of unexpected rows, to look up in a transcript
}

// OK reports whether every confirmed answer is stored exactly once, where it belongs,
// in order.
func (c Check) OK() bool {
	return c.Missing == 0 && c.Twice == 0 && c.Unexpected == 0 && c.WrongQ == 0 && c.OutOfOrder == 0 && c.Stored == c.Confirmed
}

func (c Check) String() string {
	verdict := "OK"
	if !c.OK() {
		verdict = "FAILED"
	}
	ex := ""
	if len(c.Examples) > 0 {
		ex = " (unexpected: " + strings.Join(c.Examples, " ") + ")"
	}
	return ex + fmt.Sprintf("%s: %d answers confirmed, %d stored; missing %d, stored twice %d, unexpected %d, wrong question %d, people out of order %d",
		verdict, c.Confirmed, c.Stored, c.Missing, c.Twice, c.Unexpected, c.WrongQ, c.OutOfOrder)
}

// Verify reads the answers the run wrote and compares them with what the simulated
// people sent and the bot confirmed: each confirmed answer exactly once, on the question
// it answered, and each person's answers in the order they were sent.
func Verify(ctx context.Context, pool *pgxpool.Pool, ds *Dataset, res *Result) (Check, error) {
	start := time.Now()
	type want struct {
		person int64
		code   string
		seen   int
	}
	expect := map[string]*want{}
	var c Check
	for _, p := range res.people {
		for _, a := range p.answers {
			expect[strconv.FormatInt(a.msg, 10)] = &want{person: p.fp.PersonID, code: a.code}
			c.Confirmed++
		}
	}
	// created_at comes from the engine's clock, the same as Since's (one process, or serve
	// in it); rows of an earlier run on the dataset are older.
	// Row ids grow with commit order of the inserts; per person they must follow the
	// order of the message ids (the order the person sent them).
	rows, err := pool.Query(ctx, `SELECT message_id, question_code, person_id FROM answers
		WHERE region_code ~ $1 AND year = $2 AND created_at >= $3 AND channel = 'telegram'
		ORDER BY id`, "^"+ds.Spec.Tag+"[0-9]+$", ds.Spec.Year, res.Since)
	if err != nil {
		return c, fmt.Errorf("read answers back: %w", err)
	}
	defer rows.Close()
	last := map[int64]int64{}
	bad := map[int64]bool{}
	for rows.Next() {
		var msg, code string
		var person int64
		if err := rows.Scan(&msg, &code, &person); err != nil {
			return c, fmt.Errorf("read answers back: %w", err)
		}
		// Telegram message ids carry the bot id ("<bot>:<update_id>").
		if _, update, found := strings.Cut(msg, ":"); found {
			msg = update
		}
		w, ok := expect[msg]
		if !ok {
			c.Unexpected++
			if len(c.Examples) < 5 {
				c.Examples = append(c.Examples, msg+"/"+code)
			}
			continue
		}
		c.Stored++
		w.seen++
		if w.seen == 2 {
			c.Twice++
		}
		if w.code != code || w.person != person {
			c.WrongQ++
		}
		id, _ := strconv.ParseInt(msg, 10, 64)
		if id < last[person] && !bad[person] {
			bad[person] = true
			c.OutOfOrder++
		}
		last[person] = id
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("read answers back: %w", err)
	}
	for _, w := range expect {
		if w.seen == 0 {
			c.Missing++
		}
	}
	c.Took = time.Since(start)
	return c, nil
}
