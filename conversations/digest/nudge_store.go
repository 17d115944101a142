package digest

import (
	"context"
	"github.com/klabot/klabot/conversations"
	"time"
)

// NudgeCandidate is a reachable focal point with a chat, their open questions and their
// reminder history.
type NudgeCandidate struct {
	Person     conversations.Person
	To         conversations.Address
	Open       int // unanswered (or sent back) questions of their OPD; 0 = done
	FirstCode  string
	FirstText  string
	LastAnswer *time.Time // their latest answer or evidence, nil when never
	LastNudge  *time.Time // their latest nudge that was not a failure, nil when never
	// Ignored counts the nudges since their last answer; FirstIgnoredID is the first of
	// them (it names the silent streak) and LastIgnoredAt the latest.
	Ignored        int
	FirstIgnoredID int64
	LastIgnoredAt  time.Time
	Escalated      bool // this silent streak was already reported to the coordinators
}

// NudgeStore is what the reminder scheduler needs from storage.
type NudgeStore interface {
	NotificationStore
	// NudgeCandidates returns the focal points of the regions (by region code) who have a
	// chat and did not block the bot, with their reminder history (Open, FirstCode and
	// FirstText are the caller's to fill). opdCode, when not empty, keeps only the people
	// of that OPD (its region code).
	NudgeCandidates(ctx context.Context, regions []DigestRegion, opdCode string) (map[string][]NudgeCandidate, error)
	// RegionCoordinators returns the coordinators of the regions who have a chat.
	RegionCoordinators(ctx context.Context, regions []string) (map[string][]Recipient, error)
}
