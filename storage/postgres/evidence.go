package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// AddEvidence attaches stored files to an answer version, with the message record and
// the checkpoint, in one transaction.
func (s *Store) AddEvidence(ctx context.Context, w conversations.EvidenceWrite) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := recordInbound(ctx, tx, w.Msg); err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, w.AnswerID, w.PersonID, w.Msg, w.Files, now); err != nil {
			return err
		}
		return saveCheckpoint(ctx, tx, w.PersonID, w.Checkpoint, now)
	})
	if err != nil {
		return fmt.Errorf("add evidence to answer %d: %w", w.AnswerID, mapErr(err))
	}
	return nil
}

func insertEvidence(ctx context.Context, tx pgx.Tx, answerID, personID int64, d conversations.Delivery, files []conversations.EvidenceFile, now time.Time) error {
	for _, f := range files {
		if _, err := tx.Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes,
			original_name, person_id, channel, message_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			answerID, f.BlobKey, f.MIME, f.Size, f.Name, personID, string(d.Channel), d.MessageID, now); err != nil {
			return fmt.Errorf("evidence %s: %w", f.Name, err)
		}
	}
	return nil
}
