package postgres

import (
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/onboarding"
)

// The store serves the core's directory interfaces and the stores the focal point's
// dialogue and the onboarding declare (the review's and the digests' are asserted beside
// their methods).
var (
	_ conversations.People      = (*Store)(nil)
	_ conversations.Regions     = (*Store)(nil)
	_ conversations.Checkpoints = (*Store)(nil)
	_ answering.Answers         = (*Store)(nil)
	_ answering.Instruments     = (*Store)(nil)
	_ answering.ReviewNotes     = (*Store)(nil)
	_ answering.Coordinators    = (*Store)(nil)
	_ answering.Carried         = (*Store)(nil)
	_ onboarding.Invites        = (*Store)(nil)
)
