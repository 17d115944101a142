package conversations

import (
	"math"

	"github.com/klabot/klabot/scoring"
)

// ReviewState is the state of one answer version in the coordinator's review.
type ReviewState string

// The review states. Only Approved, NeedsRevision and Rejected are recorded; Waiting is
// the state of a version nobody reviewed yet, and Edited marks a waiting version that
// replaced a reviewed one.
const (
	ReviewWaiting       ReviewState = "waiting"
	ReviewApproved      ReviewState = "approved"
	ReviewNeedsRevision ReviewState = "needs_revision"
	ReviewRejected      ReviewState = "rejected"
	ReviewEdited        ReviewState = "edited"
)

// Recordable reports whether s is a decision a reviewer can record.
func (s ReviewState) Recordable() bool {
	return s == ReviewApproved || s == ReviewNeedsRevision || s == ReviewRejected
}

// NeedsNote reports whether recording s requires a note for the focal point.
func (s ReviewState) NeedsNote() bool {
	return s == ReviewNeedsRevision || s == ReviewRejected
}

// Label is the Indonesian name of the state shown to people.
func (s ReviewState) Label() string {
	switch s {
	case ReviewApproved:
		return "diterima"
	case ReviewNeedsRevision:
		return "perlu perbaikan"
	case ReviewRejected:
		return "ditolak"
	case ReviewEdited:
		return "diubah"
	}
	return "menunggu"
}

// Reopened is a question sent back to its OPD, with the decision and its note.
type Reopened struct {
	Code     string
	State    ReviewState // needs_revision or rejected
	Note     string
	Reviewer string
}

// PointsWaitingReview is what approving every waiting answer would add to the verified
// score: the evidenced points of answered questions whose current version nobody has
// reviewed yet (for the digest's "points waiting for review").
func PointsWaitingReview(rep scoring.Report) float64 {
	var sum float64
	for _, r := range rep.Results {
		if r.Answered && r.Review == scoring.ReviewNone {
			sum += r.Evidenced
		}
	}
	return math.Round(sum*1e6) / 1e6
}
