package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
)

// Web link purposes (web_links.purpose).
const (
	WebLinkLogin    = "login"
	WebLinkDownload = "download"
)

// CreateWebLink stores a login or download link for the person by the SHA-256 of its
// token (the token itself is never stored), valid until expires.
func (s *Store) CreateWebLink(ctx context.Context, tokenHash string, personID int64, purpose, target string, expires time.Time) error {
	_, err := s.db(ctx).Exec(ctx, `INSERT INTO web_links (token_hash, person_id, purpose, target, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, tokenHash, personID, purpose, target, expires, s.now())
	if err != nil {
		return fmt.Errorf("create web link: %w", err)
	}
	return nil
}

// RedeemLoginLink uses a login link once and starts a browser session for its person,
// in one transaction. An unknown link is ErrNotFound, a used one ErrConflict, an expired one
// ErrExpired.
func (s *Store) RedeemLoginLink(ctx context.Context, linkHash, sessionHash string) (conversations.Person, error) {
	var personID int64
	now := s.now()
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		var expires time.Time
		var used *time.Time
		err := tx.QueryRow(ctx, `SELECT person_id, expires_at, used_at FROM web_links
			WHERE token_hash = $1 AND purpose = 'login' FOR UPDATE`, linkHash).Scan(&personID, &expires, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("login link: %w", conversations.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if used != nil {
			return fmt.Errorf("login link used: %w", conversations.ErrConflict)
		}
		if !now.Before(expires) {
			return fmt.Errorf("login link: %w", conversations.ErrExpired)
		}
		if _, err := tx.Exec(ctx, `UPDATE web_links SET used_at = $2 WHERE token_hash = $1`, linkHash, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO web_sessions (token_hash, person_id, created_at, last_seen_at)
			VALUES ($1, $2, $3, $3)`, sessionHash, personID, now)
		return err
	})
	if err != nil {
		return conversations.Person{}, fmt.Errorf("redeem login link: %w", err)
	}
	return s.Person(ctx, personID)
}

// DownloadLink returns the person and target of a download link that has not expired.
// Download links can be used more than once until they expire (a download may be
// retried). An unknown link is ErrNotFound, an expired one ErrExpired.
func (s *Store) DownloadLink(ctx context.Context, tokenHash string) (conversations.Person, string, error) {
	var personID int64
	var target string
	var expires time.Time
	err := s.db(ctx).QueryRow(ctx, `SELECT person_id, target, expires_at FROM web_links
		WHERE token_hash = $1 AND purpose = 'download'`, tokenHash).Scan(&personID, &target, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return conversations.Person{}, "", fmt.Errorf("download link: %w", conversations.ErrNotFound)
	}
	if err != nil {
		return conversations.Person{}, "", fmt.Errorf("download link: %w", err)
	}
	if !s.now().Before(expires) {
		return conversations.Person{}, "", fmt.Errorf("download link: %w", conversations.ErrExpired)
	}
	p, err := s.Person(ctx, personID)
	return p, target, err
}

// webSessionTouchEvery bounds how often a session's last_seen_at is written: a page with
// a few pictures costs one write, not one per request.
const webSessionTouchEvery = time.Minute

// WebSession returns the person of a live browser session: not ended, and seen within
// idle. It records the visit. An unknown, ended or idle session is ErrNotFound.
func (s *Store) WebSession(ctx context.Context, tokenHash string, idle time.Duration) (conversations.Person, error) {
	now := s.now()
	var personID int64
	var seen time.Time
	err := s.db(ctx).QueryRow(ctx, `SELECT person_id, last_seen_at FROM web_sessions
		WHERE token_hash = $1 AND ended_at IS NULL`, tokenHash).Scan(&personID, &seen)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && now.Sub(seen) >= idle) {
		return conversations.Person{}, fmt.Errorf("web session: %w", conversations.ErrNotFound)
	}
	if err != nil {
		return conversations.Person{}, fmt.Errorf("web session: %w", err)
	}
	if now.Sub(seen) >= webSessionTouchEvery {
		if _, err := s.db(ctx).Exec(ctx, `UPDATE web_sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash, now); err != nil {
			return conversations.Person{}, fmt.Errorf("web session: %w", err)
		}
	}
	return s.Person(ctx, personID)
}

// EndWebSession ends a browser session (logout). Ending an unknown session is no error.
func (s *Store) EndWebSession(ctx context.Context, tokenHash string) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE web_sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL`, tokenHash, s.now())
	if err != nil {
		return fmt.Errorf("end web session: %w", err)
	}
	return nil
}

// EvidenceFile returns one evidence file of the region; a file of another region is
// ErrNotFound.
func (s *Store) EvidenceFile(ctx context.Context, region string, id int64) (review.File, error) {
	var f review.File
	err := s.db(ctx).QueryRow(ctx, `SELECT e.id, e.blob_key, e.mime_type, e.size_bytes, e.original_name, e.created_at
		FROM evidence e JOIN answers a ON a.id = e.answer_id
		WHERE e.id = $1 AND a.region_code = $2`, id, region).Scan(&f.ID, &f.BlobKey, &f.MIME, &f.Size, &f.Name, &f.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("evidence %d: %w", id, conversations.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("evidence %d: %w", id, err)
	}
	return f, nil
}

// WebActivity returns, for the region's people, who has a chat identity (registered)
// and when each last answered in the year (missing: never).
func (s *Store) WebActivity(ctx context.Context, region string, year int) (map[int64]bool, map[int64]time.Time, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT p.id, EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id),
		       (SELECT max(a.created_at) FROM answers a WHERE a.person_id = p.id AND a.region_code = p.region_code AND a.year = $2)
		FROM people p WHERE p.region_code = $1`, region, year)
	if err != nil {
		return nil, nil, fmt.Errorf("web activity %s: %w", region, err)
	}
	defer rows.Close()
	registered, last := map[int64]bool{}, map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var reg bool
		var at *time.Time
		if err := rows.Scan(&id, &reg, &at); err != nil {
			return nil, nil, fmt.Errorf("web activity %s: %w", region, err)
		}
		registered[id] = reg
		if at != nil {
			last[id] = *at
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("web activity %s: %w", region, err)
	}
	return registered, last, nil
}
