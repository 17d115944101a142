package digest

import (
	"context"
	"github.com/klabot/klabot/conversations"
	"time"
)

// DigestRegion is a region with its digest and reminder settings.
type DigestRegion struct {
	conversations.Region
	// DigestChat is the region's optional group chat that also gets the digest.
	DigestChat *conversations.Address
	// Nudges is the region's reminder schedule; NudgesOff stops reminders for the region.
	Nudges    NudgePolicy
	NudgesOff bool
}

// Recipient is a person and the chat to reach them on.
type Recipient struct {
	Person conversations.Person
	To     conversations.Address
}

// DigestFacts are the parts of a digest that are not scores: who is reachable, who
// answered when, what waits for review. All for one region.
type DigestFacts struct {
	LastAnswerByOPD map[string]time.Time // by OPD code; missing = never answered
	PendingReviews  int                  // current answers with no review yet
	Unreachable     []string             // names of people who blocked the bot
	Unregistered    []string             // names of people with no chat identity
	Coordinators    []Recipient          // coordinators with a chat, to receive the digest
}

// Notification kinds.
const (
	KindDigestRun      = "digest_run"      // the region's daily claim row (no recipient)
	KindDigest         = "digest"          // one digest to one chat
	KindNudge          = "nudge"           // one reminder to one focal point
	KindEscalation     = "escalation"      // one escalation message to one coordinator
	KindEscalationMark = "escalation_mark" // records that a silent streak was escalated
)

// Notification statuses.
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
	NotificationSkipped = "skipped"
)

// Notification is one proactive message (or claim) in the notifications table.
type Notification struct {
	ID         int64
	RegionCode string
	PersonID   int64 // 0 when the row has no person (a claim, a group chat)
	Kind       string
	DedupeKey  string // unique: makes "once per region per day" a constraint
	To         conversations.Address
	Status     string // pending unless set
	Error      string
	CreatedAt  time.Time
	SentAt     *time.Time
}

// NotificationStore records proactive messages and their outcomes.
type NotificationStore interface {
	// ClaimNotifications inserts claim and, only when claim's dedupe key was free, items
	// (each skipped when its own key is taken), in one transaction. It returns the claim's
	// id (0 when the key was taken: someone else won) and the inserted items with their ids.
	ClaimNotifications(ctx context.Context, claim Notification, items []Notification) (int64, []Notification, error)
	// ClaimEach inserts every notification whose dedupe key is free, in one statement,
	// and returns those inserted, with their ids.
	ClaimEach(ctx context.Context, items []Notification) ([]Notification, error)
	// ExpirePendingNotifications marks notifications pending since before `before` as
	// failed (their process stopped before delivery) and returns how many.
	ExpirePendingNotifications(ctx context.Context, before time.Time) (int64, error)
	// RecordNotificationOutcome marks a notification sent (errText empty) or failed.
	RecordNotificationOutcome(ctx context.Context, id int64, errText string) error
}

// DigestStore is what the digest scheduler needs from storage, batched over regions so
// that hundreds of regions cost a handful of queries.
type DigestStore interface {
	NotificationStore
	// DigestRegions returns every region with its settings, by code.
	DigestRegions(ctx context.Context) ([]DigestRegion, error)
	// DigestRunDays returns, per region, the local days (YYYY-MM-DD) on or after since
	// that have a digest run row (sent or skipped).
	DigestRunDays(ctx context.Context, regions []string, since time.Time) (map[string]map[string]bool, error)
	// DigestFacts returns the regions' coordinators with a chat and the people who
	// blocked the bot or never registered.
	DigestFacts(ctx context.Context, regions []DigestRegion) (map[string]DigestFacts, error)
	// DigestScoreInputs loads the score inputs of the regions (each with Year set),
	// batched: the same inputs as ScoreStore.ScoreInput. Regions whose year has no
	// instrument are left out.
	DigestScoreInputs(ctx context.Context, regions []DigestRegion) (map[string]conversations.ScoreInput, error)
	// PreviousSnapshots returns each region's latest score snapshot before its day
	// (days by region code), with the snapshot's day.
	PreviousSnapshots(ctx context.Context, days map[string]time.Time, years map[string]int) (map[string]DigestSnapshot, error)
	// SaveDigestSnapshot stores (or replaces) the region's score snapshot for a local day.
	SaveDigestSnapshot(ctx context.Context, region string, year int, day time.Time, s DigestScores) error
}

// DigestSnapshot is one stored day's scores.
type DigestSnapshot struct {
	Day    time.Time
	Scores DigestScores
}
