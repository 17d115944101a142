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

// OPD is one of a region's agencies. AnswersFor lists the national OPD codes of the
// instrument it answers (a local DP3AP2KB answers for DP3A); by default its own code.
// It is the engine's type, so the Store serves conversations.Regions directly.
type OPD = conversations.OPD

// normCode is how OPD and region codes are compared: trimmed, upper case.
func normCode(c string) string { return strings.ToUpper(strings.TrimSpace(c)) }

func normCodes(cs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		if c = normCode(c); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// NormalizePhone reduces a phone number to the digits WhatsApp uses (country code first,
// no '+'): "+62 812-3456-7890" and "0812 3456 7890" both become "6281234567890". It
// returns "" for an empty number.
func NormalizePhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") {
		d = "62" + strings.TrimLeft(d, "0")
	}
	return d
}

// UpsertOPD creates or renames the region's OPD with code and returns its id.
// answersFor defaults to [code].
func (s *Store) UpsertOPD(ctx context.Context, region, code, name string, answersFor []string) (int64, error) {
	var id int64
	err := s.guarded(ctx, func(q querier) error {
		var err error
		id, err = upsertOPD(ctx, q, region, code, name, answersFor)
		return err
	})
	return id, err
}

func upsertOPD(ctx context.Context, q querier, region, code, name string, answersFor []string) (int64, error) {
	region, code, name = normCode(region), normCode(code), strings.TrimSpace(name)
	if code == "" || strings.ContainsAny(code, " ,;") {
		return 0, fmt.Errorf("%w: OPD code %q must be one word", conversations.ErrInvalid, code)
	}
	if name == "" {
		name = code
	}
	af := normCodes(answersFor)
	if len(af) == 0 {
		af = []string{code}
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO opds (region_code, code, name, answers_for) VALUES ($1, $2, $3, $4)
		ON CONFLICT (region_code, code) DO UPDATE SET name = excluded.name, answers_for = excluded.answers_for
		RETURNING id`, region, code, name, af).Scan(&id)
	if pgCode(err) == codeForeignKey {
		return 0, fmt.Errorf("OPD %s: region %s: %w", code, region, conversations.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("upsert OPD %s/%s: %w", region, code, err)
	}
	// The OPD's questions may have changed (answers_for): its people's copies of the
	// progress are out of date.
	if _, err := q.Exec(ctx, bumpProgressRegionSQL, region); err != nil {
		return 0, fmt.Errorf("upsert OPD %s/%s: %w", region, code, err)
	}
	return id, nil
}

// OPDs returns the region's OPDs by code.
func (s *Store) OPDs(ctx context.Context, region string) ([]OPD, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT id, region_code, code, name, answers_for FROM opds WHERE region_code = $1 ORDER BY code`, normCode(region))
	if err != nil {
		return nil, fmt.Errorf("OPDs of %s: %w", region, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OPD, error) {
		var o OPD
		err := r.Scan(&o.ID, &o.RegionCode, &o.Code, &o.Name, &o.AnswersFor)
		return o, err
	})
}

// OPDByCode returns the region's OPD with code, or wraps conversations.ErrNotFound.
func (s *Store) OPDByCode(ctx context.Context, region, code string) (OPD, error) {
	var o OPD
	err := s.db(ctx).QueryRow(ctx, `SELECT id, region_code, code, name, answers_for FROM opds WHERE region_code = $1 AND code = $2`,
		normCode(region), normCode(code)).Scan(&o.ID, &o.RegionCode, &o.Code, &o.Name, &o.AnswersFor)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, fmt.Errorf("OPD %s in %s: %w", normCode(code), normCode(region), conversations.ErrNotFound)
	}
	return o, err
}

// UpsertPerson creates the person or, when one with the same region, OPD, name
// (case-insensitive) and role exists, updates their phone (when given) and language.
// p.OPDID may be 0 with p.OPDCode naming the region's OPD. A focal point needs an OPD.
func (s *Store) UpsertPerson(ctx context.Context, p conversations.Person, phone string) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		var err error
		id, _, err = upsertPerson(ctx, tx, p, phone)
		return err
	})
	return id, err
}

// upsertPerson is UpsertPerson inside tx; created tells whether the row is new.
func upsertPerson(ctx context.Context, tx pgx.Tx, p conversations.Person, phone string) (int64, bool, error) {
	p.RegionCode, p.Name = normCode(p.RegionCode), strings.Join(strings.Fields(p.Name), " ")
	if p.Name == "" {
		return 0, false, fmt.Errorf("%w: a person needs a name", conversations.ErrInvalid)
	}
	if !p.Role.Valid() {
		return 0, false, fmt.Errorf("%w: unknown role %q (use focal_point, coordinator, head or admin)", conversations.ErrInvalid, p.Role)
	}
	if p.Language == "" {
		p.Language = "id"
	}
	if p.OPDID == 0 && strings.TrimSpace(p.OPDCode) != "" {
		err := tx.QueryRow(ctx, `SELECT id FROM opds WHERE region_code = $1 AND code = $2`, p.RegionCode, normCode(p.OPDCode)).Scan(&p.OPDID)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, fmt.Errorf("%s: OPD %s in %s: %w", p.Name, normCode(p.OPDCode), p.RegionCode, conversations.ErrNotFound)
		}
		if err != nil {
			return 0, false, err
		}
	}
	if p.Role == conversations.RoleFocalPoint && p.OPDID == 0 {
		return 0, false, fmt.Errorf("%w: focal point %s needs an OPD", conversations.ErrInvalid, p.Name)
	}
	var opd *int64
	if p.OPDID != 0 {
		opd = &p.OPDID
		var region string
		err := tx.QueryRow(ctx, `SELECT region_code FROM opds WHERE id = $1`, p.OPDID).Scan(&region)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, fmt.Errorf("%s: OPD #%d: %w", p.Name, p.OPDID, conversations.ErrNotFound)
		}
		if err != nil {
			return 0, false, err
		}
		if region != p.RegionCode {
			return 0, false, fmt.Errorf("%w: OPD #%d belongs to %s, not %s", conversations.ErrInvalid, p.OPDID, region, p.RegionCode)
		}
	}
	// No unique index carries this identity (names are free text), so serialise upserts
	// per region to keep two concurrent imports from creating the same person twice.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7240100, hashtext($1))`, p.RegionCode); err != nil {
		return 0, false, err
	}
	phone = NormalizePhone(phone)
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM people WHERE region_code = $1 AND opd_id IS NOT DISTINCT FROM $2
		AND lower(name) = lower($3) AND role = $4 ORDER BY id LIMIT 1`, p.RegionCode, opd, p.Name, string(p.Role)).Scan(&id)
	switch {
	case err == nil:
		_, err = tx.Exec(ctx, `UPDATE people SET phone = CASE WHEN $2 = '' THEN phone ELSE $2 END, language = $3 WHERE id = $1`,
			id, phone, p.Language)
		return id, false, err
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, false, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO people (region_code, opd_id, name, role, phone, language)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, p.RegionCode, opd, p.Name, string(p.Role), phone, p.Language).Scan(&id)
	if pgCode(err) == codeForeignKey {
		return 0, false, fmt.Errorf("%s: region %s: %w", p.Name, p.RegionCode, conversations.ErrNotFound)
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert person %s: %w", p.Name, err)
	}
	return id, true, nil
}

const personColumns = `p.id, p.name, p.role, p.region_code, coalesce(p.opd_id, 0), coalesce(o.code, ''), coalesce(o.name, ''), p.language`

func scanPerson(row pgx.Row) (conversations.Person, error) {
	var p conversations.Person
	var role string
	err := row.Scan(&p.ID, &p.Name, &role, &p.RegionCode, &p.OPDID, &p.OPDCode, &p.OPDName, &p.Language)
	p.Role = conversations.Role(role)
	return p, err
}

func personBy(ctx context.Context, q querier, what, where string, args ...any) (conversations.Person, error) {
	p, err := scanPerson(q.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN opds o ON o.id = p.opd_id WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("person %s: %w", what, conversations.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("person %s: %w", what, err)
	}
	return p, nil
}

// Person returns the person with id, with their OPD's code and name.
func (s *Store) Person(ctx context.Context, id int64) (conversations.Person, error) {
	return personBy(ctx, s.db(ctx), fmt.Sprint("#", id), `p.id = $1`, id)
}

// People returns the region's active people (not deactivated), by role, OPD code and name.
func (s *Store) People(ctx context.Context, region string) ([]conversations.Person, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN opds o ON o.id = p.opd_id
		WHERE p.region_code = $1 AND p.deactivated_at IS NULL ORDER BY p.role, coalesce(o.code, ''), p.name, p.id`, normCode(region))
	if err != nil {
		return nil, fmt.Errorf("people of %s: %w", region, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversations.Person, error) { return scanPerson(r) })
}

// PersonByPhone returns the (earliest registered) person with this phone number, in any
// format NormalizePhone understands; conversations.ErrNotFound when nobody has it.
func (s *Store) PersonByPhone(ctx context.Context, digits string) (conversations.Person, error) {
	d := NormalizePhone(digits)
	if d == "" {
		return conversations.Person{}, fmt.Errorf("person by empty phone: %w", conversations.ErrNotFound)
	}
	return personBy(ctx, s.db(ctx), "with that phone", `p.phone = $1 AND p.deactivated_at IS NULL ORDER BY p.id LIMIT 1`, d)
}

// PersonByIdentity returns the person bound to the chat identity, or wraps
// conversations.ErrNotFound for an unknown chat or a deactivated person.
func (s *Store) PersonByIdentity(ctx context.Context, ch conversations.Channel, externalID string) (conversations.Person, error) {
	return personBy(ctx, s.db(ctx), string(ch)+" identity",
		`p.id = (SELECT person_id FROM identities WHERE channel = $1 AND external_id = $2) AND p.deactivated_at IS NULL`, string(ch), externalID)
}

// BindIdentity binds a chat identity to the person. An identity already bound to someone
// else moves to this person (the latest invite wins); its chat id is refreshed.
func (s *Store) BindIdentity(ctx context.Context, personID int64, id conversations.Identity) error {
	return s.guarded(ctx, func(q querier) error { return bindIdentity(ctx, q, s.now, personID, id) })
}

func bindIdentity(ctx context.Context, q querier, now func() time.Time, personID int64, id conversations.Identity) error {
	if id.Channel == "" || strings.TrimSpace(id.ExternalID) == "" {
		return fmt.Errorf("%w: identity needs a channel and an external id", conversations.ErrInvalid)
	}
	if id.ChatID == "" {
		id.ChatID = id.ExternalID
	}
	_, err := q.Exec(ctx, `INSERT INTO identities (channel, external_id, chat_id, person_id, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (channel, external_id) DO UPDATE SET chat_id = excluded.chat_id, person_id = excluded.person_id`,
		string(id.Channel), id.ExternalID, id.ChatID, personID, now())
	if pgCode(err) == codeForeignKey {
		return fmt.Errorf("bind identity: person #%d: %w", personID, conversations.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("bind identity: %w", err)
	}
	return nil
}

// LinkIdentities makes two external ids of one channel one person (WhatsApp's hidden
// "lid:<id>" and the phone number of the same sender): when exactly one of them is bound,
// the other is bound to the same person with chatID, in one transaction. Nothing changes
// when neither or both are bound to the same person; it wraps conversations.ErrConflict
// when they are bound to different people (left for a coordinator to sort out).
func (s *Store) LinkIdentities(ctx context.Context, ch conversations.Channel, a, b, chatID string) error {
	return pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT external_id, person_id FROM identities
			WHERE channel = $1 AND external_id = ANY($2) FOR UPDATE`, string(ch), []string{a, b})
		if err != nil {
			return fmt.Errorf("link identities: %w", err)
		}
		bound := map[string]int64{}
		for rows.Next() {
			var id string
			var person int64
			if err := rows.Scan(&id, &person); err != nil {
				rows.Close()
				return fmt.Errorf("link identities: %w", err)
			}
			bound[id] = person
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("link identities: %w", err)
		}
		pa, okA := bound[a]
		pb, okB := bound[b]
		switch {
		case okA && okB && pa != pb:
			return fmt.Errorf("link identities: bound to #%d and #%d: %w", pa, pb, conversations.ErrConflict)
		case okA == okB:
			return nil
		case okA:
			return bindIdentity(ctx, tx, s.now, pa, conversations.Identity{Channel: ch, ExternalID: b, ChatID: chatID})
		default:
			return bindIdentity(ctx, tx, s.now, pb, conversations.Identity{Channel: ch, ExternalID: a, ChatID: chatID})
		}
	})
}

// Identities returns the chat identities bound to the person, oldest first.
func (s *Store) Identities(ctx context.Context, personID int64) ([]conversations.Identity, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT channel, external_id, chat_id FROM identities WHERE person_id = $1 ORDER BY created_at, channel`, personID)
	if err != nil {
		return nil, fmt.Errorf("identities of #%d: %w", personID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversations.Identity, error) {
		var id conversations.Identity
		var ch string
		err := r.Scan(&ch, &id.ExternalID, &id.ChatID)
		id.Channel = conversations.Channel(ch)
		return id, err
	})
}
