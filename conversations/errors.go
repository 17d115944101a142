// Package conversations is the core of klabot's dialogue engine: who is writing, what
// they may do, the dialogue state, routing each message to a capability, the replies and
// the error vocabulary. The capabilities live beside it (conversations/answering,
// conversations/onboarding, conversations/review, conversations/headline ...; see
// docs/architecture.md), and NewEngine routes to them. It never talks to a network;
// channels feed it Inbound messages and deliver the Outbound messages it returns. It
// declares the stores it needs as interfaces.
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

// ErrNoInstrument means the region's evaluation year has no imported instrument yet: a
// step that needs one fails with it (wrapped), and the engine tells the person kindly.
var ErrNoInstrument = errors.New("no instrument for the year")

// ErrFileTooBig is what a File.Open returns (wrapped) when the file is over the size the
// engine or the platform accepts; the person is told the limit instead of "download failed".
var ErrFileTooBig = fmt.Errorf("file too big: %w", ErrInvalid)
