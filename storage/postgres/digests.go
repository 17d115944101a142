package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

var _ digest.DigestStore = (*Store)(nil)

// DigestRegions returns every region with its digest and reminder settings, by code.
func (s *Store) DigestRegions(ctx context.Context) ([]digest.DigestRegion, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT code, name, kind, province, time_zone, digest_hour, deadline, coalesce(year, 0),
		       digest_channel, digest_chat_id, nudges_enabled, nudge_every_working_days,
		       nudge_daily_last_days, work_start_hour, work_end_hour, work_days, escalate_after
		FROM regions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("digest regions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest.DigestRegion, error) {
		var d digest.DigestRegion
		var deadline *time.Time
		var ch, chat string
		var enabled bool
		var days []int32
		err := r.Scan(&d.Code, &d.Name, &d.Kind, &d.Province, &d.TimeZone, &d.DigestHour, &deadline, &d.Year,
			&ch, &chat, &enabled, &d.Nudges.EveryWorkingDays, &d.Nudges.DailyLastDays,
			&d.Nudges.WorkStart, &d.Nudges.WorkEnd, &days, &d.Nudges.EscalateAfter)
		if deadline != nil {
			t := time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 0, 0, 0, 0, time.UTC)
			d.Deadline = &t
		}
		if ch != "" && chat != "" {
			d.DigestChat = &conversations.Address{Channel: conversations.Channel(ch), ChatID: chat}
		}
		d.NudgesOff = !enabled
		for _, wd := range days {
			d.Nudges.WorkDays = append(d.Nudges.WorkDays, time.Weekday(wd%7)) // ISO 7 = Sunday = 0
		}
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("digest regions: %w", err)
	}
	return out, nil
}

// DigestRunKey is the dedupe key of a region's digest run on a local day.
func DigestRunKey(region string, day time.Time) string {
	return "digest:" + region + ":" + day.Format(time.DateOnly)
}

// DigestRunDays returns, per region, the local days (YYYY-MM-DD) that have a digest run
// row created at or after since.
func (s *Store) DigestRunDays(ctx context.Context, regions []string, since time.Time) (map[string]map[string]bool, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT region_code, dedupe_key FROM notifications
		WHERE kind = $1 AND region_code = ANY($2) AND created_at >= $3`,
		digest.KindDigestRun, regions, since)
	if err != nil {
		return nil, fmt.Errorf("digest run days: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var region, key string
		if err := rows.Scan(&region, &key); err != nil {
			return nil, fmt.Errorf("digest run days: %w", err)
		}
		day := key[strings.LastIndexByte(key, ':')+1:]
		if out[region] == nil {
			out[region] = map[string]bool{}
		}
		out[region][day] = true
	}
	return out, rows.Err()
}

// regionYears returns the parallel arrays (codes, years) for a batched query.
func regionYears(regions []digest.DigestRegion) ([]string, []int32) {
	codes := make([]string, len(regions))
	years := make([]int32, len(regions))
	for i, r := range regions {
		codes[i], years[i] = r.Code, int32(r.Year)
	}
	return codes, years
}

// DigestFacts returns who the regions' digests go to and who cannot be reached, in two
// queries however many regions there are. (The last answers and the review queue come
// from the score inputs: see DigestScoreInputs.)
func (s *Store) DigestFacts(ctx context.Context, regions []digest.DigestRegion) (map[string]digest.DigestFacts, error) {
	codes, _ := regionYears(regions)
	out := make(map[string]digest.DigestFacts, len(regions))
	for _, c := range codes {
		out[c] = digest.DigestFacts{LastAnswerByOPD: map[string]time.Time{}}
	}

	rows, err := s.db(ctx).Query(ctx, `
		SELECT p.region_code, p.name, p.unreachable_at IS NOT NULL,
		       NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id)
		FROM people p
		WHERE p.region_code = ANY($1) AND p.deactivated_at IS NULL
		  AND (p.unreachable_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id))
		ORDER BY p.region_code, p.name, p.id`, codes)
	if err != nil {
		return nil, fmt.Errorf("digest facts: people: %w", err)
	}
	var region, name string
	var blocked, unregistered bool
	_, err = pgx.ForEachRow(rows, []any{&region, &name, &blocked, &unregistered}, func() error {
		f := out[region]
		if unregistered {
			f.Unregistered = append(f.Unregistered, name)
		} else if blocked {
			f.Unreachable = append(f.Unreachable, name)
		}
		out[region] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("digest facts: people: %w", err)
	}

	coords, err := s.RegionCoordinators(ctx, codes)
	if err != nil {
		return nil, err
	}
	for code, rs := range coords {
		f := out[code]
		f.Coordinators = rs
		out[code] = f
	}
	return out, nil
}

// recipientsSQL selects reachable people with one chat each: Telegram first, then
// WhatsApp, then the console.
const recipientsSQL = `
	SELECT DISTINCT ON (p.id) p.id, p.name, p.role, p.region_code, coalesce(p.opd_id, 0),
	       coalesce(o.code, ''), coalesce(o.name, ''), p.language, i.channel, i.chat_id
	FROM people p
	JOIN identities i ON i.person_id = p.id
	LEFT JOIN opds o ON o.id = p.opd_id
	WHERE p.unreachable_at IS NULL AND p.deactivated_at IS NULL AND %s
	ORDER BY p.id, CASE i.channel WHEN 'telegram' THEN 0 WHEN 'whatsapp' THEN 1 ELSE 2 END, i.created_at`

func scanRecipient(r pgx.CollectableRow) (digest.Recipient, error) {
	var rc digest.Recipient
	var role, ch string
	p := &rc.Person
	err := r.Scan(&p.ID, &p.Name, &role, &p.RegionCode, &p.OPDID, &p.OPDCode, &p.OPDName, &p.Language, &ch, &rc.To.ChatID)
	p.Role = conversations.Role(role)
	rc.To.Channel = conversations.Channel(ch)
	return rc, err
}

// RegionCoordinators returns the coordinators of the regions who have a chat and did
// not block the bot, by region code.
func (s *Store) RegionCoordinators(ctx context.Context, regions []string) (map[string][]digest.Recipient, error) {
	rows, err := s.db(ctx).Query(ctx, fmt.Sprintf(recipientsSQL, `p.role = 'coordinator' AND p.region_code = ANY($1)`), regions)
	if err != nil {
		return nil, fmt.Errorf("region coordinators: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanRecipient)
	if err != nil {
		return nil, fmt.Errorf("region coordinators: %w", err)
	}
	out := map[string][]digest.Recipient{}
	for _, r := range list {
		out[r.Person.RegionCode] = append(out[r.Person.RegionCode], r)
	}
	return out, nil
}

// PreviousSnapshots returns each region's latest score snapshot before its local day.
func (s *Store) PreviousSnapshots(ctx context.Context, days map[string]time.Time, years map[string]int) (map[string]digest.DigestSnapshot, error) {
	var codes []string
	var ds []string
	var ys []int32
	for c, d := range days {
		codes = append(codes, c)
		ds = append(ds, d.Format(time.DateOnly))
		ys = append(ys, int32(years[c]))
	}
	rows, err := s.db(ctx).Query(ctx, `
		SELECT DISTINCT ON (s.region_code) s.region_code, s.day, s.claimed, s.evidenced, s.verified
		FROM unnest($1::text[], $2::date[], $3::int[]) AS rg(code, day, year)
		JOIN score_snapshots s ON s.region_code = rg.code AND s.year = rg.year AND s.day < rg.day
		ORDER BY s.region_code, s.day DESC`, codes, ds, ys)
	if err != nil {
		return nil, fmt.Errorf("previous snapshots: %w", err)
	}
	out := map[string]digest.DigestSnapshot{}
	var region string
	var snap digest.DigestSnapshot
	_, err = pgx.ForEachRow(rows, []any{&region, &snap.Day, &snap.Scores.Claimed, &snap.Scores.Evidenced, &snap.Scores.Verified}, func() error {
		snap.Day = time.Date(snap.Day.Year(), snap.Day.Month(), snap.Day.Day(), 0, 0, 0, 0, time.UTC)
		out[region] = snap
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("previous snapshots: %w", err)
	}
	return out, nil
}

// SaveDigestSnapshot stores the region's scores for a local day, replacing an earlier
// snapshot of the same day.
func (s *Store) SaveDigestSnapshot(ctx context.Context, region string, year int, day time.Time, sc digest.DigestScores) error {
	_, err := s.db(ctx).Exec(ctx, `
		INSERT INTO score_snapshots (region_code, year, day, claimed, evidenced, verified, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (region_code, year, day) DO UPDATE
		SET claimed = excluded.claimed, evidenced = excluded.evidenced, verified = excluded.verified,
		    created_at = excluded.created_at`,
		region, year, day.Format(time.DateOnly), sc.Claimed, sc.Evidenced, sc.Verified, s.now())
	if err != nil {
		return fmt.Errorf("save snapshot %s %s: %w", region, day.Format(time.DateOnly), err)
	}
	return nil
}
