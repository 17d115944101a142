package conversations

import (
	"math"
	"strings"
	"time"

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

// MaxReviewNote is the longest review note accepted, in characters.
const MaxReviewNote = 1000

// ReviewFilter narrows the review queue. Zero values mean "any".
type ReviewFilter struct {
	OPDCode      string // the answering OPD's code or a national OPD code of the question
	ClusterCode  string // KELEMBAGAAN, I .. V
	WithEvidence bool   // only answers with at least one evidence file
	QuestionCode string // only this question ("tinjau 1.3")
}

// ReviewFile is one evidence file of an answer version.
type ReviewFile struct {
	ID      int64
	BlobKey string // sha256 of the content, the blob store key
	MIME    string
	Size    int64
	Name    string // original name as sent
	At      time.Time
}

// ReviewRecord is one recorded review decision.
type ReviewRecord struct {
	ID           int64
	AnswerID     int64
	State        ReviewState
	Note         string
	ReviewerID   int64
	ReviewerName string
	At           time.Time
}

// ReviewItem is one answer version as a reviewer sees it: the question, who answered,
// the value, the narrative and the evidence, and its review state.
type ReviewItem struct {
	AnswerID         int64
	Version          int
	RegionCode       string
	Year             int
	QuestionCode     string
	QuestionText     string
	QuestionPosition int
	AnswerType       scoring.AnswerType
	EvidenceRequired bool
	IndicatorCode    string
	IndicatorName    string
	ClusterCode      string
	ClusterName      string

	Value      scoring.Value
	Narrative  string
	PersonID   int64 // who answered
	PersonName string
	OPDID      int64 // the answering person's OPD; 0 when they have none
	OPDCode    string
	OPDName    string
	AnsweredAt time.Time
	Channel    string

	// State is this version's state: its latest review, or Waiting (Edited when an
	// earlier version of the same question was reviewed).
	State ReviewState
	// LastNote is the note of the latest review (of this version, or of the previous one
	// when this version is waiting).
	LastNote string
	// PriorState is the latest review of the previous versions when this version is
	// Edited (what the OPD was answering to); empty otherwise.
	PriorState ReviewState
	Evidence   []ReviewFile
	// Reviews of this version, oldest first (filled by ReviewItem and ReviewHistory).
	Reviews []ReviewRecord
}

// Reopened is a question sent back to its OPD, with the decision and its note.
type Reopened struct {
	Code     string
	State    ReviewState // needs_revision or rejected
	Note     string
	Reviewer string
}

// ReviewCounts summarise a region's review for the digest.
type ReviewCounts struct {
	Waiting       int // current answers with no review yet
	Approved      int
	NeedsRevision int
	Rejected      int
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

// ClusterCode reads a cluster as people type it ("3", "III", "iii", "kelembagaan", "0")
// as its code; the review store normalizes ReviewFilter.ClusterCode with it too.
func ClusterCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "0", "K":
		return "KELEMBAGAAN"
	case "1":
		return "I"
	case "2":
		return "II"
	case "3":
		return "III"
	case "4":
		return "IV"
	case "5":
		return "V"
	}
	return s
}
