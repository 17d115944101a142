package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

var _ conversations.ScoreStore = (*Store)(nil)

// ScoreInput loads what scoring the region needs for year (0: the region's year in
// progress, or the current year in the region's zone when it has none) in four small
// queries: the region, the instrument (cached per version), the region's OPDs, and one
// query for every current answer with its file count and latest review, plus the
// questions skipped and not answered since. The instrument is shared with the cache:
// callers must not modify it.
func (s *Store) ScoreInput(ctx context.Context, region string, year int) (conversations.ScoreInput, error) {
	var in conversations.ScoreInput
	reg, err := s.Region(ctx, region)
	if err != nil {
		return in, err
	}
	in.Region = reg
	switch {
	case year != 0:
		in.Year = year
	case reg.Year != 0:
		in.Year = reg.Year
	default:
		in.Year = s.now().In(reg.Location()).Year()
	}
	if in.Instrument, in.InstrumentVersion, err = s.sharedInstrument(ctx, in.Year); err != nil {
		return in, err
	}
	opds, err := s.OPDs(ctx, reg.Code)
	if err != nil {
		return in, err
	}
	in.OPDs = make([]scoring.OPD, len(opds))
	for i, o := range opds {
		in.OPDs[i] = scoring.OPD{Code: o.Code, Name: o.Name, AnswersFor: o.AnswersFor}
	}
	if in.Answers, err = s.answerStates(ctx, reg.Code, in.Year); err != nil {
		return in, err
	}
	return in, nil
}

// sharedInstrument returns the cached instrument of year (loading it when needed) and its
// version, without the defensive copy Instrument makes.
func (s *Store) sharedInstrument(ctx context.Context, year int) (*scoring.Instrument, int, error) {
	var name string
	var version int
	err := s.db(ctx).QueryRow(ctx, `SELECT name, version FROM instruments WHERE year = $1`, year).Scan(&name, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, fmt.Errorf("instrument %d: %w", year, conversations.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("instrument %d: %w", year, err)
	}
	if in := s.inst.get(year, version); in != nil {
		return in, version, nil
	}
	in, err := s.loadInstrument(ctx, year, name)
	if err != nil {
		return nil, 0, fmt.Errorf("instrument %d: %w", year, err)
	}
	s.inst.put(year, version, in)
	return in, version, nil
}

// answerStates returns the current answer of every answered question of the region (value,
// number of files of that version, latest review of that version, who and when) and a
// skipped state for questions skipped and never answered, in question code order.
func (s *Store) answerStates(ctx context.Context, region string, year int) ([]scoring.AnswerState, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT a.question_code, true, a.value_text, coalesce(a.value_number, 0),
		       (SELECT count(*) FROM evidence e WHERE e.answer_id = a.id)::int,
		       coalesce((SELECT r.state FROM reviews r WHERE r.answer_id = a.id
		                 ORDER BY r.created_at DESC, r.id DESC LIMIT 1), ''),
		       p.name, a.created_at
		FROM current_answers a JOIN people p ON p.id = a.person_id
		WHERE a.region_code = $1 AND a.year = $2
		UNION ALL
		SELECT sk.question_code, false, '', 0, 0, '', '', max(sk.created_at)
		FROM skips sk
		WHERE sk.region_code = $1 AND sk.year = $2 AND NOT EXISTS (
		    SELECT 1 FROM answers a WHERE a.region_code = sk.region_code AND a.year = sk.year
		      AND a.question_code = sk.question_code)
		GROUP BY sk.question_code
		ORDER BY 1`, region, year)
	if err != nil {
		return nil, fmt.Errorf("answers of %s %d: %w", region, year, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (scoring.AnswerState, error) {
		var a scoring.AnswerState
		var review string
		err := r.Scan(&a.QuestionCode, &a.Answered, &a.Value.Text, &a.Value.Number, &a.Files, &review, &a.By, &a.At)
		a.Skipped = !a.Answered
		a.Review = scoring.ReviewState(review)
		return a, err
	})
}

// ScoreSnapshot is a region's three scores on one local day, for "change since
// yesterday" and trends.
type ScoreSnapshot struct {
	Region    string    `json:"region"`
	Year      int       `json:"year"`
	Day       time.Time `json:"day"` // the local calendar day, as midnight UTC
	Claimed   float64   `json:"claimed"`
	Evidenced float64   `json:"evidenced"`
	Verified  float64   `json:"verified"`
	CreatedAt time.Time `json:"created_at"` // when it was last written
}

// SaveScoreSnapshot records the scores of rs as the region's snapshot of today in the
// region's own time zone. Saving again the same day replaces that day's snapshot, so
// the latest numbers of a day win and reruns change nothing else.
func (s *Store) SaveScoreSnapshot(ctx context.Context, rs conversations.RegionScore) (ScoreSnapshot, error) {
	now := s.now()
	local := now.In(rs.Region.Location())
	snap := ScoreSnapshot{
		Region:    rs.Region.Code,
		Year:      rs.Year,
		Day:       time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC),
		Claimed:   rs.Report.Claimed.Points,
		Evidenced: rs.Report.Evidenced.Points,
		Verified:  rs.Report.Verified.Points,
		CreatedAt: now,
	}
	err := s.guarded(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO score_snapshots (region_code, year, day, claimed, evidenced, verified, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (region_code, year, day) DO UPDATE SET claimed = excluded.claimed,
		    evidenced = excluded.evidenced, verified = excluded.verified, created_at = excluded.created_at`,
			snap.Region, snap.Year, snap.Day, snap.Claimed, snap.Evidenced, snap.Verified, snap.CreatedAt)
		return err
	})
	if pgCode(err) == codeForeignKey {
		return snap, fmt.Errorf("score snapshot: region %s: %w", snap.Region, conversations.ErrNotFound)
	}
	if err != nil {
		return snap, fmt.Errorf("score snapshot %s %s: %w", snap.Region, snap.Day.Format(time.DateOnly), err)
	}
	return snap, nil
}

// ScoreSnapshots returns the region's snapshots of year from day from to day to
// (inclusive, calendar days), oldest first.
func (s *Store) ScoreSnapshots(ctx context.Context, region string, year int, from, to time.Time) ([]ScoreSnapshot, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT region_code, year, day, claimed::float8, evidenced::float8, verified::float8, created_at
		FROM score_snapshots WHERE region_code = $1 AND year = $2 AND day BETWEEN $3 AND $4 ORDER BY day`,
		region, year, dateOnly(from), dateOnly(to))
	if err != nil {
		return nil, fmt.Errorf("score snapshots %s: %w", region, err)
	}
	return pgx.CollectRows(rows, scanSnapshot)
}

// ScoreSnapshotBefore returns the region's latest snapshot of year from a day before day
// ("yesterday", or the last day scores were saved), or wraps conversations.ErrNotFound.
func (s *Store) ScoreSnapshotBefore(ctx context.Context, region string, year int, day time.Time) (ScoreSnapshot, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT region_code, year, day, claimed::float8, evidenced::float8, verified::float8, created_at
		FROM score_snapshots WHERE region_code = $1 AND year = $2 AND day < $3 ORDER BY day DESC LIMIT 1`,
		region, year, dateOnly(day))
	if err != nil {
		return ScoreSnapshot{}, fmt.Errorf("score snapshot before %s: %w", day.Format(time.DateOnly), err)
	}
	snap, err := pgx.CollectExactlyOneRow(rows, scanSnapshot)
	if errors.Is(err, pgx.ErrNoRows) {
		return snap, fmt.Errorf("score snapshot of %s before %s: %w", region, day.Format(time.DateOnly), conversations.ErrNotFound)
	}
	return snap, err
}

func scanSnapshot(r pgx.CollectableRow) (ScoreSnapshot, error) {
	var s ScoreSnapshot
	err := r.Scan(&s.Region, &s.Year, &s.Day, &s.Claimed, &s.Evidenced, &s.Verified, &s.CreatedAt)
	return s, err
}

// dateOnly is the calendar day of t (in t's own location) as a date parameter.
func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }
