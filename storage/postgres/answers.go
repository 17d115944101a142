package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
)

// newAnswerID is, inside a write batch, the id of the answer version inserted earlier in
// the same batch (same connection, same implicit transaction). It is a scalar subquery:
// currval is volatile, so a bare "answer_id = currval(...)" cannot use an index and scans
// the whole evidence table for every answer; the subquery is evaluated once per statement.
const newAnswerID = `(SELECT currval(pg_get_serial_sequence('answers', 'id')))`

// SaveAnswer appends a new answer version in one transaction and one round trip (bumping
// the progress stamps once: bumpProgressSQL): the
// inbound message record, a per-question advisory lock (so two focal points answering at
// once get versions n and n+1), with CheckVersion the check that the current version is
// still ExpectVersion (else ErrConflict, nothing written), the version (highest + 1), the previous version's
// evidence when CarryEvidence is set (only the recent files with KeepRecent), the new
// files, and the dialogue checkpoint.
func (s *Store) SaveAnswer(ctx context.Context, w answering.AnswerWrite) (answering.AnswerInfo, error) {
	now := s.now()
	info := answering.AnswerInfo{Value: w.Value, PersonID: w.PersonID, At: now.Truncate(time.Microsecond)}
	if w.Value.Text != "" {
		info.Value.Number = 0 // stored as NULL, read back as 0
	}
	var number *float64
	if w.Value.Text == "" {
		number = &w.Value.Number
	}
	b := &pgx.Batch{}
	queueInbound(ctx, b, w.Msg)
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7240200))`,
		fmt.Sprintf("%s:%d:%s", w.RegionCode, w.Year, w.QuestionCode))
	if w.CheckVersion {
		b.Queue(`SELECT expect_answer_version($1, $2, $3, $4)`, w.RegionCode, w.Year, w.QuestionCode, w.ExpectVersion)
	}
	b.Queue(`INSERT INTO answers (region_code, year, question_code, version, value_text, value_number,
			person_id, channel, message_id, created_at)
		SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7, $8, $9
		FROM answers WHERE region_code = $1 AND year = $2 AND question_code = $3
		RETURNING id, version, (SELECT name FROM people WHERE id = $6)`,
		w.RegionCode, w.Year, w.QuestionCode, w.Value.Text, number, w.PersonID,
		string(w.Msg.Channel), w.Msg.MessageID, now).QueryRow(func(row pgx.Row) error {
		return row.Scan(&info.ID, &info.Version, &info.PersonName)
	})
	// The progress stamps of the OPDs that see this question (and the writer's): their
	// people's copies of the progress are out of date now. In a step's transaction the
	// bump goes with its COMMIT, once the write succeeded: the stamps' row locks are
	// then held for one round trip, not for the rest of the step.
	lazy, deferBump := lazyFrom(ctx)
	if !deferBump {
		b.Queue(bumpProgressSQL, w.RegionCode, w.Year, w.QuestionCode, w.PersonID)
	}
	if w.CarryEvidence {
		// A carried row keeps its created_at, so "sent for the previous version itself"
		// is created_at >= that version's, and "sent after the send-back" is created_at
		// after the latest decision when that decision was not an approval.
		b.Queue(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id,
				channel, message_id, created_at)
			SELECT `+newAnswerID+`, e.blob_key, e.mime_type, e.size_bytes, e.original_name, e.person_id, e.channel, e.message_id, e.created_at
			FROM evidence e JOIN (
				SELECT id, created_at FROM answers WHERE region_code = $1 AND year = $2 AND question_code = $3
					AND id <> `+newAnswerID+` AND ($5::bigint = 0 OR id = $5::bigint) ORDER BY version DESC LIMIT 1) p ON e.answer_id = p.id
			WHERE NOT $4 OR e.created_at >= p.created_at OR e.created_at > (
				SELECT CASE WHEN r.state = 'approved' THEN NULL ELSE r.created_at END
				FROM reviews r JOIN answers a ON a.id = r.answer_id
				WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = $3
				ORDER BY r.created_at DESC, r.id DESC LIMIT 1)
			ORDER BY e.id`, w.RegionCode, w.Year, w.QuestionCode, w.KeepRecent, w.CarryFrom)
	}
	queueEvidence(b, newAnswerID, w.PersonID, w.Msg, w.Evidence, now)
	if err := queueCheckpoint(b, w.PersonID, w.Checkpoint, now); err != nil {
		return info, err
	}
	b.Queue(`SELECT count(*) FROM evidence WHERE answer_id = ` + newAnswerID).QueryRow(func(row pgx.Row) error {
		return row.Scan(&info.Evidence)
	})
	if err := s.runWrite(ctx, b); err != nil {
		return answering.AnswerInfo{}, fmt.Errorf("save answer %s/%d/%s: %w", w.RegionCode, w.Year, w.QuestionCode, err)
	}
	if deferBump {
		lazy.DeferMust(bumpProgressSQL, w.RegionCode, w.Year, w.QuestionCode, w.PersonID)
	}
	return info, nil
}

// SaveSkip records that a person skipped a question (once), with the message and the
// checkpoint, in one transaction and one round trip.
func (s *Store) SaveSkip(ctx context.Context, w answering.SkipWrite) error {
	now := s.now()
	b := &pgx.Batch{}
	queueInbound(ctx, b, w.Msg)
	b.Queue(`INSERT INTO skips (region_code, year, question_code, person_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		w.RegionCode, w.Year, w.QuestionCode, w.PersonID, now)
	if err := queueCheckpoint(b, w.PersonID, w.Checkpoint, now); err != nil {
		return err
	}
	if err := s.runWrite(ctx, b); err != nil {
		return fmt.Errorf("save skip %s: %w", w.QuestionCode, err)
	}
	return nil
}

// SetNarrative writes the short narrative onto the answer version the person is still
// completing (the version's own text, not a new version).
func (s *Store) SetNarrative(ctx context.Context, w answering.NarrativeWrite) error {
	// An explicit transaction, not a write batch: when the answer is missing, nothing of
	// the step may be kept — a batch would still commit the message record and the
	// checkpoint, and a resend of the same message would then be dropped as a duplicate.
	// (A narrative is written once per question, so the extra round trips are cheap.)
	// Inside a caller's transaction (InTx) this is a savepoint: the failure keeps nothing
	// of this write and leaves the caller's transaction usable; the engine then rolls the
	// whole step back, so nothing of the step is kept either.
	now := s.now()
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE answers SET narrative = $2 WHERE id = $1`, w.AnswerID, w.Text)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("answer %d: %w", w.AnswerID, conversations.ErrNotFound)
		}
		b := &pgx.Batch{}
		queueInbound(ctx, b, w.Msg)
		if w.Checkpoint != nil {
			if err := queueCheckpoint(b, w.Checkpoint.PersonID, w.Checkpoint, now); err != nil {
				return err
			}
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("set narrative of answer %d: %w", w.AnswerID, mapWriteErr(err))
	}
	return nil
}

// Progress returns the current answers of codes (with who answered and how many files
// the version has) and which of them personID skipped, in one round trip.
func (s *Store) Progress(ctx context.Context, region string, year int, personID int64, codes []string) (answering.Progress, error) {
	b := &pgx.Batch{}
	queueProgress(b, region, year, personID, codes)
	br := s.db(ctx).SendBatch(ctx, b)
	defer br.Close()
	return readProgress(br)
}

// queueProgress adds Progress's two statements to b.
func queueProgress(b *pgx.Batch, region string, year int, personID int64, codes []string) {
	// The current version of each code by itself (the newest in the version key), not
	// every version of the codes sorted: an engine step reads the same whatever the
	// number of edits, with a custom or a generic plan.
	b.Queue(`SELECT c.code, a.id, a.version, a.value_text, coalesce(a.value_number, 0),
			a.narrative, a.person_id, p.name, a.created_at,
			(SELECT count(*) FROM evidence e WHERE e.answer_id = a.id)
		FROM (SELECT DISTINCT unnest($3::text[])) AS c(code)
		JOIN LATERAL (SELECT * FROM answers a WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = c.code
			ORDER BY a.version DESC LIMIT 1) a ON true
		JOIN people p ON p.id = a.person_id`, region, year, codes)
	b.Queue(`SELECT question_code FROM skips
		WHERE region_code = $1 AND year = $2 AND person_id = $3 AND question_code = ANY($4)`, region, year, personID, codes)
}

// readProgress reads the results of queueProgress's statements, next in br.
func readProgress(br pgx.BatchResults) (answering.Progress, error) {
	p := answering.Progress{Answers: map[string]answering.AnswerInfo{}, Skipped: map[string]bool{}}
	rows, err := br.Query()
	if err != nil {
		return p, fmt.Errorf("current answers: %w", err)
	}
	for rows.Next() {
		var code string
		var a answering.AnswerInfo
		if err := rows.Scan(&code, &a.ID, &a.Version, &a.Value.Text, &a.Value.Number, &a.Narrative,
			&a.PersonID, &a.PersonName, &a.At, &a.Evidence); err != nil {
			rows.Close()
			return p, fmt.Errorf("current answers: %w", err)
		}
		p.Answers[code] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("current answers: %w", err)
	}
	rows, err = br.Query()
	if err != nil {
		return p, fmt.Errorf("skips: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return p, fmt.Errorf("skips: %w", err)
		}
		p.Skipped[code] = true
	}
	return p, rows.Err()
}

// mapErr keeps the conversations vocabulary and names constraint failures by kind.
func mapErr(err error) error {
	switch {
	case errors.Is(err, conversations.ErrDuplicate), errors.Is(err, conversations.ErrNotFound):
		return err
	}
	var pe interface{ SQLState() string }
	if errors.As(err, &pe) {
		switch pe.SQLState() {
		case "23503", "23514":
			return fmt.Errorf("%w: %v", conversations.ErrInvalid, err)
		case "23505":
			return fmt.Errorf("%w: %v", conversations.ErrConflict, err)
		}
	}
	return err
}
