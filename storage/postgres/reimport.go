package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentdiff"
)

// diffYear compares the stored year (when it exists) with inst, with the current
// answers of every region.
func diffYear(ctx context.Context, tx pgx.Tx, inst *scoring.Instrument, name string, exists bool) (instrumentdiff.Diff, error) {
	if !exists {
		return instrumentdiff.Compare(nil, nil, inst, nil), nil
	}
	old, err := loadInstrumentTx(ctx, tx, inst.Year, name)
	if err != nil {
		return instrumentdiff.Diff{}, fmt.Errorf("load stored year: %w", err)
	}
	all, err := loadQuestions(ctx, tx, inst.Year, true)
	if err != nil {
		return instrumentdiff.Diff{}, err
	}
	retired := map[string]instrumentdiff.Located{}
	for code, q := range all {
		if q.retired {
			retired[code] = instrumentdiff.Located{Question: q.q, Indicator: q.indicator}
		}
	}
	usage, err := answerUsage(ctx, tx, inst.Year)
	if err != nil {
		return instrumentdiff.Diff{}, err
	}
	return instrumentdiff.Compare(old, retired, inst, usage), nil
}

// answerUsage groups the year's current answers (all regions) by question, value and
// whether the version has files.
func answerUsage(ctx context.Context, q querier, year int) (instrumentdiff.Usage, error) {
	rows, err := q.Query(ctx, `
		SELECT a.question_code, a.value_text, coalesce(a.value_number, 0),
		       EXISTS (SELECT 1 FROM evidence e WHERE e.answer_id = a.id), count(*)::int
		FROM current_answers a WHERE a.year = $1
		GROUP BY 1, 2, 3, 4`, year)
	if err != nil {
		return nil, fmt.Errorf("answers of %d: %w", year, err)
	}
	defer rows.Close()
	u := instrumentdiff.Usage{}
	for rows.Next() {
		var code string
		var g instrumentdiff.AnswerGroup
		if err := rows.Scan(&code, &g.Value.Text, &g.Value.Number, &g.Files, &g.Count); err != nil {
			return nil, err
		}
		u[code] = append(u[code], g)
	}
	return u, rows.Err()
}

// relabel gives the answer versions that chose a renamed option the new label, keeping
// the old one in answer_relabels. It returns the number of versions changed.
func relabel(ctx context.Context, tx pgx.Tx, year, version int, d instrumentdiff.Diff, now time.Time) (int, error) {
	n := 0
	for code, renames := range d.Renames() {
		for _, r := range renames {
			const match = `year = $1 AND question_code = $2 AND lower(btrim(value_text)) = lower(btrim($3))`
			if _, err := tx.Exec(ctx, `INSERT INTO answer_relabels (answer_id, year, question_code, old_text, new_text, instrument_version, created_at)
				SELECT id, year, question_code, value_text, $4, $5, $6 FROM answers WHERE `+match,
				year, code, r.From, r.To, version, now); err != nil {
				return n, fmt.Errorf("relabel %s: %w", code, err)
			}
			tag, err := tx.Exec(ctx, `UPDATE answers SET value_text = $4 WHERE `+match, year, code, r.From, r.To)
			if err != nil {
				return n, fmt.Errorf("relabel %s: %w", code, err)
			}
			n += int(tag.RowsAffected())
		}
	}
	return n, nil
}

// askedTheSame reports whether two questions are asked and answered the same way (text,
// type and answer rule), so that last year's answer means the same this year.
func askedTheSame(a, b scoring.Question) bool {
	return strings.TrimSpace(a.Text) == strings.TrimSpace(b.Text) && a.Type == b.Type &&
		slices.Equal(a.Options, b.Options) && slices.Equal(a.Bands, b.Bands) && a.Target == b.Target
}

// linkYear links the questions of inst asked the same way as a question of year from
// (by code first, else by identical text) in question_origins, replacing the year's
// earlier links. It returns the number of questions linked.
func linkYear(ctx context.Context, tx pgx.Tx, inst *scoring.Instrument, from int) (int, error) {
	prev, err := loadQuestions(ctx, tx, from, false)
	if err != nil {
		return 0, err
	}
	if len(prev) == 0 {
		return 0, fmt.Errorf("--from %d: %w: that year's instrument was never imported", from, conversations.ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM question_origins WHERE year = $1`, inst.Year); err != nil {
		return 0, err
	}
	used := map[string]bool{}
	var codes, fromCodes []string
	qs := inst.Questions()
	match := func(q scoring.Question, fromCode string) {
		used[fromCode] = true
		codes, fromCodes = append(codes, q.Code), append(fromCodes, fromCode)
	}
	var rest []scoring.Question
	for _, q := range qs {
		if p, ok := prev[q.Code]; ok && askedTheSame(p.q, q) {
			match(q, q.Code)
			continue
		}
		rest = append(rest, q)
	}
	// Renumbered questions: the same text under another code.
	prevCodes := make([]string, 0, len(prev))
	for c := range prev {
		prevCodes = append(prevCodes, c)
	}
	slices.Sort(prevCodes)
	for _, q := range rest {
		for _, c := range prevCodes {
			if !used[c] && askedTheSame(prev[c].q, q) {
				match(q, c)
				break
			}
		}
	}
	if len(codes) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO question_origins (year, code, from_year, from_code)
		SELECT $1, c, $2, f FROM unnest($3::text[], $4::text[]) AS t(c, f)`, inst.Year, from, codes, fromCodes); err != nil {
		return 0, fmt.Errorf("link %d to %d: %w", inst.Year, from, err)
	}
	return len(codes), nil
}

// CarriedAnswer is last year's answer to a question asked the same way this year: what
// the dialogue offers as a suggestion ("tahun lalu: Ya, 2 file — pakai lagi?").
type CarriedAnswer = answering.CarriedAnswer

// CarriedAnswers returns, for the questions of year linked to an earlier year, the
// region's current answer of that year with its evidence, by question code of year.
// Questions without a link or without last year's answer are absent.
func (s *Store) CarriedAnswers(ctx context.Context, region string, year int) (map[string]CarriedAnswer, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT o.code, o.from_year, o.from_code, a.value_text, coalesce(a.value_number, 0),
		       coalesce(e.blob_key, ''), coalesce(e.mime_type, ''), coalesce(e.size_bytes, 0), coalesce(e.original_name, '')
		FROM question_origins o
		JOIN questions q ON q.year = o.year AND q.code = o.code AND NOT q.retired
		JOIN current_answers a ON a.region_code = $1 AND a.year = o.from_year AND a.question_code = o.from_code
		LEFT JOIN evidence e ON e.answer_id = a.id
		WHERE o.year = $2
		ORDER BY o.code, e.id`, region, year)
	if err != nil {
		return nil, fmt.Errorf("carried answers of %s %d: %w", region, year, err)
	}
	defer rows.Close()
	out := map[string]CarriedAnswer{}
	for rows.Next() {
		var code string
		var c CarriedAnswer
		var f conversations.EvidenceFile
		if err := rows.Scan(&code, &c.FromYear, &c.FromCode, &c.Value.Text, &c.Value.Number, &f.BlobKey, &f.MIME, &f.Size, &f.Name); err != nil {
			return nil, err
		}
		prev, ok := out[code]
		if ok {
			c = prev
		}
		if f.BlobKey != "" {
			c.Files = append(c.Files, f)
		}
		out[code] = c
	}
	return out, rows.Err()
}

// CarriedFrom returns the earlier year the questions of year are linked to, or 0.
func (s *Store) CarriedFrom(ctx context.Context, year int) (int, error) {
	var from int
	err := s.db(ctx).QueryRow(ctx, `SELECT from_year FROM question_origins WHERE year = $1 LIMIT 1`, year).Scan(&from)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return from, err
}
