package loadtest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
)

// FocalPoint is one simulated person: a Telegram user bound to a focal point of an OPD.
type FocalPoint struct {
	PersonID int64
	UserID   int64 // Telegram user id = private chat id
	Region   string
	OPDCode  string
}

// Dataset is a generated (or found) synthetic national deployment.
type Dataset struct {
	Spec       Spec
	Instrument *scoring.Instrument
	People     []FocalPoint // focal points in person id order
	Generated  bool         // false when an existing dataset was reused
	Took       time.Duration
	// Stamp is the dataset's creation time (Unix seconds): a regenerated dataset has new
	// person ids, so dialogue states kept under an older stamp must not be used.
	Stamp int64
}

// userIDBase keeps simulated Telegram user ids far from real ones.
const userIDBase = 7_000_000_000

// Generate creates the dataset of spec in the database: the instrument (through the
// store, so it is validated like an import), then regions, OPDs, people, identities, a
// coordinator and a head per region, in a few set-based statements. With reuse, an
// existing dataset of the same shape is used as it is; without, an existing one is an
// error (answers would pile up on it unnoticed).
func Generate(ctx context.Context, pool *pgxpool.Pool, store *postgres.Store, spec Spec, reuse bool) (*Dataset, error) {
	start := time.Now()
	spec, err := spec.WithDefaults()
	if err != nil {
		return nil, err
	}
	inst := BuildInstrument(spec)
	if err := inst.Validate(); err != nil {
		return nil, fmt.Errorf("synthetic instrument: %w", err)
	}
	ds := &Dataset{Spec: spec, Instrument: inst}
	pattern := "^" + spec.Tag + "[0-9]+$"
	var regions int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM regions WHERE code ~ $1`, pattern).Scan(&regions); err != nil {
		return nil, fmt.Errorf("look for dataset %s: %w", spec.Tag, err)
	}
	switch {
	case regions > 0 && !reuse:
		return nil, fmt.Errorf("dataset %s exists already (%d regions): pass --reuse to run on it, or --dataset with another tag", spec.Tag, regions)
	case regions > 0 && regions != spec.Regions:
		return nil, fmt.Errorf("dataset %s has %d regions, not %d: use another --dataset tag", spec.Tag, regions, spec.Regions)
	case regions == 0:
		// Another dataset (or an older version of this tool) may hold the year already:
		// re-importing over it would retire its questions under its people's feet.
		if old, err := store.Instrument(ctx, spec.Year); err == nil && !sameShape(old, inst) {
			return nil, fmt.Errorf("year %d holds another instrument already (another dataset's?): pass --year with a free year", spec.Year)
		}
		if _, err := store.SaveInstrument(ctx, inst); err != nil {
			return nil, fmt.Errorf("save synthetic instrument: %w", err)
		}
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return generate(ctx, tx, spec) }); err != nil {
			return nil, fmt.Errorf("generate dataset %s: %w", spec.Tag, err)
		}
		ds.Generated = true
	}
	if !ds.Generated {
		// The stored instrument is the truth (it may come from an older version of this tool).
		if ds.Instrument, err = store.Instrument(ctx, spec.Year); err != nil {
			return nil, fmt.Errorf("dataset %s: instrument %d: %w", spec.Tag, spec.Year, err)
		}
	}
	if err := pool.QueryRow(ctx, `SELECT extract(epoch FROM created_at)::bigint FROM regions WHERE code = $1`,
		spec.rawRegion()).Scan(&ds.Stamp); err != nil {
		return nil, fmt.Errorf("dataset %s: its baseline region %s: %w", spec.Tag, spec.rawRegion(), err)
	}
	// Fresh tables have no statistics until autovacuum comes by, and the planner then
	// picks nested loops that take minutes over 30,000 people. The answer tables only
	// when they hold rows: statistics saying "empty" make every plan cached in the
	// pool's connections scan them whole, per statement, until the next autoanalyze
	// (a fresh deployment's never-analysed tables are planned as small, not empty).
	if _, err := pool.Exec(ctx, `ANALYZE regions, opds, people, identities, questions`); err != nil {
		return nil, fmt.Errorf("analyze dataset %s: %w", spec.Tag, err)
	}
	for _, table := range []string{"answers", "reviews", "evidence"} {
		var rows bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&rows); err != nil {
			return nil, fmt.Errorf("analyze dataset %s: %w", spec.Tag, err)
		}
		if rows {
			if _, err := pool.Exec(ctx, `ANALYZE `+table); err != nil {
				return nil, fmt.Errorf("analyze dataset %s: %w", spec.Tag, err)
			}
		}
	}
	if ds.People, err = focalPoints(ctx, pool, pattern); err != nil {
		return nil, err
	}
	if want := spec.Regions * spec.OPDs * spec.FocalPoints; len(ds.People) != want {
		return nil, fmt.Errorf("dataset %s has %d focal points with a Telegram identity, not %d: use another --dataset tag", spec.Tag, len(ds.People), want)
	}
	ds.Took = time.Since(start)
	return ds, nil
}

// generate writes the regions, OPDs, people and identities with set-based SQL (one
// statement per table, the server generating the rows: faster than COPY from here).
func generate(ctx context.Context, tx pgx.Tx, spec Spec) error {
	pattern := "^" + spec.Tag + "[0-9]+$"
	stmts := []struct {
		sql  string
		args []any
	}{
		// Three zones in roughly Indonesia's proportions: WIB, WITA, WIT.
		{`INSERT INTO regions (code, name, kind, province, time_zone, digest_hour, deadline, year)
			SELECT $1 || lpad(i::text, 3, '0'),
				CASE WHEN i % 5 = 0 THEN 'Kota Uji ' ELSE 'Kabupaten Uji ' END || i,
				CASE WHEN i % 5 = 0 THEN 'kota' ELSE 'kabupaten' END,
				'Provinsi Uji ' || (1 + i % 38),
				(ARRAY['Asia/Jakarta','Asia/Jakarta','Asia/Pontianak','Asia/Makassar','Asia/Jayapura'])[1 + i % 5],
				7, make_date($3, 5, 31), $3
			FROM generate_series(1, $2::int) i`, []any{spec.Tag, spec.Regions, spec.Year}},
		{`INSERT INTO regions (code, name, kind, year) VALUES ($1, 'Baseline tulis mentah', 'kota', $2)`,
			[]any{spec.rawRegion(), spec.Year}},
		{`INSERT INTO opds (region_code, code, name, answers_for)
			SELECT r.code, 'OPD' || lpad(o::text, 2, '0'), 'Dinas Uji ' || o, ARRAY['OPD' || lpad(o::text, 2, '0')]
			FROM regions r, generate_series(1, $2::int) o WHERE r.code ~ $1 ORDER BY r.code, o`, []any{pattern, spec.OPDs}},
		{`INSERT INTO people (region_code, opd_id, name, role)
			SELECT o.region_code, o.id, 'Fokal ' || o.region_code || ' ' || o.code || ' ' || k, 'focal_point'
			FROM opds o, generate_series(1, $2::int) k WHERE o.region_code ~ $1 ORDER BY o.id, k`, []any{pattern, spec.FocalPoints}},
		{`INSERT INTO people (region_code, name, role)
			SELECT code, 'Koordinator ' || code, 'coordinator' FROM regions WHERE code ~ $1
			UNION ALL SELECT code, 'Bupati ' || code, 'head' FROM regions WHERE code ~ $1`, []any{pattern}},
		{`INSERT INTO identities (channel, external_id, chat_id, person_id)
			SELECT 'telegram', ($2::bigint + id)::text, ($2::bigint + id)::text, id FROM people WHERE region_code ~ $1`,
			[]any{pattern, int64(userIDBase)}},
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return err
		}
	}
	return nil
}

func focalPoints(ctx context.Context, pool *pgxpool.Pool, pattern string) ([]FocalPoint, error) {
	rows, err := pool.Query(ctx, `SELECT p.id, i.external_id, p.region_code, o.code
		FROM people p JOIN opds o ON o.id = p.opd_id
		JOIN identities i ON i.person_id = p.id AND i.channel = 'telegram'
		WHERE p.region_code ~ $1 AND p.role = 'focal_point' ORDER BY p.id`, pattern)
	if err != nil {
		return nil, fmt.Errorf("read focal points: %w", err)
	}
	defer rows.Close()
	var out []FocalPoint
	for rows.Next() {
		var fp FocalPoint
		var ext string
		if err := rows.Scan(&fp.PersonID, &ext, &fp.Region, &fp.OPDCode); err != nil {
			return nil, fmt.Errorf("read focal points: %w", err)
		}
		if fp.UserID, err = strconv.ParseInt(ext, 10, 64); err != nil {
			return nil, fmt.Errorf("focal point %d: telegram id %q is not a number", fp.PersonID, ext)
		}
		out = append(out, fp)
	}
	return out, rows.Err()
}

// sameShape reports whether two instruments have the same questions for the same OPDs.
func sameShape(a, b *scoring.Instrument) bool {
	qa, qb := a.Questions(), b.Questions()
	if len(qa) != len(qb) {
		return false
	}
	for i := range qa {
		if qa[i].Code != qb[i].Code || qa[i].Type != qb[i].Type || strings.Join(qa[i].OPDCodes, ",") != strings.Join(qb[i].OPDCodes, ",") {
			return false
		}
	}
	return true
}
