package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what both *pgxpool.Pool and pgx.Tx offer, so that one helper serves a
// standalone call and a step inside a larger transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgCode returns the SQLSTATE of a Postgres error, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// SQLSTATE codes the stores translate into the conversations error vocabulary.
const (
	codeForeignKey = "23503"
	codeUnique     = "23505"
	codeCheck      = "23514"
	// codeVersion is expect_answer_version's: the answer moved on since its writer saw it.
	codeVersion = "KL409"
)
