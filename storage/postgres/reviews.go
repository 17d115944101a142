package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

var _ review.Store = (*Store)(nil)

// reviewItemSelect reads one answer version with its question, indicator, cluster, the
// answering person and OPD, and its review state. The latest review is that of the
// version itself; when it has none, the previous version's latest review says whether
// the version is an edit of a reviewed answer.
const reviewItemSelect = `
SELECT a.id, a.version, a.region_code, a.year, a.question_code, q.text, q.position,
       q.answer_type, q.evidence_required, i.code, i.name, c.code, c.name,
       a.value_text, coalesce(a.value_number, 0), a.narrative, a.person_id, p.name,
       coalesce(o.id, 0), coalesce(o.code, ''), coalesce(o.name, ''), a.created_at, a.channel,
       coalesce(own.state, ''), coalesce(own.note, ''), coalesce(prior.state, ''), coalesce(prior.note, '')
FROM %s a
JOIN questions q ON q.year = a.year AND q.code = a.question_code
JOIN indicators i ON i.year = q.year AND i.code = q.indicator_code
JOIN clusters c ON c.year = i.year AND c.code = i.cluster_code
JOIN people p ON p.id = a.person_id
LEFT JOIN opds o ON o.id = p.opd_id
LEFT JOIN LATERAL (
    SELECT r.state, r.note FROM reviews r WHERE r.answer_id = a.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) own ON true
LEFT JOIN LATERAL (
    SELECT r.state, r.note FROM reviews r JOIN answers pa ON pa.id = r.answer_id
    WHERE pa.region_code = a.region_code AND pa.year = a.year
      AND pa.question_code = a.question_code AND pa.version < a.version
    ORDER BY pa.version DESC, r.created_at DESC, r.id DESC LIMIT 1) prior ON true
`

// reviewQueueWhere selects waiting current answers of a region ($1) and year ($2),
// filtered by OPD ($3), cluster ($4), evidence ($5) and question ($6).
const reviewQueueWhere = `
WHERE a.region_code = $1 AND a.year = $2 AND NOT q.retired
  AND own.state IS NULL
  AND ($3 = '' OR upper(o.code) = upper($3) OR upper($3) = ANY (q.opd_codes))
  AND ($4 = '' OR upper(c.code) = upper($4))
  AND (NOT $5 OR EXISTS (SELECT 1 FROM evidence e WHERE e.answer_id = a.id))
  AND ($6 = '' OR upper(a.question_code) = upper($6))
`

func scanReviewItem(row pgx.Row) (review.Item, error) {
	var it review.Item
	var answerType, own, ownNote, prior, priorNote string
	err := row.Scan(&it.AnswerID, &it.Version, &it.RegionCode, &it.Year, &it.QuestionCode,
		&it.QuestionText, &it.QuestionPosition, &answerType, &it.EvidenceRequired,
		&it.IndicatorCode, &it.IndicatorName, &it.ClusterCode, &it.ClusterName,
		&it.Value.Text, &it.Value.Number, &it.Narrative, &it.PersonID, &it.PersonName,
		&it.OPDID, &it.OPDCode, &it.OPDName, &it.AnsweredAt, &it.Channel,
		&own, &ownNote, &prior, &priorNote)
	if err != nil {
		return it, err
	}
	it.AnswerType = scoring.AnswerType(answerType)
	switch {
	case own != "":
		it.State, it.LastNote = conversations.ReviewState(own), ownNote
	case prior != "":
		it.State, it.LastNote, it.PriorState = conversations.ReviewEdited, priorNote, conversations.ReviewState(prior)
	default:
		it.State = conversations.ReviewWaiting
	}
	return it, nil
}

// ReviewQueue returns up to limit current answer versions of the region waiting for
// review (never reviewed, or edited after a review): the edited ones (diubah: an OPD
// answered a coordinator's request) first, then the longest waiting.
func (s *Store) ReviewQueue(ctx context.Context, region string, year int, f review.Filter, limit int) ([]review.Item, error) {
	if limit <= 0 {
		limit = 1
	}
	q := fmt.Sprintf(reviewItemSelect, "current_answers") + reviewQueueWhere +
		`ORDER BY (prior.state IS NOT NULL) DESC, a.created_at, q.position, a.id LIMIT $7`
	rows, err := s.db(ctx).Query(ctx, q, region, year, strings.TrimSpace(f.OPDCode),
		review.ClusterCode(f.ClusterCode), f.WithEvidence, strings.TrimSpace(f.QuestionCode), limit)
	if err != nil {
		return nil, fmt.Errorf("review queue %s: %w", region, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (review.Item, error) {
		return scanReviewItem(r)
	})
	if err != nil {
		return nil, fmt.Errorf("review queue %s: %w", region, err)
	}
	if err := s.attachReviewFiles(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// CountReviewQueue counts the current answers of the region matching f that wait for review.
func (s *Store) CountReviewQueue(ctx context.Context, region string, year int, f review.Filter) (int, error) {
	q := `SELECT count(*) FROM (` + fmt.Sprintf(reviewItemSelect, "current_answers") + reviewQueueWhere + `) x`
	var n int
	err := s.db(ctx).QueryRow(ctx, q, region, year, strings.TrimSpace(f.OPDCode),
		review.ClusterCode(f.ClusterCode), f.WithEvidence, strings.TrimSpace(f.QuestionCode)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count review queue %s: %w", region, err)
	}
	return n, nil
}

// ReviewItem returns one answer version of the region with its evidence; an answer of
// another region is ErrNotFound.
func (s *Store) ReviewItem(ctx context.Context, region string, answerID int64) (review.Item, error) {
	q := fmt.Sprintf(reviewItemSelect, "answers") + `WHERE a.id = $1 AND a.region_code = $2`
	it, err := scanReviewItem(s.db(ctx).QueryRow(ctx, q, answerID, region))
	if errors.Is(err, pgx.ErrNoRows) {
		return it, fmt.Errorf("answer %d: %w", answerID, conversations.ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("answer %d: %w", answerID, err)
	}
	items := []review.Item{it}
	if err := s.attachReviewFiles(ctx, items); err != nil {
		return it, err
	}
	if err := s.attachReviewRecords(ctx, items); err != nil {
		return it, err
	}
	return items[0], nil
}

// attachReviewFiles loads the evidence of every item in one query.
func (s *Store) attachReviewFiles(ctx context.Context, items []review.Item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	at := make(map[int64]int, len(items))
	for i, it := range items {
		ids[i] = it.AnswerID
		at[it.AnswerID] = i
	}
	rows, err := s.db(ctx).Query(ctx, `SELECT answer_id, id, blob_key, mime_type, size_bytes, original_name, created_at
		FROM evidence WHERE answer_id = ANY ($1) ORDER BY answer_id, created_at, id`, ids)
	if err != nil {
		return fmt.Errorf("review evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var answerID int64
		var f review.File
		if err := rows.Scan(&answerID, &f.ID, &f.BlobKey, &f.MIME, &f.Size, &f.Name, &f.At); err != nil {
			return fmt.Errorf("review evidence: %w", err)
		}
		i := at[answerID]
		items[i].Evidence = append(items[i].Evidence, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("review evidence: %w", err)
	}
	return nil
}

// RecordReview records a decision on the current version of an answer, by a coordinator
// or admin of the answer's region. The note is required for needs_revision and rejected.
// The answer row is locked so two coordinators deciding at once are recorded one after
// the other; the newest decision is the one that counts.
func (s *Store) RecordReview(ctx context.Context, answerID int64, state conversations.ReviewState, note string, reviewerID int64) (review.Record, error) {
	rec := review.Record{AnswerID: answerID, State: state, ReviewerID: reviewerID}
	note = strings.TrimSpace(note)
	switch {
	case !state.Recordable():
		return rec, fmt.Errorf("review state %q: %w", state, conversations.ErrInvalid)
	case state.NeedsNote() && note == "":
		return rec, fmt.Errorf("review %s needs a note: %w", state, conversations.ErrInvalid)
	case utf8.RuneCountInString(note) > review.MaxNote:
		return rec, fmt.Errorf("review note longer than %d characters: %w", review.MaxNote, conversations.ErrInvalid)
	}
	rec.Note = note
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		var region, question string
		var year, version int
		err := tx.QueryRow(ctx, `SELECT region_code, year, question_code, version FROM answers
			WHERE id = $1 FOR UPDATE`, answerID).Scan(&region, &year, &question, &version)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("answer %d: %w", answerID, conversations.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var role, reviewerRegion string
		err = tx.QueryRow(ctx, `SELECT role, region_code, name FROM people WHERE id = $1`, reviewerID).
			Scan(&role, &reviewerRegion, &rec.ReviewerName)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("reviewer %d: %w", reviewerID, conversations.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if reviewerRegion != region {
			// Another region's coordinator must not learn that the answer exists.
			return fmt.Errorf("answer %d: %w", answerID, conversations.ErrNotFound)
		}
		if r := conversations.Role(role); r != conversations.RoleCoordinator && r != conversations.RoleAdmin {
			return fmt.Errorf("review by %s: %w", role, conversations.ErrForbidden)
		}
		var newer bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM answers WHERE region_code = $1
			AND year = $2 AND question_code = $3 AND version > $4)`, region, year, question, version).Scan(&newer); err != nil {
			return err
		}
		if newer {
			return fmt.Errorf("answer %d is version %d, a newer version exists: %w", answerID, version, conversations.ErrConflict)
		}
		rec.At = s.now()
		if _, err := tx.Exec(ctx, bumpProgressSQL, region, year, question, 0); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO reviews (answer_id, state, note, reviewer_id, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, answerID, string(state), note, reviewerID, rec.At).Scan(&rec.ID)
	})
	if err != nil {
		return rec, fmt.Errorf("record review: %w", err)
	}
	return rec, nil
}

// ReviewHistory returns every version of one question's answer in the region, oldest
// first, each with its evidence and reviews. ref is the question code (any case) or its
// number in the instrument.
func (s *Store) ReviewHistory(ctx context.Context, region string, year int, ref string) ([]review.Item, error) {
	ref = strings.TrimSpace(ref)
	var code string
	err := s.db(ctx).QueryRow(ctx, `SELECT code FROM questions WHERE year = $1 AND upper(code) = upper($2)`, year, ref).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		if n, convErr := strconv.Atoi(ref); convErr == nil {
			// The number people see: 1 for the first current question in instrument order.
			err = s.db(ctx).QueryRow(ctx, `SELECT code FROM (SELECT code, row_number() OVER (ORDER BY position, code) AS n
				FROM questions WHERE year = $1 AND NOT retired) x WHERE n = $2`, year, n).Scan(&code)
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("question %q: %w", ref, conversations.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("question %q: %w", ref, err)
	}
	q := fmt.Sprintf(reviewItemSelect, "answers") +
		`WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = $3 ORDER BY a.version`
	rows, err := s.db(ctx).Query(ctx, q, region, year, code)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", code, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (review.Item, error) {
		return scanReviewItem(r)
	})
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", code, err)
	}
	if len(items) == 0 {
		return nil, nil
	}
	if err := s.attachReviewFiles(ctx, items); err != nil {
		return nil, err
	}
	if err := s.attachReviewRecords(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// attachReviewRecords loads the reviews of every item in one query, oldest first.
func (s *Store) attachReviewRecords(ctx context.Context, items []review.Item) error {
	at := map[int64]int{}
	ids := make([]int64, len(items))
	for i, it := range items {
		at[it.AnswerID] = i
		ids[i] = it.AnswerID
	}
	rows, err := s.db(ctx).Query(ctx, `SELECT r.id, r.answer_id, r.state, r.note, r.reviewer_id, p.name, r.created_at
		FROM reviews r JOIN people p ON p.id = r.reviewer_id
		WHERE r.answer_id = ANY ($1) ORDER BY r.created_at, r.id`, ids)
	if err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r review.Record
		var state string
		if err := rows.Scan(&r.ID, &r.AnswerID, &state, &r.Note, &r.ReviewerID, &r.ReviewerName, &r.At); err != nil {
			return fmt.Errorf("reviews: %w", err)
		}
		r.State = conversations.ReviewState(state)
		i := at[r.AnswerID]
		items[i].Reviews = append(items[i].Reviews, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	return nil
}

// ReviewRecipients returns the focal points of the answering person's OPD (the answering
// person alone when they have no OPD), so a decision reaches whoever is working on it now.
func (s *Store) ReviewRecipients(ctx context.Context, answerID int64) ([]conversations.Person, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT p.id, p.name, p.role, p.region_code, coalesce(p.opd_id, 0), coalesce(o.code, ''),
		       coalesce(o.name, ''), p.language
		FROM answers a
		JOIN people w ON w.id = a.person_id
		JOIN people p ON (w.opd_id IS NOT NULL AND p.opd_id = w.opd_id AND p.role = 'focal_point')
		              OR (w.opd_id IS NULL AND p.id = w.id)
		LEFT JOIN opds o ON o.id = p.opd_id
		WHERE a.id = $1 AND p.deactivated_at IS NULL
		ORDER BY p.id`, answerID)
	if err != nil {
		return nil, fmt.Errorf("review recipients %d: %w", answerID, err)
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversations.Person, error) {
		var p conversations.Person
		var role string
		err := r.Scan(&p.ID, &p.Name, &role, &p.RegionCode, &p.OPDID, &p.OPDCode, &p.OPDName, &p.Language)
		p.Role = conversations.Role(role)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("review recipients %d: %w", answerID, err)
	}
	return people, nil
}

// ReviewCounts counts the region's current answers by review state, for the digest.
// Edited answers count as waiting.
func (s *Store) ReviewCounts(ctx context.Context, region string, year int) (review.Counts, error) {
	var c review.Counts
	err := s.db(ctx).QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE st.state IS NULL),
		       count(*) FILTER (WHERE st.state = 'approved'),
		       count(*) FILTER (WHERE st.state = 'needs_revision'),
		       count(*) FILTER (WHERE st.state = 'rejected')
		FROM current_answers a
		JOIN questions q ON q.year = a.year AND q.code = a.question_code AND NOT q.retired
		LEFT JOIN LATERAL (SELECT r.state FROM reviews r WHERE r.answer_id = a.id
		    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) st ON true
		WHERE a.region_code = $1 AND a.year = $2`, region, year).
		Scan(&c.Waiting, &c.Approved, &c.NeedsRevision, &c.Rejected)
	if err != nil {
		return c, fmt.Errorf("review counts %s: %w", region, err)
	}
	return c, nil
}

// ReviewStates returns the review state of each answered question's current version in
// the region (waiting, edited, approved, needs_revision, rejected), by question code.
// The verified score counts the questions whose state is approved.
func (s *Store) ReviewStates(ctx context.Context, region string, year int) (map[string]conversations.ReviewState, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT a.question_code, coalesce(own.state, ''), EXISTS (
		    SELECT 1 FROM reviews r JOIN answers pa ON pa.id = r.answer_id
		    WHERE pa.region_code = a.region_code AND pa.year = a.year
		      AND pa.question_code = a.question_code AND pa.version < a.version)
		FROM current_answers a
		LEFT JOIN LATERAL (SELECT r.state FROM reviews r WHERE r.answer_id = a.id
		    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) own ON true
		WHERE a.region_code = $1 AND a.year = $2`, region, year)
	if err != nil {
		return nil, fmt.Errorf("review states %s: %w", region, err)
	}
	defer rows.Close()
	states := map[string]conversations.ReviewState{}
	for rows.Next() {
		var code, own string
		var edited bool
		if err := rows.Scan(&code, &own, &edited); err != nil {
			return nil, fmt.Errorf("review states %s: %w", region, err)
		}
		switch {
		case own != "":
			states[code] = conversations.ReviewState(own)
		case edited:
			states[code] = conversations.ReviewEdited
		default:
			states[code] = conversations.ReviewWaiting
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review states %s: %w", region, err)
	}
	return states, nil
}

// ReopenedQuestions returns the questions of an OPD whose current answer was sent back
// (needs_revision or rejected), the most recent decision first, with the decision's note:
// the engine asks these before any other open question and shows the note. A question
// belongs to the OPD when the answer was given by one of its people or the question is
// assigned to a code the OPD answers for.
func (s *Store) ReopenedQuestions(ctx context.Context, region string, year int, opdID int64) ([]conversations.Reopened, error) {
	rows, err := s.db(ctx).Query(ctx, reopenedSQL, region, year, opdID)
	if err != nil {
		return nil, fmt.Errorf("reopened questions %s: %w", region, err)
	}
	return collectReopened(rows, region)
}

// reopenedSQL runs on every engine step, so it reads no more than it must, with a custom
// or a generic plan alike: the region's current versions from the version key alone
// (index-only), the OPD's among them, then the latest review of just those. The CTEs are
// materialised so the planner cannot turn the order around.
const reopenedSQL = `
	WITH cur AS MATERIALIZED (
		SELECT DISTINCT ON (a.question_code) a.question_code, a.id, a.person_id
		FROM answers a WHERE a.region_code = $1 AND a.year = $2
		ORDER BY a.question_code, a.version DESC),
	mine AS MATERIALIZED (
		SELECT cur.id, cur.question_code, q.position
		FROM cur JOIN questions q ON q.year = $2 AND q.code = cur.question_code AND NOT q.retired
		WHERE q.opd_codes && (SELECT answers_for || code FROM opds WHERE id = $3)
		   OR cur.person_id IN (SELECT id FROM people WHERE opd_id = $3))
	SELECT m.question_code, st.state, st.note, p.name
	FROM mine m
	JOIN LATERAL (SELECT r.state, r.note, r.reviewer_id, r.created_at FROM reviews r
		WHERE r.answer_id = m.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) st ON true
	JOIN people p ON p.id = st.reviewer_id
	WHERE st.state IN ('needs_revision', 'rejected')
	ORDER BY st.created_at DESC, m.position`

func collectReopened(rows pgx.Rows, region string) ([]conversations.Reopened, error) {
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversations.Reopened, error) {
		var ro conversations.Reopened
		var state string
		err := r.Scan(&ro.Code, &state, &ro.Note, &ro.Reviewer)
		ro.State = conversations.ReviewState(state)
		return ro, err
	})
	if err != nil {
		return nil, fmt.Errorf("reopened questions %s: %w", region, err)
	}
	return list, nil
}

// RegionAnswers returns the current answer of every answered question of the region, in
// instrument order, with its evidence and review state: the rows of the evidence pack.
func (s *Store) RegionAnswers(ctx context.Context, region string, year int) ([]review.Item, error) {
	q := fmt.Sprintf(reviewItemSelect, "current_answers") +
		`WHERE a.region_code = $1 AND a.year = $2 AND NOT q.retired ORDER BY q.position, a.question_code`
	rows, err := s.db(ctx).Query(ctx, q, region, year)
	if err != nil {
		return nil, fmt.Errorf("answers of %s: %w", region, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (review.Item, error) {
		return scanReviewItem(r)
	})
	if err != nil {
		return nil, fmt.Errorf("answers of %s: %w", region, err)
	}
	if err := s.attachReviewFiles(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// CoordinatorIDs returns the ids of the region's coordinators, in id order.
func (s *Store) CoordinatorIDs(ctx context.Context, region string) ([]int64, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT id FROM people WHERE region_code = $1 AND role = 'coordinator' ORDER BY id`, region)
	if err != nil {
		return nil, fmt.Errorf("coordinators of %s: %w", region, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("coordinators of %s: %w", region, err)
	}
	return ids, nil
}
