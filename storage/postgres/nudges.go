package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

var _ conversations.NudgeStore = (*Store)(nil)

// openQuestion is one question of the instrument with the national OPD codes answering it.
type openQuestion struct {
	code, text string
	opdCodes   []string
}

// NudgeCandidates returns the reachable focal points of the regions with a chat, their
// open questions (unanswered, or sent back for revision) in instrument order and their
// reminder history, in four queries however many regions there are. A question is an
// OPD's when its national OPD codes meet the OPD's code or answers_for.
func (s *Store) NudgeCandidates(ctx context.Context, regions []conversations.DigestRegion, opdCode string) (map[string][]conversations.NudgeCandidate, error) {
	codes, years := regionYears(regions)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(recipientsSQL,
		`p.role = 'focal_point' AND p.region_code = ANY($1) AND ($2 = '' OR o.code = $2)`), codes, opdCode)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: %w", err)
	}
	people, err := pgx.CollectRows(rows, scanRecipient)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: %w", err)
	}
	if len(people) == 0 {
		return map[string][]conversations.NudgeCandidate{}, nil
	}

	// The instrument questions of the years in use, in order.
	questions := map[int][]openQuestion{}
	rows, err = s.pool.Query(ctx, `
		SELECT year, code, text, opd_codes FROM questions
		WHERE NOT retired AND year = ANY($1) ORDER BY year, position`, years)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: questions: %w", err)
	}
	var year int
	var q openQuestion
	if _, err := pgx.ForEachRow(rows, []any{&year, &q.code, &q.text, &q.opdCodes}, func() error {
		questions[year] = append(questions[year], q)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("nudge candidates: questions: %w", err)
	}

	// Settled answers per region: current answers not sent back.
	settled := map[string]map[string]bool{}
	rows, err = s.pool.Query(ctx, `
		SELECT a.region_code, a.question_code
		FROM unnest($1::text[], $2::int[]) AS rg(code, year)
		JOIN current_answers a ON a.region_code = rg.code AND a.year = rg.year
		LEFT JOIN LATERAL (SELECT r.state FROM reviews r WHERE r.answer_id = a.id
		    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) st ON true
		WHERE st.state IS NULL OR st.state = 'approved'`, codes, years)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: answers: %w", err)
	}
	var region, qcode string
	if _, err := pgx.ForEachRow(rows, []any{&region, &qcode}, func() error {
		if settled[region] == nil {
			settled[region] = map[string]bool{}
		}
		settled[region][qcode] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("nudge candidates: answers: %w", err)
	}

	// The OPDs' codes.
	opdCodes := map[int64][]string{}
	rows, err = s.pool.Query(ctx, `SELECT id, code, answers_for FROM opds WHERE region_code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: opds: %w", err)
	}
	var id int64
	var code string
	var answersFor []string
	if _, err := pgx.ForEachRow(rows, []any{&id, &code, &answersFor}, func() error {
		opdCodes[id] = append([]string{code}, answersFor...)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("nudge candidates: opds: %w", err)
	}

	// Each person's last answer and the nudges since.
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.Person.ID
	}
	type history struct {
		lastAnswer, lastNudge *time.Time
		ignored               int
		firstIgnored          int64
		lastIgnored           *time.Time
		escalated             bool
	}
	hist := map[int64]history{}
	rows, err = s.pool.Query(ctx, `
		SELECT p.id, la.at,
		       (SELECT max(n.created_at) FROM notifications n
		        WHERE n.person_id = p.id AND n.kind = 'nudge' AND n.status <> 'failed'),
		       ig.cnt, coalesce(ig.first_id, 0), ig.last_at,
		       EXISTS (SELECT 1 FROM notifications m WHERE m.kind = 'escalation_mark'
		               AND m.dedupe_key = 'escalation:p' || p.id || ':' || coalesce(ig.first_id, 0))
		FROM unnest($1::bigint[]) AS p(id)
		CROSS JOIN LATERAL (SELECT greatest(
		    (SELECT max(created_at) FROM answers WHERE person_id = p.id),
		    (SELECT max(created_at) FROM evidence WHERE person_id = p.id)) AS at) la
		CROSS JOIN LATERAL (SELECT count(*) AS cnt, min(n.id) AS first_id, max(n.created_at) AS last_at
		    FROM notifications n
		    WHERE n.person_id = p.id AND n.kind = 'nudge' AND n.status <> 'failed'
		      AND (la.at IS NULL OR n.created_at > la.at)) ig`, ids)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: history: %w", err)
	}
	for rows.Next() {
		var h history // fresh per row: the pointers must not be shared
		if err := rows.Scan(&id, &h.lastAnswer, &h.lastNudge, &h.ignored, &h.firstIgnored, &h.lastIgnored, &h.escalated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("nudge candidates: history: %w", err)
		}
		hist[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nudge candidates: history: %w", err)
	}

	yearOf := map[string]int{}
	for _, r := range regions {
		yearOf[r.Code] = r.Year
	}
	out := map[string][]conversations.NudgeCandidate{}
	for _, p := range people {
		c := conversations.NudgeCandidate{Person: p.Person, To: p.To}
		mine := opdCodes[p.Person.OPDID]
		for _, q := range questions[yearOf[p.Person.RegionCode]] {
			if settled[p.Person.RegionCode][q.code] || !meets(q.opdCodes, mine) {
				continue
			}
			if c.Open == 0 {
				c.FirstCode, c.FirstText = q.code, q.text
			}
			c.Open++
		}
		h := hist[p.Person.ID]
		c.LastAnswer, c.LastNudge = h.lastAnswer, h.lastNudge
		c.Ignored, c.FirstIgnoredID, c.Escalated = h.ignored, h.firstIgnored, h.escalated
		if h.lastIgnored != nil {
			c.LastIgnoredAt = *h.lastIgnored
		}
		out[p.Person.RegionCode] = append(out[p.Person.RegionCode], c)
	}
	return out, nil
}

// EscalationMarkKey names a person's silent streak (by its first ignored nudge) so that
// it is reported once.
func EscalationMarkKey(personID, firstIgnoredNudgeID int64) string {
	return fmt.Sprintf("escalation:p%d:%d", personID, firstIgnoredNudgeID)
}

func meets(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
