package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations/digest"
)

var _ digest.NudgeStore = (*Store)(nil)

// NudgeCandidates returns the reachable focal points of the regions who have a chat, with
// their reminder history, in five set-based queries however many regions there are. Open
// questions are left to the caller (they come from the score inputs, like the digest's OPD
// completion): Open is 0 here.
func (s *Store) NudgeCandidates(ctx context.Context, regions []digest.DigestRegion, opdCode string) (map[string][]digest.NudgeCandidate, error) {
	codes, _ := regionYears(regions)
	rows, err := s.db(ctx).Query(ctx, fmt.Sprintf(recipientsSQL,
		`p.role = 'focal_point' AND p.region_code = ANY($1) AND ($2 = '' OR o.code = $2)`), codes, opdCode)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: %w", err)
	}
	people, err := pgx.CollectRows(rows, scanRecipient)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: %w", err)
	}
	out := map[string][]digest.NudgeCandidate{}
	if len(people) == 0 {
		return out, nil
	}
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.Person.ID
	}

	// The latest answer or evidence of each person.
	last := map[int64]time.Time{}
	var id int64
	var at time.Time
	keep := func() error {
		if t, ok := last[id]; !ok || at.After(t) {
			last[id] = at
		}
		return nil
	}
	rows, err = s.db(ctx).Query(ctx, `SELECT person_id, max(created_at) FROM answers
		WHERE region_code = ANY($1) AND person_id = ANY($2) GROUP BY 1`, codes, ids)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: answers: %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &at}, keep); err != nil {
		return nil, fmt.Errorf("nudge candidates: answers: %w", err)
	}
	rows, err = s.db(ctx).Query(ctx, `SELECT person_id, max(created_at) FROM evidence WHERE person_id = ANY($1) GROUP BY 1`, ids)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: evidence: %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &at}, keep); err != nil {
		return nil, fmt.Errorf("nudge candidates: evidence: %w", err)
	}

	// Their nudges that did not fail, oldest first, and the streaks already escalated.
	type nudge struct {
		id int64
		at time.Time
	}
	nudges := map[int64][]nudge{}
	rows, err = s.db(ctx).Query(ctx, `SELECT person_id, id, created_at FROM notifications
		WHERE kind = 'nudge' AND status <> 'failed' AND region_code = ANY($1) AND person_id IS NOT NULL
		  AND created_at > $2
		ORDER BY person_id, created_at, id`, codes, s.now().AddDate(0, 0, -nudgeHistoryDays))
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: nudges: %w", err)
	}
	var nid int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &nid, &at}, func() error {
		nudges[id] = append(nudges[id], nudge{nid, at})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("nudge candidates: nudges: %w", err)
	}
	marks := map[string]bool{}
	rows, err = s.db(ctx).Query(ctx, `SELECT dedupe_key FROM notifications WHERE kind = 'escalation_mark' AND region_code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("nudge candidates: escalations: %w", err)
	}
	var key string
	if _, err := pgx.ForEachRow(rows, []any{&key}, func() error { marks[key] = true; return nil }); err != nil {
		return nil, fmt.Errorf("nudge candidates: escalations: %w", err)
	}

	for _, p := range people {
		c := digest.NudgeCandidate{Person: p.Person, To: p.To}
		if t, ok := last[p.Person.ID]; ok {
			c.LastAnswer = &t
		}
		for _, n := range nudges[p.Person.ID] {
			t := n.at
			c.LastNudge = &t
			if c.LastAnswer != nil && !n.at.After(*c.LastAnswer) {
				continue // answered since: not ignored
			}
			if c.Ignored == 0 {
				c.FirstIgnoredID = n.id
			}
			c.Ignored++
			c.LastIgnoredAt = n.at
		}
		c.Escalated = c.FirstIgnoredID != 0 && marks[EscalationMarkKey(p.Person.ID, c.FirstIgnoredID)]
		out[p.Person.RegionCode] = append(out[p.Person.RegionCode], c)
	}
	return out, nil
}

// nudgeHistoryDays bounds the reminder history read per tick: enough for any schedule's
// streak of ignored nudges, small enough to stay fast all year.
const nudgeHistoryDays = 120

// EscalationMarkKey names a person's silent streak (by its first ignored nudge) so that
// it is reported once.
func EscalationMarkKey(personID, firstIgnoredNudgeID int64) string {
	return fmt.Sprintf("escalation:p%d:%d", personID, firstIgnoredNudgeID)
}
