package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// inviteAlphabet has 32 symbols without the look-alikes 0/O and 1/I, so a code read aloud
// or typed on a phone survives; 10 symbols carry 50 bits.
const (
	inviteAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	inviteLength   = 10
	// DefaultInviteTTL is how long an invite lasts when no TTL is given.
	DefaultInviteTTL = 7 * 24 * time.Hour
)

// NormalizeInviteCode makes a typed code comparable: upper case, no spaces or dashes.
func NormalizeInviteCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r != ' ' && r != '-' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hashInvite(code string) string {
	sum := sha256.Sum256([]byte(NormalizeInviteCode(code)))
	return hex.EncodeToString(sum[:])
}

func newInviteCode() (string, error) {
	b := make([]byte, inviteLength)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b), nil
}

// CreateInvite creates a single-use invite for the person, valid for ttl (DefaultInviteTTL
// when ttl <= 0), and returns its code. Only the code's SHA-256 is stored.
func (s *Store) CreateInvite(ctx context.Context, personID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = DefaultInviteTTL
	}
	code, err := newInviteCode()
	if err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	now := s.now()
	err = s.guarded(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO invites (code_hash, person_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
			hashInvite(code), personID, now.Add(ttl), now)
		return err
	})
	if pgCode(err) == codeForeignKey {
		return "", fmt.Errorf("create invite: person #%d: %w", personID, conversations.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	return code, nil
}

// RedeemInvite checks the code (case-insensitive; spaces and dashes ignored), binds the
// identity to its person and marks the invite used, all in one transaction. It wraps
// conversations.ErrNotFound for an unknown code, ErrConflict for a used one and ErrExpired
// for an expired one.
func (s *Store) RedeemInvite(ctx context.Context, code string, id conversations.Identity) (conversations.Person, error) {
	var p conversations.Person
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		var personID int64
		var expires time.Time
		var used *time.Time
		err := tx.QueryRow(ctx, `SELECT person_id, expires_at, used_at FROM invites WHERE code_hash = $1 FOR UPDATE`,
			hashInvite(code)).Scan(&personID, &expires, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return conversations.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case !now.Before(expires):
			return conversations.ErrExpired
		case used != nil:
			again, err := secondAddress(ctx, tx, personID, id)
			if err != nil {
				return err
			}
			if !again {
				return conversations.ErrConflict
			}
		}
		if err := bindIdentity(ctx, tx, s.now, personID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET used_at = $2 WHERE code_hash = $1`, hashInvite(code), now); err != nil {
			return err
		}
		p, err = personBy(ctx, tx, fmt.Sprint("#", personID), `p.id = $1`, personID)
		return err
	})
	if err != nil {
		// Never the code itself: it is a secret until used.
		return conversations.Person{}, fmt.Errorf("redeem invite: %w", err)
	}
	return p, nil
}

// secondAddress reports whether a used invite may still bind id: on WhatsApp the same
// person can appear by a hidden "lid:<id>" and later by their phone number (or the other
// way round) when WhatsApp cannot tell klabot that the two are one. The person who used
// the invite by one of the two kinds of address may use it again, before it expires, by
// the other kind — an invite already used by that person must not lock them out.
func secondAddress(ctx context.Context, tx pgx.Tx, personID int64, id conversations.Identity) (bool, error) {
	if id.Channel != conversations.ChannelWhatsApp {
		return false, nil
	}
	newIsLID := strings.HasPrefix(id.ExternalID, "lid:")
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM identities WHERE person_id = $1 AND channel = $2
		AND (external_id LIKE 'lid:%') = $3`, personID, string(id.Channel), newIsLID).Scan(&n)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil // the person already has an address of this kind
	}
	err = tx.QueryRow(ctx, `SELECT count(*) FROM identities WHERE person_id = $1 AND channel = $2`, personID, string(id.Channel)).Scan(&n)
	return n > 0, err
}
