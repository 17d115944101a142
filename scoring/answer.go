package scoring

import "time"

// ReviewState is a coordinator's latest verdict on the current version of an answer.
// The zero value means the answer has not been reviewed.
type ReviewState string

// The review states, as stored in the reviews table.
const (
	ReviewNone          ReviewState = ""
	ReviewApproved      ReviewState = "approved"
	ReviewNeedsRevision ReviewState = "needs_revision"
	ReviewRejected      ReviewState = "rejected"
)

// SentBack reports whether the answer was sent back to its OPD for correction.
func (s ReviewState) SentBack() bool { return s == ReviewNeedsRevision || s == ReviewRejected }

// AnswerState is what scoring needs to know about one question of one region: the current
// answer (if any), whether it was skipped, how many evidence files the current version has
// and the latest review of that version.
type AnswerState struct {
	QuestionCode string `json:"question_code"`
	Value        Value  `json:"value"`
	// Answered is true when a current answer exists. A question without one scores 0.
	Answered bool `json:"answered"`
	// Skipped is true when someone skipped the question; it never overrides an answer.
	Skipped bool        `json:"skipped,omitempty"`
	Files   int         `json:"files"` // evidence files attached to the current version
	Review  ReviewState `json:"review,omitempty"`
	// By and At say who answered and when; for display only, never for arithmetic.
	By string    `json:"by,omitempty"`
	At time.Time `json:"at,omitempty"`
}

// OPD is one of a region's agencies. AnswersFor lists the national OPD codes of the
// instrument it answers for (a local "DP3AP2KB" answers for "DP3A" and "DPPKB"); when it
// is empty, the OPD answers for its own Code.
type OPD struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	AnswersFor []string `json:"answers_for,omitempty"`
}

// OPDRef names a region OPD responsible for a question.
type OPDRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}
