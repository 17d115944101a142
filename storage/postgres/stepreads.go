package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
)

// StepReads returns in one round trip what an engine step reads today in two: the
// progress of the person's codes (Progress) and, when opdID is not 0, the OPD's
// questions sent back (ReopenedQuestions). Not used by the engine yet: its progressOf
// would call this instead of Answers.Progress and Reviews.ReopenedQuestions.
func (s *Store) StepReads(ctx context.Context, region string, year int, personID, opdID int64, codes []string) (answering.Progress, []conversations.Reopened, error) {
	b := &pgx.Batch{}
	queueProgress(b, region, year, personID, codes)
	if opdID != 0 {
		b.Queue(reopenedSQL, region, year, opdID)
	}
	br := s.db(ctx).SendBatch(ctx, b)
	defer br.Close()
	p, err := readProgress(br)
	if err != nil || opdID == 0 {
		return p, nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return p, nil, fmt.Errorf("reopened questions %s: %w", region, err)
	}
	list, err := collectReopened(rows, region)
	return p, list, err
}
