package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// PersonChange is what `klabot person set` changes; nil fields stay as they are.
type PersonChange struct {
	OPDCode *string // the region's OPD code; "" removes the OPD (not for a focal point)
	Name    *string
	Phone   *string // any format NormalizePhone reads; "" clears it
	Role    *conversations.Role
	Active  *bool // true reactivates a deactivated person
}

// PersonRecord is a person with their roster state, for the admin commands.
type PersonRecord struct {
	conversations.Person
	Phone       string `json:"phone"`
	Deactivated bool   `json:"deactivated"`
}

// PersonRecord returns the person with id, deactivated or not.
func (s *Store) PersonRecord(ctx context.Context, id int64) (PersonRecord, error) {
	return personRecord(ctx, s.db(ctx), id)
}

func personRecord(ctx context.Context, q querier, id int64) (PersonRecord, error) {
	var r PersonRecord
	var role string
	err := q.QueryRow(ctx, `SELECT p.id, p.name, p.role, p.region_code, coalesce(p.opd_id, 0), coalesce(o.code, ''),
			coalesce(o.name, ''), p.language, p.phone, p.deactivated_at IS NOT NULL
		FROM people p LEFT JOIN opds o ON o.id = p.opd_id WHERE p.id = $1`, id).
		Scan(&r.ID, &r.Name, &role, &r.RegionCode, &r.OPDID, &r.OPDCode, &r.OPDName, &r.Language, &r.Phone, &r.Deactivated)
	r.Role = conversations.Role(role)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("person #%d: %w", id, conversations.ErrNotFound)
	}
	return r, err
}

// ChangePerson applies c to the person with id and returns them as they are now, and
// whether anything changed. Moving to another OPD keeps the person's answers, identities
// and history: they are theirs, not the OPD's.
func (s *Store) ChangePerson(ctx context.Context, id int64, c PersonChange) (PersonRecord, bool, error) {
	var out PersonRecord
	var changed bool
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		cur, err := personRecord(ctx, tx, id)
		if err != nil {
			return err
		}
		next := cur
		opdID := cur.OPDID
		if c.OPDCode != nil {
			code := normCode(*c.OPDCode)
			if code == "" {
				opdID = 0
			} else if code != cur.OPDCode {
				err := tx.QueryRow(ctx, `SELECT id FROM opds WHERE region_code = $1 AND code = $2`, cur.RegionCode, code).Scan(&opdID)
				if errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("OPD %s in %s: %w", code, cur.RegionCode, conversations.ErrNotFound)
				}
				if err != nil {
					return err
				}
			}
		}
		if c.Name != nil {
			next.Name = strings.Join(strings.Fields(*c.Name), " ")
			if next.Name == "" {
				return fmt.Errorf("%w: a person needs a name", conversations.ErrInvalid)
			}
		}
		if c.Phone != nil {
			next.Phone = NormalizePhone(*c.Phone)
		}
		if c.Role != nil {
			if !c.Role.Valid() {
				return fmt.Errorf("%w: unknown role %q (use focal_point, coordinator, head or admin)", conversations.ErrInvalid, *c.Role)
			}
			next.Role = *c.Role
		}
		if next.Role == conversations.RoleFocalPoint && opdID == 0 {
			return fmt.Errorf("%w: focal point %s needs an OPD", conversations.ErrInvalid, next.Name)
		}
		if c.Active != nil {
			next.Deactivated = !*c.Active
		}
		changed = opdID != cur.OPDID || next.Name != cur.Name || next.Phone != cur.Phone || next.Role != cur.Role ||
			next.Deactivated != cur.Deactivated
		if !changed {
			out = cur
			return nil
		}
		var opd *int64
		if opdID != 0 {
			opd = &opdID
		}
		if _, err := tx.Exec(ctx, `UPDATE people SET opd_id = $2, name = $3, phone = $4, role = $5,
				deactivated_at = CASE WHEN NOT $6 THEN NULL WHEN deactivated_at IS NULL THEN $7 ELSE deactivated_at END
			WHERE id = $1`, id, opd, next.Name, next.Phone, string(next.Role), next.Deactivated, s.now()); err != nil {
			return fmt.Errorf("change person #%d: %w", id, err)
		}
		// A name or an OPD shown in the region's progress: the copies are out of date.
		if _, err := tx.Exec(ctx, bumpProgressRegionSQL, cur.RegionCode); err != nil {
			return fmt.Errorf("change person #%d: %w", id, err)
		}
		if next.Deactivated && !cur.Deactivated {
			// Open invites of a person who left must not bind a new chat to them.
			if _, err := tx.Exec(ctx, `UPDATE invites SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL`, id, s.now()); err != nil {
				return err
			}
		}
		out, err = personRecord(ctx, tx, id)
		return err
	})
	if err != nil {
		return PersonRecord{}, false, err
	}
	return out, changed, nil
}

// PeopleNamed returns the region's people whose name is name (case and spaces aside),
// deactivated ones included, oldest first: an invite for a roster name binds to that
// person instead of creating a second one.
func (s *Store) PeopleNamed(ctx context.Context, region, name string) ([]PersonRecord, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT id FROM people WHERE region_code = $1 AND lower(name) = lower($2) ORDER BY id`,
		normCode(region), strings.Join(strings.Fields(name), " "))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make([]PersonRecord, 0, len(ids))
	for _, id := range ids {
		r, err := s.PersonRecord(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
