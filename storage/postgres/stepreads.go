package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
)

var _ answering.StampedAnswers = (*Store)(nil)

// stampSQL reads an OPD's progress stamp for a year (0 when it was never bumped).
const stampSQL = `SELECT coalesce((SELECT stamp FROM progress_stamps WHERE opd_id = $1 AND year = $2), 0)`

// ProgressStamp returns the progress stamp of (opdID, year): bumped by one in the
// transaction of every change to what the OPD's people see of their progress (see
// migrations/2100_progress_stamps.sql).
func (s *Store) ProgressStamp(ctx context.Context, opdID int64, year int) (int64, error) {
	var st int64
	if err := s.db(ctx).QueryRow(ctx, stampSQL, opdID, year).Scan(&st); err != nil {
		return 0, fmt.Errorf("progress stamp of OPD %d/%d: %w", opdID, year, err)
	}
	return st, nil
}

// StampedProgress returns in one round trip the OPD's progress stamp, then the progress
// of the person's codes (Progress) and the OPD's questions sent back
// (ReopenedQuestions). The stamp is read first: a change committed between the
// statements is in the progress and not in the stamp, so the copy built from them is
// rebuilt once more rather than kept out of date.
func (s *Store) StampedProgress(ctx context.Context, region string, year int, personID, opdID int64, codes []string) (answering.Progress, []conversations.Reopened, int64, error) {
	b := &pgx.Batch{}
	b.Queue(stampSQL, opdID, year)
	queueProgress(b, region, year, personID, codes)
	b.Queue(reopenedSQL, region, year, opdID)
	br := s.db(ctx).SendBatch(ctx, b)
	defer br.Close()
	var stamp int64
	if err := br.QueryRow().Scan(&stamp); err != nil {
		return answering.Progress{}, nil, 0, fmt.Errorf("progress stamp of OPD %d/%d: %w", opdID, year, err)
	}
	p, err := readProgress(br)
	if err != nil {
		return p, nil, 0, err
	}
	rows, err := br.Query()
	if err != nil {
		return p, nil, 0, fmt.Errorf("reopened questions %s: %w", region, err)
	}
	list, err := collectReopened(rows, region)
	return p, list, stamp, err
}
