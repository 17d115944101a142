package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
)

// AddEvidence attaches stored files to an answer version, with the message record and
// the checkpoint, in one transaction and one round trip (with ExpectCurrent, under the
// question's advisory lock and only while the version is current, else ErrConflict). A file the version already
// has (same content, same SHA-256) is not attached twice; the result lists the blob
// keys that were attached. It bumps the progress stamps once (bumpProgressAnswerSQL).
func (s *Store) AddEvidence(ctx context.Context, w answering.EvidenceWrite) ([]string, error) {
	now := s.now()
	b := &pgx.Batch{}
	queueInbound(ctx, b, w.Msg)
	if w.ExpectCurrent {
		b.Queue(`SELECT expect_current_answer($1)`, w.AnswerID)
	}
	var added []string
	q := queueEvidence(b, fmt.Sprint(w.AnswerID), w.PersonID, w.Msg, w.Files, now)
	if q != nil {
		q.Query(func(rows pgx.Rows) error {
			var err error
			added, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	}
	lazy, deferBump := lazyFrom(ctx) // as in SaveAnswer
	if !deferBump {
		b.Queue(bumpProgressAnswerSQL, w.AnswerID, w.PersonID)
	}
	if err := queueCheckpoint(b, w.PersonID, w.Checkpoint, now); err != nil {
		return nil, err
	}
	if err := s.runWrite(ctx, b); err != nil {
		return nil, fmt.Errorf("add evidence to answer %d: %w", w.AnswerID, err)
	}
	if deferBump {
		lazy.DeferMust(bumpProgressAnswerSQL, w.AnswerID, w.PersonID)
	}
	return added, nil
}

// queueEvidence adds one INSERT for all files, returning the blob keys attached;
// answerID is SQL (a number, or the expression of the answer inserted earlier in the
// batch). Content the version already has, or that comes twice, is attached once.
func queueEvidence(b *pgx.Batch, answerID string, personID int64, d conversations.Delivery, files []conversations.EvidenceFile, now time.Time) *pgx.QueuedQuery {
	if len(files) == 0 {
		return nil
	}
	keys, mimes, names := make([]string, len(files)), make([]string, len(files)), make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		keys[i], mimes[i], names[i], sizes[i] = f.BlobKey, f.MIME, f.Name, f.Size
	}
	return b.Queue(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, message_id, created_at)
		SELECT `+answerID+`, f.key, f.mime, f.size, f.name, $5, $6, $7, $8
		FROM (SELECT DISTINCT ON (u.key) u.key, u.mime, u.size, u.name, u.n
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS u(key, mime, size, name, n)
			ORDER BY u.key, u.n) f
		WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.answer_id = `+answerID+` AND e.blob_key = f.key)
		ORDER BY f.n
		RETURNING blob_key`, keys, mimes, sizes, names, personID, string(d.Channel), d.MessageID, now)
}
