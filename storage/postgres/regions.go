package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// checkRegion fills defaults (kind kota, zone Asia/Jakarta) and refuses what the database
// would refuse less clearly.
func checkRegion(r *conversations.Region) error {
	r.Code = strings.ToUpper(strings.TrimSpace(r.Code))
	r.Name = strings.TrimSpace(r.Name)
	r.Kind = strings.ToLower(strings.TrimSpace(r.Kind))
	if r.Kind == "" {
		r.Kind = "kota"
	}
	if r.TimeZone == "" {
		r.TimeZone = "Asia/Jakarta"
	}
	zone, ok := IndonesianZone(r.TimeZone)
	if !ok {
		return fmt.Errorf("%w: unknown time zone %q: use WIB (Asia/Jakarta, Asia/Pontianak), WITA (Asia/Makassar) or WIT (Asia/Jayapura)", conversations.ErrInvalid, r.TimeZone)
	}
	r.TimeZone = zone
	switch {
	case r.Code == "" || strings.ContainsAny(r.Code, " \t"):
		return fmt.Errorf("%w: region code %q must be one word, e.g. KOTA-CONTOH", conversations.ErrInvalid, r.Code)
	case r.Name == "":
		return fmt.Errorf("%w: region %s needs a name", conversations.ErrInvalid, r.Code)
	case r.Kind != "kota" && r.Kind != "kabupaten":
		return fmt.Errorf("%w: region kind %q must be kabupaten or kota", conversations.ErrInvalid, r.Kind)
	case r.DigestHour < 0 || r.DigestHour > 23:
		return fmt.Errorf("%w: digest hour %d must be 0-23", conversations.ErrInvalid, r.DigestHour)
	case r.Year != 0 && (r.Year < 2000 || r.Year > 2100):
		return fmt.Errorf("%w: evaluation year %d is out of range", conversations.ErrInvalid, r.Year)
	}
	return nil
}

// indonesianZones are the IANA zones of Indonesia's three time zones (no daylight saving).
var indonesianZones = []string{"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}

// IndonesianZone returns the IANA name of s when it names one of Indonesia's zones: WIB
// (Asia/Jakarta), WITA (Asia/Makassar), WIT (Asia/Jayapura), or one of the IANA names
// themselves (Asia/Pontianak is WIB too), in any case. Anything else is not a region's zone.
func IndonesianZone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "WIB":
		return "Asia/Jakarta", true
	case "WITA":
		return "Asia/Makassar", true
	case "WIT":
		return "Asia/Jayapura", true
	}
	for _, z := range indonesianZones {
		if strings.EqualFold(s, z) {
			return z, true
		}
	}
	return "", false
}

// UpsertRegion creates the region or replaces all its settings.
func (s *Store) UpsertRegion(ctx context.Context, r conversations.Region) error {
	if err := checkRegion(&r); err != nil {
		return err
	}
	var year *int
	if r.Year != 0 {
		year = &r.Year
	}
	_, err := s.db(ctx).Exec(ctx, `INSERT INTO regions (code, name, kind, province, time_zone, digest_hour, deadline, year)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, province = excluded.province,
			time_zone = excluded.time_zone, digest_hour = excluded.digest_hour, deadline = excluded.deadline, year = excluded.year`,
		r.Code, r.Name, r.Kind, r.Province, r.TimeZone, r.DigestHour, dateParam(r.Deadline), year)
	if err != nil {
		return fmt.Errorf("upsert region %s: %w", r.Code, err)
	}
	return nil
}

// dateParam turns a deadline into a date parameter, keeping its calendar day.
func dateParam(d *time.Time) any {
	if d == nil {
		return nil
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

const regionColumns = `code, name, kind, province, time_zone, digest_hour, deadline, coalesce(year, 0)`

func scanRegion(row pgx.Row) (conversations.Region, error) {
	var r conversations.Region
	var deadline *time.Time
	err := row.Scan(&r.Code, &r.Name, &r.Kind, &r.Province, &r.TimeZone, &r.DigestHour, &deadline, &r.Year)
	if deadline != nil {
		d := time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 0, 0, 0, 0, time.UTC)
		r.Deadline = &d
	}
	return r, err
}

// Region returns the region with code (case-insensitive), or wraps conversations.ErrNotFound.
func (s *Store) Region(ctx context.Context, code string) (conversations.Region, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	r, err := scanRegion(s.db(ctx).QueryRow(ctx, `SELECT `+regionColumns+` FROM regions WHERE code = $1`, code))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("region %s: %w", code, conversations.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("region %s: %w", code, err)
	}
	return r, nil
}

// Regions returns every region, by code.
func (s *Store) Regions(ctx context.Context) ([]conversations.Region, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT `+regionColumns+` FROM regions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	defer rows.Close()
	var out []conversations.Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, fmt.Errorf("regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetDeadline sets the region's own deadline (its calendar day is kept).
func (s *Store) SetDeadline(ctx context.Context, code string, d time.Time) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	tag, err := s.db(ctx).Exec(ctx, `UPDATE regions SET deadline = $2 WHERE code = $1`, code, dateParam(&d))
	if err != nil {
		return fmt.Errorf("set deadline of %s: %w", code, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set deadline of %s: %w", code, conversations.ErrNotFound)
	}
	return nil
}
