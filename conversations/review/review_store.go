package review

import (
	"context"
	"github.com/klabot/klabot/conversations"
)

// Store is what the review commands need from storage (storage/postgres).
type Store interface {
	// ReviewQueue returns up to limit current answer versions of the region waiting for
	// review, oldest first.
	ReviewQueue(ctx context.Context, region string, year int, f Filter, limit int) ([]Item, error)
	// CountReviewQueue counts the current answers matching f that wait for review.
	CountReviewQueue(ctx context.Context, region string, year int, f Filter) (int, error)
	// ReviewItem returns one answer version of the region with its evidence.
	ReviewItem(ctx context.Context, region string, answerID int64) (Item, error)
	// RecordReview records a decision on the current version of an answer. A stale version
	// gives ErrConflict, a missing note ErrInvalid, a reviewer who is not a coordinator or
	// admin of the answer's region ErrForbidden (ErrNotFound for another region).
	RecordReview(ctx context.Context, answerID int64, state conversations.ReviewState, note string, reviewerID int64) (Record, error)
	// ReviewHistory returns every version of the question's answer in the region, oldest
	// first, with evidence and reviews. ref is a question code or its instrument number.
	ReviewHistory(ctx context.Context, region string, year int, ref string) ([]Item, error)
	// ReopenedQuestions returns an OPD's questions whose current answer was sent back
	// (needs_revision or rejected), most recent decision first.
	ReopenedQuestions(ctx context.Context, region string, year int, opdID int64) ([]conversations.Reopened, error)
	// ReviewRecipients returns the focal points to tell about a decision on the answer:
	// those of the answering person's OPD (the answering person alone when they have none).
	ReviewRecipients(ctx context.Context, answerID int64) ([]conversations.Person, error)
}
