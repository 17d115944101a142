package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// RosterRow is one line of a region's roster: a person and the OPD they belong to.
// OPDCode is empty for people without an OPD (a head, an admin).
type RosterRow struct {
	OPDCode    string
	OPDName    string
	Name       string
	Role       conversations.Role
	Phone      string
	AnswersFor []string // national codes the OPD answers for; empty keeps the OPD's current list (or its own code)
	Line       int      // the row in the file, for messages; 0 when unknown
}

// RosterStats counts what ImportRoster did.
type RosterStats struct {
	OPDs          int `json:"opds"`           // OPDs named in the roster (created or updated)
	PeopleAdded   int `json:"people_added"`   // new people
	PeopleExisted int `json:"people_existed"` // people already known (phone refreshed)
}

// ImportRoster creates or updates the region's OPDs and people from rows in one
// transaction; importing the same roster twice changes nothing.
func (s *Store) ImportRoster(ctx context.Context, region string, rows []RosterRow) (RosterStats, error) {
	var st RosterStats
	region = normCode(region)
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		st = RosterStats{}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, region).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("region %s: %w", region, conversations.ErrNotFound)
		}
		opdIDs := map[string]int64{}
		for i, r := range rows {
			code := normCode(r.OPDCode)
			if code == "" {
				continue
			}
			if _, done := opdIDs[code]; done && strings.TrimSpace(r.OPDName) == "" && len(r.AnswersFor) == 0 {
				continue
			}
			name := strings.TrimSpace(r.OPDName)
			af := r.AnswersFor
			var curName string
			var curAF []string
			err := tx.QueryRow(ctx, `SELECT name, answers_for FROM opds WHERE region_code = $1 AND code = $2`, region, code).Scan(&curName, &curAF)
			if err == nil {
				if name == "" {
					name = curName
				}
				if len(af) == 0 {
					af = curAF
				}
			}
			id, err := upsertOPD(ctx, tx, region, code, name, af)
			if err != nil {
				return fmt.Errorf("roster row %d: %w", i+1, err)
			}
			if _, done := opdIDs[code]; !done {
				st.OPDs++
			}
			opdIDs[code] = id
		}
		for i, r := range rows {
			if strings.TrimSpace(r.Name) == "" {
				continue // an OPD-only line
			}
			p := conversations.Person{Name: r.Name, Role: r.Role, RegionCode: region, OPDID: opdIDs[normCode(r.OPDCode)]}
			_, created, err := upsertPerson(ctx, tx, p, r.Phone)
			if err != nil {
				return fmt.Errorf("roster row %d: %w", i+1, err)
			}
			if created {
				st.PeopleAdded++
			} else {
				st.PeopleExisted++
			}
		}
		return nil
	})
	if err != nil {
		return RosterStats{}, fmt.Errorf("import roster of %s: %w", region, err)
	}
	return st, nil
}
