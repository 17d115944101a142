package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// AddEvidence attaches stored files to an answer version, with the message record and
// the checkpoint, in one transaction and one round trip.
func (s *Store) AddEvidence(ctx context.Context, w conversations.EvidenceWrite) error {
	now := s.now()
	b := &pgx.Batch{}
	queueInbound(b, w.Msg)
	queueEvidence(b, fmt.Sprint(w.AnswerID), w.PersonID, w.Msg, w.Files, now)
	if err := queueCheckpoint(b, w.PersonID, w.Checkpoint, now); err != nil {
		return err
	}
	if err := s.runWrite(ctx, b); err != nil {
		return fmt.Errorf("add evidence to answer %d: %w", w.AnswerID, err)
	}
	return nil
}

// queueEvidence adds one INSERT for all files; answerID is SQL (a number, or the
// expression of the answer inserted earlier in the batch).
func queueEvidence(b *pgx.Batch, answerID string, personID int64, d conversations.Delivery, files []conversations.EvidenceFile, now time.Time) {
	if len(files) == 0 {
		return
	}
	keys, mimes, names := make([]string, len(files)), make([]string, len(files)), make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		keys[i], mimes[i], names[i], sizes[i] = f.BlobKey, f.MIME, f.Name, f.Size
	}
	b.Queue(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, message_id, created_at)
		SELECT `+answerID+`, f.key, f.mime, f.size, f.name, $5, $6, $7, $8
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS f(key, mime, size, name, n)
		ORDER BY f.n`, keys, mimes, sizes, names, personID, string(d.Channel), d.MessageID, now)
}
