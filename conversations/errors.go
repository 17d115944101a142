// Package conversations is the core of klabot's dialogue engine: who is writing, what
// they may do, the dialogue state, routing each message to a capability, the replies and
// the error vocabulary. The capabilities live beside it (conversations/review,
// conversations/headline, conversations/digest; see docs/architecture.md); the focal
// point's one-question-at-a-time flow, evidence intake and onboarding are still here. It
// never talks to a network; channels feed it Inbound messages and deliver the Outbound
// messages it returns. It declares the stores it needs as interfaces.
package conversations

import (
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations/parse"
)

// The error vocabulary. Stores and the engine wrap these with context
// (fmt.Errorf("save answer %s: %w", code, ErrConflict)); the chat edge turns them into a
// kind Indonesian sentence and the HTTP edge into a status.
var (
	ErrNotFound = errors.New("not found")
	// ErrInvalid is parse.ErrInvalid: an unreadable number or date is invalid input.
	ErrInvalid     = parse.ErrInvalid
	ErrForbidden   = errors.New("forbidden")
	ErrConflict    = errors.New("conflict")
	ErrUnavailable = errors.New("unavailable")
	ErrExpired     = errors.New("expired")
)

// ErrDuplicate means the platform message was handled before: nothing changed.
var ErrDuplicate = errors.New("duplicate message")

// ErrFileTooBig is what a File.Open returns (wrapped) when the file is over the size the
// engine or the platform accepts; the person is told the limit instead of "download failed".
var ErrFileTooBig = fmt.Errorf("file too big: %w", ErrInvalid)
