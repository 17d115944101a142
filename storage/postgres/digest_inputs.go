package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
)

// DigestScoreInputs loads what scoring the regions needs (each with its Year set) in a
// handful of queries however many regions there are: the same inputs ScoreInput loads one
// region at a time (current answers with their file count and latest review, questions
// skipped and never answered, the OPDs, the cached instrument), so the daily digests of
// 514 regions cost seconds, not minutes, and show the numbers of `klabot score`. A region
// whose year has no instrument is left out of the map (so one region never blocks the
// others); only a failing query is an error.
func (s *Store) DigestScoreInputs(ctx context.Context, regions []digest.DigestRegion) (map[string]conversations.ScoreInput, error) {
	out := make(map[string]conversations.ScoreInput, len(regions))
	var ok []digest.DigestRegion
	for _, r := range regions {
		in := conversations.ScoreInput{Region: r.Region, Year: r.Year}
		var err error
		in.Instrument, in.InstrumentVersion, err = s.sharedInstrument(ctx, r.Year)
		if errors.Is(err, conversations.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("score inputs %s: %w", r.Code, err)
		}
		out[r.Code] = in
		ok = append(ok, r)
	}
	if len(ok) == 0 {
		return out, nil
	}
	codes, years := regionYears(ok)

	rows, err := s.db(ctx).Query(ctx, `SELECT region_code, code, name, answers_for FROM opds WHERE region_code = ANY($1) ORDER BY region_code, code`, codes)
	if err != nil {
		return nil, fmt.Errorf("score inputs: OPDs: %w", err)
	}
	var region string
	var o scoring.OPD
	if _, err := pgx.ForEachRow(rows, []any{&region, &o.Code, &o.Name, &o.AnswersFor}, func() error {
		in := out[region]
		in.OPDs = append(in.OPDs, scoring.OPD{Code: o.Code, Name: o.Name, AnswersFor: append([]string(nil), o.AnswersFor...)})
		out[region] = in
		return nil
	}); err != nil {
		return nil, fmt.Errorf("score inputs: OPDs: %w", err)
	}

	// Evidence counts and latest reviews are joined as whole aggregates (hash joins)
	// instead of one index probe per answer.
	rows, err = s.db(ctx).Query(ctx, `
		WITH rg AS (SELECT * FROM unnest($1::text[], $2::int[]) AS t(code, year)),
		cur AS (
		    SELECT DISTINCT ON (a.region_code, a.year, a.question_code) a.*
		    FROM answers a JOIN rg ON a.region_code = rg.code AND a.year = rg.year
		    ORDER BY a.region_code, a.year, a.question_code, a.version DESC),
		ev AS (SELECT e.answer_id, count(*) AS n FROM evidence e JOIN cur ON cur.id = e.answer_id GROUP BY 1),
		rv AS (SELECT DISTINCT ON (r.answer_id) r.answer_id, r.state FROM reviews r JOIN cur ON cur.id = r.answer_id
		       ORDER BY r.answer_id, r.created_at DESC, r.id DESC)
		SELECT cur.region_code, cur.question_code, cur.value_text, coalesce(cur.value_number, 0),
		       coalesce(ev.n, 0)::int, coalesce(rv.state, ''), p.name, cur.created_at
		FROM cur JOIN people p ON p.id = cur.person_id
		LEFT JOIN ev ON ev.answer_id = cur.id
		LEFT JOIN rv ON rv.answer_id = cur.id`, codes, years)
	if err != nil {
		return nil, fmt.Errorf("score inputs: answers: %w", err)
	}
	var a scoring.AnswerState
	var review string
	if _, err := pgx.ForEachRow(rows, []any{&region, &a.QuestionCode, &a.Value.Text, &a.Value.Number, &a.Files, &review, &a.By, &a.At}, func() error {
		st := a
		st.Answered = true
		st.Review = scoring.ReviewState(review)
		in := out[region]
		in.Answers = append(in.Answers, st)
		out[region] = in
		return nil
	}); err != nil {
		return nil, fmt.Errorf("score inputs: answers: %w", err)
	}

	rows, err = s.db(ctx).Query(ctx, `
		SELECT sk.region_code, sk.question_code, max(sk.created_at)
		FROM unnest($1::text[], $2::int[]) AS rg(code, year)
		JOIN skips sk ON sk.region_code = rg.code AND sk.year = rg.year
		WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.region_code = sk.region_code AND a.year = sk.year
		                  AND a.question_code = sk.question_code)
		GROUP BY 1, 2`, codes, years)
	if err != nil {
		return nil, fmt.Errorf("score inputs: skips: %w", err)
	}
	var sk scoring.AnswerState
	if _, err := pgx.ForEachRow(rows, []any{&region, &sk.QuestionCode, &sk.At}, func() error {
		in := out[region]
		in.Answers = append(in.Answers, scoring.AnswerState{QuestionCode: sk.QuestionCode, Skipped: true, At: sk.At})
		out[region] = in
		return nil
	}); err != nil {
		return nil, fmt.Errorf("score inputs: skips: %w", err)
	}
	return out, nil
}
