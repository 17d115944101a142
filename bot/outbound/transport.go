// Package outbound delivers messages to the channels: one queue shared by replies, digests
// and nudges, with per-channel rate limits, retries, and replies ahead of bulk messages.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Transport sends one message on one channel (the Telegram or WhatsApp adapter).
// It classifies failures with the errors below so the sender knows what to do.
type Transport interface {
	Deliver(ctx context.Context, out conversations.Outbound) error
}

// ErrBlocked means the person blocked the bot or cannot be written to: do not retry,
// mark them unreachable.
var ErrBlocked = errors.New("recipient unreachable")

// RetryAfterError means the platform throttled us: retry after the given delay.
type RetryAfterError struct{ After time.Duration }

func (e *RetryAfterError) Error() string { return fmt.Sprintf("throttled: retry after %s", e.After) }

// TemporaryError wraps a failure worth retrying with backoff (5xx, network).
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return "temporary: " + e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }
