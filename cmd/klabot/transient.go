package main

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/klabot/klabot/conversations"
)

// transient reports whether a handling error means a dependency (PostgreSQL, Redis, the
// evidence store) is down or unreachable for now, so the dispatcher retries the message
// instead of answering it with an error and dropping it. The stores wrap Redis failures
// in conversations.ErrUnavailable; pgx's connection errors arrive unwrapped.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, conversations.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57P01-57P03: admin or crash shutdown, cannot
		// connect now; 53300: too many connections; 40001/40P01: serialization or deadlock.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") ||
			pe.Code == "53300" || pe.Code == "40001" || pe.Code == "40P01"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// pgx reports a connection lost mid-query without a typed error.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe")
}
